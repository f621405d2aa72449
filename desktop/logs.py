"""A rotating log file in the platform's log folder (DESIGN §9). No Qt here."""
from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

LOG_NAME = "aftercare.log"


def log_dir() -> Path:
    import platformdirs

    base = os.environ.get("AFTERCARE_DATA_DIR")
    path = Path(base) / "logs" if base else Path(platformdirs.user_log_dir("Aftercare", False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return log_dir() / LOG_NAME


def setup_logging(level: int = logging.INFO) -> Path:
    """Send the program's log to a rotating file (1 MB × 5). Returns the file's path."""
    path = log_file()
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "aftercare", False)]:
        if old.baseFilename == str(path.resolve()):
            break
        root.removeHandler(old)  # the log folder moved (another data folder)
        old.close()
    else:
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5,
                                                       encoding="utf-8")
        handler.aftercare = True
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    return path
