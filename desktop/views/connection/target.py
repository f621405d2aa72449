"""What the connection dialog edits and the recent list remembers: where a database is, never
its password (DESIGN §3: passwords live in the OS keyring only)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

RECENT_KEY = "recent_connections"
LAST_KEY = "last_database"
RECENT_LIMIT = 8


@dataclass(frozen=True)
class ConnectionTarget:
    kind: str = "shared"  # "local" (an SQLite file) or "shared" (PostgreSQL)
    path: str = ""
    host: str = "localhost"
    port: int = 5432
    database: str = "aftercare"
    user: str = ""
    sslmode: str = "prefer"

    def url(self) -> str:
        """The database URL (without a password, by construction)."""
        if self.kind == "local":
            return f"sqlite:///{Path(self.path).expanduser()}"
        query = {"sslmode": self.sslmode} if self.sslmode and self.sslmode != "prefer" else {}
        return URL.create("postgresql", username=self.user or None, host=self.host or None,
                          port=self.port or None, database=self.database,
                          query=query).render_as_string(hide_password=False)

    def label(self) -> str:
        if self.kind == "local":
            return f"This computer — {self.path}"
        ssl = f" (SSL {self.sslmode})" if self.sslmode not in ("", "prefer") else ""
        return f"{self.user}@{self.host}:{self.port}/{self.database}{ssl}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ConnectionTarget:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if "port" in fields:
            fields["port"] = int(fields["port"] or 5432)
        return cls(**fields)

    @classmethod
    def from_url(cls, text: str) -> ConnectionTarget:
        url = make_url(text)
        if url.get_backend_name() == "sqlite":
            return cls(kind="local", path=url.database or "")
        sslmode = url.query.get("sslmode", "prefer")
        if not isinstance(sslmode, str):
            sslmode = sslmode[-1]
        return cls(kind="shared", host=url.host or "localhost", port=url.port or 5432,
                   database=url.database or "", user=url.username or "", sslmode=sslmode)


def recent_targets(ui) -> list[ConnectionTarget]:  # noqa: ANN001
    out = []
    for item in ui.document(RECENT_KEY, []) or []:
        try:
            out.append(ConnectionTarget.from_dict(item))
        except (TypeError, ValueError):
            continue
    return out


def remember_target(ui, target: ConnectionTarget) -> None:  # noqa: ANN001
    """Put ``target`` first in the recent list and make it the one opened at next start."""
    recent = [t for t in recent_targets(ui) if t != target]
    recent.insert(0, target)
    ui.set_document(RECENT_KEY, [t.to_dict() for t in recent[:RECENT_LIMIT]])
    ui.set_document(LAST_KEY, target.url())
    ui.sync()
