from __future__ import annotations

from pathlib import Path

import pytest
from conftest import msgfmt_check

from library.errors import CatalogError
from library.pofiles import parse_catalog, read_catalog, render_catalog

DATA = Path(__file__).parent / "data" / "po"
BAD = sorted(DATA.glob("bad.*.po"))

GOOD = """\
# French translation of the sample.
msgid ""
msgstr ""
"Project-Id-Version: sample 2022-03-01\\n"
"POT-Creation-Date: 2022-03-01 00:00+0000\\n"
"PO-Revision-Date: 2022-03-02 00:00+0000\\n"
"Language: fr\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

# a translator's own note
#. Paper title
#: papers/sample.md:4
msgid "A sample paper"
msgstr "Un document d’exemple : « tout » y est"

#, fuzzy
#| msgid "The old English"
msgid "The new English"
msgstr "L’ancien français"

msgid "Tab\\tand \\"quotes\\" and \\\\ backslash"
msgstr "Tab\\tet \\"guillemets\\" et \\\\ barre"

msgid ""
"A long message "
"over two lines"
msgstr ""
"Un long message "
"sur deux lignes"

#~ msgid "Gone"
#~ msgstr "Parti"
"""


def _expectation(path: Path) -> tuple[int, str, str]:
    first, second = path.read_bytes().split(b"\n")[:2]
    line, message = first.decode().removeprefix("# expect: ").split(": ", 1)
    return int(line), message, second.decode().removeprefix("# msgfmt: ")


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_po_is_refused_with_line_and_reason(path: Path):
    line, message, _ = _expectation(path)
    with pytest.raises(CatalogError) as raised:
        read_catalog(path, language="fr")
    assert (raised.value.line, raised.value.path) == (line, path)
    assert raised.value.message.startswith(message)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_msgfmt_agrees_where_the_corpus_says_it_does(path: Path):
    # Documents where we are stricter than GNU msgfmt --check, and that we never accept what it refuses.
    _, _, verdict = _expectation(path)
    assert verdict in ("accepts", "rejects")
    assert (msgfmt_check(path).returncode == 0) == (verdict == "accepts")


def test_good_po_keeps_everything_a_translator_wrote(tmp_path: Path):
    catalog = parse_catalog(GOOD.encode(), tmp_path / "fr.po", language="fr")
    title = catalog["A sample paper"]
    assert title.string == "Un document d’exemple : « tout » y est"
    assert title.user_comments == ["a translator's own note"] and title.auto_comments == ["Paper title"]
    assert title.locations == [("papers/sample.md", 4)]
    assert "python-format" not in title.flags
    changed = catalog["The new English"]
    assert changed.fuzzy and changed.previous_id == ["The old English"]
    assert catalog['Tab\tand "quotes" and \\ backslash'].string == 'Tab\tet "guillemets" et \\ barre'
    assert catalog["A long message over two lines"].string == "Un long message sur deux lignes"
    assert catalog.obsolete["Gone"].string == "Parti"
    assert catalog.num_plurals == 2


def test_render_then_read_is_lossless_and_stable(tmp_path: Path):
    path = tmp_path / "fr.po"
    first = render_catalog(parse_catalog(GOOD.encode(), path, language="fr"))
    path.write_bytes(first)
    assert msgfmt_check(path).returncode == 0
    again = render_catalog(read_catalog(path, language="fr"))
    assert again == first
    assert b'#| msgid "The old English"' in again and b'#~ msgid "Gone"' in again


@pytest.mark.parametrize("with_msgcat", [True, False], ids=["gettext-installed", "without-gettext"])
def test_long_strings_wrap_as_gettext_does(tmp_path: Path, monkeypatch, with_msgcat: bool):
    """79 columns, a string too long for its keyword's line under "", a previous msgid wrapped alike."""
    import shutil

    if not with_msgcat:
        monkeypatch.setattr(shutil, "which", lambda name: None)
    catalog = parse_catalog(GOOD.encode(), tmp_path / "fr.po", language="fr")
    long = " ".join(["The Global Compact for Safe, Orderly and Regular Migration"] * 4)
    catalog.add(long, "Le Pacte mondial " * 12, flags=["fuzzy"], previous_id=[long.replace("Safe", "safe")])
    text = render_catalog(catalog).decode("utf-8")
    assert max(len(line) for line in text.splitlines()) <= 79
    assert '\nmsgid ""\n"The Global Compact for Safe, Orderly and Regular Migration The Global "\n' in text
    assert '\n#| msgid ""\n#| "The Global Compact for safe,' in text
    path = tmp_path / "fr.po"
    path.write_bytes(text.encode("utf-8"))
    assert read_catalog(path, language="fr")[long].string == "Le Pacte mondial " * 12


def test_windows_line_endings_and_byte_order_mark_are_accepted(tmp_path: Path):
    data = b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()
    catalog = parse_catalog(data, tmp_path / "fr.po", language="fr")
    assert catalog["A sample paper"].string.startswith("Un document")
