"""Volumes per part (volume_size): each part through the gate, named, linked, judged; the PDF stage's pace and pool."""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from checkers import epubcheck_messages
from projects import REPOSITORY, make_project, prefixed, translate_catalogs
from pypdf import PdfReader

from library.core.config import load_config
from library.core.paths import epub_path, pdf_path, site_folder
from library.model.manifest import read_pdf_manifest
from library.model.project import Project
from library.outputs.epub.books import build_epubs
from library.outputs.gate import series_volumes
from library.outputs.pdf import plan as pdf_plan
from library.outputs.pdf.conformance import validate_pdfs
from library.outputs.pdf.plan import build_pdfs, plan_pdfs
from library.outputs.pdf.typeset import PDF_PROFILE
from library.outputs.site.html import build_html

PAPER = """\
---
slug: {slug}
number: {number}
title: "The {slug} paper"
subtitle: A paper of the series
date: 2022-03-0{number}
publisher: Quaker United Nations Office
summary: The {slug} paper, in a few words.
keywords: [testing]
---

## What the {slug} paper says

A paragraph of the {slug} paper, long enough to be a paragraph.
"""


def _parted(folder: Path, volume_size: int | None = 2) -> Path:
    """The test papers and two more (numbers 2 and 3), cut into volumes of volume_size papers."""
    make_project(folder)
    for number, slug in ((2, "second"), (3, "third")):
        (folder / "papers" / f"{slug}.md").write_text(PAPER.format(slug=slug, number=number), "utf-8")
    if volume_size is not None:
        setup = folder / "setup.cfg"
        setup.write_text(setup.read_text("utf-8") + f"volume_size = {volume_size}\n", "utf-8")
    return folder


@pytest.fixture(scope="module")
def parted(tmp_path_factory):
    """Volume 1 (sample, second) and volume 2 (third), in English and French; French leaves third untranslated."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1646092800")
        config = load_config(_parted(tmp_path_factory.mktemp("parted")) / "setup.cfg")
        translate_catalogs(config, "fr", prefixed("FR "), domains=("sample", "second", "series"))
        shutil.copy(REPOSITORY / "locales" / "fr" / "LC_MESSAGES" / "ui.po", config.locales_dir / "fr" / "LC_MESSAGES")
        project = Project(config)
        pdfs = build_pdfs(project, ("en", "fr"), workers=1)
        epubs = build_epubs(Project(config), ("en", "fr"))
        build_html(Project(config))
    assert {f"{r.language}/{r.slug}" for r in pdfs.refused} == {"fr/third", "fr/volume-2"}
    return config, pdfs, epubs


def test_the_series_is_cut_into_volumes_of_volume_size_papers_in_series_order(tmp_path):
    config = load_config(_parted(tmp_path, volume_size=2) / "setup.cfg")
    volumes = series_volumes(Project(config))
    assert [(v.slug, v.number, v.papers, v.first, v.last) for v in volumes] == [
        ("volume-1", 1, ("sample", "second"), 1, 2), ("volume-2", 2, ("third",), 3, 3)]
    unset = dataclasses.replace(config, volume_size=None)
    assert [(v.slug, v.number, v.papers) for v in series_volumes(Project(unset))] == [
        ("volume", None, ("sample", "second", "third"))]
    # Planning reads the numbers from the front matter; parsing every paper gives the same cut.
    parsed = Project(config)
    parsed.papers  # noqa: B018 - parse them all first
    assert series_volumes(parsed) == volumes


@pytest.mark.slow
def test_each_part_is_published_as_the_volume_is_and_a_part_with_no_paper_passing_is_held_back(parted):
    config, pdfs, _ = parted
    written = {path.relative_to(config.build_dir).as_posix() for path in pdfs.written}
    assert {"pdf/en/volume-1.pdf", "pdf/en/volume-2.pdf", "pdf/fr/volume-1.pdf"} <= written
    assert not pdf_path(config, "fr", "volume-2").exists() and not pdf_path(config, "en", "volume").exists()
    refusal = next(r for r in pdfs.refused if r.slug == "volume-2")
    assert "no paper is translated up to the threshold" in refusal.why
    manifest = read_pdf_manifest(config)
    assert manifest["en/volume-2"].verdict == "published" and manifest["fr/volume-2"].verdict == "refused"
    assert manifest["fr/volume-1"].pages["second--title"] >= 2  # the part's page map, for the EPUB's page list


@pytest.mark.slow
def test_a_part_holds_its_papers_only_and_says_which_part_it_is(parted):
    config, _, _ = parted
    second = PdfReader(pdf_path(config, "en", "volume-2"))
    assert second.metadata.title == "A test series — Volume 2: paper 3"
    text = " ".join(page.extract_text() for page in second.pages)
    assert "VOLUME 2: PAPER 3" in " ".join(second.pages[0].extract_text().split())  # the band sets it in capitals
    assert "The third paper" in text and "The second paper" not in text and "A sample paper" not in text
    first = PdfReader(pdf_path(config, "fr", "volume-1"))
    assert first.metadata.title == "FR A test series — Volume 1\u00a0: notes 1 à 2"


@pytest.mark.slow
def test_the_parts_are_e_books_too_named_alike(parted):
    config, _, epubs = parted
    assert epub_path(config, "en", "volume-2") in epubs.written and not epub_path(config, "fr", "volume-2").exists()
    from zipfile import ZipFile

    package = ZipFile(epub_path(config, "en", "volume-1")).read("EPUB/package.opf").decode("utf-8")
    assert "<dc:title" in package and "A test series — Volume 1: papers 1–2" in package


@pytest.mark.slow
def test_the_home_page_links_each_published_part_with_its_name(parted):
    config, _, _ = parted
    english = (site_folder(config) / "en" / "index.html").read_text("utf-8")
    assert '<span class="volume-name" id="volume-1_name">Volume 1: papers 1–2</span>' in english
    assert 'aria-labelledby="volume-2_name volume-2_pdf">PDF</a>' in english  # named with its part
    assert 'href="../en/volume-2.pdf" type="application/pdf"' in english
    assert 'href="../en/volume-2.epub" type="application/epub+zip"' in english
    assert "volume.pdf" not in english
    french = (site_folder(config) / "fr" / "index.html").read_text("utf-8")
    assert "Volume 1\u00a0: notes 1 à 2" in french and "volume-2." not in french  # held back: not linked


@pytest.mark.slow
def test_one_changed_paper_costs_its_pdf_and_its_one_part(parted, tmp_path):
    root = shutil.copytree(parted[0].root, tmp_path / "copy")
    config = load_config(root / "setup.cfg")
    source = config.papers_dir / "third.md"
    source.write_text(source.read_text("utf-8").replace("long enough", "just long enough"), "utf-8")
    pending = {f"{job.language}/{job.slug}" for job in plan_pdfs(Project(config), ("en",)).pending}
    assert pending == {"en/third", "en/volume-2"}


@pytest.mark.slow
def test_a_changed_paper_is_laid_out_here_while_its_part_is_in_a_process_of_its_own(parted, tmp_path, monkeypatch):
    root = shutil.copytree(parted[0].root, tmp_path / "copy")
    config = load_config(root / "setup.cfg")
    source = config.papers_dir / "third.md"
    source.write_text(source.read_text("utf-8").replace("long enough", "just long enough"), "utf-8")
    here, real = [], pdf_plan.render_job
    monkeypatch.setattr(pdf_plan, "render_job", lambda config, job, html: here.append(job.slug) or real(
        config, job, html))
    done = build_pdfs(Project(config), ("en",), workers=2)
    assert here == ["third"]  # the part went to a process of its own: it cannot call this process's function
    assert sorted(path.name for path in done.written) == ["third.pdf", "volume-2.pdf"]
    assert "just long enough" in "".join(page.extract_text() for page in PdfReader(pdf_path(config, "en", "volume-2"))
                                         .pages)


@pytest.mark.slow
def test_cutting_the_series_anew_withdraws_the_volumes_it_no_longer_has(tmp_path):
    config = load_config(_parted(tmp_path, volume_size=None) / "setup.cfg")
    build_pdfs(Project(config), ("en",), workers=1)
    assert pdf_path(config, "en", "volume").is_file()
    report = build_pdfs(Project(dataclasses.replace(config, volume_size=2)), ("en",), workers=1)
    withdrawn = {w.path.name: w.reason for w in report.withdrawn}
    assert withdrawn == {"volume.pdf": "the series is cut into other volumes (volume_size in setup.cfg, "
                                      "or papers added or removed)"}
    assert pdf_path(config, "en", "volume-1").is_file() and pdf_path(config, "en", "volume-2").is_file()


def test_a_volume_size_that_is_no_number_stops_the_build_naming_setup_cfg_and_its_line(run, project):
    setup = project / "setup.cfg"
    setup.write_text(setup.read_text("utf-8") + "volume_size = twenty\n", "utf-8")
    result = run("build", "pdf")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "Error: setup.cfg:5: [library] volume_size: expected a whole number of papers" in result.output


@pytest.mark.java
@pytest.mark.slow
def test_a_part_conforms_to_pdf_ua_and_passes_epubcheck(parted, tmp_path):
    config, _, _ = parted
    parts = [pdf_path(config, language, "volume-1") for language in ("en", "fr")]
    failures = {path: found for path, found in validate_pdfs(parts, PDF_PROFILE).items() if found}
    assert not failures, failures
    parts_published = (("en", "volume-1"), ("en", "volume-2"), ("fr", "volume-1"))
    books = [epub_path(config, language, slug) for language, slug in parts_published]
    found = epubcheck_messages(books, tmp_path)
    assert all(messages == [] for messages in found.values()), {p.name: m for p, m in found.items() if m}


# --- the pace and the pool ----------------------------------------------------------------


# Renders the French volume of the project at sys.argv[1] with WeasyPrint's own pace or the library's; prints its hash.
_RENDER = """
import contextlib, hashlib, sys
from pathlib import Path
from library.core.config import load_config
from library.model.project import Project
from library.outputs.pdf.plan import plan_pdfs
from library.outputs.pdf.pace import paced
from library.outputs.pdf.typeset import job_html, render_job
config = load_config(Path(sys.argv[1]) / "setup.cfg")
project = Project(config)
job = next(job for job in plan_pdfs(project, ("fr",)).jobs if job.slug == "volume")
# "paced": the collector paused too, as for a long volume (this one is short)
pace = {"pace": lambda long: paced(True)} if sys.argv[2] == "paced" else {"pace": contextlib.nullcontext}
pdf, pages = render_job(config, job, job_html(project, job), **pace)
print(hashlib.sha256(pdf).hexdigest(), max(pages.values()))
"""


@pytest.mark.slow
def test_the_paced_layout_gives_the_same_bytes_as_weasyprints_own_on_the_real_volume(real_library):
    # Each in a process of its own, as a build renders: the same state before either render.
    def render(pace: str) -> str:
        done = subprocess.run([sys.executable, "-c", _RENDER, str(real_library.root), pace], check=True,
                              capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1646092800"})
        return done.stdout

    paced = render("paced")
    assert paced == render("plain") and int(paced.split()[1]) >= 20  # the French volume, whole


def test_never_two_volumes_at_once_and_papers_beside_one():
    def job(slug):
        return pdf_plan.PdfJob("fr", slug, Path(f"{slug}.pdf"), 100.0, False, "0" * 64)

    waiting = [job("volume-1"), job("volume-2"), job("a"), job("b")]
    assert pdf_plan._next_job(waiting, volume_running=False).slug == "volume-1"
    assert pdf_plan._next_job(waiting, volume_running=True).slug == "a"
    assert pdf_plan._next_job(waiting, volume_running=True).slug == "b"
    assert pdf_plan._next_job(waiting, volume_running=True) is None  # volume-2 waits for the first to end
    assert pdf_plan._next_job(waiting, volume_running=False).slug == "volume-2"


def test_a_lane_s_fresh_worker_starts_only_once_the_one_before_has_exited():
    import multiprocessing

    lane = pdf_plan.Lane(multiprocessing.get_context("spawn"), renew_after=2)
    try:
        first = [lane.submit(os.getpid).result() for _ in range(2)]
        assert first[0] == first[1]  # two jobs, one worker
        with pytest.raises(ProcessLookupError):  # the third job's worker finds the first one gone
            lane.submit(os.kill, first[0], 0).result()
        assert lane.submit(os.getpid).result() not in first
    finally:
        lane.shutdown()


def test_one_or_two_papers_are_laid_out_in_the_command_s_own_process():
    def job(slug):
        return pdf_plan.PdfJob("fr", slug, Path(f"{slug}.pdf"), 100.0, False, "0" * 64)

    assert pdf_plan._in_process([job("a"), job("b")])
    assert pdf_plan._in_process([job("volume")])
    assert not pdf_plan._in_process([job("a"), job("volume-1")])
    assert not pdf_plan._in_process([job("a"), job("b"), job("c")])


def test_planning_lists_the_papers_images_once_whatever_the_number_of_pdfs(config, monkeypatch):
    walks = []
    original = Path.rglob

    def counted(self, pattern, *args, **kwargs):
        walks.append(pattern)
        return original(self, pattern, *args, **kwargs)

    monkeypatch.setattr(Path, "rglob", counted)
    plan = plan_pdfs(Project(config))
    assert len(plan.jobs) + len(plan.refused) >= 6 and walks.count("images/*") == 1
