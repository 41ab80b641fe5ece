"""Citation files for reference managers: BibTeX, RIS and CSL-JSON of each paper in each language it is published in.

They are written into the site (cite/<lang>/<slug>.bib, .ris, .json), which links them from each
paper's cite block; a version the gate no longer publishes loses its files in the same build.
Without site_url the files carry no address (a reference manager has no use for a relative one).
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from library.core.config import Config
from library.core.files import Changes
from library.core.paths import SiteMap, site_address, site_folder
from library.model.citation import Citation, citation_of, citation_sources, csl_item, language_tag
from library.model.project import Project
from library.model.publication import published_languages
from library.model.stamps import Digest, settings_text
from library.outputs.folders import write_owned_items

__all__ = ["build_citations", "bibtex", "ris", "csl_json"]

STAGE = "citations"
# BibTeX's special characters, and the no-break spaces of French typography as its tie.
_BIBTEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#",
           "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\u00a0": "~", "\u202f": "~"}
_LINE_BREAKS = re.compile(r"[ \t\r\n]+")
_BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def build_citations(project: Project) -> tuple[Changes, list[Path]]:
    """Write every published version's citation files; return what changed and the files withdrawn.

    A version's files are made again only when what its citation comes from changed.
    """
    project.known()  # the gate's figures from the last build's record, not from every catalog
    config = project.config
    shared = Digest(settings_text(config), config.site_url).code(__name__).hexdigest()
    items = {f"{slug} {language}": (Digest(shared, citation_sources(project, slug, language)).hexdigest(),
                                    functools.partial(citation_files, project, slug, language))
             for slug, language in published_versions(project)}
    return write_owned_items(config, STAGE, site_folder(config) / SiteMap.citations_folder(), items)


def published_versions(project: Project) -> list[tuple[str, str]]:
    """Each briefing paper's published versions, as (slug, language), in series order."""
    return [(paper.slug, language) for paper in project.briefings
            for language in published_languages(project, paper.slug)]


def citation_files(project: Project, slug: str, language: str) -> dict[Path, bytes]:
    """The version's three files, by their paths in the site."""
    site, config = site_folder(project.config), project.config
    citation = citation_of(project, slug, language)
    return {site / SiteMap.citation(language, slug, extension): text.encode("utf-8")
            for extension, text in (("bib", bibtex(citation, config)), ("ris", ris(citation, config)),
                                    ("json", csl_json(citation, config)))}


def csl_json(citation: Citation, config: Config) -> str:
    """CSL-JSON: a list of one item, as Zotero, Mendeley and citation processors import it."""
    item = csl_item(citation, lambda target: site_address(config, target))
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def bibtex(citation: Citation, config: Config) -> str:
    """A @techreport entry (with BibLaTeX's langid and date), UTF-8."""
    authors = " and ".join("{" + _bib(a.literal) + "}" if a.literal else f"{_bib(a.family)}, {_bib(a.given)}"
                           for a in citation.authors)
    fields = [("title", "{" + _bib(citation.title) + "}"), ("author", authors),
              ("institution", _bib(citation.publisher)), ("type", _bib(citation.genre)),
              ("number", str(citation.number)), ("series", _bib(citation.series)),
              ("year", str(citation.date.year)), ("month", _BIBTEX_MONTHS[citation.date.month - 1]),
              ("date", citation.date.isoformat()), ("langid", _babel_language(citation.language)),
              ("language", _babel_language(citation.language)), ("abstract", _bib(citation.abstract)),
              ("keywords", _bib(", ".join(citation.keywords)))]
    url = site_address(config, citation.page)
    optional = [("url", url), ("doi", citation.doi), ("issn", citation.issn), ("isbn", citation.isbn)]
    fields += [(name, value) for name, value in optional if value]
    lines = [f"  {name} = {value if name == 'month' else '{' + value + '}'}," for name, value in fields]
    return f"@techreport{{{citation.key},\n" + "\n".join(lines) + "\n}\n"


def _bib(text: str) -> str:
    return "".join(_BIBTEX.get(character, character) for character in text)


def _babel_language(code: str) -> str:
    """The language as LaTeX's babel and BibLaTeX name it (french, spanish), from Babel's English name."""
    from babel import Locale

    name = Locale.parse(code).get_language_name("en") or code  # the code itself for a language Babel cannot name
    return name.lower().replace(" ", "")


def ris(citation: Citation, config: Config) -> str:
    """A RIS record of type RPRT, with the tags Zotero's and EndNote's importers read for a report."""
    tags = [("TY", "RPRT"), ("TI", citation.title), *(("AU", a.name) for a in citation.authors),
            ("PY", str(citation.date.year)), ("DA", citation.date.strftime("%Y/%m/%d")),
            ("PB", citation.publisher), ("T3", citation.series), ("SN", str(citation.number)),
            ("M3", citation.genre), ("LA", language_tag(citation.language)), ("AB", citation.abstract),
            *(("KW", keyword) for keyword in citation.keywords)]
    url = site_address(config, citation.page)
    pdf = site_address(config, citation.pdf) if citation.pdf else None
    optional = [("UR", url), ("L1", pdf), ("DO", citation.doi)]
    tags += [(tag, value) for tag, value in optional if value]
    # One line a tag: line breaks become spaces (a French no-break space stays one).
    return "".join(f"{tag}  - {_LINE_BREAKS.sub(' ', value)}\r\n" for tag, value in tags) + "ER  - \r\n"
