from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import DATA, REPOSITORY, catalog_of, prefixed, put_back, translate_catalogs

from library.cli import main
from library.core.config import load_config
from library.core.errors import CatalogError, LibraryError
from library.core.paths import catalog_path
from library.model.project import Project
from library.model.translation import percent_label
from library.quality.reports import (
    catalog_status,
    file_status,
    missing_segments,
    project_status,
    word_diff,
)
from library.sources.papers import load_paper
from library.sources.segments import segment_paper
from library.translations.catalogs import extract_catalogs, update_catalogs

REPORTS = DATA / "reports"
FIXTURES = sorted(REPORTS.glob("*.po"))
REAL_CATALOGS = sorted((REPOSITORY / "locales").glob("*/LC_MESSAGES/*.po"))
# pocount's CSV column for each of our figures.
POCOUNT_COLUMNS = {
    "Translated Messages": lambda s: s.translated.messages,
    "Translated Source Words": lambda s: s.translated.words,
    "Translated Target Words": lambda s: s.translated_target_words,
    "Fuzzy Messages": lambda s: s.fuzzy.messages,
    "Fuzzy Source Words": lambda s: s.fuzzy.words,
    "Untranslated Messages": lambda s: s.untranslated.messages,
    "Untranslated Source Words": lambda s: s.untranslated.words,
    "Total Message": lambda s: s.total.messages,
    "Total Source Words": lambda s: s.total.words,
}


def pocount(paths: list[Path]) -> dict[Path, dict[str, int]]:
    """Translate Toolkit's own pocount command on paths, its CSV read back."""
    result = subprocess.run([sys.executable, "-m", "translate.tools.pocount", "--csv", *map(str, paths)],
                            capture_output=True, text=True, check=True)
    rows = csv.DictReader(io.StringIO(result.stdout))
    return {Path(row["Filename"]): {name: int(row[name]) for name in POCOUNT_COLUMNS} for row in rows}


def assert_agrees_with_pocount(paths: list[Path]) -> None:
    theirs = pocount(paths)
    assert set(theirs) == set(paths)
    for path in paths:
        status = file_status(path, path.parent.parent.name if path.parent.name == "LC_MESSAGES" else None)
        ours = {name: figure(status) for name, figure in POCOUNT_COLUMNS.items()}
        assert ours == theirs[path], path


def _sample_texts(config) -> list[str]:
    return sorted({segment.msgid for segment in segment_paper(load_paper(config.papers_dir / "sample.md"))})


# --- counts --------------------------------------------------------------------------------


def test_fixture_counts_are_the_ones_worked_out_by_hand():
    # Worked out by hand in the fixture's comments, before any code counted them.
    status = file_status(REPORTS / "counts.po", "fr")
    assert (status.translated.messages, status.translated.words, status.translated_target_words) == (5, 14, 14)
    assert (status.fuzzy.messages, status.fuzzy.words) == (2, 8)
    assert (status.untranslated.messages, status.untranslated.words) == (3, 9)
    assert (status.obsolete.messages, status.obsolete.words) == (2, 5)
    assert (status.total.messages, status.total.words) == (10, 31)
    assert status.percent_translated == 50.0
    assert status.percent_words_translated == pytest.approx(100 * 14 / 31)


def test_fixtures_agree_with_pocount_field_by_field():
    assert_agrees_with_pocount(FIXTURES)


def test_real_catalogs_agree_with_pocount_field_by_field():
    assert len(REAL_CATALOGS) >= 12
    assert_agrees_with_pocount(REAL_CATALOGS)


def test_a_translated_project_agrees_with_pocount(config):
    texts = _sample_texts(config)
    translate_catalogs(config, "fr", prefixed("FR ", only=set(texts[::2])), fuzzy=frozenset(texts[1:6:2]))
    assert_agrees_with_pocount(sorted((config.locales_dir / "fr" / "LC_MESSAGES").glob("*.po")))


def test_status_percentage_is_the_one_pages_use(config):
    texts = _sample_texts(config)
    translate_catalogs(config, "fr", prefixed("FR ", only=set(texts[::3])), fuzzy=frozenset(texts[:2]))
    status = catalog_status(Project(config), "fr", "sample")
    page = Project(config).translation("sample", "fr")
    # A repeated paragraph is one message, on the page as in the PO file: the figures are the same.
    assert status.figure == page.figure
    by_text = {segment.segment.msgid: segment.status for segment in page.segments}
    assert status.translated.messages == sum(1 for state in by_text.values() if state == "translated")
    assert status.total.messages == len(by_text)
    assert status.fuzzy.messages == sum(1 for state in by_text.values() if state == "fuzzy")


def test_real_papers_status_equals_the_page_percentage():
    config = load_config(REPOSITORY / "setup.cfg")
    for status in project_status(Project(config), papers=("what-is-the-imrf", "series")):
        paper = load_paper(config.papers_dir / f"{status.domain}.md")
        assert status.figure == Project(config).translation(paper.slug, status.language).figure


def test_a_language_without_po_files_counts_its_templates_as_untranslated(config):
    extract_catalogs(Project(config))
    status = catalog_status(Project(config), "es", "sample")
    assert not status.exists and status.path == catalog_path(config, "es", "sample")
    assert status.translated.messages == 0 and status.untranslated.messages == status.total.messages > 10
    assert status.percent_translated == 0.0


def test_unknown_paper_or_language_is_refused(config):
    extract_catalogs(Project(config))
    with pytest.raises(LibraryError, match="unknown paper 'nope'"):
        project_status(Project(config), papers=("nope",))
    with pytest.raises(LibraryError, match="unknown language 'de'"):
        project_status(Project(config), languages=("de",))


def test_partly_translated_plural_is_refused_so_every_tool_agrees(tmp_path: Path):
    # pocount and msgfmt call it translated, is_translated does not: the reader refuses it.
    with pytest.raises(CatalogError) as raised:
        file_status(DATA / "po" / "bad.partial-plural.po", "fr")
    assert raised.value.line == 19


@pytest.mark.parametrize("command", ["status", "missing", "check"])
def test_the_translators_commands_have_help(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout


# --- the status command --------------------------------------------------------------------


@pytest.fixture
def half_translated(config):
    """French: every other text of the sample paper translated, the UI and the series page complete."""
    translate_catalogs(config, "fr", prefixed("FR "), domains=("ui", "series"))
    texts = _sample_texts(config)
    translate_catalogs(config, "fr", prefixed("FR ", only=set(texts[::2])), domains=("sample",))
    update_catalogs(Project(config), ("es",))
    return config


def test_status_table_has_a_row_per_catalog_and_a_total(run, half_translated):
    result = run("status", "--lang", "fr")
    assert result.exit_code == 0, result.output
    rows = {line.split()[1]: line.split() for line in result.stdout.splitlines()[2:]}
    assert set(rows) == {"sample", "series", "ui", "TOTAL"}
    status = catalog_status(Project(half_translated), "fr", "sample")
    assert rows["sample"][2] == percent_label(status.percent_translated)
    assert rows["series"][2] == rows["ui"][2] == "100%"
    assert rows["sample"][3:5] == [str(status.total.messages), str(status.translated.messages)]


def test_status_json_and_csv_carry_the_same_figures(run, half_translated):
    data = json.loads(run("status", "--format", "json").stdout)
    table = list(csv.DictReader(io.StringIO(run("status", "--format", "csv").stdout)))
    assert [(row["language"], row["paper"]) for row in data["catalogs"]] == [
        (language, paper) for language in ("fr", "es") for paper in ("sample", "series", "ui")]
    assert [row["paper"] for row in data["totals"]] == ["TOTAL", "TOTAL"]
    assert len(table) == 8 and table[0]["file"] == "locales/fr/LC_MESSAGES/sample.po"
    for row, line in zip(data["catalogs"] + data["totals"], table, strict=False):
        assert {key: str(value) for key, value in row.items()} == line
    es_sample = data["catalogs"][3]
    assert es_sample["translated"] == 0 and es_sample["percent_translated"] == 0.0


def test_fail_under_exits_6_naming_the_catalogs_below(run, half_translated):
    sample = catalog_status(Project(half_translated), "fr", "sample").percent_translated
    assert 0 < sample < 100
    result = run("status", "--lang", "fr", "--fail-under", str(sample + 1))
    assert result.exit_code == 6
    assert "Error: under" in result.stderr and "fr/sample" in result.stderr and "fr/ui" not in result.stderr
    assert "sample" in result.stdout  # the report is still shown
    assert run("status", "--lang", "fr", "--fail-under", str(sample)).exit_code == 0
    assert run("status", "--paper", "ui", "--lang", "fr", "--fail-under", "100").exit_code == 0


def test_status_of_one_paper_and_the_ui(run, half_translated):
    result = run("status", "--paper", "ui", "--paper", "series", "--format", "csv")
    assert [(row["language"], row["paper"]) for row in csv.DictReader(io.StringIO(result.stdout))] == [
        ("fr", "series"), ("fr", "ui"), ("es", "series"), ("es", "ui"), ("fr", "TOTAL"), ("es", "TOTAL")]
    assert run("status", "--paper", "nope").exit_code == 2


# --- missing -------------------------------------------------------------------------------


def test_word_diff_marks_removed_and_added_words():
    assert word_diff("The first review is on 17 May.", "The first review is on 16 May.") == (
        "The first review is on [-17-] {+16+} May.")
    assert word_diff("a b c", "a b c") == "a b c"
    assert word_diff("old words", "") == "[-old words-]"


def _change_the_english(config, old: str, new: str) -> None:
    path = config.papers_dir / "sample.md"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    extract_catalogs(Project(config))
    update_catalogs(Project(config))


def test_missing_lists_untranslated_and_fuzzy_with_both_lines_and_the_change(run, config):
    translate_catalogs(config, "fr", prefixed("FR "))
    _change_the_english(config, "on 17-20 May 2022. Did it go well?", "on 16-20 May 2022. Did it go well?")
    _change_the_english(config, "- Third item.", "- Third item.\n- A brand new item.")
    found = missing_segments(Project(config), "fr", ("sample",))
    assert [(item.state, item.msgid) for item in found] == [
        ("fuzzy", "The first review takes place on 16-20 May 2022. Did it go well? *We hope so!*"),
        ("untranslated", "A brand new item."),
    ]
    po_lines = catalog_path(config, "fr", "sample").read_text("utf-8").splitlines()
    paper_lines = (config.papers_dir / "sample.md").read_text("utf-8").splitlines()
    for item in found:
        assert po_lines[item.po_line - 1].startswith("msgid ")  # the line an editor jumps to
        assert item.msgid[:15] in po_lines[item.po_line - 1] + po_lines[item.po_line]
        assert item.msgid.lstrip("- ")[:15] in paper_lines[item.source_line - 1]
    assert found[0].diff.startswith("The first review takes place on [-17-20-] {+16-20+} May 2022.")

    result = run("missing", "fr", "sample")
    assert result.exit_code == 0
    assert f"locales/fr/LC_MESSAGES/sample.po:{found[0].po_line}: fuzzy (source papers/sample.md:" in result.stdout
    assert "    changed: The first review takes place on [-17-20-] {+16-20+} May" in result.stdout
    assert "    fr: FR The first review takes place on 17-20 May 2022." in result.stdout  # what needs the change
    assert " ".join(result.stdout.split()).count("Did it go well?") == 2  # in the diff, and in the French
    assert max(len(line) for line in result.stdout.splitlines()) <= 80  # wrapped to the terminal
    assert result.stdout.rstrip().endswith("fr: 1 untranslated, 1 fuzzy")


def test_missing_in_a_complete_language_says_so(run, config):
    translate_catalogs(config, "fr", prefixed("FR "))
    result = run("missing", "fr")
    assert result.exit_code == 0 and result.stdout == "fr: nothing missing\n"


def test_missing_reports_texts_the_po_file_does_not_have_yet(run, config):
    translate_catalogs(config, "fr", prefixed("FR "))
    path = config.papers_dir / "sample.md"
    path.write_text(path.read_text("utf-8") + "\nA paragraph added after the last update.\n", "utf-8")
    result = run("missing", "fr", "sample")
    assert "locales/fr/LC_MESSAGES/sample.po: not in the PO file (run `library update`)" in result.stdout
    assert "A paragraph added after the last update." in result.stdout


def test_missing_of_the_ui_points_at_the_templates(run, config):
    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample", "series"))
    found = missing_segments(Project(config), "fr", ("ui",))
    assert found and all(item.domain == "ui" and item.state == "untranslated" for item in found)
    assert all(any(item.source_path.is_relative_to(config.root / folder) for folder in ("templates", "library"))
               for item in found)
    assert len(found) == catalog_status(Project(config), "fr", "ui").untranslated.messages


def test_missing_refuses_an_unknown_language(run, config):
    extract_catalogs(Project(config))
    result = run("missing", "de")
    assert result.exit_code == 2 and "unknown language 'de'" in result.stderr


# --- strict input --------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("status",), ("missing", "fr"), ("check",)])
@pytest.mark.parametrize("bad", sorted((DATA / "po").glob("bad.*.po")), ids=lambda p: p.stem)
def test_a_broken_po_file_gives_its_line_and_nothing_else(french_shared, command, bad):
    config = load_config(french_shared / "setup.cfg")
    target = catalog_path(config, "fr", "sample")
    line = bad.read_bytes().split(b"\n")[0].decode().removeprefix("# expect: ").split(":")[0]
    with put_back(target):
        target.write_bytes(bad.read_bytes())
        result = CliRunner().invoke(main, ["--config", str(config.root / "setup.cfg"), *command])
    assert result.exit_code == 5
    shown = target.relative_to(config.root)
    assert result.stderr.startswith(f"Error: {shown}:{line}: ") and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_reading_the_catalogs_does_not_change_them(run, config):
    translate_catalogs(config, "fr", prefixed("FR "))
    before = {path: path.read_bytes() for path in config.locales_dir.rglob("*.po")}
    for command in (("status",), ("missing", "fr"), ("check",)):
        run(*command)
    assert {path: path.read_bytes() for path in config.locales_dir.rglob("*.po")} == before
    assert catalog_of(config, "fr", "sample") is not None
