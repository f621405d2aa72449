"""Typed window settings over QSettings (STYLE.md, after Picard's config): never scattered
``QSettings()`` calls. Stored as an INI file in the user data folder."""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from desktop.storage.urls import data_dir


class UiSettings:
    def __init__(self, path: str | None = None) -> None:
        self._qs = QSettings(path or str(data_dir() / "ui.ini"), QSettings.Format.IniFormat)

    def _get_json(self, key: str, default: Any) -> Any:
        raw = self._qs.value(key)
        if raw is None:
            return default
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            return default

    def _set_json(self, key: str, value: Any) -> None:
        self._qs.setValue(key, json.dumps(value))

    def _get_bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) else None

    # window
    @property
    def geometry(self) -> QByteArray | None:
        return self._get_bytes("window/geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._qs.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._get_bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._qs.setValue("window/state", value)

    @property
    def last_view(self) -> str:
        return str(self._qs.value("window/last_view", "queue"))

    @last_view.setter
    def last_view(self, value: str) -> None:
        self._qs.setValue("window/last_view", value)

    # per-widget state (splitters, header sections) by name
    def widget_state(self, name: str) -> QByteArray | None:
        return self._get_bytes(f"state/{name}")

    def set_widget_state(self, name: str, value: QByteArray) -> None:
        self._qs.setValue(f"state/{name}", value)

    # JSON documents by name: saved views, recent connections (never passwords)
    def document(self, name: str, default: Any = None) -> Any:
        return self._get_json(f"doc/{name}", default)

    def set_document(self, name: str, value: Any) -> None:
        self._set_json(f"doc/{name}", value)

    def sync(self) -> None:
        self._qs.sync()

    @property
    def file_name(self) -> str:
        return self._qs.fileName()
