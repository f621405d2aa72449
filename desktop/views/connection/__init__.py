"""Connecting to a database (issue 7, DESIGN §3): the connection dialog, the staff identity
picker, switching databases without restarting, the offline snapshot at start-up, and the
window extension with live updates and the reconnect / offline banners."""
