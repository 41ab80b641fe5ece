"""The site's own web fonts: the PDFs' Source Serif Pro and Source Sans Pro, subset to WOFF2.

Each face is cut down to Latin and every character the library's texts use, so a page loads
tens of kilobytes of fonts, not megabytes, and nothing from elsewhere. A subset is a modified
version under the SIL Open Font License, which reserves the name "Source": the subsets are
renamed (Briefing Serif, Briefing Sans) and keep their copyright and licence; the licence
texts travel with them.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from library.outputs.fonts import font_file

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

__all__ = ["FONT_FOLDER", "SANS", "SERIF", "WEB_FONTS", "Family", "WebFont", "file_names", "font_characters",
           "source_paths", "subset_fonts"]

FONT_FOLDER = "fonts"  # under the site's assets
LICENSE_NAME = "OFL.txt"


@dataclass(frozen=True)
class Family:
    """A font package, the family name it reserves and the name the site's subsets take."""

    module: str
    reserved: str
    own: str
    short: str  # the start of its files' names in the site

    def file(self, name: str) -> Path:
        return font_file(self.module, name)

    @property
    def license_name(self) -> str:
        return f"{self.short}-{LICENSE_NAME}"


@dataclass(frozen=True)
class WebFont:
    """One face of the site: the WOFF2 file it becomes and the TTF it is cut from."""

    family: Family
    style: str  # regular, italic, semibold
    ttf: str

    @property
    def name(self) -> str:
        return f"{self.family.short}-{self.style}.woff2"

    @property
    def source(self) -> Path:
        return self.family.file(self.ttf)


SERIF = Family("font_source_serif_pro", "Source Serif Pro", "Briefing Serif", "serif")
SANS = Family("font_source_sans_pro", "Source Sans Pro", "Briefing Sans", "sans")
# Only the faces site.css uses: running text in serif, with its italic and semibold; headings
# and the interface in sans, regular and semibold.
WEB_FONTS = (
    WebFont(SERIF, "regular", "SourceSerifPro-Regular.ttf"),
    WebFont(SERIF, "italic", "SourceSerifPro-It.ttf"),
    WebFont(SERIF, "semibold", "SourceSerifPro-Semibold.ttf"),
    WebFont(SANS, "regular", "SourceSansPro-Regular.ttf"),
    WebFont(SANS, "semibold", "SourceSansPro-Semibold.ttf"),
)

# Latin for English, French and Spanish and their typography, whatever the texts hold today:
# a reader's query, a date or a language name from Babel may use a letter no paper does.
_BASE = (*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x203B), 0x20AC, 0x2122, 0x2212)
SPACE, NARROW_SPACE = 0x20, 0x202F
# The name records that carry the family name; the copyright, trademark and licence records stay.
_NAME_IDS = (1, 3, 4, 6, 16, 17, 18, 21, 22)


def source_paths() -> list[Path]:
    """The TTF files the web fonts are cut from, and their families' licences."""
    return [*(font.source for font in WEB_FONTS), *(family.file("LICENSE.txt") for family in (SERIF, SANS))]


def file_names() -> set[str]:
    """The files subset_fonts makes."""
    return {*(font.name for font in WEB_FONTS), *(family.license_name for family in (SERIF, SANS))}


def font_characters(texts: Iterable[str]) -> frozenset[int]:
    """The code points to keep: the Latin base and every character of the given texts (see text_characters)."""
    used = set(_BASE)
    for text in texts:
        used.update(ord(character) for character in text)
    return frozenset(used)


def text_characters(path: Path) -> str:
    """The characters a text file holds that a font may have to draw, each once, in order."""
    return "".join(sorted(character for character in set(path.read_text("utf-8")) if character >= " "))


def subset_fonts(characters: frozenset[int]) -> dict[str, bytes]:
    """Each web font's WOFF2 bytes, by file name, and the licence text; cut once per process."""
    fonts = {font.name: _subset(font.source, characters, font.family.reserved, font.family.own) for font in WEB_FONTS}
    licenses = {family.license_name: family.file("LICENSE.txt").read_bytes() for family in (SERIF, SANS)}
    return {**fonts, **licenses}


@lru_cache(maxsize=16)
def _subset(source: Path, characters: frozenset[int], reserved: str, own: str) -> bytes:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # kerning, ligatures, old-style figures and the rest
    options.name_IDs = ["*"]  # the copyright and licence records with the rest
    output = io.BytesIO()
    with subset.load_font(str(source), options) as font:  # keeps its timestamp: the same bytes every build
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(characters))
        subsetter.subset(font)
        _add_narrow_space(font)
        _rename(font, reserved, own)
        subset.save_font(font, output, options)
    return output.getvalue()


def _add_narrow_space(font: TTFont) -> None:
    """Draw U+202F, French's space before ; ! ? and inside « », where the font lacks it (Source Serif Pro).

    Without it each narrow space of a French page would be taken from another font on the
    reader's system. It is blank, five eighths of a word space wide, as Source Sans Pro draws it.
    """
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    cmap = font.getBestCmap()
    if NARROW_SPACE in cmap or SPACE not in cmap:
        return
    name = "uni202F"
    order = [*font.getGlyphOrder(), name]
    font["glyf"].glyphs[name] = Glyph()
    font["glyf"].glyphOrder = order
    font.setGlyphOrder(order)
    font["hmtx"][name] = (round(font["hmtx"][cmap[SPACE]][0] * 5 / 8), 0)
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[NARROW_SPACE] = name


def _rename(font: TTFont, reserved: str, own: str) -> None:
    """Give the subset its own family name, as the licence asks of a modified version."""
    for record in font["name"].names:
        if record.nameID in _NAME_IDS:
            text = record.toUnicode()
            record.string = text.replace(reserved, own).replace(reserved.replace(" ", ""), own.replace(" ", ""))
