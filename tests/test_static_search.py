"""Search on a static host: the Pagefind index `build html` writes, and the search page in Chromium."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import pytest
from checkers import axe_violations, vnu_errors
from projects import make_project

from library.config import load_config
from library.errors import LibraryError
from library.html import build_html
from library.paths import site_folder
from library.project import Project
from library.static_search import FOLDER, _passage_page, _records, _run_pagefind

SUB_PATH = "migration-justice"
# Per language, an unaccented word and an inflected form, and what the passages they find must hold.
QUERIES = [
    ("fr", "declaration", "declaration"),
    ("fr", "engagement", "engagement"),
    ("es", "declaracion", "declaracion"),
    ("es", "compromiso", "compromis"),
    ("en", "commitment", "commit"),  # Snowball: commitment, commits
    ("en", "reviewing", "review"),
]


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


# --- the index and the table, as `build html` writes them -------------------------------------


def test_the_site_holds_one_index_per_language_with_a_record_per_passage(real_library):
    site = site_folder(real_library)
    entry = json.loads((site / FOLDER / "pagefind-entry.json").read_text("utf-8"))
    assert set(entry["languages"]) == {"en", "fr", "es"}
    records = _records(Project(real_library), "fr")
    assert entry["languages"]["fr"]["page_count"] == len(records) > 200
    record = next(r for r in records if r["shown"]["section"] and r["paper"] == "what-is-the-imrf")
    assert record["shown"]["path"] == f"fr/what-is-the-imrf.html#{record['anchor']}"
    assert f'id="{record["anchor"]}"' in (site / record["shown"]["paper_path"]).read_text("utf-8")
    kept = {path.name for path in (site / FOLDER).iterdir()}
    assert "pagefind.js" in kept and not {name for name in kept if "-ui" in name or "worker" in name}


def test_an_unchanged_build_leaves_the_index_alone_and_a_changed_paper_rebuilds_it(tmp_path):
    config = load_config(make_project(tmp_path) / "setup.cfg")
    build_html(Project(config))
    entry = site_folder(config) / FOLDER / "pagefind-entry.json"
    before = entry.read_bytes()
    assert not build_html(Project(config)).written
    paper = next(config.papers_dir.glob("*.md"))
    paper.write_text(paper.read_text("utf-8") + "\nA closing word on zanzibarite tides.\n", "utf-8")
    written = build_html(Project(config)).written
    assert entry.read_bytes() != before and entry in written
    assert all(path.is_file() for path in written)


def test_a_passage_page_escapes_the_translation():
    hostile = '<img src=x onerror="alert(1)"> & <b>'
    page = _passage_page("fr", {"text": hostile, "shown": {"section": hostile, "pdf_path": ""}})
    assert "<img" not in page and "<b>" not in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;b&gt;") == 2
    assert "pdf_path" not in page  # an empty value is left out


def test_a_pagefind_failure_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    with pytest.raises(LibraryError, match="static search: Pagefind could not run"):
        _run_pagefind(tmp_path, {"fr": [{"paper": "p", "anchor": "a", "text": "x", "shown": {}}]})


# --- the site on a plain static server, under a sub-path -------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _static_server(folder: Path):
    """`python -m http.server` on folder: no headers of ours, no compression, nothing but files."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def hosted(real_library, tmp_path_factory):
    """The built site under https://host/migration-justice/, as a policy office would publish it."""
    host = tmp_path_factory.mktemp("host")
    (host / SUB_PATH).symlink_to(site_folder(real_library), target_is_directory=True)
    with _static_server(host) as base:
        yield f"{base}/{SUB_PATH}"


@contextmanager
def _watched_page(browser):
    """A page that records every request and every breach of the page's security policy."""
    context = browser.new_context()
    page = context.new_page()
    requests, violations = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        yield page, requests, violations
    finally:
        context.close()


@pytest.mark.parametrize(("language", "query", "held"), QUERIES)
def test_a_reader_searches_the_static_site_and_lands_on_the_paragraph(hosted, browser, language, query, held):
    with _watched_page(browser) as (page, requests, violations):
        page.goto(f"{hosted}/{language}/search.html?q={query}")
        status = page.locator("[role=status]")
        status.wait_for()
        assert page.locator("#search_query").input_value() == query
        links = page.locator(".result-paper .section a")
        assert links.count() >= 1, status.inner_text()
        assert page.locator(".result-paper .snippet mark").count() >= 1
        hrefs = [links.nth(number).evaluate("a => a.href") for number in range(min(3, links.count()))]
        for href in hrefs:
            assert href.startswith(f"{hosted}/{language}/") and "#" in href, href
            page.goto(href)
            paragraph = page.locator(f"#{href.split('#')[1]}")
            assert held in _folded(paragraph.inner_text()), href
        assert violations == []
        assert all(url.startswith(hosted) for url in requests), requests


def test_the_static_results_read_like_the_servers(hosted, real_library, browser):
    """One layout either way: the same count sentence, papers and passage links for the same query."""
    from projects import live_server

    with _watched_page(browser) as (page, _requests, _violations):
        page.goto(f"{hosted}/fr/search.html?q=declaration")
        page.locator("[role=status]").wait_for()
        static = _layout(page)
        assert page.title().startswith("« declaration » : résultats")
        with live_server(real_library) as base:
            page.goto(f"{base}/fr/search.html?q=declaration")
            served = _layout(page)
        assert page.title().startswith("« declaration » : résultats")
    assert static["status"].endswith("passages trouvés.") and served["status"].endswith("passages trouvés.")
    assert static["structure"] == served["structure"] == ["section.result-paper > h2 > a", "ol.passages > li"]
    assert set(static["papers"]) & set(served["papers"])


def _layout(page) -> dict:
    return {
        "status": page.locator("[role=status]").inner_text().strip(),
        "papers": page.locator(".result-paper h2 a").all_inner_texts(),
        "structure": [selector for selector in ("section.result-paper > h2 > a", "ol.passages > li")
                      if page.locator(selector).count()],
    }


def test_a_query_with_no_match_says_so_in_the_readers_language(hosted, browser):
    with _watched_page(browser) as (page, _requests, violations):
        page.goto(f"{hosted}/es/search.html?q=zzqxwv")
        status = page.locator("[role=status]")
        status.wait_for()
        assert status.inner_text() == "Ningún pasaje coincide con «zzqxwv»."
        assert page.title().startswith("«zzqxwv»")
        assert page.locator('nav.languages a[lang="fr"]').evaluate("a => a.href").endswith("fr/search.html?q=zzqxwv")
        assert violations == []


def test_a_hostile_query_stays_text(hosted, browser):
    with _watched_page(browser) as (page, _requests, _violations):
        page.goto(f'{hosted}/en/search.html?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E')
        page.locator("[role=status]").wait_for()
        assert page.locator("main img").count() == 0
        assert page.locator("#search_query").input_value() == "<img src=x onerror=alert(1)>"
        assert page.title().startswith("“<img src=x onerror=alert(1)>”")


def test_opened_from_disk_the_search_page_says_it_needs_a_server(real_library, browser):
    with _watched_page(browser) as (page, requests, _violations):
        page.goto((site_folder(real_library) / "fr" / "search.html").as_uri() + "?q=migrants")
        notice = page.locator('[data-notice="file"]')
        assert notice.is_visible() and "serveur web" in notice.inner_text()
        assert page.locator('[data-notice="empty"]').is_hidden()
        assert not any("pagefind" in url for url in requests)


STATIC_PAGES = ("fr/search.html?q=migrants", "es/search.html?q=zzqxwv", "en/search.html")


def _rendered(browser, hosted: str, address: str, check) -> list:
    with _watched_page(browser) as (page, _requests, _violations):
        page.goto(f"{hosted}/{address}")
        page.wait_for_load_state("networkidle")
        return check(page)


def test_the_static_search_page_passes_axe(hosted, browser):
    for address in STATIC_PAGES:
        assert _rendered(browser, hosted, address, axe_violations) == [], address


@pytest.mark.java
def test_the_static_search_page_with_its_results_is_valid_html(hosted, browser, tmp_path):
    pages = []
    for number, address in enumerate(STATIC_PAGES):
        path = tmp_path / f"static-search-{number}.html"
        path.write_text(_rendered(browser, hosted, address, lambda page: page.content()),
                        "utf-8")
        pages.append(path)
    assert vnu_errors(pages) == []


def test_the_readme_and_the_headers_file_send_the_sites_policy(real_library):
    from projects import REPOSITORY

    from library.headers import CONTENT_SECURITY_POLICY

    assert f'Content-Security-Policy "{CONTENT_SECURITY_POLICY}"' in (REPOSITORY / "README.md").read_text("utf-8")
    headers = (site_folder(real_library) / "_headers").read_text("utf-8")
    assert f"  Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n" in headers


def test_a_build_without_the_static_search_keeps_it_and_the_next_build_brings_it_up_to_date(tmp_path):
    config = load_config(make_project(tmp_path) / "setup.cfg")
    build_html(Project(config))
    entry = site_folder(config) / FOLDER / "pagefind-entry.json"
    before = entry.read_bytes()
    paper = next(config.papers_dir.glob("*.md"))
    paper.write_text(paper.read_text("utf-8") + "\nA closing word on zanzibarite tides.\n", "utf-8")
    changes = build_html(Project(config), static_search=False)  # as the live preview does
    assert entry.read_bytes() == before and not any(FOLDER in path.parts for path in changes.removed)
    build_html(Project(config))
    assert entry.read_bytes() != before


def test_the_static_results_name_the_query_in_their_heading_as_the_server_does(hosted, real_library, browser):
    from projects import live_server

    with _watched_page(browser) as (page, _requests, violations):
        page.goto(f"{hosted}/fr/search.html?q=examen+r%C3%A9gional")
        page.locator("[role=status]").wait_for()
        static = page.locator("main h1").inner_text()
        with live_server(real_library) as base:
            page.goto(f"{base}/fr/search.html?q=examen+r%C3%A9gional")
            served = page.locator("main h1").inner_text()
        assert violations == []
    assert (static, served) == ("Résultats pour «\u00a0examen régional\u00a0»",) * 2
