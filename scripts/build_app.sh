#!/usr/bin/env bash
# Build the one-folder application with PyInstaller and smoke-test it:
# `--version`, a command on a fresh database, and an offscreen start of the window.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" -m pip install -q "pyinstaller>=6"
"$PY" -m PyInstaller --noconfirm --log-level WARN build.spec
app=dist/AftercareDesk/AftercareDesk
"$app" --version
tmp=$(mktemp -d)
AFTERCARE_DATA_DIR="$tmp" "$app" check
AFTERCARE_DATA_DIR="$tmp" QT_QPA_PLATFORM=offscreen AFTERCARE_EXIT_AFTER_START=1 \
    AFTERCARE_NO_DEMO_OFFER=1 "$app"
echo "packaged app OK: $(du -sh dist/AftercareDesk | cut -f1) in dist/AftercareDesk"
