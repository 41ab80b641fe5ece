"""The passages readers search: one per indexed segment, the same for the server's index and the static one."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from library.core.config import Config
from library.core.paths import SiteMap
from library.model.manifest import published_pdfs
from library.model.translation import TranslatedPaper
from library.sources.markup import plain_text

__all__ = ["INDEXED_ROLES", "pdf_page_path", "pdf_pages", "searchable_passages"]

INDEXED_ROLES = ("title", "subtitle", "summary", "heading", "paragraph", "list_item", "quote", "cell", "image")


def searchable_passages(translations: Iterable[TranslatedPaper]) -> Iterator[dict[str, Any]]:
    """One passage per indexed segment, as plain text, with the heading of the section it sits in."""
    for translation in translations:
        title = translation.by_id()["title"]
        section = ""
        for segment in translation.segments:
            role = segment.segment.role
            if role == "heading":
                section = plain_text(segment.text)
            if role not in INDEXED_ROLES:
                continue
            yield {
                "key": f"{translation.paper.slug}#{segment.segment.id}",
                "paper": translation.paper.slug,
                "paper_title": plain_text(title.text),
                "anchor": segment.segment.id,
                "section": section if role != "heading" else "",
                "language": segment.language,
                "text": plain_text(segment.text),
            }


def pdf_pages(config: Config, language: str) -> dict[str, dict[str, int]]:
    """Paper -> {anchor: page} of the language's published PDFs, from the PDF manifest."""
    return {slug: entry.pages for (code, slug), entry in published_pdfs(config).items() if code == language}


def pdf_page_path(language: str, paper: str, anchor: str, pdfs: dict[str, Any]) -> str | None:
    """The link to the page of the paper's published PDF that holds anchor."""
    page = pdfs.get(paper, {}).get(anchor)
    return SiteMap.pdf_page(language, paper, page) if page else None
