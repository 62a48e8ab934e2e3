#!/usr/bin/env bash
# Install the headless browser the visualisation's end-to-end test drives
# (tests/test_viz_browser.py): Debian's chromium, since a test tool's own browser download
# does not work offline. Playwright (the Python driver; its `playwright install` is never
# run) comes with the project's test extra; given a Python, this also makes sure that
# Python has it.
# Idempotent: skips whatever is already there.
# Usage: bash .ci/install_browser.sh [PYTHON]
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
echo "browser: $(command -v chromium): $(chromium --version 2>/dev/null || echo '?')"

PY="${1:-}"
if [ -n "$PY" ] && command -v "$PY" >/dev/null 2>&1; then
    if ! "$PY" -c "import playwright" >/dev/null 2>&1; then
        "$PY" -m pip install --quiet "playwright>=1.40" \
            || echo "warning: could not install playwright for $PY (the test extra has it)"
    fi
fi
