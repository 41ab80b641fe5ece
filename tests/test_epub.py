"""The EPUBs, read back: epubcheck and DAISY Ace judge them; the gate, the page list, languages, bytes."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from checkers import ace_violations, epubcheck_messages
from projects import PARTLY_FRENCH, partly_french, prefixed, translate_catalogs
from pypdf import PdfReader

from library.core.config import load_config
from library.core.paths import VOLUME, catalog_path, epub_path, pdf_path, site_folder
from library.model.manifest import Entry, read_manifest, write_manifest
from library.model.project import Project
from library.outputs.epub.books import build_epubs
from library.outputs.pdf.plan import build_pdfs
from library.outputs.site.html import build_html
from library.sources.markup import plain_text
from library.sources.pofiles import read_catalog
from library.sources.powriter import render_catalog

# Every book is made after the PDFs whose pages it lists: WeasyPrint runs in each of these tests.
pytestmark = pytest.mark.slow

X, OPS, OPF, DC = (
    "{http://www.w3.org/1999/xhtml}",
    "{http://www.idpf.org/2007/ops}",
    "{http://www.idpf.org/2007/opf}",
    "{http://purl.org/dc/elements/1.1/}",
)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The test papers, French partly translated (threshold 0), with their PDFs and EPUBs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1646092800")
        config = partly_french(tmp_path_factory.mktemp("epub"), PARTLY_FRENCH)
        build_pdfs(Project(config), workers=1)
        report = build_epubs(Project(config))
    assert len(report.written) == 9 and not report.refused  # sample, series and volume in three languages
    return config


@pytest.fixture(scope="module")
def real_epubs(real_library) -> list[Path]:
    """Every EPUB of the real library, with the PDFs whose pages they list, in the shared build."""
    build_pdfs(Project(real_library))
    report = build_epubs(Project(real_library))
    books = sorted([*report.written, *report.unchanged])
    assert not report.refused and len(books) == len(real_library.all_languages) * 6  # 4 papers, series, volume
    return books


class Book:
    """An EPUB opened: its files, its package document and its content documents, parsed."""

    def __init__(self, path: Path) -> None:
        self.path, self.zip = path, zipfile.ZipFile(path)

    def read(self, name: str) -> bytes:
        return self.zip.read(f"EPUB/{name}")

    def document(self, name: str) -> ET.Element:
        return ET.fromstring(self.read(name))

    @property
    def package(self) -> ET.Element:
        return ET.fromstring(self.read("package.opf"))

    def metadata(self, name: str) -> list[str]:
        return [meta.text for meta in self.package.iter(f"{OPF}meta") if meta.get("property") == name]

    @property
    def spine(self) -> list[str]:
        hrefs = {item.get("id"): item.get("href") for item in self.package.iter(f"{OPF}item")}
        return [hrefs[ref.get("idref")] for ref in self.package.iter(f"{OPF}itemref")]

    def nav(self, kind: str) -> ET.Element:
        return next(
            nav for nav in self.document("contents_page.xhtml").iter(f"{X}nav") if nav.get(f"{OPS}type") == kind
        )

    def target(self, href: str) -> ET.Element | None:
        name, _, anchor = href.partition("#")
        return next((e for e in self.document(name).iter() if e.get("id") == anchor), None)


def _book(config, language: str, slug: str, draft: bool = False) -> Book:
    return Book(epub_path(config, language, slug, draft))


def _words(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


# The outside judges ---------------------------------------------------------------------------


@pytest.mark.java
def test_every_epub_of_the_real_library_passes_epubcheck_without_error_or_warning(real_epubs, tmp_path):
    found = epubcheck_messages(real_epubs, tmp_path)
    assert all(messages == [] for messages in found.values()), {path.name: m for path, m in found.items() if m}


@pytest.mark.java
def test_the_partly_translated_books_with_every_kind_of_block_pass_epubcheck(built, tmp_path):
    books = sorted(path for path in (built.build_dir / "epub").rglob("*.epub"))
    found = epubcheck_messages(books, tmp_path)
    assert len(books) == 9 and all(m == [] for m in found.values()), {p.name: m for p, m in found.items() if m}


@pytest.mark.java
def test_epubcheck_names_what_is_wrong(built, tmp_path):
    # The judge can fail: a book whose mimetype entry is compressed, and whose contents link nowhere.
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(_book(built, "en", "sample").path) as good, zipfile.ZipFile(broken, "w") as bad:
        for info in good.infolist():
            data = good.read(info)
            if info.filename.endswith("contents_page.xhtml"):
                data = data.replace(b'href="sample.xhtml#a-list"', b'href="sample.xhtml#nowhere"')
            bad.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    messages = "\n".join(epubcheck_messages([broken], tmp_path / "reports")[broken])
    assert "ERROR(PKG-007)" in messages  # the mimetype entry
    assert re.search(r"ERROR\(RSC-012\) EPUB/contents_page.xhtml:\d+:\d+: Fragment identifier is not defined", messages)


@pytest.mark.browser
def test_daisy_ace_finds_no_violation_in_the_volumes_and_the_partly_translated_sample(real_epubs, built, tmp_path):
    books = [path for path in real_epubs if path.stem == VOLUME] + [_book(built, "fr", "sample").path]
    for number, path in enumerate(books):
        violations = ace_violations(path, tmp_path / str(number))
        assert violations == [], f"{path.parent.name}/{path.name}: {violations}"


# The container and the package ---------------------------------------------------------------


def test_the_mimetype_comes_first_stored_and_every_entry_has_one_time(built):
    entries = _book(built, "fr", VOLUME).zip.infolist()
    first = entries[0]
    assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
    assert _book(built, "fr", VOLUME).zip.read("mimetype") == b"application/epub+zip"
    assert {entry.date_time for entry in entries} == {(2022, 3, 1, 0, 0, 0)}  # SOURCE_DATE_EPOCH
    assert [e.filename for e in entries][1:3] == ["META-INF/container.xml", "EPUB/package.opf"]


def test_the_package_carries_the_accessibility_metadata_of_epub_accessibility_1_1(built):
    book = _book(built, "fr", "sample")
    assert book.metadata("schema:accessMode") == ["textual", "visual"]  # the sample has an image, described
    assert book.metadata("schema:accessModeSufficient") == ["textual"]
    assert set(book.metadata("schema:accessibilityFeature")) >= {
        "tableOfContents", "structuralNavigation", "readingOrder", "pageNavigation", "alternativeText"}
    assert book.metadata("schema:accessibilityHazard") == ["none"]
    assert book.metadata("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert book.metadata("a11y:certifiedBy") == ["Quaker United Nations Office"]
    # The summary says what the book offers, that untranslated passages are English, and where pages lead;
    # the test project's interface is not translated, so its sentences are English, and say so.
    summaries = [m for m in book.package.iter(f"{OPF}meta") if m.get("property") == "schema:accessibilitySummary"]
    assert len(summaries) == 3 and {m.get(XML_LANG) for m in summaries} == {"en"}
    assert "shown in English" in summaries[1].text and "printed edition (PDF)" in summaries[2].text
    source = book.package.find(f".//{DC}source")
    refinement = next(m for m in book.package.iter(f"{OPF}meta") if m.get("refines") == f"#{source.get('id')}")
    assert (refinement.get("property"), refinement.text) == ("source-of", "pagination")
    assert book.package.find(f".//{DC}language").text == "fr" and book.package.get(XML_LANG) == "fr"


def test_the_real_library_says_its_accessibility_in_the_books_language(real_epubs):
    book = Book(next(path for path in real_epubs if path.parent.name == "es" and path.stem == VOLUME))
    summaries = [m for m in book.package.iter(f"{OPF}meta") if m.get("property") == "schema:accessibilitySummary"]
    assert [m.get(XML_LANG) for m in summaries] == [None, None]  # Spanish, as the book; nothing left in English
    assert summaries[0].text.startswith("Esta publicación cumple los requisitos de accesibilidad de las WCAG 2.1")
    assert book.package.find(f".//{DC}title").text == "Cumplir la promesa del Pacto Mundial: justicia migratoria"


def test_the_cover_is_an_image_for_shelves_and_a_page_of_text_first(built):
    book = _book(built, "fr", "sample")
    cover = next(item for item in book.package.iter(f"{OPF}item") if item.get("properties") == "cover-image")
    assert cover.get("media-type") == "image/png" and book.read(cover.get("href")).startswith(b"\x89PNG")
    assert book.spine[:2] == ["cover_page.xhtml", "contents_page.xhtml"]
    page = book.document("cover_page.xhtml")
    assert _words(page.find(f".//{X}h1")) == "FR A sample paper: every kind of block"
    assert "Français" in _words(page) and "A test series" in _words(page)  # the series band, in English: untranslated


# Navigation: contents, landmarks, the printed edition's pages --------------------------------


def test_the_contents_lead_to_every_section_of_every_paper_of_the_volume(built):
    book = _book(built, "en", VOLUME)
    links = [a.get("href") for a in book.nav("toc").iter(f"{X}a")]
    project = Project(built)
    expected = []
    for paper in (project.series, *project.briefings):
        headings = [s for s in project.translation(paper.slug, "en").segments if s.segment.role == "heading"
                    and paper.blocks[s.segment.block].level == 2]
        expected += [f"{paper.slug}.xhtml#{paper.slug}--title"]
        expected += [f"{paper.slug}.xhtml#{paper.slug}--{heading.segment.id}" for heading in headings]
    assert links == expected
    assert all(book.target(href) is not None for href in links)
    landmarks = {a.get(f"{OPS}type"): a.get("href") for a in book.nav("landmarks").iter(f"{X}a")}
    assert landmarks == {"cover": "cover_page.xhtml", "toc": "#contents_title", "bodymatter": "series.xhtml"}


def test_the_page_list_leads_to_where_each_printed_page_begins(real_epubs, real_library):
    # pypdf reads the PDF's pages: each page of the list leads to a passage whose first words are
    # printed on that page (or, where no passage begins on it, to the one that runs across it).
    book = Book(next(path for path in real_epubs if path.parent.name == "fr" and path.stem == VOLUME))
    pdf = PdfReader(pdf_path(real_library, "fr", VOLUME))
    printed = [" ".join(re.sub(r"-\n", "", page.extract_text()).split()) for page in pdf.pages]
    starting = set(read_manifest(real_library, "pdf")["fr/volume"].pages.values())  # pages a passage starts on
    entries = [(int(_words(a)), a.get("href")) for a in book.nav("page-list").iter(f"{X}a")]
    assert [number for number, _ in entries] == list(range(1, len(entries) + 1)) and len(entries) >= len(pdf.pages) - 1
    for number, href in entries:
        marker = book.target(href)
        assert marker.get("role") == "doc-pagebreak" and marker.get(f"{OPS}type") == "pagebreak"
        assert marker.get("aria-label") == str(number)
        passage = _after(book, href)
        start = " ".join(_words(passage).split()[:3])
        pages_holding = [index + 1 for index, text in enumerate(printed) if start in text]
        if number in starting:
            assert number in pages_holding, (number, start, pages_holding)
        else:  # a passage that began earlier runs across the whole page
            assert max(p for p in pages_holding if p < number), (number, start, pages_holding)


def _after(book: Book, href: str) -> ET.Element:
    """The element a page's marker stands before."""
    name, _, anchor = href.partition("#")
    for parent in book.document(name).iter():
        children = list(parent)
        for index, child in enumerate(children):
            if child.get("id") == anchor:
                return next(c for c in children[index + 1:] if c.get("role") != "doc-pagebreak")
    raise AssertionError(href)


def test_without_a_pdf_a_book_has_no_page_list_and_claims_none(config):
    translate_catalogs(config, "fr", prefixed("FR "))
    build_epubs(Project(config), ("fr",), ("sample",))
    book = _book(config, "fr", "sample")
    assert "pageNavigation" not in book.metadata("schema:accessibilityFeature")
    assert book.package.find(f".//{DC}source") is None
    assert not [nav for nav in book.document("contents_page.xhtml").iter(f"{X}nav")
                if nav.get(f"{OPS}type") == "page-list"]


# Languages --------------------------------------------------------------------------------------


def test_every_passage_in_another_language_says_so_in_html_and_xml(built):
    book = _book(built, "fr", "sample")
    text = book.document("sample.xhtml")
    assert (text.get("lang"), text.get(XML_LANG), text.get("dir")) == ("fr", "fr", "ltr")
    english = [e for e in text.iter() if e.get("id") and e.get("lang") == "en"]
    french = [e for e in text.iter() if e.get("id") and e.get("lang") is None and _words(e).startswith("FR ")]
    assert english and french
    assert all(e.get(XML_LANG) == "en" for e in english)
    assert all(not _words(e).startswith("FR ") for e in english)  # only the untranslated ones
    heading = next(e for e in text.iter(f"{X}h2") if e.get("id") == "why-this-paper")
    assert _words(heading) == "FR Why this paper" and heading.get("lang") is None


def test_a_right_to_left_book_is_rtl_with_its_english_passages_left_to_right(run, project, tmp_path):
    setup = project / "setup.cfg"
    setup.write_text(setup.read_text("utf-8").replace("languages = fr es", "languages = fr ar"), "utf-8")
    config = load_config(setup)
    translate_catalogs(config, "ar", lambda message: {"A sample paper: every kind of block":
                                                      "ورقة نموذجية: كل أنواع الفقرات"}.get(message.id))
    result = run("build", "epub", "--lang", "ar", "--paper", "sample", "--draft")
    assert result.exit_code == 0, result.output
    book = _book(config, "ar", "sample", draft=True)
    assert book.package.get("dir") == "rtl"
    cover = book.document("cover_page.xhtml")
    assert (cover.get("lang"), cover.get("dir")) == ("ar", "rtl")
    assert _words(cover.find(f".//{X}h1")).endswith("ورقة نموذجية: كل أنواع الفقرات")
    english = [e for e in book.document("sample.xhtml").iter() if e.get("lang") == "en" and e.get("id")]
    assert english and all(e.get("dir") == "ltr" for e in english)
    if shutil.which("java"):
        assert epubcheck_messages([book.path], tmp_path)[book.path] == []


# The gate, drafts and withdrawals: the PDFs' -----------------------------------------------------


def test_the_gate_holds_back_drafts_and_withdraws_as_for_the_pdfs(run, project, config):
    held = run("build", "epub", "--lang", "fr", "--paper", "sample")
    assert held.exit_code == 0
    assert held.output.count("held back fr/sample: 0% translated, below the threshold of 80%\n") == 1
    assert held.output.endswith("0 written, 0 unchanged, 0 removed; 1 held back, 0 withdrawn\n")
    assert not epub_path(config, "fr", "sample").exists()
    strict = run("build", "epub", "--lang", "fr", "--paper", "sample", "--strict")
    assert strict.exit_code == 6 and "Error: 1 PDF held back by the gate (--strict)" in strict.output

    assert run("build", "epub", "--lang", "fr", "--paper", "sample", "--draft").exit_code == 0
    draft = _book(config, "fr", "sample", draft=True)
    mark = draft.document("cover_page.xhtml").find(f".//{X}p[@class='draft-mark']")
    # The figure in the book's language's format ("0 %", a no-break space); the words in English, as the
    # test project's interface is not translated.
    assert "".join(mark.itertext()).strip() == "Draft – 0\u00a0% translated"
    assert read_manifest(config, "epub")["fr/sample"].verdict == "draft"

    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample", "series"))
    published = run("build", "epub", "--lang", "fr", "--paper", "sample")
    assert "withdrew build/epub-draft/fr/sample.epub: replaced by the published EPUB" in published.output
    assert epub_path(config, "fr", "sample").is_file() and not draft.path.exists()

    translate_catalogs(config, "fr", lambda message: "", domains=("sample",))  # every translation gone
    withdrawn = run("build", "epub", "--lang", "fr", "--paper", "sample")
    assert ("withdrew build/epub/fr/sample.epub: held back: 0% translated, below the threshold of 80%"
            in withdrawn.output)
    assert not epub_path(config, "fr", "sample").exists() and read_manifest(config, "epub")["fr/sample"].verdict \
        == "refused"


SECOND_PAPER = """\
---
slug: second
number: 2
title: "A second paper nobody has translated"
subtitle: Added after the first
date: 2022-05-01
publisher: Quaker United Nations Office
summary: A paper added to the series later.
keywords: [growth]
---

## Its only section

Nothing of it is translated yet.
"""


def test_a_volume_holds_the_papers_that_pass_and_names_the_others(project, config):
    (project / "papers" / "second.md").write_text(SECOND_PAPER, "utf-8")
    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample", "series", "ui"))
    report = build_epubs(Project(config), ("fr",))
    assert [str(refusal) for refusal in report.refused] == [
        "fr/second: 0% translated, below the threshold of 80%"]
    book = _book(config, "fr", VOLUME)
    assert book.spine == ["cover_page.xhtml", "contents_page.xhtml", "series.xhtml", "sample.xhtml"]
    omitted = book.document("contents_page.xhtml").find(f".//{X}section[@class='contents-omitted']")
    assert _words(omitted).endswith("2. A second paper nobody has translated")
    assert omitted.find(f".//{X}li").get("lang") == "en"


# The site links them --------------------------------------------------------------------------------


def test_the_site_links_each_published_epub_beside_its_pdf_in_every_language(config):
    for language in config.all_languages:
        for slug in ("sample", VOLUME):
            path = epub_path(config, language, slug)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"PK epub " + language.encode())
    build_html(Project(config))
    site = site_folder(config)
    # A file in the EPUB folder is not a publication: the site follows the EPUB stage's manifest.
    assert "sample.epub" not in (site / "fr" / "sample.html").read_text("utf-8")
    write_manifest(config, "epub", {f"{language}/{slug}": Entry(language, slug, "published", 100.0, "x")
                                    for language in config.all_languages for slug in ("sample", VOLUME)})
    build_html(Project(config))
    for language in config.all_languages:
        paper = (site / language / "sample.html").read_text("utf-8")
        home = (site / language / "index.html").read_text("utf-8")
        assert f'<a href="../{language}/sample.epub" type="application/epub+zip">' in paper
        assert f'<a href="../{language}/volume.epub" type="application/epub+zip">' in home
        assert (site / language / "sample.epub").read_bytes() == b"PK epub " + language.encode()
    # The test project's interface is not translated: the link says so in English, tagged as English.
    french = (site / "fr" / "sample.html").read_text("utf-8")
    assert '<a href="../fr/sample.epub" type="application/epub+zip"><span lang="en">Download the e-book (EPUB)</span>' \
        in french


def test_the_server_sends_an_epub_as_one_even_where_the_system_knows_no_mime_types(config, monkeypatch):
    import mimetypes

    from library.serving.web import create_app

    (site_folder(config) / "fr").mkdir(parents=True)
    (site_folder(config) / "fr" / "sample.epub").write_bytes(b"PK epub")
    # Python's own table alone, as on a slim Debian without /etc/mime.types.
    monkeypatch.setattr(mimetypes, "knownfiles", [])
    monkeypatch.setattr(mimetypes, "_db", None)
    mimetypes.init()
    try:
        response = create_app(Project(config)).test_client().get("/fr/sample.epub", buffered=True)
    finally:
        monkeypatch.undo()
        mimetypes.init()
    assert response.status_code == 200 and response.mimetype == "application/epub+zip"
    assert response.headers.get("Content-Encoding") is None  # a zip already


def test_a_damaged_epub_manifest_stops_the_site_build_with_its_line(config, run):
    write_manifest(config, "epub", {"fr/sample": Entry("fr", "sample", "published", 100.0, "x")})
    manifest = config.build_dir / "epub" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:-20])
    result = run("build", "html")
    assert result.exit_code == 1 and result.stderr.startswith("Error: build/epub/manifest.json:")
    assert result.stderr.endswith("); run `library build epub` to render the EPUBs and write it again\n")


# Translations are untrusted -------------------------------------------------------------------------


def test_a_hostile_translation_is_text_and_a_link_into_the_site_keeps_only_its_words(config, tmp_path):
    hostile = {"Why this paper": "<script>alert(1)</script> [voir le site](/fr/index.html) [ici](#nowhere)",
               "A list": "Une [liste](#why-this-paper) & <b>gras</b>"}
    translate_catalogs(config, "fr", lambda message: hostile.get(message.id, f"FR {message.id}"),
                       domains=("sample", "series"))
    build_epubs(Project(config), ("fr",), ("sample",))
    book = _book(config, "fr", "sample")
    text = book.read("sample.xhtml").decode("utf-8")
    assert "<script" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; voir le site ici" in text
    assert "&lt;b&gt;gras&lt;/b&gt;" in text and '<a href="#why-this-paper">liste</a>' in text
    assert "/fr/index.html" not in text and "#nowhere" not in text
    if shutil.which("java"):
        assert epubcheck_messages([book.path], tmp_path)[book.path] == []


def test_an_image_an_epub_cannot_show_is_refused_with_its_line(run, project):
    paper = project / "papers" / "sample.md"
    shutil.copyfile(project / "papers" / "images" / "map.png", project / "papers" / "images" / "map.bmp")
    paper.write_text(paper.read_text("utf-8").replace("images/map.png", "images/map.bmp"), "utf-8")
    line = next(n for n, text in enumerate(paper.read_text("utf-8").splitlines(), 1) if "map.bmp" in text)
    result = run("build", "epub", "--lang", "en", "--paper", "sample")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"Error: papers/sample.md:{line}: image 'images/map.bmp': an EPUB shows only GIF, JPEG, JPG, PNG, SVG " \
           "images" in result.output


# Reproducible and incremental ----------------------------------------------------------------------


def test_two_builds_in_separate_processes_and_folders_are_byte_identical(project, tmp_path):
    shutil.copytree(project, tmp_path / "elsewhere" / "copy")
    books = []
    for seed, root in (("1", project), ("2", tmp_path / "elsewhere" / "copy")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1646092800"}
        subprocess.run([sys.executable, "-m", "library", "--config", str(root / "setup.cfg"), "build", "epub",
                        "--lang", "en"], env=env, check=True, capture_output=True)
        books.append({path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                      for path in sorted((root / "build" / "epub" / "en").glob("*.epub"))})
    assert books[0] == books[1] and len(books[0]) == 3


def test_a_changed_catalog_makes_again_only_the_books_of_its_language_that_use_it(built, tmp_path):
    shutil.copytree(built.root, tmp_path / "copy")  # a moved project keeps its books up to date
    config = dataclasses.replace(built, root=tmp_path / "copy", papers_dir=tmp_path / "copy" / "papers",
                                 locales_dir=tmp_path / "copy" / "locales",
                                 templates_dir=tmp_path / "copy" / "templates", build_dir=tmp_path / "copy" / "build")
    assert build_epubs(Project(config)).written == []
    _retranslate(config, "fr", "sample", "Why this paper", "FR Pourquoi cette note")
    report = build_epubs(Project(config))
    assert sorted(p.relative_to(config.build_dir).as_posix() for p in report.written) == [
        "epub/fr/sample.epub", "epub/fr/volume.epub"]
    _retranslate(config, "fr", "ui", "Contents", "Sommaire")
    report = build_epubs(Project(config))
    assert sorted(p.relative_to(config.build_dir).as_posix() for p in report.written) == [
        "epub/fr/sample.epub", "epub/fr/series.epub", "epub/fr/volume.epub"]


def _retranslate(config, language: str, domain: str, msgid: str, text: str) -> None:
    path = catalog_path(config, language, domain)
    catalog = read_catalog(path, language=language, domain=domain)
    catalog[msgid].string = text
    path.write_bytes(render_catalog(catalog, keep_python_format=domain == "ui"))


def test_the_cover_image_draws_the_same_words_as_the_cover_page(built):
    # The words of the image are those of the package and the cover page: the title, in the book's language.
    book = _book(built, "fr", "sample")
    title = book.package.find(f".//{DC}title").text
    assert title == plain_text("FR A sample paper: every kind of block")
    assert _words(book.document("cover_page.xhtml").find(f".//{X}h1")) == title
