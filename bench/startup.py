"""Window shown after launch (DESIGN §8: under 2 s), on a demo database.

``python -m bench.startup [--tickets N]`` starts the real program offscreen as a user would
(``python -m desktop --database ...``) with AFTERCARE_EXIT_AFTER_START, which quits as soon as the
event loop runs with the main window shown, and times the whole process: start-up, window, and
shutdown — an upper bound of "window shown". Median of 3 runs; one JSON line last.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=40)
    args = parser.parse_args(argv)
    from bench.demo import cached_demo_db

    path = cached_demo_db(args.tickets, args.clients)
    runs = []
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AFTERCARE_EXIT_AFTER_START="1",
                   AFTERCARE_NO_BACKUP="1", AFTERCARE_DATA_DIR=data)
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "desktop", "--database", f"sqlite:///{path}"],
                           env=env, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            runs.append(time.perf_counter() - start)
    print(json.dumps({"benchmark": "startup", "tickets": args.tickets,
                      "window_shown_s": round(statistics.median(runs), 2),
                      "runs_s": [round(r, 2) for r in runs], "budget_s": 2.0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
