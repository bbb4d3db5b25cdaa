#!/usr/bin/env bash
# Set up privnum with its test extras in ./.venv; run ruff, the layer contracts (lint-imports), mypy and the
# whole test suite.
# PostgreSQL / Redis tests run too when PRIVNUM_TEST_POSTGRES_URL / PRIVNUM_TEST_REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[test]'
.venv/bin/ruff check src tests bench
.venv/bin/lint-imports --no-cache
.venv/bin/mypy src
set +e
.venv/bin/pytest -q "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
