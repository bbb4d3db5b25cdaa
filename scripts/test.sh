#!/usr/bin/env bash
# Set up privnum with its test extras in ./.venv (and SIPp, sox, Kannel, Chromium and CJK fonts from apt when missing);
# run ruff, the layer contracts (lint-imports), mypy and the whole test suite.
# PostgreSQL / Redis tests run too when PRIVNUM_TEST_POSTGRES_URL / PRIVNUM_TEST_REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
# The SIP tests need SIPp (Debian's sip-tester), voice files need sox, the SMS tests Kannel (bearerbox and smsbox in
# /usr/sbin, not on a user's PATH), the SIP edge test Kamailio (/usr/sbin/kamailio), the console's browser tests
# Chromium (driven by Playwright through executable_path: never `playwright install`) and CJK fonts: installed here
# when missing.
missing=()
command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
command -v sox >/dev/null 2>&1 || missing+=(sox)
[ -x /usr/sbin/bearerbox ] && [ -x /usr/sbin/smsbox ] || missing+=(kannel)
[ -x /usr/sbin/kamailio ] || missing+=(kamailio)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-noto-cjk)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if command -v apt-get >/dev/null 2>&1; then
    ($sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}") >/dev/null || { echo "could not install ${missing[*]}: apt-get install ${missing[*]}" >&2; exit 1; }
  else
    echo "install ${missing[*]} first (the SIP tests run SIPp, voice files are converted with sox, the SMS tests run" \
      "Kannel, the SIP edge test Kamailio, the console is tested in Chromium)" >&2
    exit 1
  fi
fi
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
