"""The Calendar view: maintenance month grid, agenda, mark done, reschedule, export."""
