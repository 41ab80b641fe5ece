"""A paper's citation in one language: the one record its page's metadata, its cite block and its files share.

A page cites the version its reader reads when that version is published; a page not yet
published in its language cites the original. The papers name no author but their publisher,
which citations then take as a corporate author, as Google Scholar and reference managers expect.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from library.core.paths import UI_DOMAIN, SiteMap, catalog_path
from library.model.manifest import is_published
from library.model.project import Project
from library.model.publication import published_languages
from library.model.stamps import Digest
from library.sources.interface import REPORT_TYPE
from library.sources.markup import plain_text

__all__ = ["Creator", "Citation", "cited_language", "citation_of", "citation_sources", "csl_item", "language_tag"]


@dataclass(frozen=True)
class Creator:
    """An author: a person's family and given names, or an organisation's name (literal)."""

    family: str = ""
    given: str = ""
    literal: str = ""

    @property
    def name(self) -> str:
        """As Highwire tags and RIS write a name: 'Family, Given', or the organisation's."""
        return self.literal or ", ".join(part for part in (self.family, self.given) if part)


@dataclass(frozen=True)
class Citation:
    """What a citation of one language version of a paper says; texts plain, site paths relative."""

    slug: str
    language: str
    title: str
    subtitle: str
    abstract: str
    authors: tuple[Creator, ...]
    corporate: bool  # no author named: the publisher stands for one
    publisher: str
    series: str
    number: int
    genre: str  # "Briefing paper", in the language
    date: dt.date
    keywords: tuple[str, ...]
    page: str
    pdf: str | None  # the published PDF's site path
    doi: str
    issn: str
    isbn: str
    original: str  # the language the paper was written in
    original_title: str
    versions: tuple[tuple[str, str], ...]  # every published version: (language, page), the original first

    @property
    def key(self) -> str:
        """The citation's key in BibTeX and its id in CSL-JSON: the paper and the language."""
        return f"{self.slug}-{self.language}"


def language_tag(code: str) -> str:
    """A language code as a BCP 47 tag (pt_BR is pt-BR)."""
    return code.replace("_", "-")


def cited_language(project: Project, slug: str, language: str) -> str:
    """The version a page in language cites: its own when published, else the original."""
    return language if project.published(slug, language) else project.config.source_language


def citation_of(project: Project, slug: str, language: str) -> Citation:
    """The citation of the paper's version in language (a published one: see cited_language)."""
    translation = project.translation(slug, language)
    texts = {key: plain_text(segment.text) for key, segment in translation.by_id().items()}
    series = project.translation(project.series_slug, language).by_id()
    meta, source = project.paper(slug).meta, project.config.source_language
    publisher = texts["publisher"]
    authors = tuple(_creator(name) for name in meta.authors) or (Creator(literal=publisher),)
    ui = project.ui_translations(language)
    return Citation(
        slug=slug, language=language, title=texts["title"], subtitle=texts["subtitle"], abstract=texts["summary"],
        authors=authors, corporate=not meta.authors, publisher=publisher,
        series=plain_text(series["title"].text), number=meta.number or 0,
        genre=Markup(ui.gettext(REPORT_TYPE)).striptags(), date=meta.date,
        keywords=tuple(plain_text(s.text) for s in translation.segments if s.segment.role == "keyword"),
        page=SiteMap.paper(language, slug),
        pdf=SiteMap.pdf(language, slug) if is_published(project.config, "pdf", language, slug) else None,
        doi=meta.doi, issn=meta.issn, isbn=meta.isbn, original=source, original_title=meta.title,
        versions=tuple((code, SiteMap.paper(code, slug)) for code in published_languages(project, slug)))


def citation_sources(project: Project, slug: str, language: str) -> str:
    """What citation_of(slug, language) is made from, as one stamp of files' bytes and the gate's verdicts.

    Stages that write a file per citation compare it with the last build's, and read the
    paper's catalog only when it differs: one changed catalog, not 200, at 200 papers.
    """
    known, config = project.known(), project.config
    return Digest(known.text_stamp(slug, language), known.text_stamp(project.series_slug, language),
                  known.file_hash(catalog_path(config, language, UI_DOMAIN)), published_languages(project, slug),
                  is_published(config, "pdf", language, slug)).hexdigest()


def _creator(name: str) -> Creator:
    family, comma, given = name.partition(",")
    return Creator(family=family.strip(), given=given.strip()) if comma else Creator(literal=name)


def csl_item(citation: Citation, address: Callable[[str], str | None]) -> dict[str, Any]:
    """The citation as a CSL-JSON item, which citation processors and reference managers read.

    address gives a site path's public address (None: the site has none, and no URL is given).
    """
    authors = [{"literal": a.literal} if a.literal else {"family": a.family, "given": a.given}
               for a in citation.authors]
    item: dict[str, Any] = {
        "id": citation.key, "type": "report", "title": citation.title, "author": authors,
        "publisher": citation.publisher, "genre": citation.genre, "number": str(citation.number),
        "collection-title": citation.series,
        "issued": {"date-parts": [[citation.date.year, citation.date.month, citation.date.day]]},
        "language": language_tag(citation.language), "abstract": citation.abstract,
        "keyword": ", ".join(citation.keywords),
    }
    if citation.language != citation.original:
        item["original-title"] = citation.original_title
    optional = {"URL": address(citation.page), "DOI": citation.doi, "ISSN": citation.issn, "ISBN": citation.isbn}
    item.update({name: value for name, value in optional.items() if value})
    return item
