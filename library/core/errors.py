"""One error tree for the whole library; each error carries its CLI exit code."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "LibraryError",
    "SelectionError",
    "ConfigError",
    "SourceError",
    "CatalogError",
    "GlossaryError",
    "IncompleteTranslation",
    "TemplateError",
    "ChecksFailed",
    "Busy",
    "EditedMeanwhile",
    "error_line",
]


class LibraryError(Exception):
    """A failure the user can act on; the CLI prints it without a traceback."""

    exit_code = 1


class SelectionError(LibraryError):
    """A --lang or --paper that the project does not have; nothing is read or written."""

    exit_code = 2


class _LocatedError(LibraryError):
    """An error in one file, at one line when known."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[_LocatedError], tuple[Path, int | None, str]]:
        # Rebuilt from its three parts, so it survives the trip back from a PDF worker process.
        return type(self), (self.path, self.line, self.message)


class ConfigError(_LocatedError):
    """A bad value in the [library] section of setup.cfg."""

    exit_code = 3


class SourceError(_LocatedError):
    """A malformed English source paper."""

    exit_code = 4


class CatalogError(_LocatedError):
    """A malformed PO or POT file."""

    exit_code = 5


class GlossaryError(CatalogError):
    """A malformed glossary (locales/glossary.csv): translators' data, like a PO file."""


class IncompleteTranslation(LibraryError):
    """A paper and language below the publication threshold."""

    exit_code = 6


class TemplateError(_LocatedError):
    """A template of the site or the PDFs that cannot be read or rendered."""

    exit_code = 7


class ChecksFailed(LibraryError):
    """`library check` found errors (or, with --strict, warnings) in the translations."""

    exit_code = 8


class Busy(LibraryError):
    """Another library command is writing the same folder, and this one was asked not to wait."""

    exit_code = 9


class EditedMeanwhile(_LocatedError):
    """A person's file (a catalog a translator saved) changed between reading it and replacing it."""


def error_line(error: LibraryError | OSError, root: Path) -> str:
    """'Error: …' as the command line prints it, every path shown from the project's folder."""
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        text = f"{where}{error.strerror or error}"
    else:
        text = str(error)
    return f"Error: {text}".replace(f"{root}{os.sep}", "")
