"""The project's fonts, as the font packages install them: one place that knows where their files are."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["font_file"]


def font_file(module: str, name: str) -> Path:
    """The font file name of the package module (each keeps its fonts in files/, beside its licence)."""
    return Path(str(files(module).joinpath("files", name)))
