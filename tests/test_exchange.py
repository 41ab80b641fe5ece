"""XLIFF, TMX and TBX out and back in, judged by Translate Toolkit's readers, msgfmt and msgcat."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import msgfmt_check, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st
from projects import copy_files, copy_real_library

from library.cli import main
from library.core.errors import EditedMeanwhile
from library.sources.glossary import read_glossary
from library.sources.pofiles import read_catalog
from library.sources.powriter import render_catalog
from library.translations.exchange import inline_pieces, native, write_unchanged_since
from library.translations.xliff import unit_id

PAPER = "what-is-the-imrf"


@pytest.fixture
def library(prepared_library: Path, tmp_path: Path) -> Path:
    """A copy of the library's own papers and catalogs, one French entry made fuzzy and one untranslated."""
    root = tmp_path / "library"
    copy_files(prepared_library, root)  # prepared once: reading and writing the catalog took most of a test
    return root


@pytest.fixture(scope="module")
def prepared_library(tmp_path_factory) -> Path:
    """The library fixture's project, made once a module; the tests change their own copies only."""
    root = copy_real_library(tmp_path_factory.mktemp("exchange-library"))
    path = root / "locales" / "fr" / "LC_MESSAGES" / f"{PAPER}.po"
    catalog = read_catalog(path, language="fr", domain=PAPER)
    messages = [message for message in catalog if message.id]
    messages[1].flags.add("fuzzy")
    messages[1].previous_id = ["A short guide to the first Forum"]
    messages[4].string = ""  # a keyword: "IMRF"
    path.write_bytes(render_catalog(catalog))
    return root


def run_in(root: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(root / "setup.cfg"), *args], catch_exceptions=False)


def catalog(root: Path, language: str, domain: str = PAPER):
    return read_catalog(catalog_path_in(root, language, domain), language=language, domain=domain)


def catalog_path_in(root: Path, language: str, domain: str = PAPER) -> Path:
    return root / "locales" / language / "LC_MESSAGES" / f"{domain}.po"


def entries(root: Path, language: str, domain: str = PAPER) -> dict:
    """Every entry's English -> (translation, flags, previous English), to compare catalogs entry by entry."""
    return {message.id: (message.string, sorted(message.flags), list(message.previous_id or ()))
            for message in catalog(root, language, domain) if message.id}


def msgcat_clean(path: Path) -> bool:
    """GNU msgcat writes the file exactly as it is: a PO editor's pass rewrites nothing."""
    done = subprocess.run(["msgcat", "--width=79", str(path)], capture_output=True, check=True)
    return done.stdout == path.read_bytes()


# --- XLIFF out ------------------------------------------------------------------------------


def test_translate_toolkit_reads_every_exported_unit_as_the_catalogs_have_it(library: Path, tmp_path: Path):
    from translate.storage import poxliff

    output = tmp_path / "out"
    result = run_in(library, "export", "xliff", "--output", str(output))
    assert result.exit_code == 0, result.output
    files = sorted(output.glob("*.xlf"))
    assert len(files) == 12  # six catalogs in two languages
    for path in files:
        domain, language = path.name.split(".")[:2]
        store = poxliff.PoXliffFile.parsefile(str(path))
        units = {unit.getid().split("\x04", 1)[1]: unit for unit in store.units if unit.istranslatable()}
        messages = [message for message in catalog(library, language, domain) if message.id]
        assert sorted(units) == sorted(unit_id(message) for message in messages)
        for message in messages:
            _assert_unit_is(units[unit_id(message)], message)


def _assert_unit_is(unit, message) -> None:
    if isinstance(message.id, tuple):
        assert unit.hasplural()
        assert unit.source.strings == [message.id[0]] + [message.id[1]] * (len(message.string) - 1)
        assert unit.target.strings == list(message.string)
        forms = unit.units
    else:
        assert unit.source == message.id
        assert (unit.target or "") == message.string
        forms = [unit]
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    for form in forms:
        if not all(strings):
            assert form.get_state_n() == form.S_NEEDS_TRANSLATION and not form.isapproved()
        elif message.fuzzy:
            assert form.get_state_n() == form.S_NEEDS_REVIEW and form.isfuzzy()
        else:
            assert form.get_state_n() == form.S_TRANSLATED and form.istranslated() and form.isapproved()
    locations = [f"{name}:{line}" if line else name for name, line in message.locations]
    assert unit.getlocations() == locations
    assert unit.getnotes("developer") == "\n".join(message.auto_comments)
    previous = unit.getalttrans(origin="previous")
    assert [str(alternative.source) for alternative in previous] == (message.previous_id[:1] if message.fuzzy else [])


def test_the_export_says_fuzzy_untranslated_and_translated_in_xliff_states(library: Path, tmp_path: Path):
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", PAPER, "--output", str(tmp_path))
    text = (tmp_path / f"{PAPER}.fr.xlf").read_text("utf-8")
    assert text.count('state="needs-review-translation"') == 1
    assert text.count('state="needs-translation"') == 1
    assert '<alt-trans origin="previous" xml:space="preserve"><source>A short guide to the first Forum</source>' in text


def test_inline_markdown_travels_as_locked_tags_numbered_alike_in_source_and_target(library: Path, tmp_path: Path):
    run_in(library, "export", "xliff", "--lang", "fr", "--output", str(tmp_path))
    text = (tmp_path / f"{PAPER}.fr.xlf").read_text("utf-8")
    assert '<bpt id="1" ctype="link">[</bpt>A/RES/73/195<ept id="1">](https://undocs.org/A/RES/73/195)</ept>' in text
    ui = (tmp_path / "ui.fr.xlf").read_text("utf-8")
    # French sets a no-break space between a label and its number.
    assert ('<target xml:lang="fr" state="translated">Page\u00a0<ph id="1" ctype="x-python-format">%(page)s</ph> sur'
            in ui)


def test_unit_ids_stay_the_same_while_the_english_does(library: Path, tmp_path: Path):
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", PAPER, "--output", str(tmp_path / "a"))
    path = catalog_path_in(library, "fr")
    edited = read_catalog(path, language="fr", domain=PAPER)
    for message in edited:
        if message.id:
            message.string = f"{message.string} (revu)" if message.string else "nouveau"
    path.write_bytes(render_catalog(edited))
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", PAPER, "--output", str(tmp_path / "b"))

    def ids(folder: Path) -> list[str]:
        return [line.split('id="')[1].split('"')[0] for line in (folder / f"{PAPER}.fr.xlf").read_text().splitlines()
                if "<trans-unit" in line]

    assert ids(tmp_path / "a") == ids(tmp_path / "b")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab *_`[]()!<>\\&;#%sd\n:/.\"'")), max_size=40), st.booleans())
def test_inline_tags_always_give_back_the_exact_text(text: str, python_format: bool):
    assert native(inline_pieces(text, python_format)) == text


# --- XLIFF back in --------------------------------------------------------------------------


def _edit_in_a_cat_tool(path: Path, english: str, target: str, state: str) -> None:
    """Change one unit's target and state the way a CAT tool does: load, set, write the whole file again."""
    from translate.storage import poxliff

    store = poxliff.PoXliffFile.parsefile(str(path))
    unit = next(unit for unit in store.units if str(unit.source) == english)
    unit.target = target
    unit.xmlelement.find(unit.namespaced("target")).set("state", state)
    unit.markapproved(state in ("translated", "final"))
    path.write_bytes(bytes(store))


def test_an_edited_target_changes_exactly_that_entry_and_the_catalog_stays_clean(library: Path, tmp_path: Path):
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", PAPER, "--output", str(tmp_path))
    xliff = tmp_path / f"{PAPER}.fr.xlf"
    before = entries(library, "fr")
    english = "Quaker United Nations Office"
    _edit_in_a_cat_tool(xliff, english, "Bureau quaker auprès des Nations unies", "translated")
    result = run_in(library, "import", str(xliff))
    assert result.exit_code == 0, result.output
    assert f"wrote locales/fr/LC_MESSAGES/{PAPER}.po: 1 translated, 0 fuzzy (to review), 0 reviewed" in result.output
    after = entries(library, "fr")
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {english}
    assert after[english][0] == "Bureau quaker auprès des Nations unies"
    path = catalog_path_in(library, "fr")
    assert msgfmt_check(path).returncode == 0
    assert msgcat_clean(path)
    assert run_in(library, "import", str(xliff)).output.startswith("unchanged ")


def test_the_fuzzy_flag_goes_only_when_the_state_says_translated_or_final(library: Path, tmp_path: Path):
    fuzzy = next(message for message in catalog(library, "fr") if message.fuzzy)
    empty = next(message for message in catalog(library, "fr") if message.id and not message.string)
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", PAPER, "--output", str(tmp_path))
    xliff = tmp_path / f"{PAPER}.fr.xlf"
    _edit_in_a_cat_tool(xliff, empty.id, "Bureau Quaker", "needs-review-translation")
    _edit_in_a_cat_tool(xliff, fuzzy.id, fuzzy.string, "final")
    result = run_in(library, "import", str(xliff))
    assert "0 translated, 1 fuzzy (to review), 1 reviewed" in result.output
    after = entries(library, "fr")
    assert after[empty.id] == ("Bureau Quaker", ["fuzzy"], [])
    assert after[fuzzy.id] == (fuzzy.string, [], [])  # confirmed: the flag and the previous English go


def test_an_empty_target_never_blanks_a_translation(library: Path, tmp_path: Path):
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", PAPER, "--output", str(tmp_path))
    xliff = tmp_path / f"{PAPER}.fr.xlf"
    before = (catalog_path_in(library, "fr")).read_bytes()
    _edit_in_a_cat_tool(xliff, "Quaker United Nations Office", "", "translated")
    result = run_in(library, "import", str(xliff))
    assert result.exit_code == 0
    assert "1 left empty in the file and kept" in result.output
    assert catalog_path_in(library, "fr").read_bytes() == before


def test_a_plural_group_goes_back_form_by_form(library: Path, tmp_path: Path):
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", "ui", "--output", str(tmp_path))
    xliff = tmp_path / "ui.fr.xlf"
    text = xliff.read_text("utf-8")
    xliff.write_text(text.replace("</ph>\u00a0manquants</target>", "</ph>\u00a0manquantes</target>"), "utf-8")
    result = run_in(library, "import", str(xliff))
    assert result.exit_code == 0, result.output
    message = next(m for m in catalog(library, "fr", "ui") if m.id == ("%(count)s missing", "%(count)s missing"))
    assert message.string == ("%(count)s\u00a0manquant", "%(count)s\u00a0manquantes", "%(count)s\u00a0manquantes")
    assert msgfmt_check(catalog_path_in(library, "fr", "ui")).returncode == 0


def _replace(old: str, new: str):
    return lambda text: text.replace(old, new, 1)


def _in_first_target(text: str, old: str, new: str) -> str:
    """text with old replaced by new in the first target that holds it, as a translator's edit would."""
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines) if line.lstrip().startswith("<target") and old in line)
    lines[number] = lines[number].replace(old, new)
    return "\n".join(lines)


_BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE xliff [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">\n'
         '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n<xliff version="1.2">&c;</xliff>\n')
_EXTERNAL = ('<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
             '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">&secret;</xliff>\n')
# An entity only the external DTD defines: were the DTD read, &name; would read "Quaker".
_EXTERNAL_DTD = ('<?xml version="1.0"?>\n<!DOCTYPE xliff SYSTEM "{dtd}">\n'
                 '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n&name;</xliff>\n')
_HOSTILE = {
    "wrong target language": (_replace('target-language="fr"', 'target-language="de"'), ":3: target language 'de'"),
    "target in another language": (_replace('<target xml:lang="fr" state="translated">Bureau',
                                            '<target xml:lang="es" state="translated">Bureau'),
                                   "a target in 'es' in the file for 'fr'"),
    "unknown catalog": (_replace(f'original="{PAPER}.po"', 'original="../../setup.cfg.po"'),
                        ":3: unknown catalog '../../setup.cfg.po'"),
    "English changed": (_replace("<source>Quaker United Nations Office</source>",
                                 "<source>Quaker UN Office</source>"),
                        "the English changed since the export; export again"),
    "malformed XML": (_replace("</trans-unit>", "</trans-unt>"), "not well-formed XML: mismatched tag"),
    "entity expansion": (lambda text: _BOMB, ":3: an entity declaration ('a')"),
    "external entity": (lambda text: _EXTERNAL, ":2: an entity declaration ('secret')"),
    "external DTD": (lambda text: _EXTERNAL_DTD, ":4: the entity &name; is defined nowhere"),
    "a tag not in the English": (_replace(">Bureau Quaker auprès des Nations Unies<",
                                          '>Bureau <ph id="7">x</ph><'),
                                 'tag <ph id="7"> is not in the English'),
    "a link lost": (lambda text: _in_first_target(text, '<bpt id="1" ctype="link">[</bpt>A/RES/73/195<ept id="1">'
                                                        '](https://undocs.org/A/RES/73/195)</ept>', "A/RES/73/195"),
                    "link ([…](…)): 1 in the English, 0 in the translation [markup]; the catalog checks refuse it"),
}


@pytest.mark.parametrize("case", sorted(_HOSTILE))
def test_a_hostile_or_mismatched_xliff_file_is_refused_with_nothing_changed(library: Path, tmp_path: Path, case: str):
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", PAPER, "--output", str(tmp_path))
    xliff = tmp_path / f"{PAPER}.fr.xlf"
    edit, message = _HOSTILE[case]
    dtd = tmp_path / "names.dtd"
    dtd.write_text('<!ENTITY name "Quaker">\n', "utf-8")
    edited = edit(xliff.read_text("utf-8")).replace("{dtd}", dtd.as_uri())
    assert edited != xliff.read_text("utf-8")
    xliff.write_text(edited, "utf-8")
    before = snapshot(library)
    result = run_in(library, "import", str(xliff))
    assert result.exit_code != 0
    assert result.output.startswith(f"Error: {xliff}:") and message in result.output, result.output
    assert "Traceback" not in result.output
    assert snapshot(library) == before


def test_a_file_too_large_or_too_deep_is_refused_before_it_costs_time_or_memory(library: Path, tmp_path: Path,
                                                                                monkeypatch):
    from library.translations import exchange

    deep = tmp_path / "deep.xlf"
    deep.write_text('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">' + "<group>" * 100_000,
                    "utf-8")
    result = run_in(library, "import", str(deep))
    assert result.exit_code == 5
    assert f"Error: {deep}:1: elements nested more than 64 deep; refused" in result.output
    monkeypatch.setattr(exchange, "MAX_BYTES", 1000)
    result = run_in(library, "import", str(deep))
    assert f"Error: {deep}: {deep.stat().st_size:,} bytes: larger than 0 MiB, refused unread" in result.output


def test_a_cat_tools_segment_marks_are_read_through(library: Path, tmp_path: Path):
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", PAPER, "--output", str(tmp_path))
    xliff = tmp_path / f"{PAPER}.fr.xlf"
    xliff.write_text(xliff.read_text("utf-8").replace(
        ">Bureau Quaker auprès des Nations Unies<",
        '><mrk mtype="seg" mid="1">Bureau quaker auprès </mrk><mrk mtype="seg" mid="2">des Nations unies</mrk><', 1),
        "utf-8")
    result = run_in(library, "import", str(xliff))
    assert result.exit_code == 0, result.output
    assert entries(library, "fr")["Quaker United Nations Office"][0] == "Bureau quaker auprès des Nations unies"


def test_a_tag_written_back_empty_stands_for_the_english_tag(library: Path, tmp_path: Path):
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", "ui", "--output", str(tmp_path))
    xliff = tmp_path / "ui.fr.xlf"
    xliff.write_text(xliff.read_text("utf-8").replace(
        '<target xml:lang="fr" state="translated">Page\u00a0<ph id="1" ctype="x-python-format">%(page)s</ph> sur',
        '<target xml:lang="fr" state="translated">Feuille\u00a0<ph id="1" ctype="x-python-format"/> sur', 1), "utf-8")
    result = run_in(library, "import", str(xliff))
    assert result.exit_code == 0, result.output
    assert entries(library, "fr", "ui")["Page %(page)s of %(pages)s"][0] == "Feuille\u00a0%(page)s sur\u00a0%(pages)s"


def test_placeholders_the_catalog_would_refuse_are_refused_at_the_unit(library: Path, tmp_path: Path):
    run_in(library, "export", "xliff", "--lang", "fr", "--paper", "ui", "--output", str(tmp_path))
    xliff = tmp_path / "ui.fr.xlf"
    lines = xliff.read_text("utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if '<ph id="1" ctype="x-python-format">%(page)s</ph> sur' in line)
    lines[number] = lines[number].replace("%(page)s</ph> sur", "%(page)d</ph> sur", 1)
    xliff.write_text("\n".join(lines) + "\n", "utf-8")
    unit = max(i for i, line in enumerate(lines[:number]) if "<trans-unit" in line) + 1
    before = snapshot(library)
    result = run_in(library, "import", str(xliff))
    assert result.exit_code == 5
    assert result.output.startswith(f"Error: {xliff}:{unit}: python-format mismatch in msgstr: %(page)d takes "
                                    "another type of value"), result.output
    assert snapshot(library) == before


def test_a_catalog_saved_meanwhile_is_not_overwritten(tmp_path: Path):
    path = tmp_path / "fr.po"
    path.write_bytes(b"saved by Poedit meanwhile")
    with pytest.raises(EditedMeanwhile, match="changed while this command ran; it was left as saved"):
        write_unchanged_since({path: (b"as the import read it", b"the import's text")})
    assert path.read_bytes() == b"saved by Poedit meanwhile"


def test_a_file_neither_xliff_nor_tmx_is_refused(library: Path, tmp_path: Path):
    other = tmp_path / "notes.xml"
    other.write_text("<notes/>", "utf-8")
    result = run_in(library, "import", str(other))
    assert result.exit_code == 5
    assert f"Error: {other}:1: neither XLIFF nor TMX (its root element is <notes>)" in result.output


# --- TMX ------------------------------------------------------------------------------------


def test_translate_toolkit_reads_the_memory_as_the_catalogs_have_it(library: Path, tmp_path: Path):
    from translate.storage import tmx

    result = run_in(library, "export", "tmx", "--lang", "es", "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    store = tmx.tmxfile.parsefile(str(tmp_path / "memory.es.tmx"))
    found = [(unit.source, unit.target) for unit in store.units]
    expected = [(message.id, message.string)
                for path in sorted((library / "locales" / "es" / "LC_MESSAGES").glob("*.po"))
                for message in catalog(library, "es", path.stem)
                if message.id and isinstance(message.id, str) and message.string and not message.fuzzy]
    assert found == expected
    assert f"wrote {tmp_path / 'memory.es.tmx'}: {len(expected)} units" in result.output
    text = (tmp_path / "memory.es.tmx").read_text("utf-8")
    interface = [m for m in catalog(library, "es", "ui") if isinstance(m.id, str) and m.id and m.string and not m.fuzzy]
    assert text.count('<prop type="x-catalog">es/LC_MESSAGES/ui.po</prop>') == len(interface)


def test_an_outside_memory_prefills_new_entries_fuzzy_naming_the_file(library: Path, tmp_path: Path):
    from translate.storage import tmx

    sentence = "Outside memories help translators keep their wording consistent across papers."
    outside = tmx.tmxfile(sourcelanguage="en", targetlanguage="fr")
    outside.addtranslation(sentence, "en", "Les mémoires extérieures aident à garder une formulation constante.", "fr")
    outside.addtranslation("Not for this library", "en", "Nicht für diese Bibliothek", "de")
    path = tmp_path / "colleague.tmx"
    path.write_bytes(bytes(outside))
    result = run_in(library, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "wrote locales/memory/colleague.tmx: 1 fr pairs kept, 1 skipped" in result.output
    paper = library / "papers" / f"{PAPER}.md"
    paper.write_text(paper.read_text("utf-8").rstrip("\n") + f"\n\n{sentence}\n", "utf-8")
    assert run_in(library, "extract").exit_code == 0
    result = run_in(library, "update", "--lang", "fr")
    assert result.exit_code == 0, result.output
    message = catalog(library, "fr").get(sentence)
    assert message.string == "Les mémoires extérieures aident à garder une formulation constante."
    assert message.fuzzy
    assert any(comment.startswith("memory: locales/memory/colleague.tmx:") and "(the same English)" in comment
               for comment in message.user_comments)
    assert msgfmt_check(catalog_path_in(library, "fr")).returncode == 0


def test_a_hostile_memory_is_refused_with_nothing_written(library: Path, tmp_path: Path):
    path = tmp_path / "bomb.tmx"
    path.write_text(_BOMB.replace("xliff", "tmx"), "utf-8")
    before = snapshot(library)
    result = run_in(library, "import", str(path))
    assert result.exit_code == 5
    assert f"Error: {path}:3: an entity declaration ('a')" in result.output
    assert snapshot(library) == before


# --- TBX ------------------------------------------------------------------------------------


def test_translate_toolkit_reads_the_glossary_statuses_per_language(library: Path, tmp_path: Path):
    from translate.storage import tbx

    result = run_in(library, "export", "tbx", "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    glossary = read_glossary(library / "locales" / "glossary.csv")
    with open(tmp_path / "glossary.tbx", "rb") as stream:
        store = tbx.tbxfile(stream, sourcelanguage="en", targetlanguage="fr")
    assert len(store.units) == len(glossary.terms)
    for unit, term in zip(store.units, glossary.terms, strict=False):
        assert [(t.text, t.administrative_status) for t in unit.get_source_terms()] == \
            _expected(term.english, term.accepted_variants("en"), ())
        for language in ("fr", "es"):
            found = [(t.text, t.administrative_status) for t in unit.get_target_terms(language)]
            assert found == _expected(term.translation(language), term.accepted_variants(language),
                                      term.avoided_variants(language))
            assert {t.text for t in unit.get_target_terms(language) if t.deprecated} == \
                set(term.avoided_variants(language)) - {term.translation(language)}


def _expected(official: str, accepted, avoided) -> list[tuple[str, str]]:
    forms = [(official, "preferredTerm-admn-sts")] if official else []
    forms += [(form, "admittedTerm-admn-sts") for form in accepted if form not in avoided]
    forms += [(form, "deprecatedTerm-admn-sts") for form in avoided]
    seen, kept = set(), []
    for form, status in forms:
        if form not in seen:
            seen.add(form)
            kept.append((form, status))
    return kept
