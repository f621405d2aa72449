"""The conflict dialog: my version and theirs side by side, chosen field by field (DESIGN §3)."""
