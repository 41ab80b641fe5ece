"""The interface strings the code shows itself (the templates hold the rest), marked for `library extract`.

They live here, apart from the code that uses them, so that editing that code does not move
their source lines in every catalog.
"""
from __future__ import annotations

__all__ = ["N_", "PAGE_LABEL", "REPORT_TYPE"]


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a string marked, not yet translated)
    """Mark message for extraction; it is translated where it is shown."""
    return message


# The foot of every PDF page; the numbers come from CSS counters.
PAGE_LABEL = N_("Page %(page)s of %(pages)s")

# What a paper is, as citations name its kind (APA's "Briefing paper No. 1"; BibTeX's type).
REPORT_TYPE = N_("Briefing paper")
