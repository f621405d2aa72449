"""Contracts: the list across clients with renewal chips, the contract page, the editor."""
