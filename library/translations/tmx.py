"""The translation memory as TMX 1.4b, out and in.

Out: every translated entry of a language's catalogs (papers and interface; plural entries,
which a memory cannot hold, left out), one ``<tu>`` each with its catalog as a property.

In: an outside memory (a CAT tool's, a colleague's) is read safely, its pairs of English and
a language of the library are kept in ``locales/memory/<name>.tmx``, and `library update`
pre-fills new entries from them as from the catalogs: always fuzzy, the comment naming the
file and line. The catalogs' own translations win over an outside memory's for the same English.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from library import __version__
from library.core.config import Config
from library.core.files import CONTROL_CHARACTERS
from library.core.paths import catalog_paths, memory_folder, memory_paths
from library.model.project import Project
from library.model.translation import is_translated
from library.translations.exchange import (
    Code,
    ExchangeError,
    aligned,
    escape_attribute,
    escape_text,
    inline_pieces,
    iter_records,
)
from library.translations.memory import Recollection

__all__ = ["TmxImport", "export_tmx", "render_tmx", "plan_tmx_import", "outside_memory"]

TOOL = "briefing-library"
# A memory's translation may cost what a PO file's may (pofiles): ten times its English, or
# 2,000 characters for a short text; a longer one would make the catalog it fills unreadable.
_LONGEST = 10
_SHORT = 2000
# What the PO reader refuses in a catalog (all control characters but tab and newline).


@dataclass(frozen=True)
class _Pair:
    source: str
    target: str
    catalog: str  # the PO file (or, for an outside memory, the TMX file) it comes from
    python_format: bool = False


def export_tmx(project: Project, languages: tuple[str, ...], output: Path) -> list[tuple[Path, int]]:
    """Write <output>/memory.<lang>.tmx for each language; return each file with its number of units."""
    from library.core.files import write_atomic

    written = []
    for language in project.select_languages(languages, targets_only=True):
        pairs = list(_catalog_pairs(project, language))
        path = output / f"memory.{language}.tmx"
        write_atomic(path, render_tmx(pairs, project.config.source_language, language))
        written.append((path, len(pairs)))
    return written


def _catalog_pairs(project: Project, language: str) -> Iterator[_Pair]:
    for path in catalog_paths(project.config, language):
        catalog = project.catalog(path.stem, language)
        for message in catalog or ():
            if message.id and isinstance(message.id, str) and is_translated(message):
                yield _Pair(message.id, str(message.string), f"{language}/LC_MESSAGES/{path.name}",
                            "python-format" in message.flags)


def render_tmx(pairs: list[_Pair], source: str, language: str) -> bytes:
    """TMX 1.4b of the pairs; Markdown and placeholders as inline codes, numbered alike on both sides."""
    units = []
    for number, pair in enumerate(pairs, start=1):
        english = inline_pieces(pair.source, pair.python_format)
        units.append(
            f'    <tu tuid="{number}" srclang="{source}">\n'
            f'      <prop type="x-catalog">{escape_text(pair.catalog)}</prop>\n'
            f'      <tuv xml:lang="{source}"><seg>{_segment(english, english)}</seg></tuv>\n'
            f'      <tuv xml:lang="{language}"><seg>{_segment(inline_pieces(pair.target, pair.python_format), english)}'
            "</seg></tuv>\n    </tu>\n")
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        f'  <header creationtool="{TOOL}" creationtoolversion="{__version__}" datatype="unknown" '
        f'segtype="paragraph" adminlang="en" srclang="{source}" o-tmf="PO"/>\n'
        "  <body>\n" + "".join(units) + "  </body>\n</tmx>\n"
    )
    return text.encode("utf-8")


def _segment(pieces: tuple[str | Code, ...], english: tuple[str | Code, ...]) -> str:
    """A seg's content: TMX pairs bpt and ept by i, and matches a code to the English's by x."""
    out = []
    for piece in aligned(pieces, english) if pieces is not english else pieces:
        if isinstance(piece, str):
            out.append(escape_text(piece))
        elif piece.role == "ph":
            out.append(f'<ph x="{piece.id}" type="{piece.kind}">{escape_text(piece.native)}</ph>')
        elif piece.role == "bpt":
            out.append(f'<bpt i="{piece.id}" x="{piece.id}" type="{piece.kind}">{escape_text(piece.native)}</bpt>')
        else:
            out.append(f'<ept i="{piece.id}">{escape_text(piece.native)}</ept>')
    return "".join(out)


# --- import --------------------------------------------------------------------------------


@dataclass
class TmxImport:
    """What importing one TMX file keeps: pairs per language, and the units it had to leave."""

    path: Path
    target: Path
    kept: dict[str, int] = field(default_factory=dict)
    skipped: int = 0


def plan_tmx_import(config: Config, path: Path) -> tuple[TmxImport, bytes]:
    """Read an outside TMX: what it keeps, and the text of locales/memory/<name>.tmx holding it.

    Each unit is written out as it is read, with the English and the library's languages only,
    so a large memory costs about its own size twice, not a copy of every pair as objects.
    """
    source = config.source_language
    report = TmxImport(path, memory_folder(config) / f"{_safe_name(path.stem)}.tmx")
    kept = io.BytesIO()
    kept.write(('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
                f'  <header creationtool="{TOOL}" creationtoolversion="{__version__}" datatype="unknown" '
                f'segtype="paragraph" adminlang="en" srclang="{source}" o-tmf="{escape_attribute(path.name)}"/>\n'
                "  <body>\n").encode())
    counts = dict.fromkeys(config.languages, 0)
    for english, targets, line in _units(path, source):
        taken = {language: text for language, text in targets.items()
                 if language in counts and english.strip() and _fits(english, text)}
        report.skipped += not taken
        if not taken:
            continue
        for language in taken:
            counts[language] += 1
        variants = "".join(f'      <tuv xml:lang="{language}"><seg>{escape_text(text)}</seg></tuv>\n'
                           for language, text in taken.items())
        kept.write((f'    <tu srclang="{source}">\n      <prop type="x-origin">{escape_text(path.name)}:{line}</prop>\n'
                    f'      <tuv xml:lang="{source}"><seg>{escape_text(english)}</seg></tuv>\n{variants}    </tu>\n')
                   .encode())
    report.kept = {language: count for language, count in counts.items() if count}
    if not report.kept:
        raise ExchangeError(path, None, "no unit pairs English with a language of this library "
                                        f"({', '.join(config.languages)}); nothing to import")
    kept.write(b"  </body>\n</tmx>\n")
    return report, kept.getvalue()


def _fits(source: str, text: str) -> bool:
    """Whether a pair can become a PO entry the strict reader takes."""
    return bool(text.strip()) and len(text) <= max(_LONGEST * len(source), _SHORT) \
        and not CONTROL_CHARACTERS.search(source) and not CONTROL_CHARACTERS.search(text)


def _safe_name(stem: str) -> str:
    """A file name of letters, digits, dots, dashes and underscores only."""
    cleaned = "".join(char if char.isascii() and (char.isalnum() or char in "._-") else "-" for char in stem)
    return cleaned.strip(".-") or "memory"


def _units(path: Path, source_language: str) -> Iterator[tuple[str, dict[str, str], int]]:
    """(English, {language: text}, line) of every <tu> of a TMX file, read safely."""
    records = iter_records(path, {"tu"})
    root, _ = next(records)
    if root.tag != "tmx" or not root.attrs.get("version", "").startswith("1."):
        raise ExchangeError(path, root.line, f"not a TMX file (the root is <{root.tag}>, version "
                                             f"{root.attrs.get('version', 'none')!r})")
    for unit, _ in records:
        variants: dict[str, str] = {}
        for variant in unit.elements("tuv"):
            language = variant.attrs.get("xml:lang") or variant.attrs.get("lang") or ""
            segment = variant.first("seg")
            if segment is not None:
                variants.setdefault(_primary(language), segment.text())
        source = variants.pop(source_language, "")
        yield source, variants, unit.line


def _primary(code: str) -> str:
    return code.replace("_", "-").split("-")[0].lower()


def outside_memory(config: Config, language: str) -> list[Recollection]:
    """The pairs of English and language in every memory `library import` kept, in file order."""
    recollections = []
    for path in memory_paths(config):
        for source, targets, line in _units(path, config.source_language):
            if source and targets.get(language):
                recollections.append(Recollection(source, targets[language], path, line, False))
    return recollections
