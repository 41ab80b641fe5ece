from __future__ import annotations

from pathlib import Path

import pytest
from conftest import msgfmt_check

from library.core.errors import CatalogError
from library.sources.pofiles import parse_catalog, read_catalog
from library.sources.powriter import render_catalog

DATA = Path(__file__).parent / "data" / "po"
BAD = sorted(DATA.glob("bad.*.po"))
PLACEHOLDER_CASES = [line.split("\t") for line in (DATA / "placeholders.tsv").read_text("utf-8").splitlines()[1:]]

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


def _placeholder_po(flag: str, plural_forms: str, msgid: str, msgid_plural: str, strings: list[str]) -> bytes:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ['msgid ""', 'msgstr ""', '"Language: fr\\n"', f'"Plural-Forms: {plural_forms}\\n"',
             '"Content-Type: text/plain; charset=UTF-8\\n"', "", f"#, {flag}", f"msgid {quoted(msgid)}"]
    if msgid_plural:
        lines.append(f"msgid_plural {quoted(msgid_plural)}")
        lines += [f"msgstr[{index}] {quoted(text)}" for index, text in enumerate(strings)]
    else:
        lines.append(f"msgstr {quoted(strings[0])}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize("case", PLACEHOLDER_CASES, ids=lambda case: f"{case[0]}:{case[3]}->{'|'.join(case[5:])}")
def test_placeholders_are_held_to_msgfmt_rules(case: list[str], tmp_path: Path):
    verdict, flag, plural_forms, msgid, msgid_plural, *strings = case
    path = tmp_path / "fr.po"
    path.write_bytes(_placeholder_po(flag, plural_forms, msgid, msgid_plural, strings))
    assert (msgfmt_check(path).returncode == 0) == (verdict == "accepts"), "the table disagrees with GNU msgfmt"
    if verdict == "accepts":
        read_catalog(path, language="fr")
    else:
        with pytest.raises(CatalogError, match=f"(mismatch in|is not a valid {flag} string)") as raised:
            read_catalog(path, language="fr")
        assert raised.value.line >= 8  # the msgstr's own line, not the header's


def test_a_catalog_outside_locales_is_refused_without_its_contents(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", "utf-8")
    locales = tmp_path / "locales"
    link = locales / "fr" / "LC_MESSAGES" / "ui.po"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    with pytest.raises(CatalogError) as raised:
        read_catalog(link, language="fr", root=locales)
    assert raised.value.path == link and "outside" in raised.value.message
    assert "root:" not in str(raised.value)


def test_a_link_that_stays_inside_locales_is_read(tmp_path: Path):
    locales = tmp_path / "locales"
    real = locales / "fr" / "LC_MESSAGES" / "ui.po"
    real.parent.mkdir(parents=True)
    real.write_text(GOOD, "utf-8")
    link = locales / "fr" / "LC_MESSAGES" / "copy.po"
    link.symlink_to(real)
    assert read_catalog(link, language="fr", root=locales)["A sample paper"].string.startswith("Un document")


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85"], ids=repr)
def test_control_characters_in_a_catalog_are_refused_with_their_line(character: str, tmp_path: Path):
    text = GOOD.replace("Un document d’exemple", f"Un document{character} d’exemple")
    with pytest.raises(CatalogError, match="control character") as raised:
        parse_catalog(text.encode(), tmp_path / "fr.po", language="fr")
    assert raised.value.line == 15


def _translated_ui(project: Path, run) -> Path:
    assert run("extract").exit_code == 0 and run("update", "--lang", "fr").exit_code == 0
    return project / "locales" / "fr" / "LC_MESSAGES" / "ui.po"


@pytest.mark.parametrize("command", ["status", "check", "compile", "update", "build"])
def test_every_command_refuses_a_msgstr_that_drops_a_placeholder(command: str, project: Path, run):
    ui = _translated_ui(project, run)
    text = ui.read_text("utf-8")
    dropped = 'msgid "Briefing paper %(number)s"\nmsgstr "Note d’information"'
    ui.write_text(text.replace('msgid "Briefing paper %(number)s"\nmsgstr ""', dropped), "utf-8")
    line = ui.read_text("utf-8").split("\n").index('msgstr "Note d’information"') + 1
    result = run(command)
    assert result.exit_code == CatalogError.exit_code
    assert f"locales/fr/LC_MESSAGES/ui.po:{line}: python-format mismatch in msgstr: %(number)s" in result.output


def test_commands_refuse_a_catalog_linked_outside_locales(project: Path, run):
    ui = _translated_ui(project, run)
    secret = project / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", "utf-8")
    ui.unlink()
    ui.symlink_to(secret)
    for command in ("status", "compile"):
        result = run(command)
        assert result.exit_code == CatalogError.exit_code
        assert "ui.po: links to a file outside locales/" in result.output and "root:" not in result.output
