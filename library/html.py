"""Render every paper in every language to the static HTML site in build/html."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import Config
from .errors import SourceError, TemplateError
from .files import Changes, remove_stale, write_all
from .markup import plain_text, render_inline
from .papers import Block, Container, Paper, load_papers
from .translation import TranslatedPaper, TranslatedSegment, load_translation, load_ui_translations

__all__ = ["SiteMap", "SearchPage", "Leaf", "Node", "body_tree", "build_html", "make_environment", "site_folder",
           "pdf_source", "render_template", "table_of_contents"]

WORDS_PER_MINUTE = 200
VOLUME = "volume"  # the PDF of the whole series, as library.pdf names it
ASSETS = "assets"
# The papers are written in British English, as UN texts are: "5 April 2022".
_FORMAT_LOCALES = {"en": "en_GB"}
# Side by side, these front-matter fields read best after the body, as on the paper page.
_TRAILING_ROLES = ("keyword", "publisher")


def site_folder(config: Config) -> Path:
    return config.build_dir / "html"


def pdf_source(config: Config, language: str, slug: str) -> Path:
    """Where the PDF build leaves a paper's PDF; the site carries a copy."""
    return config.build_dir / "pdf" / language / f"{slug}.pdf"


class SiteMap:
    """Where each page lives in the site, as a path from its root."""

    @staticmethod
    def root_index() -> str:
        return "index.html"

    @staticmethod
    def home(language: str) -> str:
        return f"{language}/index.html"

    @staticmethod
    def paper(language: str, slug: str) -> str:
        return f"{language}/{slug}.html"

    @staticmethod
    def bilingual(language: str, slug: str, other: str) -> str:
        return f"{language}/{slug}/{other}.html"

    @staticmethod
    def pdf(language: str, slug: str) -> str:
        return f"{language}/{slug}.pdf"

    @staticmethod
    def not_found(language: str) -> str:
        return f"{language}/404.html"

    @staticmethod
    def search(language: str) -> str:
        return f"{language}/search"

    @staticmethod
    def dashboard() -> str:
        return "dashboard/index.html"

    @staticmethod
    def preview(language: str, slug: str) -> str:
        return f"dashboard/{language}/{slug}.html"

    @staticmethod
    def asset(name: str) -> str:
        return f"{ASSETS}/{name}"


@dataclass(frozen=True)
class Leaf:
    """A block of the body with its text in the page's language (None for code and rules)."""

    block: Block
    segment: TranslatedSegment | None


@dataclass(frozen=True)
class Node:
    """A list, list item, quote or table part, with what it holds."""

    container: Container
    children: tuple[Node | Leaf, ...]


def body_tree(translation: TranslatedPaper) -> tuple[Node | Leaf, ...]:
    """The body's blocks nested in their containers again, for the templates to walk."""
    by_block = {s.segment.block: s for s in translation.segments if s.segment.block is not None}
    root: list = []
    open_nodes: list[tuple[Container, list]] = []
    for index, block in enumerate(translation.paper.blocks):
        shared = _shared_depth([c for c, _ in open_nodes], block.path)
        del open_nodes[shared:]
        for container in block.path[shared:]:
            children: list = []
            (open_nodes[-1][1] if open_nodes else root).append((container, children))
            open_nodes.append((container, children))
        (open_nodes[-1][1] if open_nodes else root).append(Leaf(block, by_block.get(index)))
    return _freeze(root)


def _shared_depth(open_containers: list[Container], path: tuple[Container, ...]) -> int:
    depth = 0
    while depth < min(len(open_containers), len(path)) and open_containers[depth] == path[depth]:
        depth += 1
    return depth


def _freeze(items: list) -> tuple[Node | Leaf, ...]:
    return tuple(item if isinstance(item, Leaf) else Node(item[0], _freeze(item[1])) for item in items)


@dataclass(frozen=True)
class Availability:
    """How far a paper is translated into one language, and where to read it."""

    language: str
    percent: float
    url: str
    published: bool  # at or above the configured threshold


@dataclass(frozen=True)
class Entry:
    """A paper as the home page and the navigation show it in one language."""

    translation: TranslatedPaper
    reading_minutes: int
    availability: tuple[Availability, ...]

    @property
    def meta(self):
        return self.translation.paper.meta


def build_html(config: Config) -> Changes:
    """Render the whole site into build/html; unchanged files stay untouched, stale ones go."""
    papers = load_papers(config.papers_dir)
    series = _series_page(config, papers)
    translations = {
        (paper.slug, language): load_translation(config, paper, language)
        for paper in papers
        for language in config.all_languages
    }
    site = site_folder(config)
    planned: dict[Path, bytes] = {}
    for language in config.all_languages:
        renderer = _Renderer(config, language, translations, series)
        for path, html in renderer.pages(papers):
            planned[site / path] = html.encode("utf-8")
    planned.update(_static_files(config, papers, site))
    changes = write_all(planned)
    changes.removed.extend(remove_stale(site, set(planned)))
    return changes


def _series_page(config: Config, papers: tuple[Paper, ...]) -> Paper:
    for paper in papers:
        if paper.meta.kind == "series":
            return paper
    raise SourceError(config.papers_dir, None, "no series page: add one paper with 'kind: series' in its front matter")


class _Renderer:
    """The pages of one language, rendered with that language's interface catalog."""

    def __init__(self, config: Config, language: str, translations: dict, series: Paper) -> None:
        self.config, self.language, self.translations, self.series = config, language, translations, series
        self.environment = make_environment(config, language)

    def pages(self, papers: tuple[Paper, ...]):
        entries = [self._entry(paper) for paper in papers if paper.meta.kind == "paper"]
        volume = SiteMap.pdf(self.language, VOLUME)
        common = {
            "entries": entries,
            "series": self.translations[self.series.slug, self.language],
            "volume_pdf": volume if pdf_source(self.config, self.language, VOLUME).is_file() else None,
        }
        for page, template in ((SiteMap.home, "home.html"), (SiteMap.not_found, "404.html")):
            alternates = {language: page(language) for language in self.config.all_languages}
            yield page(self.language), self._render(template, page(self.language), {**common, "alternates": alternates})
        if self.language == self.config.source_language:
            yield SiteMap.root_index(), self._render("index.html", SiteMap.root_index(), {**common, **self._front_door()})
            yield SiteMap.dashboard(), self._render("dashboard.html", SiteMap.dashboard(),
                                                    {**common, **self._dashboard(papers)})
        for paper in papers:
            yield from self._paper_pages(paper, common)
            if self.language != self.config.source_language:
                yield self._preview(paper, common)

    def _dashboard(self, papers: tuple[Paper, ...]) -> dict:
        """The paper x language matrix translators start from."""
        rows = []
        for paper in papers:
            cells = []
            for language in self.config.languages:
                translation = self.translations[paper.slug, language]
                cells.append({
                    "language": language,
                    "percent": translation.percent_translated,
                    "missing": translation.count("missing"),
                    "fuzzy": translation.count("fuzzy"),
                    "published": translation.percent_translated >= self.config.threshold,
                    "url": SiteMap.preview(language, paper.slug),
                })
            rows.append({"paper": self.translations[paper.slug, self.language], "cells": cells})
        return {"rows": rows, "alternates": {self.language: SiteMap.dashboard()}}

    def _preview(self, paper: Paper, common: dict) -> tuple[str, str]:
        """The paper with every missing and outdated passage highlighted and listed, for translators."""
        translation = self.translations[paper.slug, self.language]
        path = SiteMap.preview(self.language, paper.slug)
        context = {
            **common,
            **self._paper_context(paper, translation),
            "preview": True,
            "to_do": [s for s in translation.segments if s.is_fallback],
            "alternates": {language: SiteMap.preview(language, paper.slug) for language in self.config.languages},
        }
        return path, self._render("paper.html", path, context)

    def _front_door(self) -> dict:
        languages = self.config.all_languages
        return {
            "alternates": {language: SiteMap.home(language) for language in languages},
            "series_by_language": {language: self.translations[self.series.slug, language] for language in languages},
        }

    def _paper_pages(self, paper: Paper, common: dict):
        translation = self.translations[paper.slug, self.language]
        path = SiteMap.paper(self.language, paper.slug)
        context = {**common, **self._paper_context(paper, translation)}
        yield path, self._render("paper.html", path, context)
        for other in self.config.all_languages:
            if other != self.language:
                path = SiteMap.bilingual(self.language, paper.slug, other)
                yield path, self._render("bilingual.html", path, {**context, **self._bilingual(paper, other)})

    def _bilingual(self, paper: Paper, other: str) -> dict:
        """The pairs of segments, and the same pair of languages from the other languages' side."""
        mine, theirs = self.translations[paper.slug, self.language], self.translations[paper.slug, other]
        alternates = {
            language: SiteMap.bilingual(language, paper.slug, self.language if language == other else other)
            for language in self.config.all_languages
        }
        rows = sorted(zip(mine.segments, theirs.segments), key=lambda pair: pair[0].segment.role in _TRAILING_ROLES)
        return {"other_language": other, "rows": tuple(rows), "alternates": alternates}

    def _paper_context(self, paper: Paper, translation: TranslatedPaper) -> dict:
        pdf = SiteMap.pdf(self.language, paper.slug)
        return {
            "paper": translation,
            "entry": self._entry(paper),
            "body": body_tree(translation),
            "contents": table_of_contents(translation),
            "alternates": {language: SiteMap.paper(language, paper.slug) for language in self.config.all_languages},
            "pdf": pdf if pdf_source(self.config, self.language, paper.slug).is_file() else None,
        }

    def _entry(self, paper: Paper) -> Entry:
        translation = self.translations[paper.slug, self.language]
        availability = tuple(
            Availability(
                language=language,
                percent=self.translations[paper.slug, language].percent_translated,
                url=SiteMap.paper(language, paper.slug),
                published=self.translations[paper.slug, language].percent_translated >= self.config.threshold,
            )
            for language in self.config.all_languages
        )
        return Entry(translation, _reading_minutes(translation), availability)

    def _render(self, template: str, path: str, context: dict) -> str:
        # Links are relative, so the site also reads from a folder, offline; the 404 page is
        # only ever sent by the server, for any address, so its links start from the root.
        root = "/" if path == SiteMap.not_found(self.language) else "../" * (len(PurePosixPath(path).parts) - 1)
        context = {**context, "language": self.language, "page_path": path, "root": root,
                   "image_base": root + SiteMap.asset("")}
        return render_template(self.config, self.environment, template, context)


class SearchPage:
    """The search results page of one language, the one page rendered at request time."""

    def __init__(self, config: Config, language: str) -> None:
        series = _series_page(config, load_papers(config.papers_dir))
        self.series = load_translation(config, series, language)
        self.renderer = _Renderer(config, language, {(series.slug, language): self.series}, series)
        self.language = language

    def render(self, query: str, results) -> str:
        from urllib.parse import urlencode

        languages = self.renderer.config.all_languages
        context = {
            "series": self.series,
            "alternates": {language: SiteMap.search(language) for language in languages},
            "switch_suffix": f"?{urlencode({'q': query})}" if query else "",
            "query": query,
            "results": results,
        }
        return self.renderer._render("search.html", SiteMap.search(self.language), context)


def table_of_contents(translation: TranslatedPaper) -> list[tuple[int, TranslatedSegment]]:
    """The headings of levels 2 and 3, with their level, for the table of contents."""
    blocks = translation.paper.blocks
    headings = [(blocks[s.segment.block].level, s) for s in translation.segments if s.segment.role == "heading"]
    return [(level, segment) for level, segment in headings if level in (2, 3)]


def _reading_minutes(translation: TranslatedPaper) -> int:
    words = sum(len(plain_text(s.text).split()) for s in translation.segments if s.segment.block is not None)
    return max(1, round(words / WORDS_PER_MINUTE))


def make_environment(config: Config, language: str):
    """A Jinja2 environment for language: autoescape everywhere, the interface catalog, Babel formats."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(config.templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(load_ui_translations(config, language), newstyle=False)
    environment.filters.update(_filters(language))
    from .search import MAX_QUERY_LENGTH

    environment.globals.update(site=SiteMap, languages=config.all_languages, source_language=config.source_language,
                               threshold=config.threshold, max_query_length=MAX_QUERY_LENGTH)
    return environment


def _filters(language: str) -> dict:
    from babel import Locale
    from babel.dates import format_date
    from babel.numbers import format_decimal, format_percent

    locale = Locale.parse(_FORMAT_LOCALES.get(language, language))

    def language_name(code: str) -> str:
        """The language's own name, capitalised, as in a language menu: "Español"."""
        name = Locale.parse(code).get_display_name(code) or code
        return name[:1].upper() + name[1:]

    def language_in_text(code: str) -> str:
        """The language's name in the page's language, for running text: "espagnol", "Spanish"."""
        return Locale.parse(code).get_display_name(locale) or code

    return {
        "inline": render_inline,
        "plain": plain_text,
        "date": lambda value, style="long": format_date(value, style, locale=locale),
        "percent": lambda value: format_percent(value / 100, locale=locale),
        "number": lambda value: format_decimal(value, locale=locale),
        "language_name": language_name,
        "language_in_text": language_in_text,
        "iso_date": lambda value: value.isoformat() if isinstance(value, dt.date) else str(value),
    }


def render_template(config: Config, environment, template: str, context: dict) -> str:
    """template rendered with context; any failure becomes a TemplateError naming the template."""
    try:
        return environment.get_template(template).render(context)
    except Exception as error:
        raise _template_error(config, template, error) from None


def _template_error(config: Config, template: str, error: Exception) -> TemplateError:
    import jinja2

    if isinstance(error, jinja2.TemplateSyntaxError):
        return TemplateError(error.filename or config.templates_dir / template, error.lineno, error.message or "")
    if isinstance(error, jinja2.TemplateNotFound):
        return TemplateError(config.templates_dir / error.name, None, "template not found")
    return TemplateError(config.templates_dir / template, None, f"{type(error).__name__}: {error}")


def _static_files(config: Config, papers: tuple[Paper, ...], site: Path) -> dict[Path, bytes]:
    """The templates' assets, the papers' images and the PDFs already built, copied into the site."""
    files = {}
    assets = config.templates_dir / ASSETS
    for path in sorted(assets.rglob("*")) if assets.is_dir() else ():
        if path.is_file():
            files[site / ASSETS / path.relative_to(assets)] = path.read_bytes()
    for paper in papers:
        for block in paper.blocks:
            if block.kind == "image":
                files[site / SiteMap.asset(block.src)] = _image(config, paper, block)
    for slug in [paper.slug for paper in papers] + [VOLUME]:
        for language in config.all_languages:
            pdf = pdf_source(config, language, slug)
            if pdf.is_file():
                files[site / SiteMap.pdf(language, slug)] = pdf.read_bytes()
    return files


def _image(config: Config, paper: Paper, block: Block) -> bytes:
    source = (config.papers_dir / block.src).resolve()
    outside = ".." in PurePosixPath(block.src).parts or ":" in block.src or block.src.startswith(("/", "\\"))
    if outside or not source.is_relative_to(config.papers_dir.resolve()):
        raise SourceError(paper.path, block.line, f"image {block.src!r} must be a file inside {config.papers_dir.name}/")
    if not source.is_file():
        raise SourceError(paper.path, block.line, f"image {block.src!r} not found in {config.papers_dir.name}/")
    return source.read_bytes()

