"""The one build pipeline: each build line names what was rebuilt and the input that changed."""
from __future__ import annotations

import json
import re

import pytest
from projects import prefixed, translate_catalogs

from library.pipeline import BUILD_ORDER, STAGES, changed_inputs


@pytest.fixture
def built(run, config):
    """The test project, French translated whole, built once."""
    translate_catalogs(config, "fr", prefixed("FR "))
    translate_catalogs(config, "es", prefixed("ES "))
    first = run("build")
    assert first.exit_code == 0 and first.output.startswith("everything (no earlier build)\n"), first.output
    return config


def _lines(run, *args: str) -> list[str]:
    result = run("build", *args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


@pytest.mark.slow
def test_a_catalog_edit_rebuilds_its_language_and_names_the_catalog(run, built):
    translate_catalogs(built, "fr", prefixed("FR2 ", {"A table"}), domains=("sample",))
    first, *rest = _lines(run)
    # The paper and the volume that hold it, as PDFs and as EPUBs, in French alone.
    assert re.fullmatch(r"fr: 1 MO file, 2 PDFs, 2 EPUBs, \d+ pages, .*index "
                        r"\(locales/fr/LC_MESSAGES/sample\.po changed\)", first), first
    assert not any(line.startswith(("en:", "es:")) for line in rest)


@pytest.mark.slow
def test_a_template_edit_names_the_template(run, built):
    template = built.templates_dir / "paper.html"
    template.write_text(template.read_text("utf-8").replace('<article class="paper">',
                                                            '<article class="paper" data-edited>'), "utf-8")
    first = _lines(run)[0]
    assert re.fullmatch(r"\d+ pages \(templates/paper\.html changed\)", first), first


@pytest.mark.slow
def test_a_settings_edit_names_the_setting(run, built, project):
    setup = project / "setup.cfg"
    setup.write_text(setup.read_text("utf-8").replace("threshold = 80", "threshold = 90"), "utf-8")
    first = _lines(run)[0]
    assert first.endswith("(settings changed: threshold)"), first


@pytest.mark.slow
def test_nothing_changed_says_so_and_verbose_lists_every_output(run, built):
    lines = _lines(run, "-v")
    assert lines[0].startswith("nothing to do: every output is up to date (")
    assert not any(line.startswith("wrote ") for line in lines)
    assert any(re.fullmatch(r"build/index/fr: \d+ passages unchanged \(Snowball stemmer\)", line) for line in lines)
    translate_catalogs(built, "es", prefixed("ES2 ", {"A table"}), domains=("sample",))
    lines = _lines(run, "-v")
    assert "wrote build/pdf/es/sample.pdf" in lines and "wrote build/locale/es/LC_MESSAGES/sample.mo" in lines
    assert "wrote build/epub/es/sample.epub" in lines and "wrote build/epub/es/volume.epub" in lines


@pytest.mark.slow
def test_json_gives_tools_the_same(run, built):
    translate_catalogs(built, "es", prefixed("ES2 ", {"A table"}), domains=("sample",))
    stages = json.loads(run("build", "--json").output)
    assert [stage["stage"] for stage in stages] == list(BUILD_ORDER)
    pdf = next(stage for stage in stages if stage["stage"] == "pdf")
    assert pdf["causes"] == ["locales/es/LC_MESSAGES/sample.po changed"]
    assert sorted(pdf["written"]) == ["build/pdf/es/sample.pdf", "build/pdf/es/volume.pdf"]
    epub = next(stage for stage in stages if stage["stage"] == "epub")
    assert epub["causes"] == ["locales/es/LC_MESSAGES/sample.po changed"]
    assert sorted(epub["written"]) == ["build/epub/es/sample.epub", "build/epub/es/volume.epub"]
    again = json.loads(run("build", "-f", "json").output)  # the options every command shares
    assert [stage["causes"] for stage in again] == [[]] * len(BUILD_ORDER) and not again[1]["written"]


def test_every_stage_says_its_place_in_one_order():
    assert set(BUILD_ORDER) == set(STAGES)
    assert BUILD_ORDER.index("pdf") < BUILD_ORDER.index("html")  # the site links what the PDFs published
    assert BUILD_ORDER.index("pdf") < BUILD_ORDER.index("epub") < BUILD_ORDER.index("html")  # page lists; links


def test_changed_inputs_are_said_in_the_build_words():
    before = {"setting threshold": "a", "papers/a.md": "1", "papers/b.md": "2", "tool weasyprint": "x"}
    now = {"setting threshold": "b", "papers/a.md": "1", "papers/c.md": "3", "tool weasyprint": "y"}
    assert changed_inputs(before, now) == ["settings changed: threshold", "papers/b.md removed",
                                           "papers/c.md added", "weasyprint upgraded"]
    assert changed_inputs(None, now) == ["no earlier build"]
