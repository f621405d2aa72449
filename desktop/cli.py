"""The command line (DESIGN §6). Stable: users script it and the tests drive it.

Each subcommand lives in ``desktop.commands.<module>`` with ``HELP``, ``add_arguments(parser)``
and ``run(args) -> int``. Bad input ends in one line on stderr and a non-zero exit, never a
traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.errors import UserError

# command name -> module under desktop.commands; a module not present yet is simply not offered.
COMMANDS = {
    "demo": "demo",
    "import": "dump_import",
    "export": "dump_export",
    "export-tickets": "export_tickets",
    "report": "report",
    "calendar": "calendar",
    "backup": "backup",
    "restore": "restore",
    "check": "check",
    "password": "password",
    "copy": "copy",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as argparse does but shorter
        self.exit(2, f"aftercare: {message}\n")


def _add_database(parser: argparse.ArgumentParser, default=None) -> None:  # noqa: ANN001
    parser.add_argument("--database", metavar="URL", default=default,
                        help="sqlite:///path or postgresql://user@host/db "
                             "(default: AFTERCARE_DATABASE_URL or the local file)")


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = _Parser(prog="aftercare", description="Post-delivery support desk.")
    parser.add_argument("--version", action="version", version=f"aftercare {__version__}")
    _add_database(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    modules = {}
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(f"desktop.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"desktop.commands.{module_name}":
                continue
            raise
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
        # SUPPRESS: "aftercare --database X check" keeps X rather than the subcommand's default
        _add_database(command_parser, default=argparse.SUPPRESS)
        module.add_arguments(command_parser)
        modules[name] = module
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from desktop.app import main as gui_main

        return gui_main(argv)
    try:
        return int(modules[args.command].run(args) or 0)
    except UserError as exc:
        print(f"aftercare: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("aftercare: interrupted", file=sys.stderr)
        return 130


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
