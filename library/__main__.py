"""`python -m library` runs the command line."""
from __future__ import annotations

from library.cli import main

main()
