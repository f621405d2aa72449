"""Clients: the list, the client page and the editor (DESIGN §4)."""
