"""Watch mode's side of the server: the reload channel, its script and stylesheet, a Flask blueprint.

The watcher (watch.py) knows nothing of Flask: it keeps a Preview, and this blueprint serves
its status to the open pages as Server-Sent Events and adds the script to every HTML answer.
Nothing here reaches `build/html`: the script and its stylesheet are served from this package.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from library.serving.watch import Preview

__all__ = ["WATCH_PREFIX", "preview_blueprint", "inject_client"]

WATCH_PREFIX = "_watch"  # the server's own addresses in watch mode; no page of the site starts with '_'
CLIENT_FOLDER = Path(__file__).with_name("watch_client")
CLIENT_FILES = {"watch.js": "text/javascript; charset=utf-8", "watch.css": "text/css; charset=utf-8"}


def preview_blueprint(preview: Preview) -> Blueprint:
    """The reload channel and the client's files, and the script put into every HTML answer."""
    blueprint = Blueprint("preview", __name__, url_prefix=f"/{WATCH_PREFIX}")

    @blueprint.get("/events", provide_automatic_options=False)
    def watch_events() -> Response:
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return Response(preview.events(), mimetype="text/event-stream", headers=headers)

    @blueprint.get("/<name>", provide_automatic_options=False)
    def watch_client(name: str) -> tuple[str | bytes, int, dict[str, str]]:
        if name not in CLIENT_FILES:
            return "Not found\n", 404, {"Content-Type": "text/plain; charset=utf-8"}
        return (CLIENT_FOLDER / name).read_bytes(), 200, {"Content-Type": CLIENT_FILES[name]}

    @blueprint.after_app_request
    def with_reload(response: Response) -> Response:
        if response.is_streamed:
            return response
        if response.mimetype != "text/html":
            response.headers["Cache-Control"] = "no-cache"  # asked again, answered 304 while unchanged
            return response
        # A page's bytes depend on the build it belongs to: never let the browser keep one.
        response.headers["Cache-Control"] = "no-store"
        for header in ("ETag", "Last-Modified"):
            response.headers.pop(header, None)
        response.set_data(inject_client(response.get_data(), preview.status.generation))
        return response

    return blueprint


def inject_client(page: bytes, generation: int) -> bytes:
    """page with the watch script, its stylesheet and the build it shows, at the end of its head."""
    tags = (f'<meta name="library-watch-build" content="{generation}">\n'
            f'<link rel="stylesheet" href="/{WATCH_PREFIX}/watch.css">\n'
            f'<script src="/{WATCH_PREFIX}/watch.js" defer></script>\n').encode()
    head_end = page.find(b"</head>")
    return page[:head_end] + tags + page[head_end:] if head_end >= 0 else page
