from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import brotli
import pytest
import tinyhtml5
from conftest import site_built_once
from projects import waitress_server

from library.core.config import Config
from library.model.project import Project
from library.serving import connections
from library.serving.web import SERVER_LIMITS, create_app, negotiate_language


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


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Config:
    """The site built without a search index, shared by the tests that only request its pages."""
    return site_built_once(tmp_path_factory, "site")


@pytest.fixture(scope="module")
def client(site):
    return _Client(create_app(Project(site)))


@pytest.mark.parametrize("header, language", [
    ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
    ("es-419", "es"),
    ("de-DE, es;q=0.5, fr;q=0.4", "es"),
    ("de, it", "en"),
    ("", "en"),
    ("*", "en"),
    ("fr;q=0, es", "es"),
    ("FR-fr", "fr"),  # language tags are compared without regard to case
    ("ES", "es"),
    ("Fr-CH, en;q=0.5", "fr"),
])
def test_accept_language_picks_the_best_language(site, header, language):
    assert negotiate_language(header, site) == language


def test_the_root_redirects_to_the_readers_language(client):
    response = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert response.status_code == 302 and response.location == "/es/"
    assert "Accept-Language" in response.vary


def test_a_language_in_capitals_leads_to_its_pages(client):
    response = client.get("/", headers={"Accept-Language": "FR-fr"})
    assert response.status_code == 302 and response.location == "/fr/"
    for asked, canonical in [("/FR/", "/fr/"), ("/FR", "/fr/"), ("/Es/sample.html", "/es/sample.html"),
                             ("/EN/search.html?q=forum", "/en/search.html?q=forum")]:
        response = client.get(asked)
        assert response.status_code == 301 and response.location == canonical, asked
    assert client.get("/DE/sample.html").status_code == 404


def test_language_folders_serve_their_home(client):
    assert client.get("/fr").location == "/fr/"
    home = client.get("/fr/")
    assert home.status_code == 200 and b'<html lang="fr"' in home.data
    assert client.get("/fr/index.html").data == home.data


@pytest.mark.parametrize("asked, location", [
    ("/fr/sample", "sample.html"),
    ("/fr/sample/", "../sample.html"),
    ("/fr/sample/es", "es.html"),  # side by side
    ("/fr/sample/es/", "../es.html"),
    ("/es/sample?x=1", "sample.html?x=1"),
    ("/dashboard", "dashboard/"),
])
def test_a_page_asked_for_without_its_html_is_sent_to_it(client, asked, location):
    from urllib.parse import urljoin

    response = client.get(asked)
    assert response.status_code == 301 and response.location == location  # relative: it holds under any prefix
    page = client.get(urljoin(asked, location))
    assert page.status_code == 200 and page.mimetype == "text/html"


@pytest.mark.parametrize("asked", ["/fr/no-such-paper", "/fr/no-such-paper/", "/fr/sample.html/", "/fr/sample.pdf/x",
                                   "/fr/.hidden", "/fr/sample.html.html"])
def test_only_pages_that_exist_are_redirected_to(client, asked):
    assert client.get(asked).status_code == 404


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
    "/assets/",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_paths_get_404(client, path):
    response = client.get(path)
    assert response.status_code == 404, response.data[:200]
    assert b"[library]" not in response.data and b"root:" not in response.data


def test_a_symlink_out_of_the_site_is_not_followed(client, site):
    leak = site.build_dir / "html" / "fr" / "leak.html"
    leak.symlink_to(site.root / "setup.cfg")
    try:
        assert client.get("/fr/leak.html").status_code == 404
    finally:
        leak.unlink()  # the site is shared with the module's other tests


def test_only_reading_is_allowed(client):
    assert client.post("/fr/sample.html").status_code == 405
    assert client.head("/fr/sample.html").status_code == 200


def test_serve_refuses_an_unbuilt_site(run):
    result = run("serve")
    assert result.exit_code == 1
    assert result.output == "Error: build/html: no site built yet; run `library build html` first\n"


def test_library_serve_answers_on_the_given_port(site):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "library", "--config", str(site.root / "setup.cfg"), "serve", "--port", str(port)]
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
    assert result.exit_code == 2 and "70000 is not in the range 0<=x<=65535" in result.output


@pytest.fixture(scope="module")
def search_client(tmp_path_factory):
    """The site and its search index, built once, shared by the tests that only search it."""
    return _Client(create_app(Project(site_built_once(tmp_path_factory, "searched", index=True))))


def test_the_search_page_shows_highlighted_passages_linked_to_their_paragraph(search_client):
    response = search_client.get("/es/search.html?q=quoted+paragraph")
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
    assert switch["fr"] == "../fr/search.html?q=quoted+paragraph"


@pytest.mark.parametrize("query", [
    "", '"', "(", "title:(", "*", "\x00", "\u202eparagraph", "x" * 10_000, "paragraph " * 1000, "%", "%(x)s",
    "<script>alert(1)</script>", "AND OR NOT", "NOT", "-", "((((((((((", '"unclosed phrase',
])
def test_any_query_gets_a_page_never_an_error(search_client, query):
    response = search_client.get("/fr/search.html", query_string={"q": query})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<script>alert" not in text and '<main id="main_content"' in text


def test_the_query_is_escaped_wherever_it_is_shown(search_client):
    text = search_client.get("/en/search.html", query_string={"q": '"><img src=x onerror=alert(1)> zzqx'}).get_data(
        as_text=True)
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_search_before_any_index_says_so(client):
    response = client.get("/fr/search.html?q=migrants")
    assert response.status_code == 200 and b"index has not been built" in response.data


def test_search_in_an_unknown_language_is_a_404(search_client):
    assert search_client.get("/de/search.html?q=x").status_code == 404


def test_every_static_page_has_a_search_box_for_its_language(site):
    for path in (site.build_dir / "html" / "fr").rglob("*.html"):
        form = [line for line in path.read_text("utf-8").splitlines() if 'role="search"' in line]
        assert len(form) == 1 and "fr/search" in form[0], path


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_other_methods_are_refused_with_the_allowed_ones_named(client, method):
    for path in ("/", "/fr/sample.html", "/fr/search.html?q=x"):
        response = getattr(client, method)(path)
        assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD", (method, path)


@pytest.mark.parametrize("encoding, decompress", [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_text_is_sent_compressed_to_readers_who_accept_it(client, site, encoding, decompress):
    page = (site.build_dir / "html" / "fr" / "sample.html").read_bytes()
    response = client.get("/fr/sample.html", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding and "Accept-Encoding" in response.vary
    assert decompress(response.data) == page and len(response.data) < len(page) / 2
    again = client.get("/fr/sample.html", headers={"Accept-Encoding": encoding,
                                                   "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get("/fr/sample.html")
    assert "Content-Encoding" not in plain.headers and plain.data == page


def test_a_range_of_a_compressed_page_is_the_whole_page(client, site):
    page = (site.build_dir / "html" / "fr" / "sample.html").read_bytes()
    response = client.get("/fr/sample.html", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert response.status_code == 200 and gzip.decompress(response.data) == page


def test_images_are_not_compressed_again(client):
    response = client.get("/assets/images/map.png", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers


class _FailingEngine:
    def search(self, *args, **kwargs):
        raise RuntimeError("the index vanished")


def test_a_server_error_is_the_sites_own_page_in_the_readers_language(real_library):
    client = _Client(create_app(Project(real_library), engine=_FailingEngine()))
    for path, headers, language, title in [
        ("/fr/search.html?q=migrants", {}, "fr", "Le serveur n’a pas pu répondre"),
        ("/es/search.html?q=migrantes", {"Accept-Encoding": "gzip"}, "es", "El servidor no ha podido responder"),
        ("/en/search.html?q=migrants", {}, "en", "The server could not answer"),
    ]:
        response = client.get(path, headers=headers)
        assert response.status_code == 500 and response.headers["Content-Language"] == language
        body = response.data
        assert f'<html lang="{language}"'.encode() in body and title.encode() in body
        assert b"the index vanished" not in body and response.headers["Cache-Control"] == "no-store"


def _serve(config, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "library", "--config", str(config.root / "setup.cfg"), "serve", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_port_in_use_is_one_clear_line(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _serve(site, "--port", str(port))
        stdout, stderr = server.communicate(timeout=30)
    assert server.returncode == 1 and stdout == ""
    assert stderr == (f"Error: cannot listen on 127.0.0.1:{port}: the port is already in use "
                      "(is another server running?)\n")


def test_an_address_that_is_not_this_machines_is_one_clear_line(site):
    server = _serve(site, "--host", "192.0.2.1", "--port", "0")  # TEST-NET-1: binding fails, nothing is sent
    stdout, stderr = server.communicate(timeout=30)
    assert server.returncode == 1 and stdout == ""
    assert stderr == "Error: cannot listen on 192.0.2.1:0: this machine has no such address\n"


def test_a_reader_is_served_while_slow_clients_hold_connections(site):
    server = _serve(site, "--port", "0")
    idle: list[socket.socket] = []
    try:
        address = server.stdout.readline().split(" on ")[1].split()[0]
        host, port = address.removeprefix("http://").rstrip("/").split(":")
        for number in range(150):  # more than waitress's default limit of 100
            connection = socket.create_connection((host, int(port)), timeout=5)
            if number % 2:
                connection.sendall(b"GET /fr/ HTTP/1.1\r\nHost: x\r\n")  # headers begun, never finished
            idle.append(connection)
        started = time.monotonic()
        with urllib.request.urlopen(f"{address}fr/sample.html", timeout=5) as response:
            assert response.status == 200 and response.read().rstrip().endswith(b"</html>")
        assert time.monotonic() - started < 2
    finally:
        for connection in idle:
            connection.close()
        server.terminate()
        server.communicate(timeout=10)


def _slow_clients(port: int, count: int, addresses: list[str]) -> list[socket.socket]:
    """count connections from the given local addresses in turn, each with a request's headers begun, never ended."""
    opened = []
    for number in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5,
                                              source_address=(addresses[number % len(addresses)], 0))
        connection.sendall(b"GET /fr/ HTTP/1.1\r\nHost: x\r\n")
        opened.append(connection)
    return opened


def _closed_by_the_server(connection: socket.socket) -> bool:
    try:
        return connection.recv(100) == b""
    except ConnectionResetError:
        return True


def _read_promptly(url: str) -> float:
    """Seconds until url's page came whole (failing after 5)."""
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200 and response.read().rstrip().endswith(b"</html>")
    return time.monotonic() - started


def test_one_client_cannot_take_every_connection(site, monkeypatch):
    # 1,010 slow connections from one machine locked every reader out; here the server's limit is lowered
    # to 150 so that 200 connections (from 127.0.0.2; the reader is 127.0.0.1) show it.
    monkeypatch.setitem(SERVER_LIMITS, "connection_limit", 150)
    with waitress_server(site) as address:
        slow = _slow_clients(int(address.split(":")[-1].strip("/")), 200, ["127.0.0.2"])
        try:
            assert _read_promptly(f"{address}fr/sample.html") < 2
            assert _closed_by_the_server(slow[0])  # the oldest gave its place to a newer one of the same client
        finally:
            for connection in slow:
                connection.close()


def test_a_request_must_arrive_within_its_deadline(site, monkeypatch):
    # Clients from many addresses, each sending its headers a byte at a time, fill the server: the deadline
    # closes them, so a reader waits seconds, not for as long as they like.
    monkeypatch.setitem(SERVER_LIMITS, "connection_limit", 60)
    monkeypatch.setattr(connections, "REQUEST_DEADLINE", 1.0)
    with waitress_server(site) as address:
        port = int(address.split(":")[-1].strip("/"))
        slow = _slow_clients(port, 60, [f"127.0.0.{n}" for n in range(2, 12)])
        try:
            trickling = slow[0]
            answer, deadline = b"", time.monotonic() + 8
            while not answer and time.monotonic() < deadline:
                try:
                    trickling.sendall(b"X")  # a byte of a header, now and then: never silent, never done
                    trickling.settimeout(0.3)
                    answer = trickling.recv(200)
                except TimeoutError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    answer = b"(closed)"
            assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n") or answer == b"(closed)", answer
            assert _read_promptly(f"{address}fr/sample.html") < 2
        finally:
            for connection in slow:
                connection.close()


def test_search_pages_are_compressed_too(search_client):
    response = search_client.get("/fr/search.html?q=quoted+paragraph", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert b'<main id="main_content"' in gzip.decompress(response.data)


def test_the_old_search_address_still_leads_to_the_results(search_client):
    response = search_client.get("/fr/search?q=participation+des+migrants")
    assert response.status_code == 301
    assert response.headers["Location"] == "/fr/search.html?q=participation+des+migrants"
    assert search_client.get("/xx/search?q=x").status_code == 404


def test_the_server_answers_the_search_itself_and_keeps_the_static_hosts_files_to_itself(search_client):
    page = search_client.get("/en/search.html?q=quoted+paragraph").get_data(as_text=True)
    assert "data-static-search" not in page and 'class="result-paper"' in page
    assert search_client.get("/_headers").status_code == 404


def _main_of(response):
    page = tinyhtml5.parse(response.get_data(as_text=True), namespace_html_elements=False)
    return page.find(".//main/div")


def test_the_results_page_names_the_query_in_its_heading(search_client):
    main = _main_of(search_client.get("/en/search.html?q=quoted+paragraph"))
    assert "".join(main.find("h1").itertext()) == "Results for “quoted paragraph”"
    hostile = _main_of(search_client.get("/en/search.html?q=%3Cb%3Ebold%3C/b%3E"))
    assert "".join(hostile.find("h1").itertext()) == "Results for “<b>bold</b>”" and hostile.find("h1/b") is None
    assert "".join(_main_of(search_client.get("/en/search.html")).find("h1").itertext()) == "Search results"


def test_a_search_that_finds_nothing_says_so_first_then_why_and_leads_back(search_client):
    main = _main_of(search_client.get("/fr/search.html?q=zzzqqqx"))
    paragraphs = [element for element in main if element.tag == "p"]
    said = ["".join(paragraph.itertext()).strip() for paragraph in paragraphs]
    assert said[0] == "No passage matches “zzzqqqx”." and paragraphs[0].get("role") == "status"
    assert said[1].startswith("Words not found:") and "zzzqqqx" in said[1]
    assert paragraphs[2].find("a").get("href") == "../fr/index.html"
