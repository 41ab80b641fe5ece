"""The interface strings the code shows itself (the templates hold the rest), marked for `library extract`.

They live here, apart from the code that uses them, so that editing that code does not move
their source lines in every catalog.
"""
from __future__ import annotations

__all__ = ["N_", "PAGE_LABEL", "VOLUME_LABEL", "VOLUME_LABEL_ONE", "REPORT_TYPE", "EPUB_SUMMARY",
           "EPUB_SUMMARY_FALLBACK", "EPUB_SUMMARY_PAGES"]


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a string marked, not yet translated)
    """Mark message for extraction; it is translated where it is shown."""
    return message


# The foot of every PDF page; the numbers come from CSS counters.
PAGE_LABEL = N_("Page %(page)s of %(pages)s")

# A part of the series' volumes (volume_size in setup.cfg), as its files' metadata name it
# (templates/_volume.html names it alike on its cover and the home page).
VOLUME_LABEL = N_("Volume %(number)s: papers %(first)s–%(last)s")
VOLUME_LABEL_ONE = N_("Volume %(number)s: paper %(first)s")

# What a paper is, as citations name its kind (APA's "Briefing paper No. 1"; BibTeX's type).
REPORT_TYPE = N_("Briefing paper")

# The accessibility summary of every EPUB (its package metadata, which reading systems and shops
# show): what it offers, then, where they apply, its passages in English and its page numbers.
EPUB_SUMMARY = N_("This publication meets the accessibility requirements of WCAG 2.1 at level AA. Its text "
                  "reflows to the reader's settings and can be read aloud; a table of contents, headings and "
                  "landmarks give it structure, and every passage is tagged with its language.")
EPUB_SUMMARY_FALLBACK = N_("A passage not yet translated is shown in English and marked as such.")
EPUB_SUMMARY_PAGES = N_("Page numbers follow the printed edition (PDF): each leads to the first passage "
                        "that begins on that page.")
