"""aftercare password set URL: store a PostgreSQL password in the OS keyring (DESIGN §3)."""
from __future__ import annotations

import argparse
import getpass

from desktop.errors import UserError

HELP = "store a PostgreSQL password in the OS keyring (prompted, never echoed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["set", "delete"])
    parser.add_argument("url", metavar="URL", help="postgresql://user@host[:port]/db")


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from desktop.storage.urls import keyring_user, parse_url, store_password

    try:
        raw = make_url(args.url)
    except Exception:  # noqa: BLE001 - any parse failure is the user's typo
        raise UserError("that is not a database URL; use postgresql://user@host/db") from None
    if raw.get_backend_name() != "postgresql":
        raise UserError("passwords are only needed for postgresql:// URLs")
    url = parse_url(raw.set(password=None).render_as_string(hide_password=False))
    if args.action == "delete":
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password("aftercare", keyring_user(url))
        except PasswordDeleteError:
            raise UserError(f"no password is stored for {keyring_user(url)}") from None
        print(f"password for {keyring_user(url)} removed from the keyring")
        return 0
    password = getpass.getpass(f"Password for {keyring_user(url)}: ")
    if not password:
        raise UserError("no password given; nothing stored")
    store_password(url, password)
    print(f"password for {keyring_user(url)} stored in the keyring")
    return 0
