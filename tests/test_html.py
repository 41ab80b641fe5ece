from __future__ import annotations

import math

import pytest
from conftest import site_built_once, snapshot
from pages import Page, text
from projects import EDITED_AFTER, EDITED_BEFORE, prefixed, translate_catalogs, translate_then_edit_english

from library.core.config import Config
from library.core.errors import SourceError
from library.core.paths import site_folder
from library.model.manifest import PdfEntry, write_pdf_manifest
from library.model.project import Project
from library.outputs.render import body_tree
from library.outputs.site.html import build_html
from library.sources.papers import load_paper
from library.sources.segments import segment_paper

SAMPLE_IDS_IN_BODY = ("why-this-paper", "a-list", "a-table", "why-this-paper-2")


def _page(config, path: str) -> Page:
    return Page(site_folder(config) / path)


def _french_partly(config, fuzzy: frozenset[str] = frozenset()):
    """French: the title, the first heading and 'A list' translated; the rest missing."""
    translated = {"A sample paper: every kind of block", "Why this paper", "A list"}
    translate_catalogs(config, "fr", prefixed("FR ", translated), domains=("sample",), fuzzy=fuzzy)


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory) -> Config:
    """The test project's site, built once with no translation, for the tests that only read it."""
    return site_built_once(tmp_path_factory, "plain")


@pytest.fixture(scope="module")
def partly_french_site(tmp_path_factory) -> Config:
    """The site, built once, with French partly translated (_french_partly), for the tests that only read it."""
    return site_built_once(tmp_path_factory, "partly-french", _french_partly)


def test_every_language_gets_home_papers_side_by_side_views_and_error_pages(plain_site):
    site = site_folder(plain_site)
    built = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    expected = {"index.html", "_headers", "assets/site.css", "assets/site.js", "assets/search.js",
                "assets/front-door.js", "assets/icon.svg", "assets/images/map.png",
                "dashboard/index.html", "assets/fonts/serif-OFL.txt", "assets/fonts/sans-OFL.txt",
                *(f"assets/fonts/{face}.woff2" for face in ("serif-regular", "serif-italic", "serif-semibold",
                                                            "sans-regular", "sans-semibold"))}
    for language, others in (("en", ("fr", "es")), ("fr", ("en", "es")), ("es", ("en", "fr"))):
        expected |= {f"{language}/index.html", f"{language}/404.html", f"{language}/500.html",
                     f"{language}/search.html"}
        for slug in ("sample", "series"):
            expected |= {f"{language}/{slug}.html", *(f"{language}/{slug}/{other}.html" for other in others)}
            if language != "en":
                expected.add(f"dashboard/{language}/{slug}.html")  # the translators' preview
    assert built == expected  # the static search's index is a stage of its own


def test_a_changed_date_alone_renders_the_pages_that_show_it_again(config):
    build_html(Project(config))
    sample = config.papers_dir / "sample.md"
    sample.write_text(sample.read_text("utf-8").replace("date: 2022-03-01", "date: 2022-04-15"), "utf-8")
    changes = build_html(Project(config))
    page = site_folder(config) / "fr" / "sample.html"
    assert page in changes.written and 'datetime="2022-04-15"' in page.read_text("utf-8")


def test_a_second_build_writes_nothing_and_stale_pages_go(config):
    build_html(Project(config))
    site = site_folder(config)
    (site / "fr" / "old-paper.html").write_text("stale", "utf-8")
    before = snapshot(site)
    changes = build_html(Project(config))
    assert changes.written == [] and [p.name for p in changes.removed] == ["old-paper.html"]
    assert snapshot(site) == {k: v for k, v in before.items() if k != "fr/old-paper.html"}


def test_every_segment_has_the_same_id_in_every_language(partly_french_site):
    ids = [segment.id for segment in segment_paper(load_paper(partly_french_site.papers_dir / "sample.md"))]
    assert set(SAMPLE_IDS_IN_BODY) <= set(ids)
    for language in ("en", "fr", "es"):
        page = _page(partly_french_site, f"{language}/sample.html")
        for segment_id in ids:
            page.by_id(segment_id)  # exactly one element each
        assert page.root.get("lang") == language


def test_a_missing_translation_falls_back_to_english_and_says_so(partly_french_site):
    page = _page(partly_french_site, "fr/sample.html")
    translated = page.by_id("why-this-paper")
    assert text(translated) == "FR Why this paper" and page.language_of(translated) == "fr"
    assert not page.with_class("marker") or translated not in [page.parents[m] for m in page.with_class("marker")]
    missing = page.by_id("a-table")
    assert missing.get("lang") == "en" and "missing" in missing.get("class").split()
    marker = missing.find("span")
    assert marker.get("class") == "marker" and marker.get("lang") == "fr" and text(marker) == "Not yet translated"
    assert text(missing) == "Not yet translated A table"


def test_an_outdated_translation_is_marked_in_place(config):
    _french_partly(config, fuzzy=frozenset({"A list"}))
    build_html(Project(config))
    outdated = _page(config, "fr/sample.html").by_id("a-list")
    assert outdated.get("lang") == "en" and "fuzzy" in outdated.get("class").split()
    assert text(outdated) == "Translation out of date A list"  # the English, since the French may be wrong


def test_the_body_keeps_its_lists_quotes_table_image_and_code(plain_site):
    body = _page(plain_site, "en/sample.html").with_class("body")[0]
    lists = [(e.tag, len(e.findall("li")), e.get("start")) for e in body.iter() if e.tag in ("ul", "ol")]
    assert lists == [("ul", 3, None), ("ol", 2, None)]
    quote = body.find(".//blockquote")
    assert [text(p) for p in quote.findall("p")] == ["A quoted paragraph.", "A second quoted paragraph."]
    headers = body.findall(".//thead/tr/th")
    assert [(text(th), th.get("scope"), th.get("class")) for th in headers] == [
        ("Term", "col", None), ("Meaning", "col", "align-center")]
    rows = [[text(td) for td in tr.findall("td")] for tr in body.findall(".//tbody/tr")]
    assert rows == [["IMRF", "International Migration Review Forum"], ["GCM", ""]]
    image = body.find(".//figure/img")
    assert (image.get("src"), image.get("alt")) == ("../assets/images/map.png", "A map of the regions")
    assert text(body.find(".//pre/code")) == "code is not translated" and body.find(".//hr") is not None
    link = body.find(".//a")
    assert (link.get("href"), text(link)) == ("https://undocs.org/A/RES/73/195", "A/RES/73/195")


def test_the_tree_nests_blocks_as_the_markdown_does(config):
    translation = Project(config).translation("sample", "en")
    kinds = [getattr(item, "container", None) and item.container.kind for item in body_tree(translation)]
    assert kinds.count("bullet_list") == 1 and kinds.count("ordered_list") == 1 and kinds.count("table") == 1
    table = next(item for item in body_tree(translation) if getattr(item, "container", None)
                 and item.container.kind == "table")
    assert [part.container.kind for part in table.children] == ["thead", "tbody"]


def test_table_of_contents_links_every_section_heading(partly_french_site):
    contents = _page(partly_french_site, "fr/sample.html").with_class("contents")[0]
    links = [(a.get("href"), text(a)) for a in contents.iter("a")]
    assert links == [("#why-this-paper", "FR Why this paper"), ("#a-list", "FR A list"), ("#a-table", "A table"),
                     ("#why-this-paper-2", "FR Why this paper")]
    untranslated = [a for a in contents.iter("a") if a.get("href") == "#a-table"][0]
    assert untranslated.get("lang") == "en"


def test_language_switcher_alternates_and_canonical(config):
    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample",))  # published in French, not in Spanish
    build_html(Project(config))
    page = _page(config, "fr/sample.html")
    alternates = {link.get("hreflang"): link.get("href") for link in page.all("link") if link.get("hreflang")}
    # Only the languages the paper is published in are announced; the original is the default.
    assert alternates == {"en": "../en/sample.html", "fr": "../fr/sample.html", "x-default": "../en/sample.html"}
    assert [link.get("href") for link in page.all("link") if link.get("rel") == "canonical"] == ["../fr/sample.html"]
    assert not [m for m in page.all("meta") if m.get("name") == "robots"]
    spanish = _page(config, "es/sample.html")  # 0 % translated: read on the site, never offered as a translation
    assert not [link for link in spanish.all("link") if link.get("hreflang")]
    assert [m.get("content") for m in spanish.all("meta") if m.get("name") == "robots"] == ["noindex"]
    switcher = page.with_class("languages")[0]
    links = {a.get("lang"): a for a in switcher.iter("a")}
    assert [text(a) for a in links.values()] == ["English", "Français", "Español"]
    assert links["fr"].get("aria-current") == "page" and "data-keep-place" not in links["fr"].attrib
    assert links["es"].get("href") == "../es/sample.html" and "data-keep-place" in links["es"].attrib


def test_dates_percentages_and_language_names_follow_the_page_language(partly_french_site):
    facts = {language: text(_page(partly_french_site, f"{language}/sample.html").with_class("facts")[0])
             for language in ("en", "fr", "es")}
    assert "1 March 2022" in facts["en"] and "1 mars 2022" in facts["fr"] and "1 de marzo de 2022" in facts["es"]
    card = _page(partly_french_site, "fr/index.html").with_class("paper-card")[0]
    assert "11,5\u00a0% translated" in text(card)  # the interface is not translated in the test project
    availability = next(p for p in card.iter("p") if p.get("class") == "availability")
    assert text(availability) == "Also in anglais et espagnol (draft translation, 0\u00a0%)"
    assert [(a.get("hreflang"), a.get("href")) for a in availability.iter("a")] == [
        ("en", "../en/sample.html"), ("es", "../es/sample.html")]
    percent = text(_page(partly_french_site, "fr/sample.html").with_class("completeness")[0])
    assert percent.startswith("11,5\u00a0%")  # 3 of 26 messages, as `library status` counts them


def test_interface_strings_come_from_the_ui_catalog(config):
    translate_catalogs(config, "fr", lambda m: {"Contents": "Sommaire", "Not yet translated": "Pas encore traduit"}
                       .get(m.id), domains=("ui",))
    build_html(Project(config))
    page = _page(config, "fr/sample.html")
    assert text(page.by_id("contents_title")) == "Sommaire"
    assert text(page.with_class("marker")[0]) == "Pas encore traduit"
    assert text(_page(config, "es/sample.html").by_id("contents_title")) == "Contents"


def test_plural_interface_strings_take_the_language_rules(config):
    translate_catalogs(config, "fr", lambda m: ("%(count)s minute de lecture", "%(count)s minutes de lecture",
                                                "%(count)s minutes de lecture")
                       if isinstance(m.id, tuple) else None, domains=("ui",))
    build_html(Project(config))
    assert "1 minute de lecture" in text(_page(config, "fr/sample.html").with_class("facts")[0])


def test_side_by_side_pairs_every_segment_by_id(partly_french_site):
    page = _page(partly_french_site, "fr/sample/es.html")
    pairs = page.with_class("pair")
    segments = segment_paper(load_paper(partly_french_site.papers_dir / "sample.md"))
    trailing = [s.id for s in segments if s.role in ("keyword", "publisher")]
    assert [pair.get("id") for pair in pairs] == [s.id for s in segments if s.id not in trailing] + trailing
    first = pairs[0].findall("div")
    assert [(text(half), page.language_of(half)) for half in first] == [
        ("FR A sample paper: every kind of block", "fr"),
        ("Not yet translated A sample paper: every kind of block", "en"),
    ]
    switcher = {a.get("lang"): a.get("href") for a in page.with_class("languages")[0].iter("a")}
    assert switcher == {"en": "../../en/sample/es.html", "fr": "../../fr/sample/es.html",
                        "es": "../../es/sample/fr.html"}


def test_the_pdf_is_linked_once_the_pdf_stage_publishes_it(config):
    pdf = config.build_dir / "pdf" / "fr" / "sample.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7 test")
    build_html(Project(config))
    # A file in the PDF folder is not a publication: the site follows the PDF stage's manifest.
    assert not [a for a in _page(config, "fr/sample.html").all("a") if (a.get("href") or "").endswith(".pdf")]
    write_pdf_manifest(config, {"fr/sample": PdfEntry("fr", "sample", "published", 100.0, "x")})
    build_html(Project(config))
    links = [a.get("href") for a in _page(config, "fr/sample.html").all("a") if (a.get("href") or "").endswith(".pdf")]
    assert links == ["../fr/sample.pdf"]
    assert (site_folder(config) / "fr" / "sample.pdf").read_bytes() == pdf.read_bytes()


def test_a_damaged_pdf_manifest_stops_the_site_build_with_its_line(config, run):
    # Read as "no PDFs", a truncated manifest would unpublish every PDF from the site, silently.
    write_pdf_manifest(config, {"fr/sample": PdfEntry("fr", "sample", "published", 100.0, "x")})
    manifest = config.build_dir / "pdf" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:-20])
    result = run("build", "html")
    line = manifest.read_text("utf-8").count("\n") + 1
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: build/pdf/manifest.json:{line}: the PDF manifest is damaged (")
    assert result.stderr.endswith("); run `library build pdf` to render the PDFs and write it again\n")
    assert not (site_folder(config) / "fr" / "sample.html").exists()


@pytest.mark.parametrize("name", ["404", "500"])
def test_error_pages_link_from_the_site_root(plain_site, name):
    page = _page(plain_site, f"es/{name}.html")
    assert page.root.get("lang") == "es"
    assert [link.get("href") for link in page.all("link") if link.get("rel") == "stylesheet"] == ["/assets/site.css"]


@pytest.mark.parametrize("src, message", [
    ("images/absent.png", "image 'images/absent.png' not found in papers/"),
    ("../setup.cfg", "image '../setup.cfg' must be a file inside papers/"),
    ("https://example.org/x.png", "image 'https://example.org/x.png' must be a file inside papers/"),
])
def test_an_image_must_be_a_file_of_the_project(config, src, message):
    source = config.papers_dir / "sample.md"
    source.write_text(source.read_text("utf-8").replace("images/map.png", src), "utf-8")
    with pytest.raises(SourceError, match=message) as raised:
        build_html(Project(config))
    assert raised.value.line == 42


def test_a_broken_template_is_reported_with_its_file_and_line(config, run):
    (config.templates_dir / "home.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{% if %}\n", "utf-8")
    result = run("build", "html")
    assert result.exit_code == 7
    assert result.output.startswith("Error: templates/home.html:3: ")
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_build_html_reports_what_it_wrote(run, config):
    first = run("build", "html", "-v")
    files = sorted(path.relative_to(config.root).as_posix()
                   for path in site_folder(config).rglob("*") if path.is_file())
    lines = first.output.splitlines()
    assert (first.exit_code, lines[0]) == (0, "everything (no earlier build)")
    assert sorted(line.removeprefix("wrote ") for line in lines if line.startswith("wrote ")) == files
    run("extract"), run("update")
    second = run("build", "-v")
    assert second.exit_code == 0  # French and Spanish PDFs are held back (nothing is translated), and said so
    assert "held back fr/sample: 0% translated" in second.output and "\nbuild/index/es: " in second.output
    # The English PDFs, rendered by this build, are now linked from the site and copied into it.
    assert "\nwrote build/html/en/sample.pdf\n" in second.output
    assert "wrote build/locale/fr/LC_MESSAGES/sample.mo" in second.output
    assert "locales/es/LC_MESSAGES/sample.po added" in second.output.splitlines()[0]


def test_the_dashboard_shows_each_paper_and_language_with_its_preview(config):
    _french_partly(config, fuzzy=frozenset({"A list"}))
    build_html(Project(config))
    page = _page(config, "dashboard/index.html")
    rows = {text(row.find("th")): [text(cell) for cell in row.findall("td")] for row in page.all("tr")[1:]}
    assert rows["A sample paper: every kind of block"] == [
        # 26 messages ("Why this paper" is one, twice): the title and that heading translated, "A list" outdated.
        "7.6% below the threshold 23 missing, 1 out of date", "0% below the threshold 26 missing, 0 out of date"]
    links = [a.get("href") for a in page.all("a")]
    assert "../dashboard/fr/sample.html" in links and "../dashboard/es/series.html" in links


def test_a_preview_lists_and_highlights_what_is_left_to_do(config):
    _french_partly(config, fuzzy=frozenset({"A list"}))
    build_html(Project(config))
    page = _page(config, "dashboard/fr/sample.html")
    assert page.root.get("lang") == "fr" and page.all("body")[0].get("class") == "preview"
    assert [m.get("content") for m in page.all("meta") if m.get("name") == "robots"] == ["noindex"]
    to_do = page.with_class("to-do")[0]
    targets = [a.get("href")[1:] for a in to_do.iter("a")]
    assert len(targets) == 25 and "a-list" in targets and "why-this-paper" not in targets
    for target in targets:
        assert "missing" in page.by_id(target).get("class") or "fuzzy" in page.by_id(target).get("class")


def test_no_reader_page_leads_to_the_dashboard(plain_site):
    site = site_folder(plain_site)
    for path in site.rglob("*.html"):
        if path.relative_to(site).parts[0] != "dashboard":
            assert "dashboard/" not in path.read_text("utf-8"), path


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_a_right_to_left_language_gets_rtl_pages_with_english_passages_left_to_right(run, project, config):
    setup = project / "setup.cfg"
    setup.write_text(setup.read_text("utf-8").replace("languages = fr es", "languages = fr ar"), "utf-8")
    run("extract"), run("update")
    assert run("build", "html").exit_code == 0
    arabic = (site_folder(config) / "ar" / "sample.html").read_text("utf-8")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert ' id="title" lang="en" dir="ltr"' in arabic  # untranslated: English, isolated left to right
    french = (site_folder(config) / "fr" / "index.html").read_text("utf-8")
    assert '<html lang="fr" dir="ltr">' in french and 'lang="ar" dir="rtl"' in french  # the menu's "العربية"


def test_an_outdated_passage_whose_english_barely_changed_keeps_its_translation_marked(config):
    """A two-word edit of the English: the French stays, marked, linked to the current original."""
    translate_then_edit_english(config)
    project = Project(config)
    segment = next(s for s in project.translation("sample", "fr").segments if s.text == "FR " + EDITED_BEFORE)
    assert segment.status == "fuzzy" and segment.current_source == EDITED_AFTER
    assert project.figure("sample", "fr").translated.messages == 0  # still not counted as translated
    build_html(project)
    page = _page(config, "fr/sample.html")
    paragraph = page.by_id(segment.segment.id)
    assert "previous" in paragraph.get("class").split() and page.language_of(paragraph) == "fr"
    link = next(e for e in paragraph.iter("a") if e.get("href", "").endswith(f"#{segment.segment.id}"))
    assert link.get("href") == f"../fr/sample/en.html#{segment.segment.id}"
    assert "Translation may be out of date" in text(paragraph)
    pair = _page(config, "fr/sample/en.html").by_id(segment.segment.id)
    assert "The first review is held on" in text(pair) and "FR The first review takes place" in text(pair)
    preview = _page(config, "dashboard/fr/sample.html")
    assert any(e.get("href") == f"#{segment.segment.id}" for e in preview.all("a"))  # still on the to-do list


# The colour pairs the stylesheet sets text in: (text, background) custom properties.
TEXT_ON_BACKGROUND = [("text", "paper"), ("muted", "paper"), ("accent", "paper"), ("warning", "paper"),
                      ("on-accent", "accent"), ("warning", "warning-soft"), ("text", "warning-soft"),
                      ("text", "accent-soft"), ("accent", "accent-soft"), ("text", "surface")]


def _colours(css: str) -> dict[str, dict[str, str]]:
    """The custom properties of :root, light and in the dark scheme, from the stylesheet's text."""
    import re

    dark_start = css.index("@media (prefers-color-scheme: dark)")
    blocks = {"light": re.search(r":root\s*{([^}]*)}", css).group(1),
              "dark": re.search(r":root\s*{([^}]*)}", css[dark_start:]).group(1)}
    colours = {scheme: dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))
               for scheme, block in blocks.items()}
    return {"light": colours["light"], "dark": {**colours["light"], **colours["dark"]}}


def _contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_text_colour_passes_wcag_aa_in_light_and_dark():
    from projects import REPOSITORY

    colours = _colours((REPOSITORY / "templates" / "assets" / "site.css").read_text("utf-8"))
    assert colours["dark"]["paper"] != colours["light"]["paper"]  # the dark scheme was read
    ratios = {(scheme, fg, bg): round(_contrast(colours[scheme][fg], colours[scheme][bg]), 2)
              for scheme in colours for fg, bg in TEXT_ON_BACKGROUND}
    assert {pair: ratio for pair, ratio in ratios.items() if ratio < 4.5} == {}


def test_the_contrast_ratio_is_wcags():
    assert round(_contrast("#000000", "#ffffff"), 2) == 21.0 and round(_contrast("#777777", "#ffffff"), 2) == 4.48


def test_keywords_lead_to_a_search_for_them(partly_french_site):
    page = _page(partly_french_site, "fr/sample.html")
    keywords = page.with_class("keywords")[0]
    links = [(text(a), a.get("href")) for a in keywords.iter("a")]
    assert links == [("testing", "../fr/search.html?q=%22testing%22"),
                     ("segments", "../fr/search.html?q=%22segments%22"),
                     ("Global Compact", "../fr/search.html?q=%22Global+Compact%22")]
    first = keywords.find("ul").find("li")
    assert first.get("lang") == "en" and text(first) == "Not yet translated testing"  # still marked in place


def test_a_paper_offers_its_side_by_side_views_at_its_top_and_names_its_publisher_once(plain_site):
    page = _page(plain_site, "es/sample.html")
    header = page.with_class("paper-header")[0]
    offer = next(p for p in header.iter("p") if p.get("class") == "side-by-side")
    assert text(offer) == "Read it side by side with: inglés o francés"
    assert [a.get("href") for a in offer.iter("a")] == ["../es/sample/en.html", "../es/sample/fr.html"]
    everything, citation = text(page.root), text(page.with_class("cite")[0])  # the citation names its author
    assert everything.count("Quaker United Nations Office") - citation.count("Quaker United Nations Office") == 1
    assert "Quaker United Nations Office" in text(_page(plain_site, "es/index.html").all("footer")[0])


def test_stacked_halves_name_their_column_language(plain_site):
    page = _page(plain_site, "fr/sample/es.html")
    halves = page.with_class("half")
    assert {half.get("data-column") for half in halves[0::2]} == {"Français"}
    assert {half.get("data-column") for half in halves[1::2]} == {"Español"}


def test_web_fonts_are_subsets_of_the_source_fonts_renamed_and_cover_every_character(real_library):
    from fontTools.ttLib import TTFont
    from projects import REPOSITORY

    from library.outputs.site.webfonts import WEB_FONTS

    texts = [*(REPOSITORY / "papers").glob("*.md"), *(REPOSITORY / "locales").rglob("*.po")]
    used = {ord(c) for path in texts for c in path.read_text("utf-8") if c >= " "}
    assert {0x202F, 0xA0, 0xAB, 0xBB, 0x2019} <= used  # French typography is there to cover
    # Spanish and English typography too, whether or not today's texts use it.
    used |= {0xA1, 0xBF, 0x2013, 0x2014, 0x201C, 0x201D, 0xF1, 0xE7}
    folder = site_folder(real_library) / "assets" / "fonts"
    for face in WEB_FONTS:
        data = (folder / face.name).read_bytes()
        font = TTFont(folder / face.name)
        assert data[:4] == b"wOF2" and len(data) < face.source.stat().st_size / 2, face.name  # WOFF2, smaller
        assert len(font.getGlyphOrder()) < len(TTFont(face.source).getGlyphOrder()), face.name  # a subset
        assert used - set(font.getBestCmap()) == set(), face.name
        names = {record.toUnicode() for record in font["name"].names if record.nameID in (1, 4, 6, 16)}
        assert names and not any("Source" in name for name in names), names  # the licence reserves "Source"
        assert "SIL Open Font License" in " ".join(r.toUnicode() for r in font["name"].names if r.nameID == 13)
    assert "SIL Open Font License" in (folder / "serif-OFL.txt").read_text("utf-8")


def test_the_stylesheet_loads_only_the_sites_own_fonts(config):
    import re

    build_html(Project(config))
    assets = site_folder(config) / "assets"
    urls = re.findall(r"url\(\"?([^\")]+)\"?\)", (assets / "site.css").read_text("utf-8"))
    assert len(urls) == 5 and all((assets / url).is_file() and ":" not in url for url in urls)


def test_fonts_are_cut_again_only_when_the_characters_change(config, monkeypatch):
    import library.outputs.site.html as html

    build_html(Project(config))

    def refuse(characters):
        raise AssertionError("the fonts were cut again")

    monkeypatch.setattr(html, "subset_fonts", refuse)
    _french_partly(config)  # new catalogs, no new character
    assert build_html(Project(config)).written
    translate_catalogs(config, "fr", lambda m: "Ω" if m.id == "A list" else None, domains=("sample",))
    with pytest.raises(AssertionError, match="cut again"):
        build_html(Project(config))


def test_the_dashboard_has_a_row_for_the_interface_and_sets_its_commands_as_code(config):
    translate_catalogs(config, "fr", lambda message: f"FR {message.id}" if message.id == "Contents" else None,
                       domains=("ui",))
    build_html(Project(config))
    page = _page(config, "dashboard/index.html")
    row = next(row for row in page.all("tr") if text(row.find("th")) == "Interface: menus, buttons and messages")
    french, spanish = (text(cell) for cell in row.findall("td"))
    messages = len([message for message in Project(config).template("ui") if message.id])
    # One of them translated: the figure rounded down to one decimal, as `library status` shows it.
    assert french.startswith(f"{math.floor(1000 / messages) / 10:g}% {messages - 1} missing, 0 out of date")
    assert french.endswith("locales/fr/LC_MESSAGES/ui.po") and spanish.startswith(f"0% {messages} missing")
    assert [text(code) for code in page.with_class("dashboard")[0].iter("code")][-2:] == [
        "library status", "library missing --lang LANGUAGE"]


def test_a_preview_gives_each_passage_left_to_do_its_po_file_and_line(config):
    _french_partly(config, fuzzy=frozenset({"A list"}))
    build_html(Project(config))
    po_lines = (config.root / "locales/fr/LC_MESSAGES/sample.po").read_text("utf-8").splitlines()
    items = list(_page(config, "dashboard/fr/sample.html").with_class("to-do")[0].iter("li"))
    assert len(items) == 25
    for item in items:
        place = text(next(item.iter("code")))
        path, line = place.rsplit(":", 1)
        assert path == "locales/fr/LC_MESSAGES/sample.po" and po_lines[int(line) - 1].startswith("msgid ")
    a_list = next(item for item in items if next(item.iter("a")).get("href") == "#a-list")
    line = int(text(next(a_list.iter("code"))).rsplit(":", 1)[1])
    assert po_lines[line - 1] == 'msgid "A list"'


@pytest.mark.parametrize("translated, fuzzy, banner", [
    ({"A sample paper: every kind of block", "Why this paper"}, set(),
     "of this paper is translated. Passages still in English are marked."),
    ({"A sample paper: every kind of block", "Why this paper", "A list"}, {"A list"},
     "of this paper is translated. Passages still in English and translations out of date are marked."),
    (None, {"A list"},
     "of this paper is translated and up to date. Passages whose translation is out of date are marked."),
], ids=["missing", "both", "outdated-only"])
def test_the_banner_says_what_the_page_marks(config, translated, fuzzy, banner):
    translate_catalogs(config, "fr", prefixed("FR ", translated), domains=("sample",), fuzzy=frozenset(fuzzy))
    build_html(Project(config))
    shown = text(_page(config, "fr/sample.html").with_class("completeness")[0])
    assert shown.endswith(banner) and "%" in shown.split(" ", 1)[0]
