"""Search on a static host: the Pagefind index `build html` writes, and the search page in Chromium."""
from __future__ import annotations

import gzip
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

from library.core.config import load_config
from library.core.errors import LibraryError
from library.core.paths import site_folder
from library.model.project import Project
from library.outputs.site.html import build_html
from library.outputs.static_search.pagefind import FOLDER, _paper_page, _records, _run_pagefind, build_static_search

SUB_PATH = "migration-justice"
# Per language, an unaccented word and an inflected form, and what the passages they find must hold.
QUERIES = [
    ("fr", "declaration", "declaration"),
    ("fr", "engagement", "engag"),  # Snowball: engagements, engage
    ("es", "declaracion", "declaracion"),
    ("es", "compromiso", "compromis"),
    ("en", "commitment", "commit"),  # Snowball: commitment, commits
    ("en", "reviewing", "review"),
]


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


# --- the index and the table, as `build html` writes them -------------------------------------


def test_the_site_holds_one_index_per_language_with_a_page_per_paper_and_a_file_per_passage(real_library):
    site = site_folder(real_library)
    entry = json.loads((site / FOLDER / "pagefind-entry.json").read_text("utf-8"))
    assert set(entry["languages"]) == {"en", "fr", "es"}
    project = Project(real_library)
    records = _records(project, "fr")
    assert entry["languages"]["fr"]["page_count"] == len(project.papers) < len(records)
    table = json.loads((site / FOLDER / "search.fr.json").read_text("utf-8"))
    assert table["count"] == len(records) > 200
    _id, paper, path, lengths, *otherwise = next(row for row in table["papers"] if row[1] == "what-is-the-imrf")
    # Each passage's length in indexed words, which Pagefind counted alike on its page.
    assert len(lengths) == len([r for r in records if r["paper"] == paper]) and otherwise == []
    # A passage shown: its own file, and its anchor on the paper's page.
    anchor, section, language, _pdf, text, title = json.loads(
        gzip.decompress((site / FOLDER / "passages" / "fr" / paper / "5.passage").read_bytes()))
    record = [r for r in records if r["paper"] == paper][5]
    assert (anchor, section, language, text, title) == (record["anchor"], record["section"], "fr", record["text"],
                                                         record["paper_title"])
    assert f'id="{anchor}"' in (site / path).read_text("utf-8")
    kept = {path.name for path in (site / FOLDER).iterdir()}
    assert "pagefind.js" in kept and not {name for name in kept if "-ui" in name or "worker" in name}
    assert not (site / FOLDER / "fragment").is_dir() or not any((site / FOLDER / "fragment").iterdir())


def test_what_a_first_search_loads_costs_a_few_bytes_a_passage(real_library):
    """A long series' first search: Pagefind's metadata has an entry a paper, the table a few bytes a passage
    (two small numbers); what each passage shows is fetched with it (issue 36: 200 papers in 150 kB)."""
    folder = site_folder(real_library) / FOLDER
    for language in ("en", "fr", "es"):
        table = json.loads((folder / f"search.{language}.json").read_text("utf-8"))
        rows = json.dumps(table["papers"], separators=(",", ":"))
        assert len(rows) <= 6 * table["count"] + 80 * len(table["papers"]), (language, len(rows), table["count"])
        meta = next(folder.glob(f"pagefind.{language}_*.pf_meta"))
        assert meta.stat().st_size <= 60 * len(table["papers"]) + 200, (language, meta.stat().st_size)


def test_an_unchanged_build_leaves_the_index_alone_and_a_changed_paper_rebuilds_it(tmp_path):
    config = load_config(make_project(tmp_path) / "setup.cfg")
    build_static_search(Project(config))
    entry = site_folder(config) / FOLDER / "pagefind-entry.json"
    before = entry.read_bytes()
    assert not build_static_search(Project(config)).written
    paper = next(config.papers_dir.glob("*.md"))
    paper.write_text(paper.read_text("utf-8") + "\nA closing word on zanzibarite tides.\n", "utf-8")
    written = build_static_search(Project(config)).written
    assert entry.read_bytes() != before and entry in written
    assert all(path.is_file() for path in written)


def test_a_changed_paper_writes_its_own_passages_again_and_the_folder_is_as_from_nothing(tmp_path, monkeypatch):
    """At 200 papers a language has 9,000 passage files: an edit compresses and compares its paper's alone."""
    import shutil

    from library.core.files import OutputBatch

    project = make_project(tmp_path / "project")
    config = load_config(project / "setup.cfg")
    build_static_search(Project(config))
    paper = config.papers_dir / "sample.md"
    paper.write_text(paper.read_text("utf-8") + "\nA closing word on zanzibarite tides.\n", "utf-8")
    folder = site_folder(config) / FOLDER
    series = {path: path.stat().st_mtime_ns for path in folder.glob("passages/*/series/*.passage")}
    offered: list[Path] = []  # every file the stage made and handed over to be compared and written
    write = OutputBatch.write
    monkeypatch.setattr(OutputBatch, "write",
                        lambda batch, path, data: offered.append(path) or write(batch, path, data))
    changes = build_static_search(Project(config))
    monkeypatch.undo()
    assert not set(series) & set(offered)
    passages = {path.relative_to(folder).as_posix() for path in changes.written if path.suffix == ".passage"}
    assert passages and all(name.split("/")[2] == "sample" for name in passages), sorted(passages)
    assert series and {path: path.stat().st_mtime_ns for path in series} == series
    assert set(series) <= set(changes.unchanged)
    fresh = shutil.copytree(project, tmp_path / "fresh", ignore=shutil.ignore_patterns("build"))
    build_static_search(Project(load_config(fresh / "setup.cfg")))
    assert _files(folder) == _files(site_folder(load_config(fresh / "setup.cfg")) / FOLDER)


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_a_paper_page_holds_the_servers_words_of_each_passage_and_nothing_of_the_translations_markup():
    hostile = '<img src=x onerror="alert(1)"> & <b>'
    page = _paper_page("fr", [{"text": hostile, "anchor": 'a"b', "language": "fr"}])
    assert "<img" not in page and "<b>" not in page and 'id="a&quot;b"' in page
    # The server's words: parted at apostrophes ("enfants" finds "l’enfant"), its stop words left out, so that
    # Pagefind's places are the server's ("droits migrants" is a phrase of "droits des migrants").
    page = _paper_page("fr", [
        {"text": "l’enfant qu’est-ce d'examen, migrants’ rights", "anchor": "one", "language": "fr"},
        {"text": "Les droits des migrants.", "anchor": "two", "language": "fr"},
        {"text": "The rights of migrants.", "anchor": "three", "language": "en"}])
    assert ('<p id="one">enfant examen migrants rights</p><p id="two">droits migrants</p>'
            '<p id="three">rights migrants</p>') in page


@pytest.mark.slow  # runs Pagefind over the real library twice
def test_two_builds_of_the_same_inputs_write_the_same_index_byte_for_byte(real_library, tmp_path):
    """Pagefind writes its filters in another order on each run: the index carries none."""
    import dataclasses

    again = dataclasses.replace(real_library, build_dir=tmp_path / "build")
    build_static_search(Project(again))
    first, second = site_folder(real_library) / FOLDER, site_folder(again) / FOLDER

    def files(folder: Path) -> dict[str, bytes]:
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}

    one, other = files(first), files(second)
    assert len(one) > 600
    assert sorted(one) == sorted(other)
    assert [name for name in one if one[name] != other[name]] == []


def test_the_language_tables_carry_the_servers_lists(real_library):
    from library.outputs.analysis import question_words, stop_words

    table = json.loads((site_folder(real_library) / FOLDER / "search.fr.json").read_text("utf-8"))
    assert table["stop"] == sorted(stop_words("fr")) and table["ask"] == sorted(question_words("fr"))
    # What a passage's empty English field is searched with, and the order the other indexes are tried in.
    assert table["source_stop"] == sorted(stop_words("en")) and table["languages"] == ["en", "fr", "es"]
    assert table["operators"] == {"and": ["AND", "ET"], "not": ["NOT", "SAUF"], "or": ["OR", "OU"]}
    term = next(t for t in table["terms"] if t["official"] == "participation véritable")
    assert ["fr", "particip signif", ""] in term["forms"]
    assert table["count"] == sum(len(row[3]) for row in table["papers"]) == len(_records(Project(real_library), "fr"))
    words = json.loads((site_folder(real_library) / FOLDER / "search-words.fr.json").read_text("utf-8"))
    assert words["words"]["declaration"][1] == "déclaration" and "hearing" in words["elsewhere"]


def test_the_stems_come_in_files_by_first_letters_each_word_in_its_own(real_library):
    """A search loads the stems of its own words' first letters, never the whole vocabulary's."""
    from library.outputs.analysis import stem

    folder = site_folder(real_library) / FOLDER
    table = json.loads((folder / "search.fr.json").read_text("utf-8"))
    assert "stems" not in table and "64-65" in table["stem_files"]  # "de": déclaration, des…
    assert {path.stem for path in (folder / "stems" / "fr").iterdir()} == set(table["stem_files"])
    groups = json.loads((folder / "stems" / "fr" / "64-65.json").read_text("utf-8"))
    assert "declaration" in groups["fr"][stem("fr", "declaration")].split()
    # Each stem with its forms, in the file of each form's first letters (and of its own).
    assert all(stem_.startswith("de") or any(word.startswith("de") for word in forms.split())
               for stems in groups.values() for stem_, forms in stems.items())
    sizes = [path.stat().st_size for path in (folder / "stems" / "fr").iterdir()]
    assert max(sizes) < 8_000 and sum(sizes) > 5 * max(sizes)


def test_the_tables_keep_each_passages_length_as_the_servers_index_does(real_library):
    """BM25F divides by a passage's length as Whoosh keeps it, in one byte (11 words as 12), and the exact average."""
    from whoosh import index

    from library.core.paths import index_folder

    for language in ("en", "fr", "es"):
        table = json.loads((site_folder(real_library) / FOLDER / f"search.{language}.json").read_text("utf-8"))
        with index.open_dir(index_folder(real_library) / language).searcher() as searcher:
            steps = table["length_steps"]
            assert [min(step for step in steps if step >= length) for row in table["papers"] for length in row[3]] == [
                searcher.doc_field_length(doc, "text") or 0 for doc in range(searcher.doc_count_all())]
            assert table["average_length"] == pytest.approx(searcher.avg_field_length("text"), rel=1e-12)
        assert any(11 in row[3] for row in table["papers"]) and 11 not in steps  # 11 words are kept as 12


def test_a_paper_of_nothing_but_stop_words_has_no_pagefind_page_and_its_passages_no_words(tmp_path):
    from library.outputs.static_search.pagefind import _fragment, _paper_rows

    records = [{"paper": "a", "anchor": "x", "text": "The of and.", "language": "en"},
               {"paper": "b", "anchor": "y", "text": "Migrants' rights", "language": "en"},
               {"paper": "b", "anchor": "z", "text": "and rights of migrants", "language": "en"}]
    output = _run_pagefind(tmp_path, {"en": records})
    pages = {}
    for path in (output / "fragment").iterdir():
        pages.update(_fragment(f"fragment/{path.name}", path.read_bytes()))
    assert set(pages) == {("en", "b")}  # Pagefind leaves out a page without a word
    assert _paper_rows("en", records, [0, 2, 2], pages) == [
        ["", "a", "en/a.html", [0]], [pages["en", "b"][0], "b", "en/b.html", [2, 2]]]
    # Where Pagefind counts a passage's words otherwise than the server, its counts come too.
    assert _paper_rows("en", records, [0, 3, 2], pages)[1] == [pages["en", "b"][0], "b", "en/b.html", [3, 2], [2]]


def test_a_pagefind_failure_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    with pytest.raises(LibraryError, match="static search: Pagefind could not run"):
        _run_pagefind(tmp_path, {"fr": [{"paper": "p", "anchor": "a", "text": "x", "language": "fr"}]})


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

    from library.outputs.headers import CONTENT_SECURITY_POLICY

    assert f'Content-Security-Policy "{CONTENT_SECURITY_POLICY}"' in (REPOSITORY / "README.md").read_text("utf-8")
    headers = (site_folder(real_library) / "_headers").read_text("utf-8")
    assert f"  Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n" in headers


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_the_site_stage_leaves_the_static_search_alone_and_its_own_stage_brings_it_up_to_date(tmp_path):
    config = load_config(make_project(tmp_path) / "setup.cfg")
    build_html(Project(config))
    build_static_search(Project(config))
    entry = site_folder(config) / FOLDER / "pagefind-entry.json"
    before = entry.read_bytes()
    paper = next(config.papers_dir.glob("*.md"))
    paper.write_text(paper.read_text("utf-8") + "\nA closing word on zanzibarite tides.\n", "utf-8")
    changes = build_html(Project(config))  # as the live preview does: its server searches itself
    assert changes.written and entry.read_bytes() == before
    assert not any(FOLDER in path.parts for path in [*changes.written, *changes.removed])
    build_static_search(Project(config))
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


# --- as good as the server's: the judged queries, and each thing the server does -------------


def test_judged_queries_in_the_browser_reach_the_servers_figures(hosted, real_library, browser):
    from relevance import judge, judge_static, relevance
    from test_search import RELEVANCE_FLOOR

    with _watched_page(browser) as (page, _requests, violations):
        static = relevance(judge_static(page, hosted))
        assert violations == []
    served = relevance(judge(Project(real_library)))
    assert [f.language for f in static] == ["en", "fr", "es"]
    for mine, theirs in zip(static, served, strict=False):
        for name, floor in RELEVANCE_FLOOR.items():
            assert getattr(mine, name) >= getattr(theirs, name) - 0.05, (mine.language, name, mine, theirs)
            assert getattr(mine, name) >= floor, (mine.language, name, getattr(mine, name))


def _static_search(page, hosted: str, language: str, query: str) -> dict:
    """What the static search page shows for query: passages, sentences, marks, suggestion."""
    from urllib.parse import quote

    page.goto(f"{hosted}/{language}/search.html?q={quote(query)}")
    page.locator('[data-status]:not([hidden]), [data-notice="no-words"]:not([hidden])').first.wait_for()
    return {
        "keys": [href.rsplit("/", 1)[1].replace(".html#", "#") for href in
                 page.locator(".result-paper .section a").evaluate_all("links => links.map(a => a.href)")],
        "status": page.locator("[data-status]").inner_text(),
        "notices": [name for name in page.locator("[data-notice]:not([hidden])").evaluate_all(
            "notices => notices.map(n => n.dataset.notice)")],
        "notice_text": page.locator("[data-notice]:not([hidden])").all_inner_texts(),
        "marks": page.locator(".snippet mark").all_inner_texts(),
        "matched_marks": page.locator(".matched mark").all_inner_texts(),
        "matched_lang": page.locator(".matched").evaluate_all("ps => ps.map(p => p.lang)"),
        "snippets": page.locator(".snippet").all_inner_texts(),
        "suggestion": page.locator('[data-notice="suggestion"]:not([hidden]) a').all_inner_texts(),
    }


def _served(real_library, language: str, query: str):
    from library.outputs.search.engine import SearchEngine

    return SearchEngine().search(Project(real_library), query, language)


QUESTIONS = [("en", "what happens after the forum"), ("fr", "que se passe-t-il après le forum"),
             ("es", "¿qué pasa después del foro?")]


@pytest.mark.parametrize(("language", "query"), QUESTIONS)
def test_a_question_finds_what_the_server_finds(hosted, real_library, browser, language, query):
    with _watched_page(browser) as (page, _requests, _violations):
        shown = _static_search(page, hosted, language, query)
    served = [f"{paper.paper}#{p.anchor}" for paper in _served(real_library, language, query).papers
              for p in paper.passages]
    assert len(shown["keys"]) >= 5 and shown["keys"][0] in served
    assert len(set(shown["keys"][:5]) & set(served)) >= 3
    marked = {_folded(mark) for mark in shown["marks"]}
    assert marked and not marked & {"what", "the", "que", "se", "le", "qué", "el", "del"}


@pytest.mark.parametrize(("language", "query", "official"), [
    ("fr", "participation significative", "participation véritable"),
    ("es", "participacion real", "participación significativa"),
    ("en", "déclaration sur les progrès", "progress declaration"),
])
def test_a_glossary_variant_finds_the_official_term(hosted, browser, language, query, official):
    with _watched_page(browser) as (page, _requests, _violations):
        shown = _static_search(page, hosted, language, query)
    assert len(shown["keys"]) >= 3 and "partial" not in shown["notices"]
    assert any(_folded(official) in _folded(snippet) for snippet in shown["snippets"][:3])


@pytest.mark.parametrize("language", ["fr", "es"])
def test_an_english_word_finds_the_translated_passages_and_says_so(hosted, real_library, browser, language):
    with _watched_page(browser) as (page, _requests, _violations):
        shown = _static_search(page, hosted, language, "hearing")
    served = _served(real_library, language, "hearing")
    assert served.matched_language == "en" and len(shown["keys"]) >= 3
    assert set(shown["keys"]) <= {f"{paper.paper}#{p.anchor}" for paper in served.papers for p in paper.passages}
    assert shown["notices"] == ["matched"] and ("anglais" if language == "fr" else "inglés") in shown["notice_text"][0]
    assert "hearing" in {_folded(mark) for mark in shown["matched_marks"]} <= {"hear", "hearing", "hearings"}
    assert set(shown["matched_lang"]) == {"en"}
    assert "hearing" not in _folded(" ".join(shown["snippets"][::2]))  # the passage itself is in French


@pytest.mark.parametrize(("language", "query", "words"), [
    ("fr", "droits des migrants", {"droit", "droits", "droite", "migrant", "migrants"}),  # as the server: by stem
    ("en", "rights of migrants", {"right", "rights", "migrant", "migrants"}),
    ("es", "derechos de los migrantes", {"derecho", "derechos", "migrante", "migrantes"}),
    # Found through the glossary's official form, "Declaración sobre los Progresos": its small words are no match.
    ("es", "declaracion progresos", {"declaracion", "declaraciones", "progresos", "progreso"}),
])
def test_highlights_mark_whole_matched_words_only(hosted, browser, language, query, words):
    with _watched_page(browser) as (page, _requests, _violations):
        shown = _static_search(page, hosted, language, query)
    assert shown["keys"] and shown["marks"]
    assert {_folded(mark) for mark in shown["marks"]} <= words  # no "des", "devient", "droits."


@pytest.mark.parametrize(("language", "query"), [("en", "detension"), ("fr", "Marakech"), ("es", "migrnates")])
def test_a_misspelt_word_gets_the_servers_did_you_mean(hosted, real_library, browser, language, query):
    with _watched_page(browser) as (page, _requests, _violations):
        shown = _static_search(page, hosted, language, query)
    served = _served(real_library, language, query)
    assert served.suggestion and served.showing_suggestion
    assert "showing-suggestion" in shown["notices"] and shown["keys"]  # its passages shown, and said so
    assert served.suggestion in shown["notice_text"][0]


@pytest.mark.parametrize(("language", "query"), [
    ("en", "regional reviws"), ("fr", "rétention enfnats"), ("es", "detención niñso"),
])
def test_a_misspelt_word_beside_found_ones_is_offered_as_a_link(hosted, real_library, browser, language, query):
    with _watched_page(browser) as (page, _requests, _violations):
        shown = _static_search(page, hosted, language, query)
    served = _served(real_library, language, query)
    assert shown["suggestion"] == [served.suggestion] and served.partial and "partial" in shown["notices"]


@pytest.mark.parametrize(("language", "query", "needed", "banned"), [
    ("en", "detention OR return -children", ("detention", "return"), "child"),
    ("fr", "rétention OU retour SAUF enfants", ("retention", "retour"), "enfant"),
    ("es", '"sociedad civil" NO migrantes', ("sociedad civil",), "migrante"),
])
def test_phrases_or_and_not_work_in_the_browser(hosted, real_library, browser, language, query, needed, banned):
    with _watched_page(browser) as (page, _requests, _violations):
        shown = _static_search(page, hosted, language, query)
    served = _served(real_library, language, query)
    assert shown["keys"] and not {"partial", "failed"} & set(shown["notices"])
    for snippet in shown["snippets"]:
        assert any(word in _folded(snippet) for word in needed) and banned not in _folded(snippet), snippet
    assert set(shown["keys"][:3]) & {f"{paper.paper}#{p.anchor}" for paper in served.papers for p in paper.passages}


@pytest.mark.parametrize(("language", "query", "missing"), [
    ("en", "detention zqxwvt", "zqxwvt"), ("fr", "rétention zqxwvt", "zqxwvt"), ("es", "detención zqxwvt", "zqxwvt"),
])
def test_most_of_the_words_rather_than_nothing(hosted, browser, language, query, missing):
    with _watched_page(browser) as (page, _requests, _violations):
        shown = _static_search(page, hosted, language, query)
    assert shown["keys"] and {"partial", "missing"} <= set(shown["notices"])
    assert any(text.endswith(missing) for text in shown["notice_text"])


@pytest.mark.parametrize(("language", "query"), [
    ("en", 'NOT NOT NOT ""'), ("fr", "SAUF SAUF SAUF"), ("es", '"de los" NO NO'), ("en", "title: (what OR *)"),
])
def test_queries_of_nothing_but_operators_and_stop_words_say_so(hosted, browser, language, query):
    with _watched_page(browser) as (page, _requests, violations):
        page.goto(f"{hosted}/{language}/search.html?q={query.replace('#', '%23')}")
        page.locator('[data-notice="no-words"]:not([hidden]), [data-notice="failed"]:not([hidden]), '
                     '[data-status]:not([hidden])').first.wait_for()
        assert page.locator('[data-notice="failed"]').is_hidden()
        assert violations == []


# --- brackets at any depth, and a word of another language, as the server reads them ----------


def _keys(results) -> list[str]:
    return [f"{paper.paper}#{passage.anchor}" for paper in results.papers for passage in paper.passages]


@pytest.mark.parametrize(("language", "query"), [
    ("en", "forum (detention OR (return NOT camps))"),  # a NOT two brackets down scores as on the server
    ("en", "(detention OR (return AND (children OR families))) -forum"),
    ("fr", "forum (rétention OU (retour SAUF (enfants OU camps)))"),
    ("fr", '("société civile" OU (migrants ET -forum)) examen'),  # a phrase with small words between
    ("es", "((sociedad civil) O (migrantes NO (foro))) examen"),
    ("en", "forum OR NOT camps"),  # every passage without "camps", those with "forum" first
    ("fr", "forum rétention retour enfants camps"),  # none has every word: those with most of them
])
def test_brackets_at_any_depth_find_what_the_server_finds_in_its_order(hosted, real_library, browser, language,
                                                                        query):
    with _watched_page(browser) as (page, _requests, violations):
        shown = _static_search(page, hosted, language, query)
        assert violations == []
    served = _served(real_library, language, query)
    assert shown["keys"] and shown["keys"] == _keys(served)
    assert ("partial" in shown["notices"]) == served.partial and "failed" not in shown["notices"]


@pytest.mark.parametrize(("language", "query", "matched", "said"), [
    ("en", "rétention", "fr", "French"),
    ("en", "participación", "es", "Spanish"),  # the French index first, as on the server, then the Spanish
    ("fr", "participación", "es", "espagnol"),
    ("es", "rétention des enfants", "fr", "francés"),
])
def test_a_word_of_another_language_is_found_there_as_on_the_server(hosted, real_library, browser, language, query,
                                                                     matched, said):
    with _watched_page(browser) as (page, requests, violations):
        shown = _static_search(page, hosted, language, query)
        assert violations == []
    served = _served(real_library, language, query)
    assert served.matched_language == matched and shown["keys"] and shown["keys"] == _keys(served)
    assert shown["notices"] == ["matched"] and said in shown["notice_text"][0]
    assert set(shown["matched_lang"]) == {matched} and shown["matched_marks"]
    # Another language's index is loaded only when the ones before it found nothing, in the server's order.
    others = [code for code in ("en", "fr", "es") if code != language]
    tried = {language, *others[:others.index(matched) + 1]}
    assert {code for code in ("en", "fr", "es") if any(f"/search.{code}.json" in url for url in requests)} == tried


def test_a_word_found_in_the_readers_language_loads_no_other_index(hosted, browser):
    with _watched_page(browser) as (page, requests, _violations):
        shown = _static_search(page, hosted, "en", "detention")
    assert shown["keys"] and "matched" not in shown["notices"]
    assert not [url for url in requests if "pagefind.js?" in url or any(f"/search.{code}.json" in url
                                                                        for code in ("fr", "es"))]
