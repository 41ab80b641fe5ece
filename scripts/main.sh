#!/usr/bin/env bash
# Set everything up, build the whole library and serve it on http://127.0.0.1:8000/
# (extra arguments go to `library serve`, e.g. --port 8080). Stop the server with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/library build
exec .venv/bin/library serve "$@"
