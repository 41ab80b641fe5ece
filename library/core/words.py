"""The English of the commands' own messages: a count and its noun, in one place."""
from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 page', '3 pages'; plural for a noun that does not take an s ('2 indexes')."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
