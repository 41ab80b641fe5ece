"""Helpers that put translations into a throw-away project's catalogs, as a translator would."""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from library.core.config import Config, load_config
from library.core.paths import catalog_path
from library.model.project import Project
from library.sources.pofiles import read_catalog
from library.sources.powriter import render_catalog
from library.translations.catalogs import extract_catalogs, update_catalogs

DATA = Path(__file__).parent / "data"
REPOSITORY = Path(__file__).parent.parent
SETUP_CFG = """\
[library]
source_language = en
languages = fr es
threshold = 80
"""


# Where the tests publish a copy of the real library (conftest's real_site_at_url).
REAL_SITE_URL = "https://example.org/migration-justice/"


@functools.cache
def _files_under(source: Path) -> tuple[tuple[str, bytes], ...]:
    """Every file under source, by its path relative to source, with its bytes: read once a session."""
    return tuple((path.relative_to(source).as_posix(), path.read_bytes())
                 for path in sorted(source.rglob("*")) if path.is_file())


def copy_files(source: Path, target: Path) -> None:
    """Copy the files under source into target, merged into what is there, as copytree(dirs_exist_ok=True) would.

    Only for folders no test changes (the repository's, tests/data, a session fixture's prepared
    catalogs): their files are read once a session, then written from memory. Hundreds of test
    projects are made this way; a copytree each spent a tenth of the local tier's CPU reading
    the same files and copying their times and modes, which nothing reads.
    """
    made: set[Path] = set()
    for name, data in _files_under(source):
        path = target / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)


def make_project(folder: Path) -> Path:
    """A project in folder: the test papers, the real templates and a setup.cfg."""
    copy_files(DATA / "papers", folder / "papers")
    copy_files(REPOSITORY / "templates", folder / "templates")
    (folder / "setup.cfg").write_text(SETUP_CFG, "utf-8")
    return folder


@contextmanager
def put_back(*paths: Path) -> Iterator[None]:
    """Let the block change paths, then write their bytes back: for tests sharing one project."""
    saved = {path: path.read_bytes() for path in paths}
    try:
        yield
    finally:
        for path, data in saved.items():
            path.write_bytes(data)


def copy_real_library(folder: Path, extra_paper: Path | None = None) -> Path:
    """The library's own papers, catalogs, templates and setup.cfg copied into folder, plus extra_paper."""
    for name in ("papers", "locales", "templates"):
        copy_files(REPOSITORY / name, folder / name)
    shutil.copyfile(REPOSITORY / "setup.cfg", folder / "setup.cfg")
    if extra_paper is not None:
        shutil.copyfile(extra_paper, folder / "papers" / extra_paper.name)
    return folder


# A translation for a message: its new text (a tuple for plural entries), or None to leave it alone.
Translate = Callable[[object], "str | tuple[str, ...] | None"]


def translate_catalogs(config: Config, language: str, translate: Translate, *, domains: tuple[str, ...] = (),
                       fuzzy: frozenset[str] = frozenset()) -> None:
    """Extract and update the catalogs, then set each message's translation with translate.

    domains limits the catalogs touched (all by default); messages whose msgid is in fuzzy
    are marked fuzzy, as after a change of the English.
    """
    extract_catalogs(Project(config))
    update_catalogs(Project(config), (language,))
    for path in sorted((config.locales_dir / language / "LC_MESSAGES").glob("*.po")):
        if domains and path.stem not in domains:
            continue
        catalog = read_catalog(path, language=language, domain=path.stem)
        for message in catalog:
            text = translate(message) if message.id else None
            if isinstance(text, tuple):  # one form per plural category of the language
                text = (text + text[-1:] * catalog.num_plurals)[: catalog.num_plurals]
            if text is not None:
                message.string = text
            if message.id and (message.id if isinstance(message.id, str) else message.id[0]) in fuzzy:
                message.flags.add("fuzzy")
        path.write_bytes(render_catalog(catalog, keep_python_format=path.stem == "ui"))


def prefixed(prefix: str, only: set[str] | None = None) -> Translate:
    """Translate as prefix + English (keeping python-format placeholders), for the msgids in only."""

    def translate(message):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if only is not None and ids[0] not in only:
            return None
        texts = tuple(f"{prefix}{text}" for text in ids)
        return texts if isinstance(message.id, tuple) else texts[0]

    return translate


# A sample paragraph, translated into French, then edited in English by two words.
EDITED_BEFORE = "The first review takes place on 17-20 May 2022. Did it go well? *We hope so!*"
EDITED_AFTER = EDITED_BEFORE.replace("takes place on", "is held on")


def translate_then_edit_english(config: Config) -> None:
    """French for EDITED_BEFORE; the English becomes EDITED_AFTER; extract and update, as an editor would."""
    translate_catalogs(config, "fr", prefixed("FR ", {EDITED_BEFORE}), domains=("sample",))
    source = config.papers_dir / "sample.md"
    source.write_text(source.read_text("utf-8").replace(EDITED_BEFORE, EDITED_AFTER), "utf-8")
    extract_catalogs(Project(config))
    update_catalogs(Project(config), ("fr",))


# The passages the PDF and EPUB tests translate into French: a title, headings, a list, a table, a quote.
PARTLY_FRENCH = frozenset({"A sample paper: every kind of block", "A test series", "Why this paper", "A list",
                           "A table", "A quoted paragraph."})


def partly_french(folder: Path, translated: set[str] | frozenset[str]) -> Config:
    """A project in folder, threshold 0, whose French sample and series translate only translated ("FR " + English)."""
    config = dataclasses.replace(load_config(make_project(folder) / "setup.cfg"), threshold=0)
    translate_catalogs(config, "fr", prefixed("FR ", translated), domains=("sample", "series"))
    return config


def catalog_of(config: Config, language: str, domain: str):
    return read_catalog(catalog_path(config, language, domain), language=language, domain=domain)


@contextmanager
def live_server(config: Config, preview=None, engine=None) -> Iterator[str]:
    """The library's web app on a free local port, in a thread (in watch mode with preview); yields its base URL."""
    from werkzeug.serving import make_server

    from library.serving.web import create_app

    server = make_server("127.0.0.1", 0, create_app(Project(config), preview=preview, engine=engine), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@contextmanager
def waitress_server(config: Config, preview=None) -> Iterator[str]:
    """The server `library serve` runs (waitress, its limits and guards), on a free local port in a thread."""
    from library.serving.web import make_server

    server = make_server(Project(config), "127.0.0.1", 0, preview=preview)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/"
    finally:
        from waitress import wasyncore

        if preview is not None:
            preview.close()  # its open channels end
        server.task_dispatcher.shutdown(timeout=5)
        # Closed in the server's own thread, between two polls: its loop ends with nothing left to watch.
        with contextlib.suppress(OSError):  # its trigger already closed (seen under load): the loop is ending
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(10)
        assert not thread.is_alive()


def save_translation(config: Config, language: str, domain: str, old: str, new: str) -> None:
    """A translator's save: the first translation starting with old now starts with new."""
    from library.core.paths import catalog_path

    path = catalog_path(config, language, domain)
    text = path.read_text("utf-8")
    edited = text.replace(f'msgstr "{old}', f'msgstr "{new}', 1)
    assert edited != text, f"no translation of {path.name} starts with {old!r}"
    path.write_text(edited, "utf-8")
