"""Serve the built site: language negotiation at /, the files, and error pages in the reader's language."""
from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING, Any

from library.core.config import Config, known_language
from library.core.paths import SiteMap, site_folder
from library.model.project import Project
from library.outputs.headers import SECURITY_HEADERS
from library.outputs.render import Environments, render_page

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask, Response
    from flask.typing import ResponseReturnValue

    from library.outputs.results import SearchResults
    from library.outputs.search.engine import SearchEngine
    from library.serving.watch import Preview

__all__ = ["create_app", "make_server", "negotiate_language", "resolve", "serve", "SERVER_LIMITS"]

READ_METHODS = ("GET", "HEAD")
# Text worth compressing; the PDFs and images are compressed already.
COMPRESSED_TYPES = ["text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
                    "application/json", "image/svg+xml", "application/xml"]
# Waitress's defaults let 100 idle connections lock readers out for two minutes. Waiting
# connections cost a socket, not a thread, so many are let in, an idle one is closed after
# a few seconds, and a request can be no bigger than a page address needs. A request must
# also arrive within a deadline, and one client holds only its share (serving/connections.py).
SERVER_LIMITS = {
    "threads": 8,
    "connection_limit": 1000,
    "channel_timeout": 10,
    "cleanup_interval": 2,
    "backlog": 1024,
    "max_request_header_size": 16 * 1024,
    "max_request_body_size": 4 * 1024,  # nothing here takes a body; a form sent by mistake still gets its 405
}


def negotiate_language(accept_language: str | None, config: Config) -> str:
    """The best published language for an Accept-Language header, by Babel; the source language otherwise."""
    from babel import negotiate_locale
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    tags = parse_accept_header(accept_language or "", LanguageAccept)
    preferred = [value.replace("-", "_") for value, _quality in tags]
    # Babel compares without regard to case but answers with the tag as the reader's browser wrote it.
    chosen = negotiate_locale(preferred, config.all_languages, sep="_")
    return (known_language(chosen, config.all_languages) if chosen else None) or config.source_language


def resolve(site: Path, url_path: str) -> Path | None:
    """The file under site for a request path, or None for anything hostile or absent.

    Refused outright: '..' and '.' parts, empty parts (doubled slashes), backslashes,
    NUL and hidden files; then the resolved path must still lie inside the site.
    """
    parts = url_path.split("/")
    if url_path.endswith("/") or url_path == "":
        parts = [*parts[:-1], "index.html"] if url_path else ["index.html"]
    if any(part in ("", ".", "..") or part.startswith(".") or "\\" in part or "\0" in part for part in parts):
        return None
    candidate = site.joinpath(*parts)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(site.resolve()):
        return None
    if resolved.is_dir():
        return None
    return resolved


def create_app(project: Project, *, preview: Preview | None = None, engine: SearchEngine | None = None) -> Flask:
    """The Flask app for the project's built site; with preview (watch mode), its reload channel too.

    engine: the SearchEngine that answers its searches (a new one by default), which keeps what it
    opened and answered for as long as the app lives.
    """
    import mimetypes

    from flask import Flask, redirect, request, send_file
    from flask_compress import Compress

    from library.core.errors import LibraryError
    from library.outputs.results import MAX_QUERY_LENGTH, SearchResults
    from library.outputs.search.engine import SearchEngine

    # Python knows EPUB's type only from the system's /etc/mime.types, which a slim Debian lacks.
    mimetypes.add_type("application/epub+zip", ".epub")
    config = project.config
    engine = engine or SearchEngine()

    app = Flask(__name__, static_folder=None)
    app.url_map.merge_slashes = False  # '//' is refused, not quietly redirected
    app.config.update(COMPRESS_MIMETYPES=COMPRESSED_TYPES, COMPRESS_ALGORITHM=["br", "gzip"])
    Compress(app)
    site = site_folder(config)
    reading = {"provide_automatic_options": False}  # OPTIONS is refused like any method but GET and HEAD

    @app.get("/", **reading)
    def front_door() -> ResponseReturnValue:
        language = negotiate_language(request.headers.get("Accept-Language"), config)
        response = redirect(f"/{language}/", code=302)
        response.vary.add("Accept-Language")
        return response

    search_pages: dict[str, SearchPage] = {}

    @app.before_request
    def canonical_language() -> ResponseReturnValue | None:
        # Language tags are compared without regard to case: /FR/… is /fr/…, said once with a 301.
        first, slash, rest = request.path.lstrip("/").partition("/")
        code = known_language(first, config.all_languages)
        if code is not None and code != first:
            query = request.query_string.decode("latin-1")
            return redirect(f"/{code}/{rest}" + (f"?{query}" if query else ""), code=301)
        return None

    @app.get("/<language>/search", **reading)
    def old_search_address(language: str) -> ResponseReturnValue:
        # The search page was once served without its .html; links to it keep working.
        if language not in config.all_languages:
            return _not_found(language)
        query = request.query_string.decode("latin-1")
        return redirect(f"/{SiteMap.search(language)}" + (f"?{query}" if query else ""), code=301)

    @app.get("/<language>/search.html", **reading)
    def search_page(language: str) -> ResponseReturnValue:
        if language not in config.all_languages:
            return _not_found(language)
        query = request.args.get("q", "")
        try:
            results = engine.search(project, query, language)
        except LibraryError:  # no index built yet: say so on the page
            results = SearchResults(query=query[:MAX_QUERY_LENGTH], language=language, notices=("no-index",))
        if language not in search_pages:
            search_pages[language] = SearchPage(project, language)
        body = search_pages[language].render(results.query, results)
        return body, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}

    @app.get("/<path:url_path>", **reading)
    def page(url_path: str) -> ResponseReturnValue:
        if url_path in config.all_languages:
            return redirect(f"/{url_path}/", code=301)
        path = resolve(site, url_path) if url_path != SiteMap.headers_file() else None
        if path is None:
            page_address = _page_address(site, url_path)
            if page_address is None:
                return _not_found(url_path)
            query = request.query_string.decode("latin-1")
            return redirect(page_address + (f"?{query}" if query else ""), code=301)
        if not _compressible(path):
            return send_file(path, conditional=True, etag=True, max_age=300)
        # A byte range of a compressed answer would not be the range asked for; pages are small.
        request.environ.pop("HTTP_RANGE", None)
        response = send_file(path, conditional=True, etag=True, max_age=300)
        # Read whole, not streamed, so Flask-Compress offers gzip too and answers 304 to its own ETag.
        response.direct_passthrough = False
        response.set_data(response.get_data())
        return response

    def _reader_language(url_path: str) -> str:
        first = url_path.split("/", 1)[0]
        return first if first in config.all_languages else negotiate_language(
            request.headers.get("Accept-Language"), config
        )

    def _site_page(page: str, status: int, fallback: bytes, language: str) -> tuple[bytes, int, dict[str, str]]:
        path = site / page
        body = path.read_bytes() if path.is_file() else fallback
        content_type = "text/html; charset=utf-8" if path.is_file() else "text/plain; charset=utf-8"
        return body, status, {"Content-Type": content_type, "Content-Language": language}

    def _not_found(url_path: str) -> tuple[bytes, int, dict[str, str]]:
        language = _reader_language(url_path)
        return _site_page(SiteMap.not_found(language), 404, b"Not found\n", language)

    @app.errorhandler(404)
    def any_not_found(_error: Exception) -> ResponseReturnValue:
        return _not_found(request.path.lstrip("/"))

    @app.errorhandler(405)
    def not_allowed(_error: Exception) -> ResponseReturnValue:
        return ("Only GET and HEAD are served here.\n", 405,
                {"Content-Type": "text/plain; charset=utf-8", "Allow": ", ".join(READ_METHODS)})

    @app.errorhandler(500)
    def server_error(_error: Exception) -> ResponseReturnValue:
        # The failure itself is logged by Flask; the reader gets the site's page, in their language.
        language = _reader_language(request.path.lstrip("/"))
        body, status, headers = _site_page(SiteMap.server_error(language), 500, b"Server error\n", language)
        return body, status, {**headers, "Cache-Control": "no-store"}

    if preview is not None:  # before `secure`, so that it runs after it and sees the policy
        from library.serving.web_preview import preview_blueprint

        app.register_blueprint(preview_blueprint(preview))

    @app.after_request
    def secure(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


def _page_address(site: Path, url_path: str) -> str | None:
    """Where a page asked for without its .html (or a folder without its slash) lives, relative to
    the address asked for, so it holds under any prefix; None if there is no such page."""
    bare = url_path.removesuffix("/")
    last = bare.rsplit("/", 1)[-1]
    if not bare or bare.endswith(".html"):
        return None
    if resolve(site, f"{bare}.html") is not None:
        return f"../{last}.html" if url_path.endswith("/") else f"{last}.html"
    if not url_path.endswith("/") and resolve(site, f"{bare}/index.html") is not None:
        return f"{last}/"  # a folder's page: 'dashboard' -> 'dashboard/'
    return None


def _compressible(path: Path) -> bool:
    import mimetypes

    return (mimetypes.guess_type(path.name)[0] or "") in COMPRESSED_TYPES


def serve(project: Project, host: str, port: int, *, on_ready: Callable[[str], object] | None = None,
          preview: Preview | None = None) -> None:
    """Serve the built site with waitress until interrupted; on_ready(url) once it listens."""
    server = make_server(project, host, port, preview=preview)
    if on_ready is not None:
        port = getattr(server, "effective_port", None) or server.effective_listen[0][1]
        on_ready(f"http://{_url_host(host)}:{port}/")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def make_server(project: Project, host: str, port: int, *, preview: Preview | None = None) -> Any:
    """The waitress server of the built site, listening, its connections bounded; server.run() serves.

    An address that cannot be listened on (no such host, a port in use or not ours to
    take) is a LibraryError saying so, raised before anything is served.
    """
    from library.core.errors import LibraryError
    from library.serving.connections import create_guarded_server

    try:
        return create_guarded_server(create_app(project, preview=preview), host, port, ident="briefing-library",
                                     **_limits(preview))
    except OSError as error:
        raise LibraryError(f"cannot listen on {host}:{port}: {_socket_problem(error)}") from None


def _limits(preview: Preview | None) -> dict[str, Any]:
    """SERVER_LIMITS, with more threads in watch mode: each open page's reload channel holds one."""
    if preview is None:
        return SERVER_LIMITS
    from library.serving.watch import WATCH_THREADS

    return {**SERVER_LIMITS, "threads": SERVER_LIMITS["threads"] + WATCH_THREADS}


def _socket_problem(error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return "the port is already in use (is another server running?)"
    if error.errno == errno.EACCES:
        return "permission denied (ports below 1024 need root)"
    if error.errno == errno.EADDRNOTAVAIL:
        return "this machine has no such address"
    return getattr(error, "strerror", None) or str(error)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class SearchPage:
    """The search results page of one language, the one page rendered at request time."""

    def __init__(self, project: Project, language: str) -> None:
        self.project, self.language = project, language
        self.environment = Environments(project)[language]

    def render(self, query: str, results: SearchResults) -> str:
        from urllib.parse import urlencode

        context = {
            "alternates": {code: SiteMap.search(code) for code in self.project.config.all_languages},
            "switch_suffix": f"?{urlencode({'q': query})}" if query else "",
            "query": query,
            "results": results,
            "static_search": False,
        }
        path = SiteMap.search(self.language)
        return render_page(self.project, self.environment, self.language, "search.html", path, context)
