"""What the checks say: the context a check sees, a check, and its findings on texts and in PO files."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from library.sources.glossary import Term

__all__ = ["Check", "Context", "Finding", "Problem", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Context:
    """What a check knows besides the two texts."""

    language: str
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Check:
    """One check: a stable id (also the suffix of its silencing flag), a severity, a function."""

    id: str
    severity: Severity
    summary: str
    function: Callable[[str, str, Context], Iterable[str]] = field(repr=False)


@dataclass(frozen=True)
class Finding:
    """What a check says about one pair of texts."""

    check: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class Problem:
    """A finding in a PO file, at the line of its entry."""

    path: Path
    line: int
    language: str
    domain: str
    check: str
    severity: Severity
    message: str

    def as_row(self) -> dict[str, object]:
        """Stable keys for JSON."""
        return {"file": str(self.path), "line": self.line, "language": self.language, "paper": self.domain,
                "check": self.check, "severity": self.severity, "message": self.message}
