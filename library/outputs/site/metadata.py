"""What a paper's page says about itself to machines: Highwire citation_* and Dublin Core tags, schema.org JSON-LD.

Google Scholar reads the citation_* tags, Zotero and Mendeley these and Dublin Core, search
engines the JSON-LD, which also links each language version to the original
(translationOfWork, workTranslation). All of it comes from the paper's one Citation record.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from library.model.citation import Citation, language_tag

__all__ = ["PageMetadata", "page_metadata"]

_SCHEMA_ORG = "https://schema.org"


@dataclass(frozen=True)
class PageMetadata:
    """The tags a paper's page head carries: (name, content) pairs, and its JSON-LD as a script's text."""

    highwire: tuple[tuple[str, str], ...]
    dublin_core: tuple[tuple[str, str], ...]
    json_ld: Markup


def page_metadata(citation: Citation, address: Callable[[str], str]) -> PageMetadata:
    """The metadata of the page of citation's version; address gives a site path as the page links it."""
    return PageMetadata(tuple(_highwire(citation, address)), tuple(_dublin_core(citation, address)),
                        _script_text(_json_ld(citation, address)))


def _highwire(citation: Citation, address: Callable[[str], str]) -> Iterator[tuple[str, str]]:
    yield "citation_title", citation.title
    for author in citation.authors:
        yield "citation_author", author.name
    yield "citation_publication_date", citation.date.strftime("%Y/%m/%d")
    yield "citation_language", language_tag(citation.language)
    yield "citation_publisher", citation.publisher
    yield "citation_technical_report_institution", citation.publisher
    yield "citation_technical_report_number", str(citation.number)
    yield "citation_series_title", citation.series
    yield "citation_abstract_html_url", address(citation.page)
    if citation.pdf:
        yield "citation_pdf_url", address(citation.pdf)
    for keyword in citation.keywords:
        yield "citation_keywords", keyword
    for name, value in (("citation_doi", citation.doi), ("citation_issn", citation.issn),
                        ("citation_isbn", citation.isbn)):
        if value:
            yield name, value


def _dublin_core(citation: Citation, address: Callable[[str], str]) -> Iterator[tuple[str, str]]:
    yield "DC.title", citation.title
    for author in citation.authors:
        yield "DC.creator", author.name
    yield "DC.publisher", citation.publisher
    yield "DC.date", citation.date.isoformat()
    yield "DC.language", language_tag(citation.language)
    yield "DC.description", citation.abstract
    for keyword in citation.keywords:
        yield "DC.subject", keyword
    yield "DC.type", "Text"
    yield "DC.identifier", f"https://doi.org/{citation.doi}" if citation.doi else address(citation.page)
    yield "DCTERMS.isPartOf", citation.series
    if citation.language != citation.original:
        yield "DCTERMS.isVersionOf", address(dict(citation.versions).get(citation.original, citation.page))


def _json_ld(citation: Citation, address: Callable[[str], str]) -> dict[str, Any]:
    own = address(citation.page)
    authors = [{"@type": "Organization", "name": a.literal} if a.literal else
               {"@type": "Person", "familyName": a.family, "givenName": a.given, "name": f"{a.given} {a.family}"}
               for a in citation.authors]
    report: dict[str, Any] = {
        "@context": _SCHEMA_ORG, "@type": "Report", "@id": own, "url": own, "name": citation.title,
        "headline": citation.title, "alternativeHeadline": citation.subtitle, "abstract": citation.abstract,
        "inLanguage": language_tag(citation.language), "datePublished": citation.date.isoformat(),
        "author": authors, "publisher": {"@type": "Organization", "name": citation.publisher},
        "isPartOf": {"@type": "CreativeWorkSeries", "name": citation.series,
                     **({"issn": citation.issn} if citation.issn else {})},
        "reportNumber": str(citation.number), "genre": citation.genre, "keywords": list(citation.keywords),
    }
    if citation.pdf:
        report["encoding"] = {"@type": "MediaObject", "contentUrl": address(citation.pdf),
                              "encodingFormat": "application/pdf"}
    if citation.doi:
        report["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": citation.doi}
    if citation.isbn:
        report["isbn"] = citation.isbn
    report.update(_translations(citation, address))
    return report


def _translations(citation: Citation, address: Callable[[str], str]) -> dict[str, Any]:
    """The original names its published translations; a translation names the original."""
    def version(code: str, page: str) -> dict[str, str]:
        return {"@type": "Report", "@id": address(page), "url": address(page), "inLanguage": language_tag(code)}

    if citation.language == citation.original:
        translations = [version(code, page) for code, page in citation.versions if code != citation.original]
        return {"workTranslation": translations} if translations else {}
    original = dict(citation.versions).get(citation.original)
    return {"translationOfWork": {**version(citation.original, original), "name": citation.original_title}} \
        if original else {}


def _script_text(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json">: no '<', '>' or '&' that could end the script early."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
