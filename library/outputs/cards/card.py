"""Card images for link previews (OpenGraph, Twitter): 1200×630 PNG, one per paper and published language.

Drawn with Pillow, whose text layout (libraqm: HarfBuzz shaping, FriBidi reordering) sets Arabic
and Hebrew right to left with their joined letters, from the PDFs' own fonts: Source Serif Pro
and Source Sans Pro, and Amiri for Arabic script. WeasyPrint would lay a card out as well, but
through a PDF and a rasteriser for each image; Pillow draws one in milliseconds, and is already
installed (WeasyPrint needs it). The design is the PDF cover's: the series in a band at the top,
the paper's number, its title, and at the foot the publisher and the language. A card is drawn
again only when what it shows (or the code, the fonts, or Pillow) changed.
"""
from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from library.core.files import Changes, remove_stale, write_outputs
from library.core.paths import UI_DOMAIN, SiteMap, catalog_path, site_folder
from library.model.project import Project
from library.model.publication import published_languages
from library.model.stamps import Digest, distribution_version, read_state, write_state
from library.model.translation import text_direction
from library.sources.markup import plain_text

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

__all__ = ["WIDTH", "HEIGHT", "CardText", "build_cards", "card_text", "draw_card"]

STAGE = "cards"
WIDTH, HEIGHT = 1200, 630  # what OpenGraph and Twitter's large summary cards show whole
_MARGIN = 72
# The site's colours (templates/assets/site.css, light scheme).
_PAPER, _TEXT, _MUTED, _ACCENT, _RULE = "#fbfaf6", "#1b2226", "#4f5b61", "#0b5a63", "#d6d1c4"
_LATIN = {"serif": ("font_source_serif_pro", "SourceSerifPro-Semibold.ttf"),
          "sans": ("font_source_sans_pro", "SourceSansPro-Regular.ttf"),
          "sans-bold": ("font_source_sans_pro", "SourceSansPro-Semibold.ttf")}
_ARABIC = {"serif": ("fontpkg_amiri", "Amiri-Bold.ttf"), "sans": ("fontpkg_amiri", "Amiri-Regular.ttf"),
           "sans-bold": ("fontpkg_amiri", "Amiri-Bold.ttf")}
_ARABIC_SCRIPT = ("ar", "fa", "ur", "ps")


@dataclass(frozen=True)
class CardText:
    """What a card shows, in its language: every text plain."""

    language: str
    series: str  # "" on the series page's own card
    kicker: str  # "Briefing paper 1", or "" for the series page
    title: str
    publisher: str
    language_name: str


def build_cards(project: Project) -> tuple[Changes, list[Path]]:
    """Draw the cards whose texts changed; return what changed and the cards withdrawn.

    A card's text is read again only when the files it comes from changed, and drawn again
    only when that text changed.
    """
    project.known()  # the gate's figures from the last build's record, not from every catalog
    config = project.config
    site, folder = site_folder(config), site_folder(config) / SiteMap.cards_folder()
    state = read_state(config, STAGE)
    recorded, recorded_sources = state.get("cards", {}), state.get("sources", {})
    keys, sources, planned, unchanged = {}, {}, {}, []
    for paper in project.papers:
        for language in published_languages(project, paper.slug):
            path = site / SiteMap.card(language, paper.slug)
            name = path.relative_to(site).as_posix()
            sources[name] = _sources(project, paper.slug, language)
            if recorded_sources.get(name) == sources[name] and name in recorded and path.is_file():
                keys[name] = recorded[name]
                unchanged.append(path)
                continue
            text = card_text(project, paper.slug, language)
            keys[name] = key = _key(text)
            if recorded.get(name) == key and path.is_file():
                unchanged.append(path)
            else:
                planned[path] = draw_card(text)
    changes = write_outputs(planned)
    changes.unchanged.extend(unchanged)
    withdrawn = remove_stale(folder, {*planned, *unchanged}) if folder.is_dir() else []
    write_state(config, STAGE, {"cards": keys, "sources": sources})
    return changes, withdrawn


def _sources(project: Project, slug: str, language: str) -> str:
    """The files a card's text comes from: the paper's and the series' texts, the interface's catalog."""
    known = project.known()
    return Digest(known.text_stamp(slug, language), known.text_stamp(project.series_slug, language),
                  known.file_hash(catalog_path(project.config, language, UI_DOMAIN)), _shared_key()).hexdigest()


def card_text(project: Project, slug: str, language: str) -> CardText:
    from babel import Locale

    texts = project.translation(slug, language).by_id()
    series = project.translation(project.series_slug, language).by_id()
    number = project.paper(slug).meta.number
    ui = project.ui_translations(language)
    # The paper page's own kicker (templates/paper.html), from the interface catalog.
    kicker = Markup(ui.gettext("Briefing paper %(number)s")).striptags() % {"number": number} if number else ""
    name = Locale.parse(language).get_display_name(language) or language
    # The series' own card shows its title once, as the title.
    band = "" if slug == project.series_slug else plain_text(series["title"].text)
    return CardText(language, band, kicker, plain_text(texts["title"].text),
                    plain_text(texts["publisher"].text), name[:1].upper() + name[1:])


def _key(text: CardText) -> str:
    return Digest(text, _shared_key()).hexdigest()


@functools.cache
def _shared_key() -> str:
    """What every card is drawn with: its size, its fonts' bytes, Pillow, this code."""
    fonts = sorted({_font_path(entry) for table in (_LATIN, _ARABIC) for entry in table.values()})
    return Digest(WIDTH, HEIGHT, distribution_version("pillow")).files(fonts, Path("/")).code(__name__).hexdigest()


def _font_path(entry: tuple[str, str]) -> Path:
    module, name = entry
    return Path(str(files(module).joinpath("files", name)))


def draw_card(text: CardText) -> bytes:
    """The card as PNG bytes: the same text always gives the same bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    painter = _Painter(draw, text.language)
    draw.rectangle((0, 0, WIDTH, 18), fill=_ACCENT)
    if text.series:
        painter.line(text.series, "sans-bold", 32, 64, _ACCENT, WIDTH - 2 * _MARGIN)
    if text.kicker:
        painter.line(text.kicker.upper(), "sans", 24, 112, _MUTED, WIDTH - 2 * _MARGIN)
    painter.title(text.title, top=168, bottom=520)
    draw.line((_MARGIN, 548, WIDTH - _MARGIN, 548), fill=_RULE, width=2)
    painter.line(text.publisher, "sans", 26, 566, _MUTED, WIDTH - 2 * _MARGIN - 260)
    painter.line(text.language_name, "sans-bold", 26, 566, _ACCENT, 240, end=True)
    output = io.BytesIO()
    # No time or other varying chunk: the bytes follow the pixels. zlib's default level, not
    # optimize: a card in 0.02 CPU-seconds instead of 0.06 (600 cards at 200 papers), 5 % larger.
    image.save(output, "PNG", compress_level=6)
    return output.getvalue()


class _Painter:
    """Lines of text in one language, set from the start side of its direction (right, for Arabic)."""

    def __init__(self, draw: ImageDraw.ImageDraw, language: str) -> None:
        self.draw, self.language = draw, language.replace("_", "-")
        self.direction = text_direction(language)
        self.fonts = _ARABIC if language.split("_")[0] in _ARABIC_SCRIPT else _LATIN

    def font(self, face: str, size: int) -> ImageFont.FreeTypeFont:
        from PIL import ImageFont

        return ImageFont.truetype(str(_font_path(self.fonts[face])), size, layout_engine=ImageFont.Layout.RAQM)

    def width(self, text: str, font: ImageFont.FreeTypeFont) -> float:
        return font.getlength(text, direction=self.direction, language=self.language)

    def line(self, text: str, face: str, size: int, top: int, colour: str, room: int, *, end: bool = False) -> None:
        """One line at top, smaller (to three quarters) or shortened with an ellipsis to fit room.

        With end, the line sits at the end side (the right in a left-to-right language).
        """
        for smaller in range(size, round(size * 0.75) - 1, -2):
            font = self.font(face, smaller)
            if self.width(text, font) <= room:
                break
        while self.width(text, font) > room and " " in text:
            text = text.rsplit(" ", 1)[0].rstrip(",;:–-") + "…"
        self._put(text, font, top, colour, end)

    def title(self, text: str, *, top: int, bottom: int) -> None:
        """The title as large as fits: at most four lines between top and bottom, broken between words."""
        room = WIDTH - 2 * _MARGIN
        for size in range(68, 30, -4):
            font = self.font("serif", size)
            lines = self._wrapped(text, font, room)
            leading = round(size * 1.18)
            if len(lines) <= 4 and len(lines) * leading <= bottom - top:
                break
        for index, line in enumerate(lines[:4]):
            self._put(line, font, top + index * leading, _TEXT, False)

    def _wrapped(self, text: str, font: ImageFont.FreeTypeFont, room: int) -> list[str]:
        lines: list[str] = []
        for word in text.split(" "):  # no-break spaces hold their words together
            if lines and self.width(f"{lines[-1]} {word}", font) <= room:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return lines

    def _put(self, text: str, font: ImageFont.FreeTypeFont, top: int, colour: str, end: bool) -> None:
        width = self.width(text, font)
        from_right = (self.direction == "rtl") != end
        x = WIDTH - _MARGIN - width if from_right else _MARGIN
        self.draw.text((x, top), text, font=font, fill=colour, direction=self.direction, language=self.language)
