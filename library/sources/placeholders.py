"""Format-string placeholders of python-format and c-format entries, compared as msgfmt --check does.

A msgstr whose placeholders differ from its msgid's breaks at run time ("Page sur26"
when %(page)s is dropped, a ValueError for a lone %), so the PO reader refuses it with
the rules GNU msgfmt applies: the msgstr must be a valid format string; a named
placeholder of the msgid must be in the msgstr, with the same type, and the msgstr may
name none the msgid lacks; unnamed (or C) placeholders must agree in number and type.
A plural form that serves few numbers (msgstr[0] for n = 1) may leave a placeholder out.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["FORMAT_FLAGS", "Placeholders", "FormatError", "parse_format", "compare_formats", "often_used_forms",
           "PLURAL_SAMPLE"]

# The numbers a plural expression is tried on, as msgfmt does: 0 to 1000.
PLURAL_SAMPLE = 1001

FORMAT_FLAGS = ("python-format", "c-format")

# Conversions by the type of value they take; two placeholders agree when their types do.
_PYTHON_TYPES = {**dict.fromkeys("diouxX", "integer"), **dict.fromkeys("eEfFgG", "number"),
                 "c": "character", **dict.fromkeys("sra", "any"), "%": "percent"}
_PYTHON = re.compile(r"%(?:\((?P<name>[^)]*)\))?(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?"
                     r"[hlL]?(?P<conversion>.?)", re.S)
_C_TYPES = {**dict.fromkeys("di", "int"), **dict.fromkeys("ouxX", "unsigned"), **dict.fromkeys("eEfFgGaA", "double"),
            "c": "char", "s": "string", "p": "pointer", "n": "count", "m": None, "%": None}
_C = re.compile(r"%(?:(?P<position>[1-9]\d*)\$)?(?P<flags>[-+ #0'I]*)(?P<width>\*(?:[1-9]\d*\$)?|\d+)?"
                r"(?:\.(?P<precision>\*(?:[1-9]\d*\$)?|\d*))?(?P<size>hh|h|ll|l|L|q|j|z|Z|t)?"
                r"(?P<conversion><PRI[diouxX]\w*>|.?)", re.S)


class FormatError(ValueError):
    """A string that is not a valid format string, or a msgstr whose placeholders differ from its msgid's."""


@dataclass
class Placeholders:
    """What a format string takes: values by name, and values by position (1, 2, ...)."""

    named: dict[str, str] = field(default_factory=dict)
    positional: dict[int, str] = field(default_factory=dict)
    spelled: dict[str, str] = field(default_factory=dict)  # each name as first written, for messages
    first_unnamed: str = ""


def parse_format(text: str, flag: str) -> Placeholders:
    """The placeholders of text in the language of flag, or FormatError saying why it is not valid."""
    return _parse_python(text) if flag == "python-format" else _parse_c(text)


def _parse_python(text: str) -> Placeholders:
    found = Placeholders()
    for match in _directives(_PYTHON, text):
        conversion, name = match["conversion"], match["name"]
        if conversion not in _PYTHON_TYPES:
            raise FormatError(_bad_conversion(match))
        if conversion == "%" and name is None:
            continue  # %% and %5% print a percent sign and take no value
        for star in (match["width"], match["precision"]):
            if star == "*":
                found.positional[len(found.positional) + 1] = "integer"
        if name is None:
            found.positional[len(found.positional) + 1] = _PYTHON_TYPES[conversion]
            found.first_unnamed = found.first_unnamed or match[0]
        elif found.named.setdefault(name, _PYTHON_TYPES[conversion]) != _PYTHON_TYPES[conversion]:
            raise FormatError(f"it uses %({name}) for values of two different types")
        else:
            found.spelled.setdefault(name, match[0])
    if found.named and found.positional:
        raise FormatError(f"{found.first_unnamed or '*'!r} reads as an unnamed placeholder beside named ones; "
                          "write %% for a percent sign")
    return found


def _parse_c(text: str) -> Placeholders:
    found, numbered, unnumbered = Placeholders(), 0, 0
    for match in _directives(_C, text):
        conversion = match["conversion"]
        kind = _c_type(conversion)
        if kind is False:
            raise FormatError(_bad_conversion(match))
        for star in (match["width"], match["precision"]):
            if star and star.startswith("*"):
                unnumbered, numbered = _take_c(found, star[1:-1], "int", unnumbered, numbered)
        if kind is not None:
            size = match["size"] or ""
            unnumbered, numbered = _take_c(found, match["position"] or "", f"{size}{kind}", unnumbered, numbered)
    if numbered and unnumbered:
        raise FormatError("it mixes numbered placeholders such as %1$s with unnumbered ones such as %s")
    if numbered and sorted(found.positional) != list(range(1, len(found.positional) + 1)):
        raise FormatError("its numbered placeholders skip a number")
    return found


def _c_type(conversion: str) -> str | None | bool:
    if conversion.startswith("<PRI"):
        return "int" if conversion[4] in "di" else "unsigned"
    return _C_TYPES.get(conversion, False)


def _take_c(found: Placeholders, position: str, kind: str, unnumbered: int, numbered: int) -> tuple[int, int]:
    if position:
        index, numbered = int(position), numbered + 1
    else:
        unnumbered += 1
        index = unnumbered
    if found.positional.setdefault(index, kind) != kind:
        raise FormatError(f"it uses value {index} as two different types")
    return unnumbered, numbered


def _directives(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    position = text.find("%")
    while position != -1:
        match = pattern.match(text, position)
        if match is None or not match["conversion"]:
            raise FormatError("it ends in the middle of a placeholder (write %% for a percent sign)")
        yield match
        position = text.find("%", match.end())


def _bad_conversion(match: re.Match[str]) -> str:
    return (f"{match[0]!r} is not a placeholder; write %% for a percent sign, "
            "or a placeholder such as %(name)s")


def compare_formats(msgid: Placeholders, msgstr: Placeholders, flag: str, *, strict: bool = True) -> None:
    """Raise FormatError unless msgstr takes the values msgid gives, as msgfmt --check requires.

    Not strict (a plural form that serves few numbers), the msgstr may leave out
    named placeholders and, in C, trailing values.
    """
    missing = [name for name in msgid.named if name not in msgstr.named]
    if strict and missing:
        raise FormatError(f"{msgid.spelled[missing[0]]} of the English is missing; keep every placeholder")
    for name, kind in msgstr.named.items():
        if name not in msgid.named:
            raise FormatError(f"{msgstr.spelled[name]} is not a placeholder of the English")
        if msgid.named[name] != kind:
            raise FormatError(f"{msgstr.spelled[name]} takes another type of value than "
                              f"{msgid.spelled[name]} in the English")
    have, want = len(msgstr.positional), len(msgid.positional)
    if have != want and (strict or flag == "python-format" or have > want):
        raise FormatError(f"{have} unnamed placeholders where the English has {want}")
    for index, kind in msgstr.positional.items():
        if msgid.positional.get(index) != kind:
            raise FormatError(f"placeholder {index} takes another type of value than in the English")


def often_used_forms(forms: list[int], nplurals: int) -> list[bool]:
    """For each plural form, whether it serves five numbers or more of 0 to 1000, as msgfmt counts.

    forms are the header's plural forms of n = 0, 1, 2 ..., each already checked to be below
    nplurals. A form that serves fewer is not held to every placeholder: "un minuto" for
    n = 1 need not show the number.
    """
    counts = Counter(forms)
    return [counts[form] >= 5 for form in range(nplurals)]
