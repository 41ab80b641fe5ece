"""Serve the built site: language negotiation at /, the files, and 404 pages in the reader's language."""
from __future__ import annotations

from pathlib import Path

from .config import Config
from .paths import SiteMap, site_folder
from .project import Project

__all__ = ["create_app", "negotiate_language", "resolve", "serve"]

# The site has no inline script or style and loads nothing from elsewhere; say so to the browser.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def negotiate_language(accept_language: str | None, config: Config) -> str:
    """The best published language for an Accept-Language header, by Babel; the source language otherwise."""
    from babel import negotiate_locale
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    preferred = [value for value, _quality in parse_accept_header(accept_language or "", LanguageAccept)]
    return negotiate_locale(preferred, config.all_languages, sep="-") or config.source_language


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


def create_app(project: Project):
    """The Flask app for the project's built site."""
    from flask import Flask, redirect, request, send_file

    from .errors import LibraryError
    from .html import SearchPage
    from .render import MAX_QUERY_LENGTH
    from .search import SearchResults, search

    config = project.config

    app = Flask(__name__, static_folder=None)
    app.url_map.merge_slashes = False  # '//' is refused, not quietly redirected
    site = site_folder(config)

    @app.get("/")
    def front_door():
        language = negotiate_language(request.headers.get("Accept-Language"), config)
        response = redirect(f"/{language}/", code=302)
        response.vary.add("Accept-Language")
        return response

    search_pages: dict[str, SearchPage] = {}

    @app.get("/<language>/search")
    def search_page(language: str):
        if language not in config.all_languages:
            return _not_found(language)
        query = request.args.get("q", "")
        try:
            results = search(project, query, language)
        except LibraryError:  # no index built yet: say so on the page
            results = SearchResults(query=query[:MAX_QUERY_LENGTH], language=language, notices=("no-index",))
        if language not in search_pages:
            search_pages[language] = SearchPage(project, language)
        body = search_pages[language].render(results.query, results)
        return body, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}

    @app.get("/<path:url_path>")
    def page(url_path: str):
        if url_path in config.all_languages:
            return redirect(f"/{url_path}/", code=301)
        path = resolve(site, url_path)
        if path is None:
            return _not_found(url_path)
        return send_file(path, conditional=True, etag=True, max_age=300)

    def _not_found(url_path: str):
        first = url_path.split("/", 1)[0]
        language = first if first in config.all_languages else negotiate_language(
            request.headers.get("Accept-Language"), config
        )
        page = site / SiteMap.not_found(language)
        body = page.read_bytes() if page.is_file() else b"Not found\n"
        content_type = "text/html; charset=utf-8" if page.is_file() else "text/plain; charset=utf-8"
        return body, 404, {"Content-Type": content_type, "Content-Language": language}

    @app.errorhandler(404)
    def any_not_found(_error):
        return _not_found(request.path.lstrip("/"))

    @app.errorhandler(405)
    def not_allowed(_error):
        return "Only GET and HEAD are served here.\n", 405, {"Content-Type": "text/plain; charset=utf-8"}

    @app.after_request
    def secure(response):
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


def serve(project: Project, host: str, port: int) -> None:
    """Serve the built site with waitress until interrupted."""
    from waitress import serve as waitress_serve

    waitress_serve(create_app(project), host=host, port=port, threads=4, ident="briefing-library")
