"""Aftercare: post-delivery support desk for a web agency."""
__version__ = "0.1.0"
