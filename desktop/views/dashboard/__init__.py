"""The dashboard: figures that click through, and small charts (DESIGN §4)."""
