"""The Reports view: client PDF reports, the manager's texts and sending (DESIGN §4-5)."""
