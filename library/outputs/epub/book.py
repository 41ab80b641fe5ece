"""One EPUB: a paper (or the volume) in one language, from the same segments and rendering core as the PDF.

A book holds a cover page, a contents page that is also its navigation document (contents,
landmarks and the printed edition's page list), one document per paper, the stylesheet, the
cover image and the papers' images. Its documents are rendered from templates/epub/ with the
site's and the PDFs' partials, and written as XHTML (library.outputs.epub.xhtml).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from library.core.errors import SourceError
from library.core.paths import is_volume
from library.model.project import Project
from library.model.stamps import source_date
from library.model.translation import TranslatedPaper, TranslatedSegment
from library.outputs.epub.cover import CoverText, cover_image
from library.outputs.epub.package import MEDIA_TYPES, Item, Metadata, zip_book
from library.outputs.epub.pages import page_list
from library.outputs.epub.xhtml import Document, page_break_id
from library.outputs.gate import Job, volume_label, volume_named
from library.outputs.render import (
    Environments,
    body_tree,
    prefixed_translation,
    render_template,
    table_of_contents,
    volume_prefix,
)
from library.sources.interface import EPUB_SUMMARY, EPUB_SUMMARY_FALLBACK, EPUB_SUMMARY_PAGES
from library.sources.markup import plain_text
from library.sources.papers import Block, Paper

if TYPE_CHECKING:
    import jinja2

__all__ = ["make_book", "COVER_PAGE", "CONTENTS_PAGE", "STYLESHEET", "COVER_IMAGE"]

# The book's own files beside one document per paper (<slug>.xhtml): a slug has no underscore,
# so no paper can take these names.
COVER_PAGE, CONTENTS_PAGE, STYLESHEET, COVER_IMAGE = "cover_page.xhtml", "contents_page.xhtml", "style.css", \
    "cover_image.png"
_CONTENTS_ANCHOR = "contents_title"  # the contents' heading, in the EPUB and in the PDF's page map
_XHTML = "application/xhtml+xml"

# A contents entry: (address, heading, the paper's number or "", subsections).
_Entry = tuple[str, TranslatedSegment, int | str, list["_Entry"]]


@dataclass(frozen=True)
class _Part:
    """One paper in the book: its document's name, its text (ids prefixed in a volume) and the prefix."""

    name: str
    translation: TranslatedPaper
    prefix: str

    @property
    def title(self) -> TranslatedSegment:
        return self.translation.by_id()[f"{self.prefix}title"]


def make_book(project: Project, job: Job, pages: dict[str, int], environments: Environments | None = None) -> bytes:
    """The EPUB of job, with the page list of its PDF's page map (pages; {} for none).

    environments keeps one Jinja2 environment per language across the books of a build.
    """
    return _Book(project, job, (environments or Environments(project))[job.language]).epub(pages)


class _Book:
    """The documents, metadata and files of one book."""

    def __init__(self, project: Project, job: Job, environment: jinja2.Environment) -> None:
        self.project, self.job, self.environment = project, job, environment
        self.language, self.volume = job.language, is_volume(job.slug)
        self.part = volume_named(project, job.slug) if self.volume else None
        direction = environment.globals["direction"]
        assert isinstance(direction, str)  # make_environment sets it, from the language
        self.direction = direction
        self.cover, self.parts = _contents_of(project, job)
        self.series = project.translation(project.series_slug, job.language)

    def epub(self, pages: dict[str, int]) -> bytes:
        cover = Document(self._render("cover.html", plain_text(self.cover.by_id()["title"].text)))
        texts = {part.name: Document(self._render("part.html", plain_text(part.title.text), part=part.translation,
                                                  body=body_tree(part.translation), heading_id=_heading_id(part)))
                 for part in self.parts}
        places = [(COVER_PAGE, anchor) for anchor in cover.ids] + [(CONTENTS_PAGE, _CONTENTS_ANCHOR)]
        places += [(name, anchor) for name, text in texts.items() for anchor in text.ids]
        listed = page_list(pages, places)
        documents = {COVER_PAGE: cover, CONTENTS_PAGE: self._contents(listed), **texts}
        for name, document in documents.items():
            document.mark_pages(_breaks_in(name, listed))
        elsewhere = frozenset({*documents, *(f"{name}#{anchor}" for name, anchor in places),
                               *(f"{name}#{page_break_id(number)}" for number, name, _ in listed)})
        prefixes = {part.name: part.prefix for part in self.parts}
        items = [Item(name, document.xhtml(elsewhere, prefixes.get(name, "")), _XHTML,
                      "nav" if name == CONTENTS_PAGE else "", spine=True) for name, document in documents.items()]
        images = _images(self.project, self.parts)
        items += [Item(STYLESHEET, (self.project.config.templates_dir / "epub" / STYLESHEET).read_bytes(), "text/css"),
                  Item(COVER_IMAGE, cover_image(self._cover_text()), "image/png", "cover-image"), *images]
        return zip_book(self._metadata(paged=bool(listed), images=bool(images)), items)

    def _render(self, template: str, title: str, **more: Any) -> str:
        context = {"language": self.language, "series": self.series, "cover": self.cover, "volume": self.volume,
                   "part": self.part,
                   "draft": self.job.percent if self.job.draft else None, "image_base": "",
                   "prefixes": {part.translation.paper.slug: part.prefix for part in self.parts},
                   "document_title": title, **more}
        return render_template(self.project.config, self.environment, f"epub/{template}", context)

    def _contents(self, listed: list[tuple[int, str, str]]) -> Document:
        """The navigation document: contents, the papers left out, landmarks and the page list."""
        papers = self.part.papers if self.part else ()
        omitted = [self.project.translation(slug, self.language) for slug in papers if slug in self.job.omitted]
        return Document(self._render("contents.html", self._text("Contents"), toc=_toc(self.parts, self.volume),
                                     omitted=omitted, cover_href=COVER_PAGE, text_href=self.parts[0].name,
                                     page_list=[(number, f"{name}#{page_break_id(number)}")
                                                for number, name, _ in listed]))

    def _text(self, message: str, **values: object) -> str:
        """An interface string as plain text (escaped and marked by the environment's gettext)."""
        from markupsafe import Markup

        gettext = self.environment.globals["gettext"]
        assert callable(gettext)  # the i18n extension installs it (make_environment)
        return Markup(gettext(message) % values).striptags()

    def _metadata(self, paged: bool, images: bool) -> Metadata:
        """What the package says of the book, its accessibility included."""
        fields, job = self.cover.by_id(), self.job
        title, publisher = plain_text(fields["title"].text), plain_text(fields["publisher"].text)
        title = " — ".join(filter(None, (title, self._part_label())))
        date = self.cover.paper.meta.date
        sentences = [EPUB_SUMMARY]
        if any(s.language != self.language for part in self.parts for s in part.translation.segments):
            sentences.append(EPUB_SUMMARY_FALLBACK)
        if paged:
            sentences.append(EPUB_SUMMARY_PAGES)
        interface = self.project.ui_translations(self.language)
        summary = tuple((text, language or self.language) for text, language in map(interface.plain, sentences))
        return Metadata(key=f"{job.language}/{job.slug}", title=title, language=self.language,
                        direction=self.direction, publisher=publisher,
                        description=plain_text(fields["summary"].text), date=date,
                        modified=source_date() or dt.datetime.combine(date, dt.time(), dt.UTC),
                        keywords=tuple(plain_text(s.text) for s in self.cover.segments if s.segment.role == "keyword"),
                        summary=summary, images=images,
                        print_source=f"{title} (PDF, {publisher}, {date.isoformat()})" if paged else "")

    def _part_label(self) -> str:
        """'Volume 2: papers 21–40' for a part of the series; "" for a paper or the whole series."""
        interface = self.project.ui_translations(self.language)
        return volume_label(self.part, lambda message: interface.plain(message)[0]) if self.part else ""

    def _cover_text(self) -> CoverText:
        """The cover image's words: those of the cover page, as plain text."""
        fields, meta = self.cover.by_id(), self.cover.paper.meta
        own_series = self.volume or self.cover.paper.slug == self.series.paper.slug
        band = fields["publisher"].text if own_series else self.series.by_id()["title"].text
        number = self._text("Briefing paper %(number)s", number=meta.number) if meta.number and not own_series else ""
        number = self._part_label() or number
        filters = self.environment.filters
        return CoverText(band=plain_text(band), number=number, title=plain_text(fields["title"].text),
                         subtitle=plain_text(fields["subtitle"].text),
                         foot=(str(filters["date"](meta.date)), filters["language_name"](self.language)),
                         language=self.language, direction=self.direction)


def _contents_of(project: Project, job: Job) -> tuple[TranslatedPaper, list[_Part]]:
    """The translation whose cover the book has, and its parts: the paper, or the series and its papers."""
    language = job.language
    if not is_volume(job.slug):
        translation = project.translation(job.slug, language)
        return translation, [_Part(f"{job.slug}.xhtml", translation, "")]
    papers = volume_named(project, job.slug).papers
    held = [project.paper(slug) for slug in papers if slug not in job.omitted]  # each parsed alone
    parts = [_Part(f"{paper.slug}.xhtml", prefixed_translation(project.translation(paper.slug, language),
                                                              volume_prefix(paper.slug)), volume_prefix(paper.slug))
             for paper in (project.series, *held)]  # the series' introduction opens the volume, as in the PDF
    return project.translation(project.series_slug, language), parts


def _heading_id(part: _Part) -> str:
    # A paper's own book has its title's id on the cover, as the PDF has; its text repeats the title.
    return f"{part.prefix}title" if part.prefix else "text_title"


def _breaks_in(name: str, listed: list[tuple[int, str, str]]) -> dict[str, list[int]]:
    """The page breaks of one document: each anchor with the pages that start there."""
    breaks: dict[str, list[int]] = {}
    for number, document, anchor in listed:
        if document == name:
            breaks.setdefault(anchor, []).append(number)
    return breaks


def _toc(parts: list[_Part], volume: bool) -> list[_Entry]:
    """The contents, nested: a paper's sections with their subsections; in a volume, each paper with its sections."""
    if not volume:
        return _sections(parts[0].name, table_of_contents(parts[0].translation), levels=(2, 3))
    return [(f"{part.name}#{part.prefix}title", part.title, part.translation.paper.meta.number or "",
             _sections(part.name, table_of_contents(part.translation), levels=(2,))) for part in parts]


def _sections(name: str, contents: Iterable[tuple[int, TranslatedSegment]], levels: tuple[int, ...]) -> list[_Entry]:
    """(address, heading, number, subsections) for each heading of levels, a level 3 under the level 2 before it."""
    entries: list[_Entry] = []
    for level, heading in contents:
        if level not in levels:
            continue
        entry: _Entry = (f"{name}#{heading.segment.id}", heading, "", [])
        if level == 3 and entries:
            entries[-1][3].append(entry)
        else:
            entries.append(entry)
    return entries


def _images(project: Project, parts: list[_Part]) -> list[Item]:
    """The papers' images the book shows, each once, under the name its documents give it."""
    items: dict[str, Item] = {}
    for part in parts:
        paper = part.translation.paper
        for block in (block for block in paper.blocks if block.kind == "image"):
            if block.src not in items:
                items[block.src] = Item(block.src, _image(project, paper, block), _media_type(paper, block))
    return list(items.values())


def _image(project: Project, paper: Paper, block: Block) -> bytes:
    folder = project.config.papers_dir
    source = (folder / block.src).resolve()
    outside = ".." in PurePosixPath(block.src).parts or ":" in block.src or block.src.startswith(("/", "\\"))
    if outside or not source.is_relative_to(folder.resolve()):
        raise SourceError(paper.path, block.line, f"image {block.src!r} must be a file inside {folder.name}/")
    if not source.is_file():
        raise SourceError(paper.path, block.line, f"image {block.src!r} not found in {folder.name}/")
    return source.read_bytes()


def _media_type(paper: Paper, block: Block) -> str:
    media_type = MEDIA_TYPES.get(Path(block.src).suffix.lower())
    if media_type is None:
        kinds = ", ".join(sorted({suffix[1:].upper() for suffix in MEDIA_TYPES}))
        raise SourceError(paper.path, block.line, f"image {block.src!r}: an EPUB shows only {kinds} images")
    return media_type
