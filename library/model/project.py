"""The project: its papers, languages, translations and figures, loaded once per command.

Every stage takes a Project and reads the same facts from it, so that the status table,
the site, the dashboard, the PDF gate and search can never disagree. Everything is read on
first use and kept: a command that needs no paper parses none.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from library.core.config import Config, find_config, known_language, load_config
from library.core.errors import GlossaryError, SelectionError, SourceError
from library.core.files import checked_file, read_checked
from library.core.paths import (
    UI_DOMAIN,
    VOLUME,
    anchor_record_path,
    anchor_record_paths,
    catalog_path,
    catalog_paths,
    glossary_path,
    paper_paths,
    template_path,
    template_paths,
)
from library.model.figures import KnownFigures
from library.model.parsed import ParsedPapers
from library.model.stamps import FileHashes
from library.model.translation import (
    EscapingTranslations,
    Figure,
    Tally,
    TranslatedPaper,
    count_words,
    passage_state,
    translate_paper,
    ui_translations,
)
from library.sources.anchors import AnchorRecord, assign_anchors, read_anchor_record
from library.sources.glossary import Glossary, read_glossary
from library.sources.papers import Paper, load_paper, load_papers
from library.sources.pofiles import read_catalog
from library.sources.segments import Segment, segment_paper

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

__all__ = ["Project", "load_project"]

_SERIES_KIND = re.compile(r"""^kind:\s*["']?series["']?\s*(#.*)?$""", re.M)
_NUMBER = re.compile(r"""^number:\s*["']?([0-9]+)["']?\s*(#.*)?$""", re.M)


def load_project(config_path: Path | str | None = None) -> Project:
    """The project of the given setup.cfg, or of the nearest one with a [library] section.

    Its files are checked first, so every command refuses the same pipe or broken link alike.
    """
    project = Project(load_config(Path(config_path)) if config_path else load_config(find_config()))
    project.check_files()
    return project


class Project:
    """One library: what is translated, how far, and what is published, in one place."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._translations: dict[tuple[str, str], TranslatedPaper] = {}
        self._catalogs: dict[tuple[str, str], Catalog | None] = {}
        self._ui: dict[str, EscapingTranslations] = {}
        self._anchored: dict[str, tuple[tuple[Segment, ...], AnchorRecord]] = {}
        self._anchor_files: dict[str, bytes | None] = {}
        self._catalog_stamps: dict[tuple[str, str], tuple[int, int, int] | None] = {}
        self.known_figures: KnownFigures | None = None  # a build's figures remembered by their files' bytes
        self._kept = _Kept()  # what an earlier project of a long-lived process read, to take over when unchanged

    def check_files(self) -> None:
        """Refuse, unread, any person's file that is not a regular file of the project (see checked_file).

        Only names are listed and looked at: nothing is read, so this costs a few system calls.
        """
        config = self.config
        paper_paths(config), template_paths(config), anchor_record_paths(config)
        for language in config.languages:
            catalog_paths(config, language)
        glossary = glossary_path(config)
        if glossary.exists() or glossary.is_symlink():
            checked_file(glossary, config.locales_dir, GlossaryError)

    # --- the sources ----------------------------------------------------------------------

    @cached_property
    def papers(self) -> tuple[Paper, ...]:
        """Every source: the briefing papers by number, then the series page."""
        paths = paper_paths(self.config)
        papers = load_papers(self.config.papers_dir, self._load_paper, paths)
        self._parsed_papers.save(paths)
        return papers

    def _load_paper(self, path: Path) -> Paper:
        """Parse path, unless an earlier project parsed it as it is now (a watch save touches one paper).

        As it is now: the same inode, size and time, as for the catalogs (see forget).
        """
        stamp = _stamp(path)  # before parsing: a save meanwhile is seen next time
        kept = self._kept.papers.get(path)
        if kept is not None and stamp is not None and kept[0] == stamp:
            paper = kept[1]
        else:
            paper = self._parsed_papers.paper(path, load_paper)  # or as the last command parsed it
        self._kept.papers[path] = (stamp, paper)
        return paper

    @property
    def _parsed_papers(self) -> ParsedPapers:
        if self._kept.parsed is None:
            self._kept.parsed = ParsedPapers(self.config, self.file_hashes)
        return self._kept.parsed

    @property
    def briefings(self) -> tuple[Paper, ...]:
        """The numbered papers of the series, without the series page."""
        return tuple(paper for paper in self.papers if paper.meta.kind == "paper")

    @property
    def series(self) -> Paper:
        """The series page, which the site's header and footer and every volume need."""
        if "papers" not in self.__dict__:
            return self.paper(self.series_slug)  # parsed alone, like any paper asked for before the series
        for paper in self.papers:
            if paper.meta.kind == "series":
                return paper
        raise SourceError(self.config.papers_dir, None,
                          "no series page: add one paper with 'kind: series' in its front matter")

    def paper(self, slug: str) -> Paper:
        """One source, parsed alone until the whole series is asked for (a one-catalog build needs a few)."""
        if "papers" not in self.__dict__ and slug in self._source_slug_set:
            return self._load_paper(self.config.papers_dir / f"{slug}.md")
        return self._papers_by_slug[slug]

    @cached_property
    def _source_slug_set(self) -> frozenset[str]:
        return frozenset(self.source_slugs)

    @cached_property
    def _papers_by_slug(self) -> dict[str, Paper]:  # asked once per paper and page: no walk through them all
        return {paper.slug: paper for paper in self.papers}

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(paper.slug for paper in self.papers)

    @property
    def source_slugs(self) -> tuple[str, ...]:
        """The slugs of the source files, read from their names alone (the parser holds them equal)."""
        return tuple(path.stem for path in paper_paths(self.config))

    @cached_property
    def series_slug(self) -> str:
        """The series page's slug; before the papers are parsed, from a look at the front matter alone.

        Kept: planning asks it once per PDF, and each look reads every paper's front matter.
        """
        if "papers" in self.__dict__:
            return self.series.slug
        for slug in self.source_slugs:
            head = (self.config.papers_dir / f"{slug}.md").read_text("utf-8", "replace").split("\n---", 1)[0]
            if _SERIES_KIND.search(head):
                return slug
        self.papers  # noqa: B018 (parse every paper, and let the parser say what is wrong)
        return self.series.slug

    @cached_property
    def series_order(self) -> tuple[tuple[str, int], ...]:
        """Each numbered paper's slug and number, in series order; before parsing, from the front matter alone.

        The volumes are cut from it when planned, which must not parse every paper.
        """
        if "papers" not in self.__dict__ and (order := self._order_from_front_matter()) is not None:
            return order
        return tuple((paper.slug, paper.meta.number or 0) for paper in self.briefings)

    def _order_from_front_matter(self) -> tuple[tuple[str, int], ...] | None:
        """series_order from a look at each front matter; None where the parser has something to say
        (a number that is not plain, one used twice, a second series page)."""
        numbered: dict[int, str] = {}
        series_pages = 0
        for slug in self.source_slugs:
            head = (self.config.papers_dir / f"{slug}.md").read_text("utf-8", "replace").split("\n---", 1)[0]
            if _SERIES_KIND.search(head):
                series_pages += 1
                if series_pages > 1:
                    return None
                continue
            number = _NUMBER.search(head)
            if number is None or int(number[1]) in numbered:
                return None
            numbered[int(number[1])] = slug
        return tuple((numbered[number], number) for number in sorted(numbered))

    # --- passages and their lasting ids ---------------------------------------------------

    def segments(self, slug: str) -> tuple[Segment, ...]:
        """The paper's passages, with the ids they keep through edits (see anchors)."""
        return self._anchor(slug)[0]

    def anchor_record(self, slug: str) -> AnchorRecord:
        """The record `library extract` writes for the paper: its ids now, and the retired ones."""
        return self._anchor(slug)[1]

    def anchor_record_as_read(self, slug: str) -> bytes | None:
        """The bytes of the paper's anchor record file when the project read it (None: no file)."""
        if slug not in self._anchor_files:
            path = anchor_record_path(self.config, slug)
            exists = path.exists() or path.is_symlink()
            self._anchor_files[slug] = read_checked(path, self.config.locales_dir, SourceError) if exists else None
        return self._anchor_files[slug]

    def _anchor(self, slug: str) -> tuple[tuple[Segment, ...], AnchorRecord]:
        if slug not in self._anchored:
            paper, record = self.paper(slug), self.anchor_record_as_read(slug)
            kept = self._kept.anchored.get(slug)
            if kept is not None and kept[0] is paper and kept[1] == record:
                self._anchored[slug] = kept[2]
            else:
                recorded = read_anchor_record(anchor_record_path(self.config, slug), record)
                self._anchored[slug] = assign_anchors(segment_paper(paper), recorded)
            self._kept.anchored[slug] = (paper, record, self._anchored[slug])
        return self._anchored[slug]

    # --- translations and figures ---------------------------------------------------------

    def catalog(self, domain: str, language: str) -> Catalog | None:
        """The PO file of domain in language, read strictly once (None: there is none yet)."""
        key = (domain, language)
        if key not in self._catalogs:
            path = catalog_path(self.config, language, domain)
            # A link to nothing is refused, not taken as absent.
            root = self.config.locales_dir
            self._read_catalog(key, path, lambda: path.exists() or path.is_symlink(),
                               lambda: read_catalog(path, language=language, domain=domain, root=root))
        return self._catalogs[key]

    def _read_catalog(self, key: tuple[str, str], path: Path, present: Callable[[], bool],
                      read: Callable[[], Catalog]) -> None:
        """Read a PO or POT file into self._catalogs[key], unless an earlier project read it as it is now."""
        stamp = self._catalog_stamps[key] = _stamp(path)  # before reading: a save meanwhile is seen next time
        kept = self._kept.catalogs.get(key)
        if kept is not None and stamp is not None and kept[0] == stamp:
            self._catalogs[key] = kept[1]
        else:
            self._catalogs[key] = read() if present() else None
        self._kept.catalogs[key] = (stamp, self._catalogs[key])

    def adopt(self, earlier: Project) -> None:
        """Take over what earlier read from files unchanged since: papers, anchors, PO files, translations.

        For a long-lived process (`library serve --watch`), which reads a new project after each
        save: a save touches a file or two, and parsing every paper and catalog again would make
        each save cost as much as the whole library. Each kept value is checked when first asked
        for: a paper by its bytes, a catalog by its stamp, what is made from them by their identity.
        """
        if earlier.config == self.config:
            self._kept = earlier._kept

    adopt_catalogs = adopt  # its first name, when it took over the PO files only

    def forget(self, paths: Iterable[Path]) -> None:
        """Read these files again in the projects that adopt this one: a watcher's saves.

        What was kept is kept by the file's inode, size and time; a save of the same size within
        one tick of the file system's clock would leave all three as they were.
        """
        for path in paths:
            self._kept.papers.pop(path, None)
            self._kept.hashes.forget([path])
            if path.suffix == ".po":
                self._kept.catalogs.pop((path.stem, path.parent.parent.name), None)
            elif path.suffix == ".pot":
                self._kept.catalogs.pop((path.stem, ""), None)

    @property
    def file_hashes(self) -> FileHashes:
        """The files' hashes this project and the earlier ones it adopted took: a file is read again once it changed."""
        return self._kept.hashes

    @cached_property
    def glossary(self) -> Glossary:
        """The official terms in every language (locales/glossary.csv), read strictly once."""
        return read_glossary(glossary_path(self.config), self.config.source_language, self.config.locales_dir)

    def template(self, domain: str) -> Catalog | None:
        """The POT file of domain, read strictly once (None: not extracted yet)."""
        key = (domain, "")
        if key not in self._catalogs:
            path = template_path(self.config, domain)
            self._read_catalog(key, path, path.exists, lambda: read_catalog(path, domain=domain,
                                                                           root=self.config.locales_dir))
        return self._catalogs[key]

    def translation(self, slug: str, language: str) -> TranslatedPaper:
        """A paper in one language, each passage with its state; read once per command."""
        key = (slug, language)
        if key not in self._translations:
            source = self.config.source_language
            catalog = None if language == source else self.catalog(slug, language)
            paper, segments = self.paper(slug), self.segments(slug)
            kept = self._kept.translations.get(key)
            if kept is not None and kept[0] is paper and kept[1] is catalog and kept[2] is segments:
                self._translations[key] = kept[3]
            else:
                self._translations[key] = translate_paper(paper, language, catalog, source, segments)
            self._kept.translations[key] = (paper, catalog, segments, self._translations[key])
        return self._translations[key]

    def ui_translations(self, language: str) -> EscapingTranslations:
        if language not in self._ui:
            source = self.config.source_language
            catalog = None if language == source else self.catalog(UI_DOMAIN, language)
            self._ui[language] = ui_translations(catalog, language, source)
        return self._ui[language]

    def figure(self, slug: str, language: str) -> Figure:
        """How far a paper (or VOLUME: the whole series, UI_DOMAIN: the interface) is translated into language."""
        if slug == VOLUME:
            return sum((self.figure(paper.slug, language) for paper in self.papers), Figure())
        if slug == UI_DOMAIN:
            return self._interface_figure(language)
        known, read = self.known_figures, self._translations.get((slug, language))
        if known is None or (read is not None and not self._catalog_unchanged(slug, language)):
            return self.translation(slug, language).figure
        # A text already read gives its figure to the record too, so the next build need not read it.
        return known.figure(slug, language, lambda: self.translation(slug, language).figure)

    def known(self) -> KnownFigures:
        """The build's figures and texts' stamps remembered by their files' bytes (made on first ask)."""
        if self.known_figures is None:
            self.known_figures = KnownFigures(self.config, self.file_hashes)
        return self.known_figures

    def _catalog_unchanged(self, slug: str, language: str) -> bool:
        """Whether the paper's catalog in language is as when read (if saved since, its figure is not the file's)."""
        if language == self.config.source_language:
            return True
        return self._catalog_stamps.get((slug, language)) == _stamp(catalog_path(self.config, language, slug))

    def _interface_figure(self, language: str) -> Figure:
        """The interface catalog's figure: each message of ui.pot, looked up in the PO file."""
        catalog = self.catalog(UI_DOMAIN, language)
        tallies = {"translated": Tally(), "fuzzy": Tally(), "missing": Tally()}
        for message in self.template(UI_DOMAIN) or ():
            if message.id:
                found = catalog.get(message.id, message.context) if catalog is not None else None
                english = (message.id,) if isinstance(message.id, str) else message.id
                tallies[passage_state(found)] += Tally(1, sum(count_words(text) for text in english))
        return Figure(**tallies)

    def published(self, slug: str, language: str) -> bool:
        """Whether the paper (or VOLUME) passes the threshold in language: the gate's verdict."""
        return language == self.config.source_language or self.figure(slug, language).passes(self.config.threshold)

    # --- selections -----------------------------------------------------------------------

    def select_languages(self, codes: tuple[str, ...] = (), *, targets_only: bool = False) -> tuple[str, ...]:
        """The languages asked for, in the configured order (all by default); unknown codes refused.

        With targets_only, the source language is refused too: it has no catalogs.
        """
        known = self.config.languages if targets_only else self.config.all_languages
        codes = tuple(known_language(code, known) or code for code in codes)  # 'FR' is 'fr'
        for code in codes:
            if code not in known:
                raise SelectionError(_unknown("language", code, known, self.config.all_languages,
                                              self.config.source_language if targets_only else None))
        return tuple(code for code in known if code in codes) if codes else known

    def select_papers(self, slugs: tuple[str, ...] = (), *, ui: bool = False) -> tuple[str, ...]:
        """The papers asked for, in series order (all by default), with 'ui' when ui allows it."""
        known = (*self.slugs, UI_DOMAIN) if ui else self.slugs
        for slug in slugs:
            if slug not in known:
                raise SelectionError(_unknown("paper", slug, known, known, None))
        return tuple(slug for slug in known if slug in slugs) if slugs else known


class _Kept:
    """What the projects of one long-lived process have read, each value with what it was made from.

    Shared from one project to the next (see Project.adopt), one entry per file or paper: it holds
    the latest value of each, so it grows with the library, never with the number of saves.
    """

    def __init__(self) -> None:
        self.papers: dict[Path, tuple[tuple[int, int, int] | None, Paper]] = {}
        self.anchored: dict[str, tuple[Paper, bytes | None, tuple[tuple[Segment, ...], AnchorRecord]]] = {}
        self.catalogs: dict[tuple[str, str], tuple[tuple[int, int, int] | None, Catalog | None]] = {}
        self.translations: dict[tuple[str, str], tuple[Paper, Catalog | None, tuple[Segment, ...],
                                                       TranslatedPaper]] = {}
        self.hashes = FileHashes()
        self.parsed: ParsedPapers | None = None  # the papers the last command parsed, read on first need


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is saved, in place or by a rename over it (None: no such file)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


def _unknown(kind: str, value: str, known: tuple[str, ...], everything: tuple[str, ...], source: str | None) -> str:
    """The one message every command gives for a --lang or --paper it cannot take."""
    if source is not None and value == source:
        return f"{value!r} is the source language; it has no catalogs (languages: {', '.join(known)})"
    close = {value.lower(), value.replace("-", "_").partition("_")[0].lower() if kind == "language" else ""}
    hint = next((f"; did you mean {name!r}?" for name in everything if name.lower() in close), "")
    return f"unknown {kind} {value!r} (choose from {', '.join(known)}){hint}"
