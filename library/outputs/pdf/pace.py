"""Keep a long PDF's layout in proportion to its pages: pydyf's page list kept, the garbage collector paused.

Two costs grew faster than the pages of a volume (issue 36, profiled at 782 pages):

- WeasyPrint's tagging asks pydyf for `page_references` once per tagged text run, and pydyf
  builds the tuple of every page's reference each time: pages × runs. The tuple is kept here
  until a page is added, so every caller gets the very same references, only once built.
- The garbage collector walks the whole layout tree (hundreds of MB of boxes) again and again
  while the tree grows. A render makes few reference cycles that outlive it, so for a long
  layout the collector is paused, the objects from before it frozen out of its sight, then both
  restored; a short one keeps it, and its peak lower.

Neither changes a byte of the PDF (tests/test_pdf.py compares against the plain code).
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

from library.core.heap import give_back_free_heap

__all__ = ["LONG_LAYOUT_CHARACTERS", "paced", "release_memory"]


# Beyond this much HTML (some 60 papers, 250 pages) the collector's walks of the growing tree cost
# more than it saves; a shorter layout keeps it (a part of 20 papers: 30 MB less at its peak, 0.2 s more).
LONG_LAYOUT_CHARACTERS = 1_000_000


@contextlib.contextmanager
def paced(long_layout: bool = True) -> Iterator[None]:
    """Within: pydyf's page list kept and, for a long layout, the collector paused; both as they were after."""
    with _page_references_kept(), (_collector_paused() if long_layout else contextlib.nullcontext()):
        yield


@contextlib.contextmanager
def _page_references_kept() -> Iterator[None]:
    """Make pydyf's page_references a tuple built once per page count."""
    import pydyf

    plain = pydyf.PDF.__dict__["page_references"]

    def page_references(pdf: Any) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]  # [number, 0, "R"] per page, only ever appended to
        kept = pdf.__dict__.get("_kept_page_references")
        if kept is None or kept[0] != len(kids):
            kept = (len(kids), plain.fget(pdf))
            pdf.__dict__["_kept_page_references"] = kept
        return kept[1]  # type: ignore[no-any-return]  # pydyf is untyped

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = plain


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, what exists before frozen out of its sight; one collection after."""
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
        gc.collect()


def release_memory() -> None:
    """Collect what a finished layout left, and give the heap's free pages back to the system."""
    gc.collect()
    give_back_free_heap()
