#!/usr/bin/env bash
# Install what the tests need (Python packages; Debian's chromium for browser tests and the
# report's charts; LibreOffice Writer and poppler for the report's PDF) and run lint and the whole suite.
source "$(dirname "$0")/_venv.sh" requirements-dev.txt
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v chromium >/dev/null; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# only Writer of LibreOffice (no recommends); Liberation 2 is Times New Roman's stand-in with Vietnamese letters
office=()
command -v soffice >/dev/null || office+=(libreoffice-writer fonts-liberation2)
command -v pdftotext >/dev/null || office+=(poppler-utils)
if [ ${#office[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${office[@]}" >/dev/null
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# two workers (pytest-xdist): the browser tests share one worker and its demo server
# (tests/conftest.py groups them), the rest is spread over both; TEST_WORKERS=0 runs in one process
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist loadgroup "$@"
