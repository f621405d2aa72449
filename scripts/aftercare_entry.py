"""Entry point for the packaged application (PyInstaller)."""
from desktop.cli import entry_point

if __name__ == "__main__":
    entry_point()
