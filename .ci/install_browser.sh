#!/usr/bin/env bash
# Install the headless browser the visualisation's end-to-end test drives:
# Debian's chromium (a browser download by a test tool does not work offline) and
# Python's playwright client (its own `playwright install` is never run).
# Idempotent: does nothing that is already done. Usage: bash .ci/install_browser.sh [PYTHON]
set -euo pipefail

PY="${1:-${PYTHON:-.venv/bin/python}}"

if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
chromium --version

if ! "$PY" -c "import playwright" >/dev/null 2>&1; then
    "$PY" -m pip install --quiet "playwright>=1.40"
fi
"$PY" -c "import importlib.metadata as m; print('playwright', m.version('playwright'))"
