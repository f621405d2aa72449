"""Benchmarks (DESIGN §8), each runnable as ``python -m bench.NAME``; each prints one JSON line
last with its figures and its budget."""
