#!/usr/bin/env bash
# Set up privnum in ./.venv (if needed) and serve the API on the embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/privnum ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e .
fi
exec .venv/bin/privnum serve "$@"
