from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import tinyhtml5

from library.html import build_html
from library.project import Project
from library.search import build_index
from library.web import create_app, negotiate_language


class _Client:
    """Flask's test client, closing each response so no file is left open."""

    def __init__(self, app) -> None:
        self._client = app.test_client()

    def __getattr__(self, method: str):
        def request(*args, **kwargs):
            response = getattr(self._client, method)(*args, **kwargs)
            response.get_data()
            response.close()
            return response

        return request


@pytest.fixture
def client(config):
    build_html(Project(config))
    return _Client(create_app(Project(config)))


@pytest.mark.parametrize("header, language", [
    ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
    ("es-419", "es"),
    ("de-DE, es;q=0.5, fr;q=0.4", "es"),
    ("de, it", "en"),
    ("", "en"),
    ("*", "en"),
    ("fr;q=0, es", "es"),
])
def test_accept_language_picks_the_best_language(config, header, language):
    assert negotiate_language(header, config) == language


def test_the_root_redirects_to_the_readers_language(client):
    response = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert response.status_code == 302 and response.location == "/es/"
    assert "Accept-Language" in response.vary


def test_language_folders_serve_their_home(client):
    assert client.get("/fr").location == "/fr/"
    home = client.get("/fr/")
    assert home.status_code == 200 and b'<html lang="fr"' in home.data
    assert client.get("/fr/index.html").data == home.data


def test_pages_and_assets_are_served_with_a_strict_policy(client):
    page = client.get("/es/sample.html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/assets/site.css").mimetype == "text/css"


@pytest.mark.parametrize("path, language", [
    ("/fr/no-such-paper.html", "fr"),
    ("/es/sample/xx.html", "es"),
    ("/de/", "en"),
    ("/xx/sample.html", "en"),
])
def test_unknown_pages_get_a_404_in_the_readers_language(client, path, language):
    response = client.get(path)
    assert response.status_code == 404
    assert f'<html lang="{language}"'.encode() in response.data and b"Page not found" in response.data


def test_a_404_outside_any_language_follows_accept_language(client):
    response = client.get("/nowhere", headers={"Accept-Language": "es"})
    assert response.status_code == 404 and b'<html lang="es"' in response.data


HOSTILE_PATHS = [
    "/../setup.cfg",
    "/fr/../../setup.cfg",
    "/%2e%2e/setup.cfg",
    "/fr/%2e%2e/%2e%2e/setup.cfg",
    "/fr/..%2f..%2fsetup.cfg",
    "/fr/%2E%2E%2F%2E%2E%2Fsetup.cfg",
    "/..%5c..%5csetup.cfg",
    "/fr\\..\\..\\setup.cfg",
    "/fr/%5c..%5c..%5csetup.cfg",
    "//etc/passwd",
    "/fr//sample.html",
    "/assets//site.css",
    "/./fr/sample.html",
    "/fr/./sample.html",
    "/%00",
    "/fr/sample.html%00.css",
    "/fr/.sample.html.tmp",
    "/etc/passwd",
    "/fr/sample",
    "/assets/",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_paths_get_404(client, path):
    response = client.get(path)
    assert response.status_code == 404, response.data[:200]
    assert b"[library]" not in response.data and b"root:" not in response.data


def test_a_symlink_out_of_the_site_is_not_followed(client, config):
    (config.build_dir / "html" / "fr" / "leak.html").symlink_to(config.root / "setup.cfg")
    assert client.get("/fr/leak.html").status_code == 404


def test_only_reading_is_allowed(client):
    assert client.post("/fr/sample.html").status_code == 405
    assert client.head("/fr/sample.html").status_code == 200


def test_serve_refuses_an_unbuilt_site(run):
    result = run("serve")
    assert result.exit_code == 1
    assert result.output == "Error: build/html: no site built yet; run `library build html` first\n"


def test_library_serve_answers_on_the_given_port(config):
    build_html(Project(config))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "library", "--config", str(config.root / "setup.cfg"), "serve", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        response = _first_response(f"http://127.0.0.1:{port}/", {"Accept-Language": "fr"})
        assert response.status == 302 and response.headers["Location"].endswith("/fr/")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert f"Serving build/html on http://127.0.0.1:{port}/" in output


def _first_response(url: str, headers: dict[str, str]):
    """The server's answer to url, waiting up to ten seconds for it to start; redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    deadline = time.monotonic() + 10
    while True:
        try:
            return opener.open(urllib.request.Request(url, headers=headers), timeout=2)
        except urllib.error.HTTPError as answer:
            answer.close()
            return answer
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_serve_rejects_a_bad_port(run):
    result = run("serve", "--port", "70000")
    assert result.exit_code == 2 and "70000 is not in the range 1<=x<=65535" in result.output


@pytest.fixture
def search_client(config):
    build_html(Project(config))
    build_index(Project(config))
    return _Client(create_app(Project(config)))


def test_the_search_page_shows_highlighted_passages_linked_to_their_paragraph(search_client):
    response = search_client.get("/es/search?q=quoted+paragraph")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = tinyhtml5.parse(response.get_data(as_text=True), namespace_html_elements=False)
    assert page.get("lang") == "es"
    passages = [li for li in page.iter("li") if any(p.get("class") == "snippet" for p in li.iter("p"))]
    links = [a.get("href") for li in passages for a in li.iter("a")]
    assert len(passages) == 3 and all(href.startswith("../es/sample.html#") for href in links) and len(links) == 3
    # The passage reads as text with its words marked; its section is the link.
    snippet = next(p for p in passages[0].iter("p") if p.get("class") == "snippet")
    assert snippet.find("mark") is not None and snippet.find("a") is None
    search_box = next(e for e in page.iter("input") if e.get("name") == "q")
    assert search_box.get("value") == "quoted paragraph"
    switch = {a.get("lang"): a.get("href") for a in page.iter("a") if a.get("hreflang")}
    assert switch["fr"] == "../fr/search?q=quoted+paragraph"


@pytest.mark.parametrize("query", [
    "", '"', "(", "title:(", "*", "\x00", "\u202eparagraph", "x" * 10_000, "paragraph " * 1000, "%", "%(x)s",
    "<script>alert(1)</script>", "AND OR NOT", "NOT", "-", "((((((((((", '"unclosed phrase',
])
def test_any_query_gets_a_page_never_an_error(search_client, query):
    response = search_client.get("/fr/search", query_string={"q": query})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<script>alert" not in text and '<main id="main_content"' in text


def test_the_query_is_escaped_wherever_it_is_shown(search_client):
    text = search_client.get("/en/search", query_string={"q": '"><img src=x onerror=alert(1)> zzqx'}).get_data(
        as_text=True)
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_search_before_any_index_says_so(client):
    response = client.get("/fr/search?q=migrants")
    assert response.status_code == 200 and b"index has not been built" in response.data


def test_search_in_an_unknown_language_is_a_404(search_client):
    assert search_client.get("/de/search?q=x").status_code == 404


def test_every_static_page_has_a_search_box_for_its_language(config):
    build_html(Project(config))
    for path in (config.build_dir / "html" / "fr").rglob("*.html"):
        form = [line for line in path.read_text("utf-8").splitlines() if 'role="search"' in line]
        assert len(form) == 1 and "fr/search" in form[0], path
