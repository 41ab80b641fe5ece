"""Write a catalog as GNU gettext's tools write it, so a translator's diff shows only what changed.

Babel's writer wraps, orders headers and escapes differently from msgmerge, msgcat and Poedit:
each save would then rewrite lines nobody touched. This lays entries out as msgcat does.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from library.sources.pofiles import IGNORE_COMMENT, IGNORE_FLAG, silenced_checks

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

__all__ = ["PAGE_WIDTH", "render_catalog"]

# The header fields in the order msgmerge and msginit write them.
_HEADER_ORDER = ("Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
                 "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
                 "Content-Transfer-Encoding", "Plural-Forms")
# GNU gettext's page width: msgmerge, msgcat and Poedit write lines of at most 79 columns.
PAGE_WIDTH = 79
_WRITTEN_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"})


def render_catalog(catalog: Catalog, *, keep_python_format: bool = True) -> bytes:
    """The PO text of catalog, in GNU gettext's layout, with previous msgids and obsolete entries.

    Babel's write_po wraps a long ``#|`` previous msgid like prose, which breaks
    its quoting, and wraps strings at another width than gettext, so entries are laid out
    here, wrapped as msgmerge wraps them: a Poedit or msgmerge pass changes nothing.
    """
    if not keep_python_format:
        _drop_python_format(catalog)
    parts = [_header_text(catalog)]
    plurals = catalog.num_plurals
    parts.extend(_entry_text(message, plurals) for message in catalog if message.id)
    parts.extend(_entry_text(message, plurals, obsolete=True) for message in catalog.obsolete.values())
    return _as_msgcat_writes("\n".join(parts).encode("utf-8"))


def _as_msgcat_writes(data: bytes) -> bytes:
    """data as GNU msgcat lays it out, where gettext is installed (the setup installs it).

    Our own wrapping follows gettext's (79 columns, a string that does not fit goes under
    ""), but only gettext itself breaks lines exactly where its Unicode line-breaking rules
    do, around slashes, dots and format directives. Running it here means msgmerge, msgcat
    and the PO editors built on them rewrite nothing a translator did not change.
    """
    import shutil
    import subprocess

    msgcat = shutil.which("msgcat")
    if msgcat is None:
        return data
    done = subprocess.run([msgcat, "--width=79", "-"], input=data, capture_output=True, check=False)
    return done.stdout if done.returncode == 0 and done.stdout else data


def _header_text(catalog: Catalog) -> str:
    lines = catalog.header_comment.splitlines() if catalog.header_comment else []
    if catalog.fuzzy:
        lines.append("#, fuzzy")
    fields = [(name, value) for name, value in catalog.mime_headers if _kept_header(name, value)]
    fields.sort(key=lambda field: _HEADER_ORDER.index(field[0]) if field[0] in _HEADER_ORDER else len(_HEADER_ORDER))
    header = "".join(f"{name}: {_header_value(name, value)}\n" for name, value in fields)
    lines += ['msgid ""', *_keyword_lines("", "msgstr", header)]
    return "\n".join(lines) + "\n"


def _header_value(name: str, value: str) -> str:
    # msgmerge writes the charset in capitals; Babel in lower case.
    return value.strip().replace("charset=utf-8", "charset=UTF-8") if name == "Content-Type" else value.strip()


def _kept_header(name: str, value: str) -> bool:
    # Babel's Generated-By would rewrite every file whenever Babel is upgraded, and it
    # insists on a placeholder bug address that only clutters the translators' tools.
    return name != "Generated-By" and value.strip() != "EMAIL@ADDRESS"


def _entry_text(message: Message, plurals: int, *, obsolete: bool = False) -> str:
    comments = [comment for comment in message.user_comments if not comment.startswith(IGNORE_COMMENT)]
    if silenced_checks(message):
        comments.append(f"{IGNORE_COMMENT} {', '.join(silenced_checks(message))}")
    lines = [f"# {comment}".rstrip() for comment in comments]
    if not obsolete:
        lines += [f"#. {comment}" for comment in message.auto_comments]
        lines += _reference_lines(message.locations)
    flags = sorted(flag for flag in message.flags if not flag.startswith(IGNORE_FLAG))
    if flags:
        lines.append("#, " + ", ".join(flags))
    mark = "#~ " if obsolete else ""
    previous = "#~| " if obsolete else "#| "
    for keyword, text in zip(("msgid", "msgid_plural"), message.previous_id or (), strict=False):
        lines += _keyword_lines(previous, keyword, text)
    if message.context is not None:
        lines += _keyword_lines(mark, "msgctxt", message.context)
    if message.pluralizable:
        lines += _keyword_lines(mark, "msgid", message.id[0])
        lines += _keyword_lines(mark, "msgid_plural", message.id[1])
        strings = tuple(message.string or ())
        for index in range(max(len(strings), plurals)):
            lines += _keyword_lines(mark, f"msgstr[{index}]", strings[index] if index < len(strings) else "")
    else:
        assert isinstance(message.id, str) and isinstance(message.string or "", str)  # one form, not plural
        lines += _keyword_lines(mark, "msgid", message.id)
        lines += _keyword_lines(mark, "msgstr", str(message.string or ""))
    return "\n".join(lines) + "\n"


def _keyword_lines(mark: str, keyword: str, text: str) -> list[str]:
    """keyword and its quoted text as msgmerge writes them: on one line if it fits, else wrapped below ""."""
    from unicode_segmentation_rs import gettext_wrap

    escaped = _escape(text)
    single = f'{mark}{keyword} "{escaped}"'
    lines = gettext_wrap(escaped, PAGE_WIDTH - _width(mark) - 2)
    if len(lines) <= 1 and _width(single) <= PAGE_WIDTH:
        return [single]
    return [f'{mark}{keyword} ""', *(f'{mark}"{line}"' for line in lines)]


def _escape(text: str) -> str:
    return text.translate(_WRITTEN_ESCAPES)


def _width(text: str) -> int:
    """Columns on a terminal, as gettext counts them: wide East Asian characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _reference_lines(locations: Iterable[tuple[str, int | None]]) -> list[str]:
    words = [f"{name}:{line}" if line else name for name, line in sorted(set(locations), key=_location_key)]
    lines, current = [], "#:"
    for word in words:
        if len(current) + 1 + len(word) > PAGE_WIDTH and current != "#:":
            lines.append(current)
            current = "#:"
        current += f" {word}"
    return lines + ([current] if current != "#:" else [])


def _location_key(location: tuple[str, int | None]) -> tuple[str, int]:
    name, line = location
    return name, line or 0


def _drop_python_format(catalog: Catalog) -> None:
    # Babel flags any text with "%" as python-format ("100% of" looks like "% o"), which
    # makes msgfmt --check compare "directives" in prose. Papers have no format strings.
    for message in (*catalog, *catalog.obsolete.values()):
        message.flags.discard("python-format")
