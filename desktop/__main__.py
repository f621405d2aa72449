from desktop.cli import entry_point

entry_point()
