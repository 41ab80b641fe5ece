"""Citations: the page's metadata, the cite block and the files, read back by reference managers' own parsers."""
from __future__ import annotations

import dataclasses
import json
import re

import bibtexparser
import extruct
import pytest
import rispy
from citeproc import Citation as CiteprocCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from pages import Page, text
from projects import REAL_SITE_URL as SITE_URL
from projects import prefixed, translate_catalogs

from library.core.errors import SourceError
from library.core.paths import site_folder
from library.model.project import Project
from library.outputs.citations.files import build_citations
from library.outputs.site.html import build_html
from library.sources.papers import load_paper

LANGUAGES = ("en", "fr", "es")


@pytest.fixture(scope="module")
def real_site(real_site_at_url):
    """The real library with site_url set, its site and citation files built, its English IMRF paper's PDF published."""
    project = Project(real_site_at_url)
    return real_site_at_url, [paper.slug for paper in project.briefings], project


def _extracted(config, language: str, slug: str) -> dict:
    path = site_folder(config) / language / f"{slug}.html"
    return extruct.extract(path.read_text("utf-8"), base_url=SITE_URL + f"{language}/{slug}.html",
                           syntaxes=["json-ld", "dublincore"], uniform=False)


def _meta(config, language: str, slug: str) -> dict[str, list[str]]:
    page = Page(site_folder(config) / language / f"{slug}.html")
    found: dict[str, list[str]] = {}
    for meta in page.all("meta"):
        if meta.get("name"):
            found.setdefault(meta.get("name"), []).append(meta.get("content"))
    return found


def test_every_paper_page_describes_itself_as_a_report_in_its_language(real_site):
    config, slugs, project = real_site
    for slug in slugs:
        for language in LANGUAGES:
            (report,) = _extracted(config, language, slug)["json-ld"]
            title = project.translation(slug, language).by_id()["title"]
            assert report["@type"] == "Report" and report["inLanguage"] == language
            assert report["url"] == SITE_URL + f"{language}/{slug}.html" and report["name"] == re.sub(
                r"[*_`]", "", title.text)
            series = project.translation(project.series_slug, language).by_id()["title"].text
            assert report["isPartOf"] == {"@type": "CreativeWorkSeries", "name": series}
            assert report["publisher"]["name"] == report["author"][0]["name"]  # the publisher stands for the author
            assert report["datePublished"] == project.paper(slug).meta.date.isoformat()
            if language == "en":  # the original names its translations, each names the original
                assert [(t["inLanguage"], t["url"]) for t in report["workTranslation"]] == [
                    (code, SITE_URL + f"{code}/{slug}.html") for code in ("fr", "es")]
            else:
                assert report["translationOfWork"]["url"] == SITE_URL + f"en/{slug}.html"
                assert report["translationOfWork"]["inLanguage"] == "en"


def test_highwire_and_dublin_core_say_the_same(real_site):
    config, slugs, _ = real_site
    meta = _meta(config, "fr", "what-is-the-imrf")
    assert meta["citation_author"] == ["Bureau Quaker auprès des Nations Unies"] == meta["DC.creator"]
    assert meta["citation_publication_date"] == ["2022/04/05"] and meta["DC.date"] == ["2022-04-05"]
    assert meta["citation_language"] == ["fr"] == meta["DC.language"]
    assert meta["citation_technical_report_number"] == ["1"]
    assert meta["citation_technical_report_institution"] == meta["citation_publisher"] == meta["DC.publisher"]
    assert meta["citation_title"] == meta["DC.title"] and len(meta["citation_keywords"]) == 6
    assert "citation_pdf_url" not in meta  # the French PDF is not published in this build
    english = _meta(config, "en", "what-is-the-imrf")
    assert english["citation_pdf_url"] == [SITE_URL + "en/what-is-the-imrf.pdf"]
    dublin = _extracted(config, "es", "what-is-the-imrf")["dublincore"][0]
    names = {element["name"]: element["content"] for element in dublin["elements"]}
    assert names["DC.language"] == "es" and names["DC.title"].startswith("¿Qué es el Foro")
    assert {term["name"] for term in dublin["terms"]} >= {"DCTERMS.isPartOf", "DCTERMS.isVersionOf"}


def test_the_cite_block_is_in_the_readers_language(real_site):
    config, _, _ = real_site
    cite = Page(site_folder(config) / "fr" / "what-is-the-imrf.html").with_class("cite")[0]
    citation = text(cite.find(".//p[@class='citation']"))
    assert text(cite.find("h2")) == "Citer cette note"
    assert citation.startswith("Bureau Quaker auprès des Nations Unies. (2022). Qu’est-ce que le Forum")
    assert "(Note d’information Nᵒ\u00a01\u202f; Tenir la promesse" in citation  # French words and spacing
    assert citation.endswith(SITE_URL + "fr/what-is-the-imrf.html")
    spanish = text(Page(site_folder(config) / "es" / "what-is-the-imrf.html").with_class("citation")[0])
    assert "(Documento informativo No. 1; Cumplir la promesa" in spanish
    links = {a.get("href"): text(a) for a in cite.iter("a")}
    assert links == {"../cite/fr/what-is-the-imrf.bib": "BibTeX", "../cite/fr/what-is-the-imrf.ris": "RIS",
                     "../cite/fr/what-is-the-imrf.json": "CSL-JSON"}


def test_the_files_are_read_by_reference_managers_parsers(real_site):
    config, slugs, project = real_site
    folder = site_folder(config) / "cite"
    assert len(list(folder.rglob("*"))) - len(list(folder.rglob("*/"))) == len(slugs) * 3 * 3
    for slug in slugs:
        for language in LANGUAGES:
            (entry,) = bibtexparser.loads((folder / language / f"{slug}.bib").read_text("utf-8")).entries
            (record,) = rispy.loads((folder / language / f"{slug}.ris").read_text("utf-8"))
            (item,) = json.loads((folder / language / f"{slug}.json").read_text("utf-8"))
            number = str(project.paper(slug).meta.number)
            assert (entry["ENTRYTYPE"], record["type_of_reference"], item["type"]) == ("techreport", "RPRT", "report")
            assert entry["number"] == number and item["number"] == number
            assert [entry["url"]] == record["urls"] == [item["URL"]] == [SITE_URL + f"{language}/{slug}.html"]
            assert record["issn"] == number  # RIS's SN is a report's number (Zotero reads it so)
            assert record["language"] == item["language"] == language
            assert record["title"] == item["title"]
            assert entry["title"].strip("{}").replace("~", "\u00a0") in (item["title"], item["title"].replace(
                "\u202f", "\u00a0"))


def test_the_csl_json_renders_as_the_cite_block_does(real_site):
    """citeproc-py, as a reference manager's processor, reads the file back to the page's very citation."""
    config, _, _ = real_site
    source = CiteProcJSON(
        json.loads((site_folder(config) / "cite" / "es" / "what-is-the-imrf.json").read_text("utf-8"))
    )
    style = CitationStylesStyle(str(config.templates_dir / "csl" / "apa.csl"), locale="es-ES", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(CiteprocCitation([CitationItem("what-is-the-imrf-es")]))
    rendered = str(bibliography.bibliography()[0])
    shown = text(Page(site_folder(config) / "es" / "what-is-the-imrf.html").with_class("citation")[0])
    assert rendered.startswith("Oficina Cuáquera ante las Naciones Unidas. (2022). ¿Qué es el Foro")
    assert shown.split(" (Documento")[0] == rendered.split(" (Documento")[0]


def test_a_page_not_yet_published_cites_the_original_and_claims_nothing(project, config):
    build_html(Project(config))
    build_citations(Project(config))
    page = Page(site_folder(config) / "fr" / "sample.html")
    assert not [m for m in page.all("meta") if (m.get("name") or "").startswith(("citation_", "DC."))]
    assert not [s for s in page.all("script") if s.get("type") == "application/ld+json"]
    citation = page.with_class("citation")[0]
    assert citation.get("lang") == "en" and text(citation).startswith("Quaker United Nations Office. (2022). A sample")
    assert {a.get("href") for a in page.with_class("cite")[0].iter("a")} == {
        f"../cite/en/sample.{extension}" for extension in ("bib", "ris", "json")}
    assert sorted(p.name for p in (site_folder(config) / "cite").rglob("*.*")) == ["sample.bib", "sample.json",
                                                                                    "sample.ris"]


@pytest.mark.slow  # builds the site twice
def test_a_translation_the_gate_holds_back_loses_its_citation_files(project, config, run):
    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample", "series"))
    assert run("build", "html").exit_code == 0
    french = site_folder(config) / "cite" / "fr"
    assert sorted(path.name for path in french.iterdir()) == ["sample.bib", "sample.json", "sample.ris"]
    setup = project / "setup.cfg"
    setup.write_text(setup.read_text("utf-8").replace("threshold = 80", "threshold = 100") + "\n", "utf-8")
    translate_catalogs(config, "fr", lambda message: "" if message.id == "A table" else None, domains=("sample",))
    lines = run("build", "html").output.splitlines()
    assert "withdrew build/html/cite/fr/sample.bib: its paper is no longer published in that language" in lines
    assert not french.exists()


def test_authors_and_identifiers_from_the_front_matter(project, config):
    source = config.papers_dir / "sample.md"
    source.write_text(source.read_text("utf-8").replace(
        "keywords: [", "authors: [\"Ferris, Elizabeth\", Quaker United Nations Office]\ndoi: 10.5555/imrf.2022-1\n"
        "isbn: 978-0-306-40615-7\nkeywords: [", 1), "utf-8")
    build_html(Project(dataclasses.replace(config, site_url=SITE_URL)))
    build_citations(Project(dataclasses.replace(config, site_url=SITE_URL)))
    meta = _meta(config, "en", "sample")
    assert meta["citation_author"] == ["Ferris, Elizabeth", "Quaker United Nations Office"]
    assert meta["citation_doi"] == ["10.5555/imrf.2022-1"] and meta["citation_isbn"] == ["978-0-306-40615-7"]
    assert meta["DC.identifier"] == ["https://doi.org/10.5555/imrf.2022-1"]
    (report,) = _extracted(config, "en", "sample")["json-ld"]
    assert report["author"][0] == {"@type": "Person", "familyName": "Ferris", "givenName": "Elizabeth",
                                   "name": "Elizabeth Ferris"}
    assert report["identifier"]["value"] == "10.5555/imrf.2022-1"
    (entry,) = bibtexparser.loads((site_folder(config) / "cite" / "en" / "sample.bib").read_text("utf-8")).entries
    assert (
        entry["author"] == "Ferris, Elizabeth and {Quaker United Nations Office}"
        and entry["doi"] == "10.5555/imrf.2022-1"
    )
    citation = text(Page(site_folder(config) / "en" / "sample.html").with_class("citation")[0])
    assert citation.startswith("Ferris, E., & Quaker United Nations Office. (2022).") and "doi.org/10.5555" in citation


@pytest.mark.parametrize("field, value, message", [
    ("doi", "10.55/x", "front-matter field 'doi' must be a DOI like 10.1234/abc-5"),
    ("isbn", "978-0-306-40615-8", "front-matter field 'isbn' must be an ISBN-13 like 978-0-306-40615-7"),
    ("issn", "2049-3631", "front-matter field 'issn' must be an ISSN like 2049-3630"),
    ("authors", "Elizabeth Ferris", "front-matter field 'authors' must be a list of names"),
])
def test_a_bad_citation_field_is_refused_with_its_line(project, config, field, value, message):
    source = config.papers_dir / "sample.md"
    source.write_text(source.read_text("utf-8").replace("keywords: [", f"{field}: {value}\nkeywords: [", 1), "utf-8")
    with pytest.raises(SourceError, match=re.escape(message)) as raised:
        load_paper(source)
    assert raised.value.line == 11  # where the field was written


@pytest.mark.slow  # renders a PDF
def test_a_pdfs_xmp_says_what_its_page_says_in_dublin_core(project, config, run):
    from pypdf import PdfReader

    assert run("build", "pdf", "--lang", "en", "--paper", "sample").exit_code == 0
    build_html(Project(config))
    xmp = PdfReader(config.build_dir / "pdf" / "en" / "sample.pdf").xmp_metadata
    page = _meta(config, "en", "sample")
    assert [xmp.dc_title["x-default"]] == page["DC.title"] and xmp.dc_creator == page["DC.creator"]
    assert xmp.dc_language == page["DC.language"] and xmp.dc_publisher == page["DC.publisher"]
    assert [date.date().isoformat() for date in xmp.dc_date] == page["DC.date"]
    assert xmp.dc_subject == page["DC.subject"] and xmp.dc_type == ["Text"] and xmp.dc_format == "application/pdf"
