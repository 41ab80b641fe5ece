#!/usr/bin/env bash
# Set everything up, then run the library's main job.
# So far: bring the catalogs in step with the English sources and compile them.
# Building the HTML site and the PDFs, and serving them, come with their issues.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/library extract
.venv/bin/library update
.venv/bin/library compile
