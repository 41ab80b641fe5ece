"""The printed edition's pages in the EPUB: each page of the PDF, as the place in the book where it begins.

The PDF stage records, for each anchor, the page it starts on (the PDF manifest's page map).
A page is reached at the first passage that starts on it; a page on which none starts, because
one long passage runs across it, at that passage. So a reader told "page 5" lands on text
printed on page 5, at the start of a passage.
"""
from __future__ import annotations

__all__ = ["page_list"]


def page_list(pages: dict[str, int], places: list[tuple[str, str]]) -> list[tuple[int, str, str]]:
    """(page number, document, anchor) for every page up to the last one a passage starts on.

    places holds every (document, anchor) of the book in reading order; anchors of the PDF that
    the book does not hold are passed over.
    """
    order: dict[str, int] = {}
    for index, (_document, anchor) in enumerate(places):
        order.setdefault(anchor, index)
    first: dict[int, int] = {}  # page -> the earliest place starting on it
    last: dict[int, int] = {}  # page -> the latest place starting on it
    for anchor, page in pages.items():
        if anchor in order:
            first[page] = min(first.get(page, order[anchor]), order[anchor])
            last[page] = max(last.get(page, order[anchor]), order[anchor])
    listed: list[tuple[int, str, str]] = []
    running: int | None = None  # running: the latest place started so far, which runs onto the next pages
    for number in range(1, max(first, default=0) + 1):
        start = first.get(number, running)
        if start is not None:
            listed.append((number, *places[start]))
        if number in last:
            running = max(last[number], running if running is not None else last[number])
    return listed
