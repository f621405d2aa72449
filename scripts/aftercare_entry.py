"""Entry point for the packaged application (PyInstaller)."""
import multiprocessing

from desktop.cli import entry_point

if __name__ == "__main__":
    # Report export uses worker processes (spawn); a frozen app must let them start here.
    multiprocessing.freeze_support()
    entry_point()
