"""A library that grows and shrinks: a copy of the real library gains a paper and two languages, then loses them.

Each phase runs the commands an editor would (extract, update, build) once, on a copy of the
library's own papers, catalogs and templates; the tests read what it left.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import msgfmt_check
from projects import DATA, REPOSITORY, catalog_of, copy_real_library, translate_catalogs

from library.cli import main
from library.model.manifest import read_pdf_manifest

NEW_PAPER = "after-the-forum"
NEW_LANGUAGES = ("pt", "ar")


class Library:
    """A copy of the real library and the output of each command run in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outputs: dict[str, str] = {}

    def run(self, *args: str, expect: int = 0) -> str:
        result = CliRunner().invoke(main, ["--config", str(self.root / "setup.cfg"), *args], catch_exceptions=False)
        assert result.exit_code == expect, result.output
        self.outputs[" ".join(args)] = result.output
        return result.output

    def page(self, path: str) -> str:
        return (self.root / "build" / "html" / path).read_text("utf-8")

    def set_languages(self, codes: str) -> None:
        setup = self.root / "setup.cfg"
        setup.write_text(re.sub(r"(?m)^languages = .*$", f"languages = {codes}", setup.read_text("utf-8")), "utf-8")


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> Library:
    """The real library with a fifth, untranslated paper and Portuguese and Arabic, extracted, updated, built."""
    root = copy_real_library(tmp_path_factory.mktemp("grown"), DATA / "growth" / f"{NEW_PAPER}.md")
    library = Library(root)
    library.set_languages("fr es " + " ".join(NEW_LANGUAGES))
    library.run("extract")
    library.run("update")
    library.run("build", "-v")  # -v: each index says how its words are analysed
    return library


@pytest.fixture(scope="module")
def shrunk(grown: Library, tmp_path_factory) -> Library:
    """The grown library after the editor took the fifth paper and Portuguese out again, and built."""
    root = tmp_path_factory.mktemp("shrunk") / "library"
    shutil.copytree(grown.root, root)
    library = Library(root)
    (root / "papers" / f"{NEW_PAPER}.md").unlink()
    library.set_languages("fr es ar")
    library.run("extract")
    library.run("update")
    library.run("build", "-v")  # -v: each index says how its words are analysed
    return library


# --- a new paper -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_new_paper_gets_a_catalog_in_every_language(grown):
    assert (grown.root / "locales" / f"{NEW_PAPER}.pot").is_file()
    for language in ("fr", "es", *NEW_LANGUAGES):
        path = grown.root / "locales" / language / "LC_MESSAGES" / f"{NEW_PAPER}.po"
        assert msgfmt_check(path).returncode == 0
        catalog = catalog_of(_config(grown), language, NEW_PAPER)
        assert catalog.get("After the Forum") is not None and not catalog.get("After the Forum").string


@pytest.mark.slow
def test_a_new_paper_is_published_in_english_and_held_back_elsewhere(grown):
    output = grown.outputs["build -v"]
    for language in ("fr", "es", *NEW_LANGUAGES):
        assert f"held back {language}/{NEW_PAPER}: 0% translated, below the threshold of 80%" in output
    assert f"held back en/{NEW_PAPER}" not in output
    built = grown.root / "build" / "pdf"
    assert (built / "en" / f"{NEW_PAPER}.pdf").is_file() and not (built / "fr" / f"{NEW_PAPER}.pdf").exists()
    english = grown.page(f"en/{NEW_PAPER}.html")
    assert f'href="../en/{NEW_PAPER}.pdf"' in english and (grown.root / "build/html/en" / f"{NEW_PAPER}.pdf").is_file()


@pytest.mark.slow
def test_the_site_lists_a_new_paper_honestly_in_other_languages(grown):
    home = grown.page("fr/index.html")
    assert "After the Forum" in home and "0\u00a0%" in home  # its figure, in French format
    page = grown.page(f"fr/{NEW_PAPER}.html")
    assert page.count("Pas encore traduit") >= 5 and 'lang="en"' in page
    assert f"{NEW_PAPER}.pdf" not in page  # held back: never linked


@pytest.mark.slow
def test_a_volume_holds_the_papers_that_pass_and_names_the_others(grown):
    from pypdf import PdfReader

    entry = read_pdf_manifest(_config(grown))["fr/volume"]
    assert list(entry.omitted) == [NEW_PAPER]
    text = " ".join(page.extract_text() for page in PdfReader(grown.root / "build/pdf/fr/volume.pdf").pages[:3])
    assert "Pas encore disponible" in text and "After the Forum" in text
    assert "Pas encore inclus" in grown.page("fr/index.html")


@pytest.mark.slow
def test_a_new_paper_is_searchable_in_every_language(grown):
    for language in ("en", "fr", "pt"):
        found = json.loads(grown.run("search", "momentum calendar", "--lang", language, "--json"))
        assert found["papers"] and found["papers"][0]["paper"] == NEW_PAPER


# --- a new language ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("language", NEW_LANGUAGES)
def test_a_new_language_gets_catalogs_with_its_own_plural_forms(grown, language):
    from babel.messages.plurals import get_plural

    for slug in ("ui", "series", NEW_PAPER):
        path = grown.root / "locales" / language / "LC_MESSAGES" / f"{slug}.po"
        assert msgfmt_check(path).returncode == 0
        catalog = catalog_of(_config(grown), language, slug)
        assert str(catalog.locale) == language and catalog.plural_forms == get_plural(language).plural_forms
    assert f"wrote locales/{language}/LC_MESSAGES/ui.po" in grown.outputs["update"]


@pytest.mark.slow
def test_a_new_language_has_pages_and_every_menu_offers_it(grown):
    for path in ("en/index.html", "fr/what-is-the-imrf.html", "es/index.html", "pt/index.html"):
        assert 'hreflang="pt"' in grown.page(path) or 'lang="pt"' in grown.page(path)
        assert '>Português</a>' in grown.page(path)
    assert (grown.root / "build/html/pt/what-is-the-imrf.html").is_file()


@pytest.mark.slow
def test_interface_strings_not_yet_translated_fall_back_to_english_marked(grown):
    page = grown.page("pt/what-is-the-imrf.html")
    assert '<span lang="en">Skip to content</span>' in page
    assert '<span lang="en">Not yet translated</span>' in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title and "&lt;" not in title and "What is the IMRF?" in title
    assert 'aria-label="Languages"' in page  # an attribute takes the text without its mark
    arabic = grown.page("ar/index.html")
    assert '<span lang="en" dir="ltr">Skip to content</span>' in arabic  # isolated in a right-to-left page
    french = grown.page("fr/index.html")
    assert "<span lang=\"en\"" not in french and "Aller au contenu" in french  # translated strings unmarked


@pytest.mark.slow
def test_a_new_language_is_indexed_with_the_analysis_it_has(grown):
    output = grown.outputs["build -v"]
    assert re.search(r"build/index/pt: .*\(Snowball stemmer\)", output), output
    assert re.search(r"build/index/ar: .*\(folded words", output), output


@pytest.mark.slow
def test_status_and_the_dashboard_show_a_new_language(grown):
    status = json.loads(grown.run("status", "--format", "json"))
    portuguese = [row for row in status["catalogs"] if row["language"] == "pt"]
    assert {row["paper"] for row in portuguese} >= {"ui", "series", NEW_PAPER}
    assert all(row["percent_translated"] == 0 for row in portuguese)
    dashboard = grown.page("dashboard/index.html")
    assert "pt/what-is-the-imrf.html" in dashboard and "ar/what-is-the-imrf.html" in dashboard


@pytest.mark.slow
def test_a_new_language_below_the_threshold_has_no_pdf_and_no_volume(grown):
    assert "held back pt/volume: no paper is translated up to the threshold of 80% yet" in grown.outputs["build -v"]
    assert not (grown.root / "build/pdf/pt").exists() or not list((grown.root / "build/pdf/pt").glob("*.pdf"))
    assert ".pdf" not in grown.page("pt/index.html")


# --- withdrawn means withdrawn -----------------------------------------------------------------


@pytest.mark.slow
def test_a_removed_paper_is_withdrawn_everywhere(shrunk):
    output = shrunk.outputs["build -v"]
    assert f"withdrew build/pdf/en/{NEW_PAPER}.pdf: its paper was removed" in output
    site = shrunk.root / "build" / "html"
    assert not list(site.rglob(f"{NEW_PAPER}*")) and "After the Forum" not in shrunk.page("fr/index.html")
    assert not any(NEW_PAPER in key for key in read_pdf_manifest(_config(shrunk)))
    found = json.loads(shrunk.run("search", "momentum calendar", "--json"))
    assert all(hit["paper"] != NEW_PAPER for hit in found["papers"])
    assert list(read_pdf_manifest(_config(shrunk))["fr/volume"].omitted) == []


@pytest.mark.slow
def test_a_removed_language_is_withdrawn_everywhere_but_its_catalogs_stay(shrunk):
    output = shrunk.outputs["build -v"]
    assert "withdrew build/index/pt: its language was removed from setup.cfg" in output
    site = shrunk.root / "build" / "html"
    assert not (site / "pt").exists() and not (shrunk.root / "build/index/pt").exists()
    assert "Português" not in shrunk.page("fr/index.html")
    assert (shrunk.root / "locales/pt/LC_MESSAGES/ui.po").is_file()  # a translator's work is never deleted
    assert (shrunk.root / "locales/fr/LC_MESSAGES" / f"{NEW_PAPER}.po").is_file()


@pytest.mark.slow
def test_a_pdf_the_gate_now_holds_back_is_withdrawn_and_unlinked(shrunk):
    """The French catalog of one paper falls below the threshold: its PDF goes, from the site and search too."""
    slug = "why-the-imrf-matters"
    path = shrunk.root / "locales/fr/LC_MESSAGES" / f"{slug}.po"
    text = path.read_text("utf-8")
    cut = re.sub(r'(?m)^msgstr "(.+)"$', 'msgstr ""', text)  # every one-line translation emptied
    path.write_text(cut, "utf-8")
    output = shrunk.run("build")
    assert f"withdrew build/pdf/fr/{slug}.pdf: held back: " in output
    assert not (shrunk.root / "build/pdf/fr" / f"{slug}.pdf").exists()
    assert not (shrunk.root / "build/html/fr" / f"{slug}.pdf").exists()
    assert f"{slug}.pdf" not in shrunk.page(f"fr/{slug}.html")
    found = json.loads(shrunk.run("search", "justice migratoire", "--lang", "fr", "--json"))
    passages = [passage for hit in found["papers"] for passage in hit["passages"]]
    assert any(f"fr/{slug}.html" in passage["path"] for passage in passages)
    assert all(f"{slug}.pdf" not in (passage["pdf_path"] or "") for passage in passages)


def test_an_unknown_language_is_refused_naming_the_line(tmp_path):
    shutil.copyfile(REPOSITORY / "setup.cfg", tmp_path / "setup.cfg")
    library = Library(tmp_path)
    library.set_languages("fr es xx")
    line = next(number for number, text in enumerate((tmp_path / "setup.cfg").read_text().splitlines(), 1)
                if text.startswith("languages ="))
    output = library.run("status", expect=3)
    assert re.fullmatch(rf"Error: \S*setup\.cfg:{line}: \[library\] languages: 'xx' is not a known language code\n",
                        output), output


def _config(library: Library):
    from library.core.config import load_config

    return load_config(library.root / "setup.cfg")



# --- a right-to-left language ------------------------------------------------------------------

ARABIC = {"A sample paper: every kind of block": "ورقة نموذجية: كل أنواع الفقرات", "Contents": "المحتويات"}


@pytest.mark.slow
def test_a_right_to_left_pdf_is_rtl_with_the_projects_arabic_font(run, project):
    from pypdf import PdfReader

    from library.core.config import load_config
    from library.core.paths import pdf_path

    setup = project / "setup.cfg"
    setup.write_text(setup.read_text("utf-8").replace("languages = fr es", "languages = fr ar"), "utf-8")
    config = load_config(setup)
    translate_catalogs(config, "ar", lambda message: ARABIC.get(message.id))
    result = run("build", "pdf", "--lang", "ar", "--paper", "sample", "--draft")
    assert result.exit_code == 0, result.output
    reader = PdfReader(pdf_path(config, "ar", "sample", draft=True))
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any(name.endswith("+Amiri") for name in fonts), fonts  # the Arabic title, in the project's font
    assert all(re.fullmatch(r"/[A-Z]{6}\+(Source-(Serif|Sans)-Pro|Amiri).*", name) for name in fonts), fonts
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "المحتويات" in text and "ورقة نموذجية" in text
