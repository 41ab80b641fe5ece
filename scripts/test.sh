#!/usr/bin/env bash
# Set everything up, lint, type-check, then run the whole test suite (extra arguments go to pytest).
# A lint or type error stops here, before the tests: CI (.ci/run) runs this script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
echo "Linting with ruff (pyproject.toml [tool.ruff])"
.venv/bin/ruff check
echo "Type-checking library/ with mypy (pyproject.toml [tool.mypy])"
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
