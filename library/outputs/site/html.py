"""Render every paper in every language to the static HTML site in build/html.

Each page is rendered again only when what it shows changed: its key hashes the site's
templates and code, the settings, and the model values the page is made from (its paper's
passages in its languages, the figures it shows, whether its PDF is published).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from markupsafe import Markup

from library import __version__
from library.core.config import Config
from library.core.errors import SourceError
from library.core.files import Changes, OutputBatch, write_if_changed
from library.core.paths import (
    ASSETS,
    UI_DOMAIN,
    VOLUME,
    SiteMap,
    anchor_record_paths,
    catalog_path,
    catalog_paths,
    epub_manifest_path,
    epub_path,
    pdf_manifest_path,
    pdf_path,
    shown,
    site_address,
    site_folder,
    state_path,
)
from library.model.citation import citation_of, cited_language, csl_item
from library.model.figures import KnownFigures
from library.model.manifest import published, published_pdfs
from library.model.project import Project
from library.model.publication import (
    Alternates,
    bilingual_alternates,
    feed_languages,
    front_door_alternates,
    language_alternates,
    paper_alternates,
    site_languages,
)
from library.model.stamps import Digest, distribution_version, read_state, settings_text, write_state
from library.model.translation import TranslatedPaper, TranslatedSegment
from library.outputs.gate import series_volumes
from library.outputs.headers import headers_file
from library.outputs.render import (
    Environments,
    page_address,
    paper_view,
    render_page,
    render_template,
    template_files,
)
from library.outputs.site.cite import formatted_citation
from library.outputs.site.metadata import page_metadata
from library.outputs.site.social import social_tags
from library.outputs.site.webfonts import (
    FONT_FOLDER,
    file_names,
    font_characters,
    source_paths,
    subset_fonts,
    text_characters,
)
from library.outputs.site.writing import Copy, SiteFiles, copy_stats, write_copies
from library.sources.markup import plain_text
from library.sources.papers import Block, Paper, PaperMeta

__all__ = ["build_html"]

WORDS_PER_MINUTE = 200
STAGE = "html"
_CARDS = "html/cards"  # build/state/html/cards.json: the home pages' cards, beside the stage's record
_FONT_TEXTS = "html/fonts"  # each text's characters, for the web fonts
# Side by side, these front-matter fields read best after the body, as on the paper page.
_TRAILING_ROLES = ("keyword", "publisher")


@dataclass(frozen=True)
class Availability:
    """How far a paper is translated into one language, and where to read it."""

    language: str
    percent: float
    url: str
    published: bool  # at or above the configured threshold
    missing: int = 0  # passages still in the source language
    outdated: int = 0  # passages whose translation is out of date (fuzzy)


@dataclass(frozen=True)
class Entry:
    """A paper as the home page and the navigation show it in one language."""

    translation: TranslatedPaper
    reading_minutes: int
    availability: tuple[Availability, ...]

    @property
    def meta(self) -> PaperMeta:
        return self.translation.paper.meta


@dataclass(frozen=True)
class _Page:
    """One page to write: where, the hash of what it shows (asked only when it may have changed), and its HTML."""

    path: str
    key: Callable[[], str]
    render: Callable[[], str]
    paper: str | None = None  # the paper whose inputs (with the site's) are all the key hashes; None: it lists papers


def build_html(project: Project) -> Changes:
    """Render the site into build/html: changed pages only; unchanged files untouched, stale ones removed.

    Each file is written as soon as it is made. The static search's folder belongs to its own
    stage, which this one leaves alone.
    """
    config = project.config
    site = site_folder(config)
    state = read_state(config, STAGE)
    known = project.known()
    site_key = _site_key(config)
    texts = _text_files(config)
    inputs = _stage_inputs(config, texts, site_key, known)
    present = SiteFiles(site)
    if state.get("inputs") == inputs and present.names == set(state.get("files", ())):
        return Changes(unchanged=[site / name for name in state["files"]])
    copies = _copies(project)  # first: a paper's missing image stops the build before any page is written
    keys, last = {}, state.get("pages", {})
    pages = _Site(project, site_key)
    scopes = pages.scopes()
    # A paper's pages whose inputs hash as before keep their keys: a save keys its paper's pages again, not all.
    kept = {slug for slug, key in scopes.items() if state.get("scopes", {}).get(slug) == key}
    with OutputBatch() as changes:
        for page in pages.pages():
            key = keys[page.path] = last[page.path] if page.paper in kept and page.path in last else page.key()
            if last.get(page.path) == key and page.path in present.names:
                changes.unchanged.append(site / page.path)
            else:
                changes.write(site / page.path, page.render().encode("utf-8"))
        fonts, fonts_key = _web_fonts(config, texts, site, state, known, present.names, changes)
        changes.write(site / SiteMap.headers_file(), headers_file().encode("utf-8"))
        sources = write_copies(site, copies, state.get("copies", {}), present.names, changes)
    copied = copy_stats(site, sources)
    files = {*keys, *fonts, SiteMap.headers_file(), *copied}
    changes.removed.extend(present.remove_except(files))
    known.save()
    pages.save_cards()
    write_state(config, STAGE, {"inputs": inputs, "pages": keys, "scopes": scopes, "files": sorted(files),
                                "copies": copied, **fonts_key})
    return changes


def _stage_inputs(config: Config, texts: list[Path], site_key: str, known: KnownFigures) -> str:
    """The bytes of every file the site is made from: without parsing anything, has any changed?"""
    files = [*texts, *anchor_record_paths(config), pdf_manifest_path(config), epub_manifest_path(config)]
    return Digest(site_key, [(shown(path, config.root), known.file_hash(path)) for path in sorted(files)]).hexdigest()


def _text_files(config: Config) -> list[Path]:
    """The sources and catalogs: every text the site shows comes from them."""
    sources = sorted(path for path in config.papers_dir.rglob("*") if path.is_file())
    catalogs = [path for language in config.languages for path in catalog_paths(config, language)]
    return [*sources, *catalogs]


def _web_fonts(config: Config, sources: list[Path], site: Path, state: dict[str, Any], known: KnownFigures,
               present: set[str], changes: OutputBatch) -> tuple[list[str], dict[str, str]]:
    """The fonts cut to the characters of the texts and templates; cut again only when those change.

    The texts' bytes are hashed first: only when they changed are they read for their characters.
    """
    texts = [path for path in (*sources, *template_files(config, pdf=False))
             if path.suffix in (".md", ".po", ".html")]
    code = [*source_paths(), Path(__file__).with_name("webfonts.py")]
    texts_key = Digest([(shown(path, config.root), known.file_hash(path)) for path in texts]).files(
        code, config.root).hexdigest()
    folder = SiteMap.asset(FONT_FOLDER)
    names = [f"{folder}/{name}" for name in sorted(file_names())]
    if texts_key == state.get("fonts_texts") and all(name in present for name in names):
        changes.unchanged.extend(site / name for name in names)
        return names, {"fonts_texts": texts_key, "fonts": state.get("fonts", "")}
    characters = _characters(config, texts, known)
    key = Digest(sorted(characters)).files(code, config.root).hexdigest()
    if key == state.get("fonts") and all(name in present for name in names):
        changes.unchanged.extend(site / name for name in names)
    else:
        for name, data in subset_fonts(characters).items():
            changes.write(site / folder / name, data)
    return names, {"fonts_texts": texts_key, "fonts": key}


def _characters(config: Config, texts: list[Path], known: KnownFigures) -> frozenset[int]:
    """The characters the fonts keep: each text's, read only when its bytes changed since the last build."""
    kept = read_state(config, _FONT_TEXTS).get("texts", {})
    now = {}
    for path in texts:
        name, stamp = shown(path, config.root), known.file_hash(path)
        found = kept.get(name)
        now[name] = found if found is not None and found[0] == stamp else [stamp, text_characters(path)]
    data = json.dumps({"texts": now}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    write_if_changed(state_path(config, _FONT_TEXTS), data.encode("utf-8"), sync=False)  # a record: see write_state
    return font_characters(characters for _stamp, characters in now.values())


def _site_key(config: Config) -> str:
    """What every page depends on: the site's templates and assets, the stage's code, the settings."""
    digest = Digest(__version__, settings_text(config), config.site_url, distribution_version("citeproc-py"))
    digest.files(template_files(config, pdf=False), config.root)
    return digest.code(__name__).hexdigest()


class _Site:
    """Every page of the site with its key; a page is rendered only when asked to."""

    def __init__(self, project: Project, site_key: str) -> None:
        self.project, self.config, self.site_key = project, project.config, site_key
        self.known = project.known()
        self.pdfs = published_pdfs(project.config)
        # Every page's head may name the homes announced and its language's feed.
        self.site_languages, self.feed_languages = site_languages(project), feed_languages(project)
        self.epubs = published(project.config, "epub")
        self._environments = Environments(project)
        # Language -> paper -> [key, HTML] of the home pages' cards, kept between builds.
        self.cards: dict[str, dict[str, list[str]]] = read_state(self.config, _CARDS).get("cards", {})
        self._figures: dict[str, tuple[Any, ...]] = {}

    def save_cards(self) -> None:
        """Keep the cards of the papers there are (all of them when no home page was rendered)."""
        slugs = set(self.project.slugs)
        kept = {language: {slug: card for slug, card in sorted(cards.items()) if slug in slugs}
                for language, cards in sorted(self.cards.items()) if language in self.config.all_languages}
        data = json.dumps({"cards": kept}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        write_if_changed(state_path(self.config, _CARDS), data.encode("utf-8"), sync=False)  # see write_state

    def scopes(self) -> dict[str, str]:
        """Each paper's inputs with the site's, as one hash: the key of each of its pages is made of these alone.

        The site's: everything every page shows (templates, code, settings, the series' texts, the
        interface catalogs, the languages announced); a paper's: its texts in every language (source,
        anchor record, catalogs) and its published PDFs and EPUBs.
        """
        languages = self.config.all_languages
        site = Digest(self.site_key, self.site_languages, self.feed_languages,
                      [self._text_key(self.project.series_slug, code) for code in languages],
                      [self.known.file_hash(catalog_path(self.config, code, UI_DOMAIN)) for code in languages]
                      ).hexdigest()
        return {paper.slug: Digest(site, [(code, self._text_key(paper.slug, code), self._pdf(code, paper.slug),
                                           self._epub(code, paper.slug)) for code in languages]).hexdigest()
                for paper in self.project.papers}

    def pages(self) -> Iterator[_Page]:
        source = self.config.source_language
        for language in self.config.all_languages:
            yield self._home(language)
            yield self._not_found(language)
            yield self._server_error(language)
            yield self._search(language)
            for paper in self.project.papers:
                yield self._paper(language, paper)
                for other in self.config.all_languages:
                    if other != language:
                        yield self._bilingual(language, paper, other)
                if language != source:
                    yield self._preview(language, paper)
        yield self._front_door()
        yield self._dashboard()

    # --- what pages show, as keys ---------------------------------------------------------

    def _key(self, language: str, *parts: object) -> str:
        """A page's key: the site, the language's interface catalog and series page, and parts."""
        ui = catalog_path(self.config, language, UI_DOMAIN)
        series, source = self.project.series_slug, self.config.source_language
        # The series' text in the original too: a page whose language it is not published in shows that.
        return Digest(self.site_key, language, self._text_key(series, language), self._text_key(series, source),
                      self.site_languages, self.feed_languages, *parts,
                      self.known.file_hash(ui) if language != source else "").hexdigest()

    def _text_key(self, slug: str, language: str) -> str:
        """What a paper's text in language is made from, as its files' bytes: no catalog is parsed for a key."""
        return self.known.text_stamp(slug, language)

    def _figures_key(self, slug: str) -> tuple[Any, ...]:
        if slug not in self._figures:  # every home page and the dashboard ask it of each paper
            self._figures[slug] = tuple((code, self.project.figure(slug, code), self.project.published(slug, code))
                                        for code in self.config.all_languages)
        return self._figures[slug]

    # --- the pages ------------------------------------------------------------------------

    def _home(self, language: str) -> _Page:
        papers = self.project.briefings
        omitted = self._volume_omitted(language)
        parts = self._volume_parts(language)
        key = self._key(language, "home", [self._text_key(p.slug, language) for p in papers],
                        [self._figures_key(p.slug) for p in papers], self._pdf(language, VOLUME),
                        self._epub(language, VOLUME), omitted, [list(part.values()) for part in parts])
        path = SiteMap.home(language)

        def render() -> str:
            context = {"cards": [self._card(language, paper, path) for paper in papers],
                       "volume_pdf": self._pdf(language, VOLUME), "volume_epub": self._epub(language, VOLUME),
                       "alternates": self._everywhere(SiteMap.home),
                       "announce": language_alternates(self.project, language, SiteMap.home),
                       "volume_omitted": [self.project.translation(slug, language) for slug in omitted],
                       "volume_parts": [{**part, "omitted": [self.project.translation(slug, language)
                                                              for slug in part["omitted"]]} for part in parts]}
            return self._render(language, "home.html", path, context)
        return _Page(path, lambda: key, render)

    def _card(self, language: str, paper: Paper, path: str) -> Markup:
        """A paper's card on the home page: kept from the last build while what it shows is the same."""
        key = Digest(self.site_key, language, paper.slug, self._text_key(paper.slug, language),
                     self._figures_key(paper.slug)).hexdigest()
        kept = self.cards.setdefault(language, {}).get(paper.slug)
        if kept is None or kept[0] != key:
            context = {"entry": self._entry(paper, language), "language": language, "page_path": path,
                       "root": "../" * (len(PurePosixPath(path).parts) - 1)}
            kept = self.cards[language][paper.slug] = [key, render_template(
                self.config, self._environments[language], "_paper_card.html", context)]
        return Markup(kept[1])

    def _not_found(self, language: str) -> _Page:
        path = SiteMap.not_found(language)
        return _Page(path, lambda: self._key(language, "404"), lambda: self._render(
            language, "404.html", path, {"alternates": self._everywhere(SiteMap.not_found)}))

    def _server_error(self, language: str) -> _Page:
        path = SiteMap.server_error(language)
        return _Page(path, lambda: self._key(language, "500"), lambda: self._render(
            language, "500.html", path, {"alternates": self._everywhere(SiteMap.server_error)}))

    def _search(self, language: str) -> _Page:
        """The search page as a static host serves it: the reader's browser searches, with Pagefind."""
        path = SiteMap.search(language)
        return _Page(path, lambda: self._key(language, "search"), lambda: self._render(
            language, "search.html", path, static_search_context(language, self._everywhere(SiteMap.search))))

    def _front_door(self) -> _Page:
        source, path = self.config.source_language, SiteMap.root_index()
        languages = self.config.all_languages
        key = self._key(source, "front", [self._text_key(self.project.series_slug, code) for code in languages])

        def render() -> str:
            context = {"alternates": self._everywhere(SiteMap.home), "announce": front_door_alternates(self.project),
                       "series_by_language": {
                code: self.project.translation(self.project.series_slug, code) for code in languages}}
            return self._render(source, "index.html", path, context)
        return _Page(path, lambda: key, render)

    def _dashboard(self) -> _Page:
        """The paper x language matrix translators start from."""
        source, path, papers = self.config.source_language, SiteMap.dashboard(), self.project.papers
        interface = [(language, self.project.figure(UI_DOMAIN, language)) for language in self.config.languages]
        key = self._key(source, "dashboard", [self._text_key(p.slug, source) for p in papers],
                        [self._figures_key(p.slug) for p in papers], interface)

        def render() -> str:
            rows = [{"paper": self.project.translation(paper.slug, source),
                     "cells": [self._cell(paper, language) for language in self.config.languages]}
                    for paper in papers]
            # The interface catalog, as `library status` shows it: menus, buttons and messages.
            ui_cells = [{"language": language, "percent": figure.percent, "missing": figure.missing.messages,
                         "fuzzy": figure.fuzzy.messages, "po_file": catalog_path(self.config, language, UI_DOMAIN)
                         .relative_to(self.config.root).as_posix()} for language, figure in interface]
            return self._render(source, "dashboard.html", path, {"rows": rows, "ui_cells": ui_cells,
                                                                  "alternates": {source: path}})
        return _Page(path, lambda: key, render)

    def _cell(self, paper: Paper, language: str) -> dict[str, Any]:
        figure = self.project.figure(paper.slug, language)
        return {"language": language, "percent": figure.percent, "missing": figure.missing.messages,
                "fuzzy": figure.fuzzy.messages, "published": self.project.published(paper.slug, language),
                "url": SiteMap.preview(language, paper.slug)}

    def _paper_key(self, language: str, paper: Paper, *parts: object) -> str:
        return self._key(
            language,
            "paper",
            paper.slug,
            self._text_key(paper.slug, language),
            self._figures_key(paper.slug),
            self._pdf(language, paper.slug),
            self._epub(language, paper.slug),
            sorted(self.project.anchor_record(paper.slug).aliases().items()),
            *parts,
        )

    def _paper(self, language: str, paper: Paper) -> _Page:
        path = SiteMap.paper(language, paper.slug)
        def cited() -> str | None:
            return cited_language(self.project, paper.slug, language) if paper.meta.kind == "paper" else None

        def key() -> str:  # the cited version's texts, the series' and the PDF it links, when a page cites the original
            language_cited = cited()
            return self._paper_key(language, paper, language_cited,
                                   language_cited and self._text_key(paper.slug, language_cited),
                                   language_cited and self._text_key(self.project.series_slug, language_cited),
                                   language_cited and self._pdf(language_cited, paper.slug))
        return _Page(path, key, lambda: self._render(
            language, "paper.html", path, {**self._paper_context(language, paper),
                                           **self._citation_context(language, paper, path, cited())}), paper.slug)

    def _citation_context(self, language: str, paper: Paper, path: str, cited: str | None) -> dict[str, Any]:
        """The cite block, its downloads, and (on a page published in its language) the head's metadata."""
        if cited is None:
            return {}
        citation = citation_of(self.project, paper.slug, cited)
        item = csl_item(citation, lambda target: site_address(self.config, target))
        downloads = {name: SiteMap.citation(cited, paper.slug, extension)
                     for name, extension in (("BibTeX", "bib"), ("RIS", "ris"), ("CSL-JSON", "json"))}
        metadata = page_metadata(citation, lambda target: page_address(self.config, path, target)) \
            if cited == language else None
        return {"cite": {"text": formatted_citation(self.config, item, cited), "language": cited,
                         "downloads": downloads}, "metadata": metadata}

    def _bilingual(self, language: str, paper: Paper, other: str) -> _Page:
        """The pairs of segments, and the same pair of languages from the other languages' side."""
        path = SiteMap.bilingual(language, paper.slug, other)

        def render() -> str:
            mine = self.project.translation(paper.slug, language)
            theirs = self.project.translation(paper.slug, other)
            alternates = {code: SiteMap.bilingual(code, paper.slug, language if code == other else other)
                          for code in self.config.all_languages}
            rows = sorted(zip(mine.segments, theirs.segments, strict=False),
                          key=lambda pair: pair[0].segment.role in _TRAILING_ROLES)
            context = {**self._paper_context(language, paper), "other_language": other, "rows": tuple(rows),
                       "alternates": alternates, "announce": bilingual_alternates(self.project, language, paper.slug,
                                                                                  other)}
            return self._render(language, "bilingual.html", path, context)
        return _Page(path, lambda: self._paper_key(language, paper, "bilingual", other,
                                                   self._text_key(paper.slug, other)), render, paper.slug)

    def _preview(self, language: str, paper: Paper) -> _Page:
        """The paper with every missing and outdated passage highlighted and listed, for translators."""
        path = SiteMap.preview(language, paper.slug)

        def render() -> str:
            translation = self.project.translation(paper.slug, language)
            context = {**self._paper_context(language, paper), "preview": True,
                       "to_do": [(s, self._po_place(paper.slug, language, s)) for s in translation.segments
                                 if s.needs_work],
                       "alternates": {code: SiteMap.preview(code, paper.slug) for code in self.config.languages},
                       "announce": Alternates()}
            return self._render(language, "paper.html", path, context)
        return _Page(path, lambda: self._paper_key(language, paper, "preview"), render, paper.slug)

    def _po_place(self, slug: str, language: str, segment: TranslatedSegment) -> str:
        """'locales/fr/LC_MESSAGES/x.po:212': where a translator finds the passage (the file alone if absent)."""
        path = catalog_path(self.config, language, slug).relative_to(self.config.root).as_posix()
        catalog = self.project.catalog(slug, language)
        message = catalog.get(segment.segment.msgid) if catalog is not None else None
        return f"{path}:{message.lineno}" if message is not None and message.lineno else path

    # --- contexts -------------------------------------------------------------------------

    def _paper_context(self, language: str, paper: Paper) -> dict[str, Any]:
        view = paper_view(self.project.translation(paper.slug, language))
        return {
            "paper": view.translation,
            "entry": self._entry(paper, language),
            "body": view.body,
            "contents": view.contents,
            "alternates": {code: SiteMap.paper(code, paper.slug) for code in self.config.all_languages},
            "announce": paper_alternates(self.project, language, paper.slug),
            "pdf": self._pdf(language, paper.slug),
            "epub": self._epub(language, paper.slug),
            "aliases": self.project.anchor_record(paper.slug).aliases(),
        }

    def _entry(self, paper: Paper, language: str) -> Entry:
        translation = self.project.translation(paper.slug, language)
        availability = tuple(
            Availability(code, figure.percent, SiteMap.paper(code, paper.slug),
                         self.project.published(paper.slug, code), figure.missing.messages, figure.fuzzy.messages)
            for code, figure in ((code, self.project.figure(paper.slug, code)) for code in self.config.all_languages)
        )
        return Entry(translation, _reading_minutes(translation), availability)

    def _pdf(self, language: str, slug: str) -> str | None:
        """The site path of a published PDF, from the PDF stage's manifest."""
        return SiteMap.pdf(language, slug) if (language, slug) in self.pdfs else None

    def _epub(self, language: str, slug: str) -> str | None:
        """The site path of a published EPUB, from the EPUB stage's manifest."""
        return SiteMap.epub(language, slug) if (language, slug) in self.epubs else None

    def _volume_parts(self, language: str) -> list[dict[str, Any]]:
        """The parts of the series' volumes (volume_size in setup.cfg) published in language, in order."""
        parts = [{"volume": volume, "pdf": self._pdf(language, volume.slug), "epub": self._epub(language, volume.slug),
                  "omitted": self._volume_omitted(language, volume.slug)}
                 for volume in series_volumes(self.project) if volume.number is not None]
        return [part for part in parts if part["pdf"] or part["epub"]]

    def _volume_omitted(self, language: str, slug: str = VOLUME) -> list[str]:
        """The papers the published volume leaves out, in series order, as the PDF stage recorded."""
        entry = self.pdfs.get((language, slug))
        left_out = set(entry.omitted) if entry else set()
        return [paper.slug for paper in self.project.briefings if paper.slug in left_out]

    def _everywhere(self, page: Callable[[str], str]) -> dict[str, str]:
        return {code: page(code) for code in self.config.all_languages}

    def _social(self, language: str, path: str, context: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        """The page's OpenGraph and Twitter tags: its paper's (or the series') title, summary and card."""
        if path.startswith(SiteMap.dashboard().split("/")[0]):
            return ()  # the translators' pages are shared with no one
        paper = context.get("paper")
        slug = paper.paper.slug if paper is not None else self.project.series_slug
        shown = language if self.project.published(slug, language) else self.config.source_language
        texts = self.project.translation(slug, shown).by_id()
        series = self.project.translation(self.project.series_slug, language).by_id()
        is_paper = paper is not None and slug != self.project.series_slug
        return social_tags(self.config, path=path, language=language, title=plain_text(texts["title"].text),
                           description=plain_text(texts["summary"].text), site_name=plain_text(series["title"].text),
                           card=(shown, slug), kind="article" if is_paper else "website",
                           alternates=context.get("announce"),
                           published=self.project.paper(slug).meta.date if is_paper else None)

    def _render(self, language: str, template: str, path: str, context: dict[str, Any]) -> str:
        feed = SiteMap.feed(language) if language in self.feed_languages else None
        return render_page(self.project, self._environments[language], language, template, path,
                           {"feed": feed, "social": self._social(language, path, context), **context})


def static_search_context(language: str, alternates: dict[str, str]) -> dict[str, Any]:
    """The search page before any query, for the reader's browser to search in: the page says so."""
    from babel import Locale

    from library.outputs.results import SearchResults

    # The page's script picks the sentence for a count by the language's plural category, as
    # Intl.PluralRules names it; gettext gives the sentence for a number of each category.
    plural = Locale.parse(language).plural_form
    samples: dict[str, int] = {}
    for number in range(1000):
        samples.setdefault(plural(number), number)
    return {"alternates": alternates, "query": "", "static_search": True, "plural_samples": samples,
            "results": SearchResults(query="", language=language, notices=("empty",))}


def _reading_minutes(translation: TranslatedPaper) -> int:
    words = sum(len(plain_text(s.text).split()) for s in translation.segments if s.segment.block is not None)
    return max(1, round(words / WORDS_PER_MINUTE))


def _copies(project: Project) -> list[Copy]:
    """The templates' assets, the papers' images and the published PDFs and EPUBs, to copy into the site."""
    config = project.config
    copies = []
    assets = config.templates_dir / ASSETS
    for path in sorted(assets.rglob("*")) if assets.is_dir() else ():
        if path.is_file():
            copies.append(Copy(f"{ASSETS}/{path.relative_to(assets).as_posix()}", path))
    for paper in project.papers:
        for block in paper.blocks:
            if block.kind == "image":
                copies.append(Copy(SiteMap.asset(block.src), _image(config, paper, block)))
    for language, slug in published_pdfs(config):
        source = pdf_path(config, language, slug)
        if source.is_file():
            copies.append(Copy(SiteMap.pdf(language, slug), source))
    for language, slug in published(config, "epub"):
        source = epub_path(config, language, slug)
        if source.is_file():
            copies.append(Copy(SiteMap.epub(language, slug), source))
    return list({copy.name: copy for copy in copies}.values())  # a picture two papers show, copied once


def _image(config: Config, paper: Paper, block: Block) -> Path:
    source = (config.papers_dir / block.src).resolve()
    outside = ".." in PurePosixPath(block.src).parts or ":" in block.src or block.src.startswith(("/", "\\"))
    if outside or not source.is_relative_to(config.papers_dir.resolve()):
        raise SourceError(paper.path, block.line,
                          f"image {block.src!r} must be a file inside {config.papers_dir.name}/")
    if not source.is_file():
        raise SourceError(paper.path, block.line, f"image {block.src!r} not found in {config.papers_dir.name}/")
    return source

