"""The PDFs, read back with pypdf: metadata, structure, fonts, the gate, drafts, safety, speed."""
from __future__ import annotations

import dataclasses
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import tinyhtml5
from fontTools.ttLib import TTFont
from projects import (
    EDITED_BEFORE,
    PARTLY_FRENCH,
    REPOSITORY,
    make_project,
    partly_french,
    prefixed,
    translate_catalogs,
    translate_then_edit_english,
)
from pypdf import PdfReader

from library.core.config import load_config
from library.core.errors import LibraryError
from library.core.paths import VOLUME, catalog_path, pdf_folder
from library.model.manifest import read_pdf_manifest
from library.model.project import Project
from library.model.translation import percent_label
from library.outputs.pdf.plan import build_pdfs, plan_pdfs
from library.outputs.pdf.typeset import FONT_FILES, ProjectFetcher, font_paths, job_html, project_uri, running_head
from library.sources.markup import plain_text
from library.sources.papers import load_papers
from library.sources.pofiles import read_catalog
from library.sources.powriter import render_catalog


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The test papers, French partly translated, rendered once: every PDF at or above 0%."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1646092800")
        config = partly_french(tmp_path_factory.mktemp("pdf"), PARTLY_FRENCH)
        report = build_pdfs(Project(config), workers=1)
    assert len(report.written) == 9 and not report.refused
    return config


def _pdf(config, language: str, slug: str, draft: bool = False) -> PdfReader:
    return PdfReader(pdf_folder(config, draft) / language / f"{slug}.pdf")


def _headings(html: str) -> list[str]:
    page = tinyhtml5.parse(html, namespace_html_elements=False)
    return [" ".join("".join(e.itertext()).split()) for e in page.iter() if re.fullmatch(r"h[1-6]", str(e.tag))]


def _outline_titles(items) -> list[str]:
    titles = []
    for item in items:
        if isinstance(item, list):
            titles += _outline_titles(item)
        else:
            titles.append(" ".join(item.title.split()))
    return titles


@pytest.mark.slow
def test_metadata_come_from_the_translated_front_matter(built):
    reader = _pdf(built, "fr", "sample")
    info = reader.metadata
    assert info.title == "FR A sample paper: every kind of block"
    assert info.author == "Quaker United Nations Office"  # not translated in this catalog: the English
    assert info.subject.startswith("A short paper used by the tests.")
    assert info["/Keywords"] == "testing, segments, Global Compact"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert info["/CreationDate"].startswith("D:20220301000000")


@pytest.mark.slow
def test_one_bookmark_per_heading(built):
    job = next(j for j in plan_pdfs(Project(built), ("fr",), ("sample",)).jobs)
    headings = _headings(job_html(Project(built), job))
    assert len(headings) >= 6
    assert _outline_titles(_pdf(built, "fr", "sample").outline) == headings


@pytest.mark.slow
def test_internal_links_reach_their_headings(built):
    reader = _pdf(built, "en", "sample")
    contents_page = reader.pages[1]
    links = [annotation.get_object() for annotation in contents_page.get("/Annots", [])]
    targets = {str(link["/Dest"]) for link in links if "/Dest" in link}
    assert targets == {"why-this-paper", "a-list", "a-table", "why-this-paper-2"}  # the contents' four entries
    assert targets <= set(reader.named_destinations)


@pytest.mark.slow
def test_the_page_map_places_every_segment_on_a_page(built):
    pages = read_pdf_manifest(built)["fr/sample"].pages
    count = len(_pdf(built, "fr", "sample").pages)
    assert pages["title"] == 1 and pages["why-this-paper"] >= 2  # the cover, then the contents and the text
    assert all(1 <= page <= count for page in pages.values())


@pytest.mark.slow
def test_fonts_are_the_projects_own_embedded_and_subset(built):
    reader = _pdf(built, "es", "volume")
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[font["/BaseFont"]] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert fonts and all(fonts.values())
    assert all(re.fullmatch(r"/[A-Z]{6}\+Source-(Serif|Sans)-Pro.*", name) for name in fonts), fonts


def test_every_character_of_every_catalog_has_a_glyph():
    """The body stack is Source Serif Pro, then Source Sans Pro (which has U+202F); headings are sans."""
    faces = {(family, style): TTFont(path).getBestCmap()
             for (family, _weight, style, *_), path in zip(FONT_FILES, font_paths(), strict=True) if _weight == 400}
    serif_stack = [faces["Source Serif Pro", "normal"], faces["Source Sans Pro", "normal"]]
    sans = faces["Source Sans Pro", "normal"]
    characters = set()
    for path in sorted((REPOSITORY / "locales").glob("*/LC_MESSAGES/*.po")):
        for message in read_catalog(path):
            for text in (*_texts(message.id), *_texts(message.string)):
                characters |= set(text)
    missing = sorted(c for c in characters if c not in "\n\t" and not any(ord(c) in cmap for cmap in serif_stack))
    assert missing == []
    assert sorted(c for c in characters if c not in "\n\t" and ord(c) not in sans) == []


def _texts(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value or "",)


@pytest.mark.slow
def test_a_volume_holds_every_paper_with_its_own_anchors(built):
    reader = _pdf(built, "en", "volume")
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "A test series" in text and "A sample paper: every kind of block" in text
    pages = read_pdf_manifest(built)["en/volume"].pages
    assert {"sample--title", "series--title", "sample--why-this-paper"} <= set(pages)
    assert pages["series--title"] <= pages["sample--title"]  # the series' introduction first


# The design: one cover, contents on the first text page, a volume without empty pages ------------


@pytest.mark.slow
def test_the_cover_carries_the_series_identity_and_no_page_number(built):
    cover = _pdf(built, "fr", "sample").pages[0].extract_text()
    for identity in ("FR A test series", "BRIEFING PAPER 1", "FR A sample paper: every kind of block", "1 mars 2022",
                     "Quaker United Nations Office", "Français"):
        assert identity in cover
    assert "Page" not in cover and "Contents" not in cover


@pytest.mark.slow
def test_a_paper_starts_its_text_on_the_page_of_its_contents(built):
    second = _pdf(built, "en", "sample").pages[1].extract_text()
    assert "Contents" in second and "The Global Compact for Safe, Orderly and Regular Migration" in second


@pytest.mark.slow
def test_a_volume_has_one_cover_one_contents_and_papers_that_follow_on(built):
    reader = _pdf(built, "en", "volume")
    texts = [page.extract_text() for page in reader.pages]
    assert [n for n, text in enumerate(texts, start=1) if "Contents" in text] == [2]
    assert sum(text.count("BRIEFING PAPER 1") for text in texts) == 1  # an opening heading, no second cover
    assert sum(text.count("What the segmenter must see") for text in texts) == 1
    pages = read_pdf_manifest(built)["en/volume"].pages
    series_ends = max(page for anchor, page in pages.items() if anchor.startswith("series--"))
    assert pages["sample--title"] == series_ends  # no page break left the end of the series page empty
    contents = [link.get_object() for link in reader.pages[1]["/Annots"]]
    targets = list(dict.fromkeys(str(link["/Dest"]) for link in contents))
    assert targets[0] == "series--title" and targets.index("sample--title") < targets.index("sample--why-this-paper")
    # Each entry's page number, after its leader, is the page of its heading.
    numbers = [int(line.split()[-1]) for line in texts[1].splitlines() if re.search(r"(\. ){3}.*\d$", line)]
    assert numbers == [pages[target] for target in targets]


def _top_line(page) -> list[tuple[str, float, float]]:
    """The text fragments in the page's top margin, with their x and y in points."""
    height = float(page.mediabox.height)
    fragments: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, *_):
        x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
        if text.strip() and y > height - 24 * 72 / 25.4:
            fragments.append((text, x, y))

    page.extract_text(visitor_text=visit)
    return fragments


@pytest.mark.slow
def test_a_long_running_head_is_cut_on_one_line_clear_of_the_draft_mark(run, project):
    config = _config_of(project)
    long_title = "FR " + "Un titre très long pour la tête de page, qui ne tiendrait pas sur une ligne " * 2
    translate_catalogs(config, "fr", lambda m: long_title if m.id == "A sample paper: every kind of block" else None,
                       domains=("sample",))
    assert run("build", "pdf", "--lang", "fr", "--paper", "sample", "--draft").exit_code == 0
    fragments = _top_line(_pdf(config, "fr", "sample", draft=True).pages[1])
    head = [f for f in fragments if not f[0].startswith("Draft")]
    mark = [f for f in fragments if f[0].startswith("Draft")]
    assert head and mark
    # One line, shortened after a whole word with an ellipsis, neither wrapped nor hyphenated.
    assert len({round(y) for _, _, y in head}) == 1
    shown = "".join(t for t, _, _ in head).strip()
    assert shown == running_head(long_title.strip()) and shown.endswith("une ligne…")
    head_box_right = (24 + 104) * 72 / 25.4  # the running head's margin box: from the left margin, 104 mm wide
    assert min(x for _, x, _ in mark) > head_box_right


@pytest.mark.slow
def test_each_page_but_the_cover_says_page_x_of_y(built):
    reader = _pdf(built, "en", "sample")
    total = len(reader.pages)
    assert "Page 1 of" not in reader.pages[0].extract_text()
    for number, page in enumerate(reader.pages[1:], start=2):
        assert f"Page {number} of {total}" in page.extract_text()


@pytest.mark.slow
def test_a_tagged_pdf_ua_file(built):
    reader = _pdf(built, "fr", "sample")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part" in xmp and re.search(r"pdfuaid:part[^0-9]{1,3}1", xmp)


# The publication gate and drafts --------------------------------------------------------------


def _french_sample_percent(config) -> str:
    paper = next(p for p in load_papers(config.papers_dir) if p.slug == "sample")
    return percent_label(Project(config).figure(paper.slug, "fr").percent)


@pytest.mark.slow
def test_a_paper_below_the_threshold_is_held_back_with_its_figure(run, project):
    translate_catalogs(_config_of(project), "fr", prefixed("FR ", PARTLY_FRENCH), domains=("sample", "series"))
    result = run("build", "pdf", "--lang", "fr", "--paper", "sample")
    assert result.exit_code == 0, result.output  # held back is reported, not a failure
    percent = _french_sample_percent(_config_of(project))
    assert f"held back fr/sample: {percent} translated, below the threshold of 80%\n" in result.output
    assert result.output.endswith("0 written, 0 unchanged, 0 removed; 1 held back, 0 withdrawn\n")
    assert not (pdf_folder(_config_of(project)) / "fr" / "sample.pdf").exists()
    strict = run("build", "pdf", "--lang", "fr", "--paper", "sample", "--strict")
    assert strict.exit_code == 6 and "Error: 1 PDF held back by the gate (--strict)" in strict.output
    assert run("build", "--strict", "pdf", "--lang", "fr", "--paper", "sample").exit_code == 6


def _config_of(project: Path):
    return load_config(project / "setup.cfg")


@pytest.mark.slow
def test_a_draft_is_marked_on_every_page_with_its_figure(run, project):
    config = _config_of(project)
    translate_catalogs(config, "fr", prefixed("FR ", PARTLY_FRENCH), domains=("sample", "series"))
    result = run("build", "pdf", "--lang", "fr", "--paper", "sample", "--draft")
    assert result.exit_code == 0, result.output
    reader = _pdf(config, "fr", "sample", draft=True)
    # The figure is formatted for the page's language: "21 %" in French, with a no-break space.
    mark = re.compile(rf"Draft – {_french_sample_percent(config)[:-1]}\u00a0% translated")
    assert len(reader.pages) >= 2 and all(mark.search(page.extract_text()) for page in reader.pages)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Not yet translated" in text  # the English fallbacks are marked
    assert not (pdf_folder(config) / "fr" / "sample.pdf").exists()  # a draft is never the published PDF


@pytest.mark.slow
def test_draft_leaves_papers_above_the_threshold_published_and_unmarked(run, project):
    result = run("build", "pdf", "--paper", "sample", "--draft")
    assert result.exit_code == 0, result.output
    config = _config_of(project)
    english = _pdf(config, "en", "sample")
    assert "Draft" not in " ".join(page.extract_text() for page in english.pages)
    assert (pdf_folder(config, draft=True) / "es" / "sample.pdf").is_file()
    assert not (pdf_folder(config, draft=True) / "en").exists()
    assert "nothing to draft" not in result.output
    english_only = run("build", "pdf", "--paper", "sample", "--lang", "en", "--draft")
    assert "no paper is below the threshold of 80%: nothing to draft, every PDF is published\n" in english_only.output


@pytest.mark.slow
def test_the_french_pdf_of_the_real_library_is_french(tmp_path):
    config = dataclasses.replace(load_config(REPOSITORY / "setup.cfg"), build_dir=tmp_path / "build")
    build_pdfs(Project(config), ("fr",), ("what-is-the-imrf",), workers=1)
    text = " ".join(page.extract_text() for page in _pdf(config, "fr", "what-is-the-imrf").pages)
    assert "Qu’est-ce que le Forum d’examen des migrations internationales" in text
    assert "Déclaration sur les progrès" in text and "Sommaire" in text
    assert "Progress Declaration" not in text and "Contents" not in text and "Not yet translated" not in text
    assert re.search(r"Page 2 (sur|de) \d+", text)


# Safety ---------------------------------------------------------------------------------------


def test_the_fetcher_refuses_everything_but_the_projects_files(config, tmp_path):
    fetcher = ProjectFetcher((config.templates_dir.resolve(),), config.root)
    (tmp_path / "outside.css").write_text("p {}", "utf-8")
    mount = project_uri(config, config.templates_dir)  # the folder-independent address of the templates
    for url in ("http://127.0.0.1:9/x.png", "https://example.org/x.css", f"file://{tmp_path}/outside.css",
                "file:///etc/passwd", f"file://{config.templates_dir}/../setup.cfg", "data:text/css,p{}",
                "ftp://example.org/x", f"{mount}/../setup.cfg", f"{mount}/../../../../etc/passwd"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    for url in ((config.templates_dir / "pdf" / "print.css").as_uri(), f"{mount}/pdf/print.css"):
        assert fetcher.fetch(url).read().startswith(b"/*")
    assert len(fetcher.refused) == 9 and not mount.startswith(config.root.as_uri())


@pytest.fixture
def spy_server():
    """A local HTTP server that records every request it gets."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server calls the handler by this name)
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_urls_in_a_catalog_are_never_fetched_or_attached(config, spy_server):
    base, requests = spy_server
    hostile = [f"![x]({base}/image.png)", f"[x]({base}/link)", "![y](file:///etc/passwd)",
               f'<img src="{base}/raw.png">', f'<link rel="attachment" href="{base}/a.txt">',
               f'<a rel="attachment" href="{base}/b.txt">b</a>', f"<object data='{base}/o'></object>"]
    counter = iter(range(10_000))
    translate_catalogs(config, "fr", lambda m: None if isinstance(m.id, tuple) else hostile[next(counter) % 7],
                       domains=("sample", "series"))
    report = build_pdfs(Project(dataclasses.replace(config, threshold=0)), ("fr",), ("sample",), workers=1)
    assert len(report.written) == 1 and requests == []
    reader = _pdf(config, "fr", "sample")
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert all("/FileAttachment" not in str(page.get("/Annots", "")) for page in reader.pages)


@pytest.mark.slow
def test_a_template_asking_for_a_foreign_url_fails_the_build(config, spy_server):
    base, requests = spy_server
    paper = config.templates_dir / "pdf" / "paper.html"
    paper.write_text(paper.read_text("utf-8").replace("{% block document %}",
                                                      f'{{% block document %}}<img src="{base}/spy.png" alt="">'),
                     "utf-8")
    with pytest.raises(LibraryError, match=f"en/sample.pdf: refused to load {base}/spy.png"):
        build_pdfs(Project(config), ("en",), ("sample",), workers=1)
    assert requests == []


# Reproducible and incremental -------------------------------------------------------------------


@pytest.mark.slow
def test_two_builds_in_separate_processes_are_byte_identical(project, tmp_path):
    outputs = []
    for seed in ("1", "2"):
        build_dir = tmp_path / f"build-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1646092800"}
        subprocess.run([sys.executable, "-c", _BUILD_ONE, str(project / "setup.cfg"), str(build_dir)], env=env,
                       check=True)
        outputs.append(hashlib.sha256((build_dir / "pdf" / "en" / "sample.pdf").read_bytes()).hexdigest())
    assert outputs[0] == outputs[1]


_BUILD_ONE = """
import dataclasses, sys
from pathlib import Path
from library.core.config import load_config
from library.model.project import Project
from library.outputs.pdf.plan import build_pdfs
config = dataclasses.replace(load_config(Path(sys.argv[1])), build_dir=Path(sys.argv[2]))
build_pdfs(Project(config), ("en",), ("sample",), workers=1)
"""


@pytest.mark.slow
def test_only_what_a_changed_catalog_feeds_is_rendered_again(built, tmp_path, monkeypatch):
    shutil.copytree(built.root, tmp_path / "copy")  # a moved project keeps its PDFs up to date
    copy = tmp_path / "copy"
    config = dataclasses.replace(built, root=copy, papers_dir=copy / "papers", locales_dir=copy / "locales",
                                 templates_dir=copy / "templates", build_dir=copy / "build")
    again = build_pdfs(Project(config), workers=1)
    assert again.written == [] and len(again.unchanged) == 9
    translate_catalogs(config, "es", prefixed("ES ", {"A table"}), domains=("sample",))
    first = build_pdfs(Project(config), workers=1)
    assert {p.parent.name for p in first.written} == {"es"} and len(first.unchanged) == 6
    path = catalog_path(config, "es", "sample")
    catalog = read_catalog(path, language="es", domain="sample")
    catalog["A list"].string = "Una lista"
    path.write_bytes(render_catalog(catalog, keep_python_format=False))
    changed = build_pdfs(Project(config), workers=1)
    assert sorted(p.relative_to(pdf_folder(config)).as_posix() for p in changed.written) == [
        "es/sample.pdf", "es/volume.pdf"]


@pytest.mark.slow
def test_search_results_link_to_the_pdf_page_of_their_passage(built):
    from library.outputs.search.engine import SearchEngine
    from library.outputs.search.index import build_index

    build_index(Project(built), ("en",))
    passage = SearchEngine().search(Project(built), "quoted paragraph", "en").papers[0].passages[0]
    pages = read_pdf_manifest(built)["en/sample"].pages
    assert passage.pdf_path == f"en/sample.pdf#page={pages[passage.anchor]}"


@pytest.mark.slow
def test_a_missing_image_fails_its_pdf_with_a_clear_message(config):
    (config.papers_dir / "images" / "map.png").unlink()
    with pytest.raises(LibraryError, match=r"en/sample.pdf: Failed to load image at '.*/papers/images/map.png'"):
        build_pdfs(Project(config), ("en",), ("sample",), workers=1)


@pytest.mark.slow
def test_every_passage_carries_its_language_for_hyphenation(built):
    job = next(j for j in plan_pdfs(Project(built), ("fr",), ("sample",)).jobs)
    page = tinyhtml5.parse(job_html(Project(built), job), namespace_html_elements=False)
    assert page.get("lang") == "fr"
    fallbacks = [e for e in page.iter() if "missing" in (e.get("class") or "").split()]
    assert fallbacks and all(e.get("lang") == "en" for e in fallbacks)
    translated = next(e for e in page.iter() if e.get("id") == "why-this-paper")
    assert translated.get("lang") is None  # French, as the document


@pytest.mark.slow
def test_an_outdated_passage_that_barely_changed_keeps_its_translation_marked_in_the_pdf(config):
    translate_then_edit_english(config)
    job = next(j for j in plan_pdfs(Project(config), ("fr",), ("sample",), draft=True).jobs)
    page = tinyhtml5.parse(job_html(Project(config), job), namespace_html_elements=False)
    kept = [e for e in page.iter() if "previous" in (e.get("class") or "").split()]
    assert len(kept) == 1 and kept[0].get("lang") is None  # French, as the document
    assert "".join(kept[0].itertext()).strip().endswith("FR " + EDITED_BEFORE.replace("*", ""))
    assert "Translation may be out of date" in "".join(kept[0].itertext())
    assert not list(kept[0].iter("a"))  # a PDF has no side-by-side view to link to


@pytest.mark.slow
def test_a_broken_pdf_template_is_reported_from_a_worker_without_a_traceback(run, project):
    paper = project / "templates" / "pdf" / "paper.html"
    paper.write_text(paper.read_text("utf-8").replace("{% block document %}", "{% block document %}{{ nowhere }}"),
                     "utf-8")
    result = run("build", "pdf", "--lang", "en", "--jobs", "2")
    assert result.exit_code == 7
    assert "Error: templates/pdf/paper.html: UndefinedError: 'nowhere' is undefined" in result.output
    assert "Traceback" not in result.output


# A library that grows ------------------------------------------------------------------------

SECOND_PAPER = """\
---
slug: second
number: 2
title: "A second paper nobody has translated"
subtitle: Added after the first
date: 2022-05-01
publisher: Quaker United Nations Office
summary: >-
  A paper added to the series later.
keywords: [growth]
---

## What is new

A paragraph only in English.
"""


@pytest.mark.slow
def test_a_volume_holds_the_papers_that_pass_and_names_the_others(tmp_path):
    project = make_project(tmp_path)
    (project / "papers" / "second.md").write_text(SECOND_PAPER, "utf-8")
    config = _config_of(project)
    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample", "series", "ui"))
    plan = plan_pdfs(Project(config), ("fr", "es"))
    refused = {f"{r.language}/{r.slug}" for r in plan.refused}
    assert refused == {"fr/second", "es/sample", "es/second", "es/series", "es/volume"}
    volume = next(job for job in plan.jobs if job.slug == "volume")
    assert (volume.language, volume.omitted, volume.draft) == ("fr", ("second",), False)
    html = job_html(Project(config), volume)
    contents = html.split('class="contents-omitted"', 1)[1].split("</ul>", 1)[0]
    assert "A second paper nobody has translated" in contents and 'lang="en"' in contents
    assert 'id="second--title"' not in html and 'id="sample--title"' in html
    # With --draft the volume holds every paper, and is a marked draft.
    drafted = next(job for job in plan_pdfs(Project(config), ("fr",), draft=True).jobs if job.slug == "volume")
    assert (drafted.omitted, drafted.draft) == ((), True)


@pytest.mark.slow
def test_workers_end_with_a_build_killed_mid_render(project):
    """kill -9 of `library build pdf` while its workers render: none of them outlives it by long."""
    import signal

    build = subprocess.Popen([sys.executable, "-m", "library", "--config", str(project / "setup.cfg"), "build", "pdf",
                              "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, workers = time.monotonic() + 60, set()
    while time.monotonic() < deadline and len(workers) < 2 and build.poll() is None:
        workers = {child for child in _children(build.pid) if "multiprocessing" in _command_line(child)}
        time.sleep(0.1)
    assert len(workers) >= 2, "the build never started its workers"
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and _alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists() and _alive(pid)]


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its new parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_a_pdf_that_lays_out_too_long_fails_with_its_name(config, monkeypatch):
    import weasyprint

    import library.outputs.pdf.typeset as typeset

    monkeypatch.setattr(typeset, "RENDER_SECONDS", 1)
    render = weasyprint.HTML.render

    def runaway(self, *args, **kwargs):
        time.sleep(3)  # a layout that would never end, as far as the limit can tell
        return render(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", runaway)
    with pytest.raises(LibraryError, match=r"^en/sample\.pdf: laying out took more than 1 s"):
        build_pdfs(Project(config), ("en",), ("sample",), workers=1)


# --- the real library's PDFs, as readers read them -------------------------------------------


@pytest.fixture(scope="module")
def real_pdfs(real_library) -> dict[tuple[str, str], Path]:
    """Every PDF of the real library by (language, slug), rendered once in the shared build (or found there)."""
    report = build_pdfs(Project(real_library))
    assert not report.refused
    return {(path.parent.name, path.stem): path for path in [*report.written, *report.unchanged]}


def _running_head(page) -> str:
    """The text of a page's top margin, where the running head is."""
    top, parts = float(page.mediabox.top) - 24 / 25.4 * 72, []

    def visit(text, cm, tm, font, size):
        if tm[5] * cm[3] + cm[5] > top:
            parts.append(text)
    page.extract_text(visitor_text=visit)
    return "".join(parts).strip()


def _titles(project: Project, language: str) -> set[str]:
    return {plain_text(project.translation(paper.slug, language).by_id()["title"].text) for paper in project.papers}


@pytest.mark.slow
def test_running_heads_are_cut_after_a_whole_word_never_inside_one(real_library, real_pdfs):
    project, heads = Project(real_library), set()
    for (language, _slug), path in real_pdfs.items():
        titles = _titles(project, language)
        for number, page in enumerate(PdfReader(path).pages[1:], start=2):
            head = _running_head(page)
            if head:  # the volume's contents page comes before any title to run
                assert head in {running_head(title) for title in titles}, (path, number, head)
                heads.add((language, head))
    shortened = {head for _language, head in heads if head.endswith("…")}
    assert len(shortened) >= 6  # the long French and Spanish titles are all shortened, at a word
    for _language, head in heads:
        title = next(title for title in _titles(project, _language) if title.startswith(head.removesuffix("…")))
        assert head == title or not title[len(head) - 1].isalnum()


def test_a_running_head_keeps_whole_words_and_fits_its_line():
    from library.outputs.pdf.typeset import RUNNING_HEAD_WIDTH_PT, _text_width

    long = "Mettre le Forum d’examen des migrations internationales au service de la justice en matière de migration"
    head = running_head(long)
    assert head.endswith("…") and _text_width(head) <= RUNNING_HEAD_WIDTH_PT
    assert long.startswith(head[:-1]) and long[len(head) - 1] == " "
    assert running_head("What is the IMRF?") == "What is the IMRF?"
    assert running_head("Anticonstitutionnellement" * 8) == "…"  # no word fits: no piece of one either


@pytest.mark.slow
def test_the_volume_opens_with_the_series_introduction(real_library, real_pdfs):
    project = Project(real_library)
    for language in real_library.all_languages:
        titles = [item.title for item in PdfReader(real_pdfs[(language, VOLUME)]).outline if not isinstance(item, list)]
        expected = [plain_text(project.translation(paper.slug, language).by_id()["title"].text)
                    for paper in (project.series, project.series, *project.briefings)]  # the cover's, then the parts
        assert titles == expected


def _text_lines(path: Path) -> list[str]:
    """The lines of text of a PDF after its cover, as a reader's copy gives them."""
    return [line.rstrip() for page in PdfReader(path).pages[1:] for line in page.extract_text().splitlines()
            if line.strip()]


@pytest.mark.slow
def test_copied_text_has_the_hyphens_readers_type(real_pdfs):
    for path in real_pdfs.values():
        text = "\n".join(_text_lines(path))
        assert "\u2010" not in text and "\u00ad" not in text, path
    french = " ".join(_text_lines(real_pdfs[("fr", "what-is-the-imrf")]))
    assert "change-t-il" in french  # a hyphen of the text, searchable as typed


@pytest.mark.slow
def test_hyphenation_is_limited_on_the_real_pdfs(real_pdfs):
    """At most about one line in ten ends cut, in each language's PDFs together (a two-page PDF alone is
    too few lines to say), and never three lines in a row anywhere."""
    lines, cut, runs = {}, {}, {}
    for (language, slug), path in real_pdfs.items():
        ends = [bool(re.search(r"\w-$", line)) for line in _text_lines(path)]
        lines[language], cut[language] = lines.get(language, 0) + len(ends), cut.get(language, 0) + sum(ends)
        runs[f"{language}/{slug}"] = max(map(len, "".join("h" if end else " " for end in ends).split()), default=0)
    shares = {language: cut[language] / lines[language] for language in lines}
    assert max(shares.values()) <= 0.1, shares
    assert max(runs.values()) <= 2, runs


def test_a_damaged_manifest_is_written_again_by_a_whole_pdf_build_and_refused_by_a_partial_one(config):
    manifest = config.build_dir / "pdf" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text('{"pdfs": [{"language": "fr", "slug"', "utf-8")
    whole = plan_pdfs(Project(config))
    assert whole.jobs and whole.pending == whole.jobs  # nothing of it is trusted: every PDF is rendered again
    with pytest.raises(LibraryError, match=r"manifest.json:1: the PDF manifest is damaged \(.*\); run `library build "
                                           r"pdf` to render the PDFs and write it again"):
        plan_pdfs(Project(config), ("fr",))


_COUNT_SUBPROCESSES = """
import sys
started = []
sys.addaudithook(lambda event, args: started.append(args[0]) if event == "subprocess.Popen" else None)
from library.outputs.pdf.typeset import import_weasyprint
import_weasyprint().HTML(string="<p>Migration justice</p>").write_pdf()
print(started)
"""


def test_weasyprint_is_imported_without_searching_for_its_libraries_names():
    # cffi would run ldconfig, gcc and ld for each Windows or macOS name WeasyPrint tries first.
    done = subprocess.run([sys.executable, "-c", _COUNT_SUBPROCESSES], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
