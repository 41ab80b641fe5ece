"""The built site as readers meet it: valid HTML, accessible pages, and a language switch in Chromium."""
from __future__ import annotations

import pytest
from checkers import axe_violations, vnu_errors
from projects import live_server, make_project, prefixed, translate_catalogs

from library.core.config import load_config
from library.core.paths import site_folder
from library.model.project import Project
from library.outputs.search.index import build_index
from library.outputs.site.html import build_html

SAMPLE_TRANSLATED = {"A sample paper: every kind of block", "Why this paper", "A list", "A table", "Meaning"}


@pytest.fixture
def real_site(real_library):
    """The library's own papers and catalogs, built once for the session."""
    return real_library


@pytest.fixture(scope="module")
def partial_site(tmp_path_factory):
    """The test papers, French partly translated with one outdated segment: pages full of markers."""
    config = load_config(make_project(tmp_path_factory.mktemp("partial")) / "setup.cfg")
    translate_catalogs(config, "fr", prefixed("FR ", SAMPLE_TRANSLATED), fuzzy=frozenset({"A table"}))
    build_html(Project(config))
    build_index(Project(config))
    return config


def _html_files(config) -> list:
    return sorted(site_folder(config).rglob("*.html"))


# Search pages are rendered per request: these cover results, a suggestion, another language and notices.
SEARCHES = ["fr/search.html?q=declaration+sur+les+progres", "es/search.html?q=decalracion", "fr/search.html?q=hearing",
            "en/search.html?q=undocumented+migrants", "fr/search.html?q=participation+significative+des+migrants",
            "en/search.html?q=", "en/search.html?q=%22", "es/search.html?q=" + "x" * 300]


def _saved_searches(config, folder) -> list:
    """The search pages of SEARCHES as served, saved as files for the HTML checker."""
    import urllib.request

    saved = []
    with live_server(config) as base:
        for number, search in enumerate(SEARCHES):
            with urllib.request.urlopen(f"{base}/{search}") as response:
                path = folder / f"search-{number}.html"
                path.write_bytes(response.read())
                saved.append(path)
    return saved


@pytest.mark.java
def test_every_page_is_valid_html(real_site, partial_site, tmp_path):
    pages = _html_files(real_site) + _html_files(partial_site)
    # Per language: home, 404, 500, search, each paper alone and beside two others; the dashboard and its previews.
    assert len(pages) == (58 + 1 + 10) + (31 + 1 + 4)
    assert vnu_errors(pages + _saved_searches(real_site, tmp_path)) == []


@pytest.mark.parametrize("site", ["real_site", "partial_site"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe(request, browser, site, scheme):
    config = request.getfixturevalue(site)
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    root = site_folder(config)
    failures = []
    with live_server(config) as base:
        for path in [*_html_files(config)]:
            address = f"{base}/{path.relative_to(root).as_posix()}"
            page.goto(address)
            failures += [f"{address}: {violation}" for violation in axe_violations(page)]
        response = page.goto(f"{base}/es/no-such-page.html")
        assert response.status == 404
        failures += [f"404: {violation}" for violation in axe_violations(page)]
        for search in SEARCHES:
            page.goto(f"{base}/{search}")
            failures += [f"{search}: {violation}" for violation in axe_violations(page)]
    context.close()
    assert failures == []


def test_a_french_reader_switches_to_spanish_on_the_same_paragraph(real_site, browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 800})
    page = context.new_page()
    with live_server(real_site) as base:
        page.goto(f"{base}/")
        assert page.url == f"{base}/fr/" and page.locator("html").get_attribute("lang") == "fr"
        page.locator(".paper-card h3 a").first.click()
        assert page.url == f"{base}/fr/what-is-the-imrf.html"

        paragraph = page.locator("main .body > p").nth(6)
        paragraph_id = paragraph.get_attribute("id")
        french = paragraph.inner_text()
        paragraph.evaluate("element => element.scrollIntoView({block: 'start'})")
        page.locator('nav.languages a[lang="es"]').click()

        page.wait_for_url(f"{base}/es/what-is-the-imrf.html#{paragraph_id}")
        assert page.locator("html").get_attribute("lang") == "es"
        spanish = page.locator(f"#{paragraph_id}")
        assert spanish.inner_text() != french and spanish.evaluate("e => e.lang") == ""
        top = spanish.evaluate("element => element.getBoundingClientRect().top")
        assert 0 <= top < 100, "the Spanish paragraph is not at the top of the window"
    context.close()


def test_a_section_followed_from_the_contents_stays_selected_across_languages(real_site, browser):
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    with live_server(real_site) as base:
        page.goto(f"{base}/es/meaningful-participation.html")
        link = page.locator("nav.contents a").nth(2)
        target = link.get_attribute("href")
        link.click()
        page.locator('nav.languages a[lang="en"]').click()
        page.wait_for_url(f"{base}/en/meaningful-participation.html{target}")
        assert page.evaluate("document.querySelector(':target').id") == target[1:]
    context.close()


def test_pages_work_without_javascript(real_site, browser):
    context = browser.new_context(java_script_enabled=False, locale="es")
    page = context.new_page()
    with live_server(real_site) as base:
        page.goto(f"{base}/")
        page.locator(".paper-card h3 a").nth(1).click()
        page.locator('nav.languages a[lang="fr"]').click()
        assert page.url == f"{base}/fr/why-the-imrf-matters.html"
        assert page.locator("h1").inner_text().startswith("Pourquoi")
    context.close()


def test_no_request_leaves_the_site(real_site, browser):
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    with live_server(real_site) as base:
        for path in ("fr/index.html", "es/key-points-on-the-roadmap.html", "en/series/fr.html", "index.html"):
            page.goto(f"{base}/{path}")
    context.close()
    assert requests and all(url.startswith(base) for url in requests)


def test_a_french_reader_searches_without_accents_and_lands_on_the_paragraph(real_site, browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    with live_server(real_site) as base:
        page.goto(f"{base}/fr/index.html")
        page.get_by_label("Rechercher dans les notes").fill("declaration sur les progres")
        page.get_by_label("Rechercher dans les notes").press("Enter")
        page.wait_for_url(f"{base}/fr/search.html?q=declaration+sur+les+progres")
        marks = page.locator(".passages mark")
        assert marks.count() > 0 and marks.first.inner_text().lower() in ("déclaration", "progrès")
        first = page.locator(".passages a").first
        target = first.get_attribute("href").split("#")[1]
        first.click()
        page.wait_for_url(f"{base}/fr/*.html#{target}")
        assert page.evaluate("document.querySelector(':target').id") == target
        assert "déclaration" in page.locator(f"#{target}").inner_text().lower()
    context.close()


LANGUAGES = ("en", "fr", "es")


def test_the_site_reads_in_its_own_fonts_served_from_itself(real_site, browser):
    context = browser.new_context()
    page = context.new_page()
    fonts = []
    page.on("response", lambda response: fonts.append((response.url, response.status))
            if response.request.resource_type == "font" else None)
    with live_server(real_site) as base:
        page.goto(f"{base}/fr/what-is-the-imrf.html")
        loaded = page.evaluate("""async () => { await document.fonts.ready;
            return [...document.fonts].filter(f => f.status === 'loaded')
                .map(f => `${f.family} ${f.weight} ${f.style}`); }""")
        body = page.evaluate("getComputedStyle(document.body).fontFamily")
    context.close()
    assert {"Briefing Serif 400 normal", "Briefing Sans 600 normal"} <= set(loaded)
    assert body.startswith('"Briefing Serif"')
    assert fonts and all(url.startswith(f"{base}/assets/fonts/") and status == 200 for url, status in fonts)


def test_a_phone_first_screen_shows_the_title_not_the_search_box(real_site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    with live_server(real_site) as base:
        for language in LANGUAGES:
            for path in (f"{language}/index.html", f"{language}/meaningful-participation.html",
                         f"{language}/what-is-the-imrf/{'fr' if language != 'fr' else 'es'}.html"):
                page.goto(f"{base}/{path}")
                h1 = page.locator("h1").bounding_box()
                assert h1["y"] >= 0 and h1["y"] + h1["height"] <= 844, path
                assert page.locator("#search_query").bounding_box()["y"] > 844, path
                page.locator(".search-link").click()  # the way to the search box, at the end of the page
                box = page.locator("#search_query").bounding_box()
                assert box["y"] >= 0 and box["y"] + box["height"] <= 844, path
    context.close()


def test_the_full_series_title_shows_on_a_desktop(real_site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    with live_server(real_site) as base:
        for language in LANGUAGES:
            for path in (f"{language}/index.html", f"{language}/why-the-imrf-matters.html"):
                page.goto(f"{base}/{path}")
                name = page.locator(".site-name")
                sizes = name.evaluate("e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().height]")
                # Not cut; beside the languages and the search box, on two lines at most (the French one needs two).
                assert sizes[0] <= sizes[1] and sizes[2] < 56, (path, sizes)
                assert page.locator("#search_query").is_visible() and not page.locator(".search-link").is_visible()
    context.close()


def test_stacked_columns_on_a_phone_say_their_language(real_site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    label = "e => getComputedStyle(e, '::before').content"
    with live_server(real_site) as base:
        page.goto(f"{base}/es/key-points-on-the-roadmap/en.html")
        halves = page.locator(".pair").first.locator(".half")
        # Shown, and left out of the text a screen reader speaks: "content: attr(data-column) / ''".
        assert [halves.nth(i).evaluate(label) for i in (0, 1)] == ['"Español" / ""', '"English" / ""']
        page.set_viewport_size({"width": 1280, "height": 800})
        assert halves.first.evaluate(label) == "none"  # side by side, the columns have headings
    context.close()


@pytest.mark.parametrize("languages, home", [("fr-CH", "fr"), ("es-419", "es"), ("de-DE", "en"), ("en-GB", "en")])
def test_the_static_front_door_sends_each_reader_to_their_language(real_site, browser, languages, home):
    context = browser.new_context(locale=languages)
    page = context.new_page()
    root = site_folder(real_site)
    page.goto((root / "index.html").as_uri())  # as a static host serves it: no server to negotiate
    page.wait_for_url((root / home / "index.html").as_uri())
    assert page.locator("html").get_attribute("lang") == home
    context.close()


def test_the_static_front_door_without_javascript_offers_every_language(real_site, browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    root = site_folder(real_site)
    page.goto((root / "index.html").as_uri())
    assert page.url == (root / "index.html").as_uri()
    page.locator('.choose-language a[hreflang="es"]').click()
    assert page.url == (root / "es" / "index.html").as_uri()
    context.close()


# One page of each type, as readers and translators meet them.
PAGE_TYPES = {"home": "fr/index.html", "paper": "fr/what-is-the-imrf.html",
              "side by side": "fr/what-is-the-imrf/es.html", "results": "fr/search.html?q=examen+r%C3%A9gional",
              "no result": "fr/search.html?q=zzqxwv",
              "404": "fr/no-such-page.html", "dashboard": "dashboard/index.html",
              "preview": "dashboard/es/what-is-the-imrf.html"}
WIDTHS = {"phone": (390, 844), "tablet": (820, 1180), "desktop": (1366, 900)}
_LEFT_EDGES = """() => ({
    header: document.querySelector('.site-name').getBoundingClientRect().left,
    main: Math.min(...[...document.querySelector('main').children]
        .map(child => child.getBoundingClientRect()).filter(box => box.width > 0).map(box => box.left)),
})"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_starts_at_the_headers_left_edge(real_site, browser, width):
    context = browser.new_context(viewport=dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page = context.new_page()
    edges = {}
    with live_server(real_site) as base:
        for name, path in PAGE_TYPES.items():
            page.goto(f"{base}/{path}")
            edges[name] = page.evaluate(_LEFT_EDGES)
    context.close()
    header = {round(edge["header"]) for edge in edges.values()}
    assert len(header) == 1, edges
    assert {name: round(edge["main"]) for name, edge in edges.items()} == dict.fromkeys(PAGE_TYPES, header.pop())


def test_on_a_desktop_the_search_box_belongs_to_the_header_row(real_site, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    with live_server(real_site) as base:
        for path in PAGE_TYPES.values():
            page.goto(f"{base}/{path}")
            header = page.locator(".site-header").bounding_box()
            languages = page.locator("nav.languages").bounding_box()
            box = page.locator("#search_query").bounding_box()
            assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"], path
            assert box["x"] >= languages["x"] + languages["width"], path  # beside the languages, not over them
        page.goto(f"{base}/fr/what-is-the-imrf.html")
        page.mouse.wheel(0, 3000)
        page.wait_for_timeout(200)
        assert 0 <= page.locator("#search_query").bounding_box()["y"] < 70  # it stays with the header
        page.locator('nav.languages a[lang="es"]').click()  # the header around the box still answers
        page.wait_for_url(f"{base}/es/what-is-the-imrf.html*")
        page.locator("#search_query").fill("examen regional")
        page.locator("#search_query").press("Enter")
        page.wait_for_url(f"{base}/es/search.html?q=examen+regional")
    context.close()


def test_on_a_phone_the_results_page_shows_the_search_box_on_its_first_screen(real_site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    with live_server(real_site) as base:
        for path in (PAGE_TYPES["results"], PAGE_TYPES["no result"], "en/search.html"):
            page.goto(f"{base}/{path}")
            box, h1 = page.locator("#search_query").bounding_box(), page.locator("main h1").bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= 844 and box["y"] < h1["y"], path
    context.close()
