#!/usr/bin/env bash
# Install what the dashboard needs and start it (builds the demo database on first start).
source "$(dirname "$0")/_venv.sh" requirements.txt
exec .venv/bin/python -m app.server --server.headless true "$@"
