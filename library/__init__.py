"""The briefing library: QUNO's Migration Justice papers in English, French and Spanish."""
from __future__ import annotations

__version__ = "0.1.0"
