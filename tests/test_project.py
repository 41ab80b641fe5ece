"""One project model: every command sees the same papers, languages, figures and outputs."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import snapshot
from pages import Page, text
from projects import REPOSITORY, prefixed, translate_catalogs

from library.core.config import load_config
from library.core.errors import SourceError
from library.core.paths import VOLUME, site_folder
from library.model.manifest import read_pdf_manifest
from library.model.project import Project
from library.model.stamps import code_files
from library.model.translation import percent_label, shown_percent
from library.quality.reports import catalog_status

LIBRARY = REPOSITORY / "library"
SAMPLE_TRANSLATED = {"A sample paper: every kind of block", "Why this paper", "A list", "A table", "Meaning"}


def _add_paragraph(project_folder: Path) -> None:
    """An editor's change: a new paragraph at the end of the sample paper."""
    path = project_folder / "papers" / "sample.md"
    path.write_text(path.read_text("utf-8") + "\nA paragraph the editors added today.\n", "utf-8")


# --- one figure ----------------------------------------------------------------------------


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_status_counts_new_english_as_untranslated_when_a_catalog_lags(run, project, config):
    translate_catalogs(config, "es", prefixed("ES "), domains=("sample", "series"))
    assert run("status", "--lang", "es", "--paper", "sample", "--fail-under", "100").exit_code == 0
    _add_paragraph(project)
    run("extract"), run("update", "--lang", "fr")
    result = run("status", "--lang", "es", "--paper", "sample", "--fail-under", "100")
    assert result.exit_code == 6 and "es/sample" in result.stderr
    assert "run `library update`" in result.stdout and "sample!" in result.stdout
    status = catalog_status(Project(config), "es", "sample")
    assert status.stale == "library update" and status.untranslated.messages == 1
    # The Spanish page shows the same figure and the same missing passage.
    run("build", "html")
    shown = text(Page(site_folder(config) / "es" / "sample.html").with_class("completeness")[0])
    assert shown.startswith(percent_label(status.percent_translated, "es"))


def test_a_stale_template_names_extract_too(run, project, config):
    run("extract"), run("update")
    _add_paragraph(project)
    assert catalog_status(Project(config), "fr", "sample").stale == "library extract && library update"


@pytest.mark.slow
def test_status_the_page_the_dashboard_and_the_gate_show_one_figure(run, project, config):
    translate_catalogs(config, "fr", prefixed("FR ", SAMPLE_TRANSLATED), fuzzy=frozenset({"A table"}))
    status = catalog_status(Project(config), "fr", "sample")
    french, english = percent_label(status.percent_translated, "fr"), percent_label(status.percent_translated)
    row = next(line.split() for line in run("status", "--lang", "fr").stdout.splitlines() if " sample " in line)
    assert row[2] == english
    run("build", "html")
    site = site_folder(config)
    assert text(Page(site / "fr" / "sample.html").with_class("completeness")[0]).startswith(french)
    dashboard = text(next(row for row in Page(site / "dashboard" / "index.html").all("tr") if "sample" in text(row)))
    assert english in dashboard
    gate = run("build", "pdf", "--lang", "fr", "--paper", "sample", "--strict")
    assert gate.exit_code == 6 and f"held back fr/sample: {english} translated" in gate.stdout
    # --fail-under at the threshold gives the gate's verdict on the same catalog.
    assert run("status", "--lang", "fr", "--paper", "sample", "--fail-under", "80").exit_code == 6


@pytest.mark.parametrize(("percent", "shown"), [(65.51, 65.5), (99.99, 99.9), (100.0, 100.0), (79.96, 79.9)])
def test_a_figure_is_rounded_down_so_only_complete_shows_100(percent, shown):
    assert shown_percent(percent) == shown


def test_a_volumes_figure_is_its_papers_together(config):
    translate_catalogs(config, "fr", prefixed("FR "), domains=("series",))
    project = Project(config)
    series, sample, volume = (project.figure(slug, "fr") for slug in ("series", "sample", VOLUME))
    assert sample.percent == 0 and series.percent == 100
    assert volume == sample + series and 0 < volume.percent < 100


# --- one selection -------------------------------------------------------------------------

COMMANDS = [("update", "--lang"), ("compile", "--lang"), ("status", "--lang"), ("check", "--lang"),
            ("missing",), ("build", "pdf", "--lang"), ("index", "--lang"), ("search", "x", "--lang")]


@pytest.mark.parametrize("code", ["de", "fr_FR"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command[:2]))
def test_every_command_refuses_an_unknown_language_alike(run, updated, command, code):
    project = updated
    before = snapshot(project)
    result = run(*command, code)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith(f"Error: unknown language {code!r} (choose from ") and "\n" not in message
    if code == "fr_FR":
        assert message.endswith("did you mean 'fr'?")
    assert snapshot(project) == before


def test_every_command_refuses_an_unknown_paper_alike(run, project):
    run("extract")
    for command in (("status", "--paper"), ("check", "--paper"), ("build", "pdf", "--paper"), ("missing", "fr")):
        result = run(*command, "nope")
        assert result.exit_code == 2 and "Error: unknown paper 'nope' (choose from " in result.stderr, command


# --- each output hashes its own code ----------------------------------------------------------


def test_each_output_hashes_only_the_code_of_its_stage():
    pdf = {path.relative_to(LIBRARY).as_posix() for path in code_files("library.outputs.pdf.plan")}
    site = {path.relative_to(LIBRARY).as_posix() for path in code_files("library.outputs.site.html")}
    assert {"outputs/pdf/plan.py", "outputs/render.py", "model/translation.py"} <= pdf
    assert not {"quality/reports.py", "outputs/site/html.py", "outputs/search/engine.py"} & pdf
    assert {"outputs/site/html.py", "outputs/render.py"} <= site
    assert not {"outputs/pdf/plan.py", "outputs/search/engine.py", "quality/reports.py"} & site


@pytest.mark.slow
def test_the_site_links_what_the_manifest_publishes_and_a_refused_pdf_goes(run, project, config):
    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample", "series", "ui"))
    assert run("build", "pdf", "--lang", "fr", "--paper", "sample").exit_code == 0
    published = read_pdf_manifest(config)["fr/sample"]
    assert published.verdict == "published" and published.pages["title"] == 1
    run("build", "html")
    assert "../fr/sample.pdf" in [a.get("href") for a in Page(site_folder(config) / "fr" / "sample.html").all("a")]
    # The English grows a paragraph nobody has translated: now below 100 %, and with the threshold
    # at 100 the gate refuses the PDF, which leaves the folder, the manifest and the site.
    _add_paragraph(project)
    run("extract"), run("update")
    setup = project / "setup.cfg"
    setup.write_text(setup.read_text("utf-8").replace("threshold = 80", "threshold = 100"), "utf-8")
    withdrawn = run("build", "pdf", "--lang", "fr", "--paper", "sample")
    assert withdrawn.exit_code == 0
    assert "withdrew build/pdf/fr/sample.pdf: held back: " in withdrawn.stdout
    assert not (config.build_dir / "pdf" / "fr" / "sample.pdf").exists()
    assert read_pdf_manifest(config)["fr/sample"].verdict == "refused"
    run("build", "html")
    assert not [a for a in Page(site_folder(config) / "fr" / "sample.html").all("a")
                if (a.get("href") or "").endswith(".pdf")]


# --- incremental ---------------------------------------------------------------------------


def _build(project: Path) -> subprocess.CompletedProcess:
    """`library build` in a fresh process, telling which modules it imported."""
    command = [sys.executable, "-X", "importtime", "-m", "library", "--config", str(project / "setup.cfg"), "build"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1646092800"}
    return subprocess.run(command, capture_output=True, text=True, cwd=project, env=env, check=False)


def _times(folder: Path) -> dict[str, int]:
    # The writers' lock file records who holds it on every run; it is no output.
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")
            if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture
def built_once(run, project, config):
    """The test project translated and built whole, every PDF published (threshold 0)."""
    setup = project / "setup.cfg"
    setup.write_text(setup.read_text("utf-8").replace("threshold = 80", "threshold = 0"), "utf-8")
    for language in ("fr", "es"):
        translate_catalogs(config, language, prefixed(f"{language.upper()} ", SAMPLE_TRANSLATED))
    first = _build(project)
    assert first.returncode == 0, first.stderr[-2000:]
    return project


@pytest.mark.slow
def test_a_build_with_nothing_changed_writes_nothing_and_imports_no_heavy_library(built_once, config):
    before = _times(config.build_dir)
    again = _build(built_once)
    assert again.returncode == 0
    assert not re.search(r"\|\s+(weasyprint|whoosh)$", again.stderr, re.M)
    assert _times(config.build_dir) == before
    assert again.stdout.startswith("nothing to do: every output is up to date (")
    assert re.search(r"^0 written, \d+ unchanged, 0 removed; 0 held back, 0 withdrawn$", again.stdout, re.M)


@pytest.mark.slow
def test_one_changed_catalog_rebuilds_only_what_holds_it(built_once, config):
    translate_catalogs(config, "es", prefixed("ES2 ", {"A table"}), domains=("sample",))
    before = _times(config.build_dir)
    result = _build(built_once)
    assert result.returncode == 0, result.stderr[-2000:]
    changed = {name for name, stamp in _times(config.build_dir).items() if before.get(name) != stamp}
    pdfs = {name for name in changed if name.startswith("pdf/") and name.endswith(".pdf")}
    assert pdfs == {"pdf/es/sample.pdf", "pdf/es/volume.pdf"}
    pages = {name.removeprefix("html/") for name in changed if name.startswith("html/") and name.endswith(".html")}
    # Spanish pages, and the other languages' side-by-side views with Spanish; nothing else.
    assert pages and all(name.startswith("es/") or name.endswith("/es.html") or name.startswith("dashboard/es/")
                         for name in pages), sorted(pages)
    assert "fr/index.html" not in pages and "en/sample.html" not in pages
    # One line says what was rebuilt and why: the Spanish outputs, for the Spanish catalog.
    assert re.findall(r"^(\w+): .*\bindex\b.*$", result.stdout, re.M) == ["es"]
    assert "(locales/es/LC_MESSAGES/sample.po changed)" in result.stdout
    assert json.loads((config.build_dir / "pdf" / "manifest.json").read_text("utf-8"))["pdfs"]


def test_a_paper_asked_for_before_the_series_is_parsed_alone(config, monkeypatch):
    """A one-catalog build asks for a few papers: each is parsed alone, and once, however long the series."""
    import library.model.project as model

    parsed: list[str] = []
    parse = model.load_paper
    monkeypatch.setattr(model, "load_paper", lambda path: parsed.append(path.stem) or parse(path))
    project = Project(config)
    sample = project.translation("sample", "fr").paper
    assert project.series.slug == project.series_slug
    assert parsed == ["sample", project.series_slug]
    assert "papers" not in project.__dict__
    assert project.paper("sample") is sample and project.papers  # the whole series after: nothing parsed twice
    assert sorted(parsed) == sorted(project.source_slugs) and project.paper("sample") is sample


def test_a_later_command_parses_only_the_papers_whose_bytes_changed(config, monkeypatch):
    """The papers parsed by one command are kept in build/state for the next (the site needs them all)."""
    import library.model.project as model

    parsed: list[str] = []
    parse = model.load_paper
    monkeypatch.setattr(model, "load_paper", lambda path: parsed.append(path.stem) or parse(path))
    first = Project(config).papers
    assert sorted(parsed) == sorted(paper.slug for paper in first)
    parsed.clear()
    assert Project(config).papers == first and not parsed
    sample = config.papers_dir / "sample.md"
    sample.write_text(sample.read_text("utf-8") + "\nA paragraph the editors added today.\n", "utf-8")
    again = Project(config).papers
    assert parsed == ["sample"] and again != first
    record = config.build_dir / "state" / "papers.pickle"
    moved = load_config(shutil.copytree(config.root, config.root.parent / "moved") / "setup.cfg")
    parsed.clear()
    assert [paper.path for paper in Project(moved).papers] == [moved.papers_dir / paper.path.name for paper in again]
    assert not parsed  # a project copied elsewhere (a backup, a benchmark) keeps its papers
    record.write_bytes(record.read_bytes()[:100])  # cut short: read as nothing kept
    assert Project(config).papers == again and sorted(parsed) == sorted(paper.slug for paper in first)


@pytest.mark.parametrize(("front_matter", "error"), [
    ("number: 1", "number 1 is already used by"),
    ("kind: series", "a second series page"),
])
def test_the_series_order_read_from_front_matter_refuses_what_the_parser_refuses(project, config, front_matter,
                                                                                  error):
    """The order planning cuts the volumes from, read without parsing, stops where parsing would."""
    sample = (project / "papers" / "sample.md").read_text("utf-8")
    extra = sample.replace("slug: sample", "slug: twin").replace("number: 1", front_matter)
    (project / "papers" / "twin.md").write_text(extra, "utf-8")
    with pytest.raises(SourceError, match=error):
        Project(config).series_order  # noqa: B018


def test_a_build_of_one_paper_stops_at_a_number_another_paper_uses_twice(project, run):
    sample = (project / "papers" / "sample.md").read_text("utf-8")
    (project / "papers" / "twin.md").write_text(sample.replace("slug: sample", "slug: twin"), "utf-8")
    result = run("build", "pdf", "--paper", "second")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "twin.md:" in result.output and "number 1 is already used by sample.md" in result.output
    assert not list((project / "build").glob("pdf/*/second.pdf"))


def test_a_later_project_adopts_only_the_catalogs_unchanged_since(config):
    translate_catalogs(config, "fr", prefixed("FR "))
    earlier = Project(config)
    sample, series = earlier.catalog("sample", "fr"), earlier.catalog("series", "fr")
    path = config.locales_dir / "fr" / "LC_MESSAGES" / "series.po"
    path.write_bytes(path.read_bytes().replace(b'msgstr "FR ', b'msgstr "FR2 ', 1))
    later = Project(config)
    later.adopt_catalogs(earlier)
    assert later.catalog("sample", "fr") is sample
    assert later.catalog("series", "fr") is not series
    assert any(message.string.startswith("FR2 ") for message in later.catalog("series", "fr"))
