#!/usr/bin/env bash
# Make the hashed requirements (requirements.txt, requirements-dev.txt, scripts/uv-requirements.txt)
# from the pins people edit (requirements.in, requirements-dev.in, the uv version in _venv.sh).
# uv keeps every version already in a .txt file unless its .in file changes it, and records the
# hashes of every file PyPI publishes for each version (all platforms), so the install
# (scripts/_venv.sh, --require-hashes) refuses anything else. Extra arguments go to uv, e.g.
# `bash scripts/lock.sh --upgrade-package polars`.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=$(sed -n 's/^UV_VERSION=//p' scripts/_venv.sh)
.venv/bin/python -m uv --version >/dev/null 2>&1 || .venv/bin/python -m pip install -q "uv==$UV_VERSION"
compile() {
  .venv/bin/python -m uv pip compile --quiet --generate-hashes --universal --python-version 3.11 \
    --custom-compile-command "bash scripts/lock.sh" "$@"
}
echo "uv==$UV_VERSION" | compile - -o scripts/uv-requirements.txt "${@:1}"
compile requirements.in -o requirements.txt "${@:1}"
compile requirements-dev.in -c requirements.txt -o requirements-dev.txt "${@:1}"
