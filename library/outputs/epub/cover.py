"""The cover image reading systems show on their shelves: the PDF cover's band, title and foot, as a PNG.

Drawn with Pillow in the PDFs' Source Sans Pro (Amiri for a language written right to left),
from the font files the packages install, so the same texts give the same bytes. The book's
first page is its cover in text, which reflows and is read aloud; this image only stands for
the book where a picture is expected, and its words are those of the package's title.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from library.outputs.fonts import font_file

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

__all__ = ["CoverText", "cover_image", "cover_font_paths"]

WIDTH, HEIGHT, MARGIN = 1600, 2400, 140
BLUE, GREY, INK, PAPER = (20, 80, 125), (77, 77, 82), (26, 26, 26), (255, 255, 255)

# The faces the cover uses, by weight: (package, file) for left-to-right and for right-to-left texts.
_FACES = {
    "regular": (("font_source_sans_pro", "SourceSansPro-Regular.ttf"), ("fontpkg_amiri", "Amiri-Regular.ttf")),
    "semibold": (("font_source_sans_pro", "SourceSansPro-Semibold.ttf"), ("fontpkg_amiri", "Amiri-Bold.ttf")),
    "bold": (("font_source_sans_pro", "SourceSansPro-Bold.ttf"), ("fontpkg_amiri", "Amiri-Bold.ttf")),
}


@dataclass(frozen=True)
class CoverText:
    """What the cover says, as plain text: the band's lines, the title and subtitle, the foot's lines."""

    band: str
    number: str
    title: str
    subtitle: str
    foot: tuple[str, ...]
    language: str
    direction: str = "ltr"


def cover_font_paths() -> list[Path]:
    """Every font file the cover may use, for the stage's hash of its inputs."""
    return sorted({font_file(*face) for pair in _FACES.values() for face in pair})


def cover_image(text: CoverText) -> bytes:
    """The PNG of the cover: the series band at the top, the title and subtitle, the date and language at the foot."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    writer = _Writer(draw, text.direction, text.language)
    draw.rectangle((0, 0, WIDTH, 24), fill=BLUE)
    y = writer.block(text.band, "semibold", 58, BLUE, 110)
    y = writer.block(text.number.upper(), "regular", 44, GREY, y + 10) if text.number else y
    size = 118 if len(text.title) < 60 else 96
    y = writer.block(text.title, "bold", size, INK, max(y + 260, 640), lines=7)
    writer.block(text.subtitle, "regular", 60, GREY, y + 40, lines=4)
    foot_top = HEIGHT - MARGIN - 62 * len(text.foot)
    draw.rectangle((MARGIN, foot_top - 40, WIDTH - MARGIN, foot_top - 36), fill=BLUE)
    for index, line in enumerate(text.foot):
        writer.block(line, "regular", 46, GREY if index else INK, foot_top + 62 * index, lines=1)
    # A palette of 32 colours keeps the type's smooth edges at a third of the bytes; PNG keeps no
    # time, so the same text gives the same bytes. The fast octree and zlib's default level cut
    # a cover from 0.19 to 0.06 CPU-seconds (a series of 200 papers has 600 covers) for 20 % more
    # bytes, with no difference to the eye.
    palette = image.quantize(colors=32, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    data = io.BytesIO()
    palette.save(data, "PNG", optimize=False, compress_level=6)
    return data.getvalue()


class _Writer:
    """Lines of text set flush to the start edge, wrapped at spaces to the width between the margins."""

    def __init__(self, draw: ImageDraw.ImageDraw, direction: str, language: str) -> None:
        self.draw, self.rtl, self.language = draw, direction == "rtl", language

    def block(self, text: str, weight: str, size: int, colour: tuple[int, int, int], top: int, lines: int = 3) -> int:
        """Draw text from top, at most lines lines (the last ends in an ellipsis if cut); return the y below it."""
        font = _font(weight, size, self.rtl)
        wrapped = _wrap(text, lambda line: self._width(font, line), WIDTH - 2 * MARGIN, lines)
        step = round(size * 1.18)
        for number, line in enumerate(wrapped):
            y = top + number * step
            if self.rtl:
                self.draw.text((WIDTH - MARGIN, y), line, font=font, fill=colour, anchor="ra", direction="rtl",
                               language=self.language)
            else:
                self.draw.text((MARGIN, y), line, font=font, fill=colour)
        return top + len(wrapped) * step

    def _width(self, font: ImageFont.FreeTypeFont, line: str) -> float:
        if self.rtl:
            return font.getlength(line, direction="rtl", language=self.language)
        return font.getlength(line)


@cache
def _font(weight: str, size: int, rtl: bool) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    # Basic layout for left-to-right text gives the same bytes with or without libraqm; right to
    # left needs its shaping (Pillow's wheels carry it, with the FriBiDi Pango already brings).
    layout = ImageFont.Layout.RAQM if rtl else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(font_file(*_FACES[weight][rtl])), size, layout_engine=layout)


def _wrap(text: str, width: Callable[[str], float], limit: float, lines: int) -> list[str]:
    """text in lines no wider than limit, cut at spaces; past lines lines, the last ends in an ellipsis."""
    wrapped: list[str] = []
    for word in text.split(" "):  # only at plain spaces: a no-break space keeps « 16 mai » together
        if not word:
            continue
        if wrapped and width(f"{wrapped[-1]} {word}") <= limit:
            wrapped[-1] = f"{wrapped[-1]} {word}"
        else:
            wrapped.append(word)
    if len(wrapped) > lines:
        last = wrapped[lines - 1].split(" ")
        while len(last) > 1 and width(" ".join(last) + " …") > limit:
            last.pop()
        wrapped = [*wrapped[:lines - 1], " ".join(last) + " …"]
    return wrapped
