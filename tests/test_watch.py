"""Watch mode: a save rebuilds what it changed, open pages reload, a broken save shows its error."""
from __future__ import annotations

import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import catalog_of, live_server, prefixed, translate_catalogs, waitress_server

from library.cli import main
from library.core.config import load_config
from library.core.files import write_atomic
from library.core.paths import catalog_path, pdf_manifest_path, site_folder
from library.model.manifest import write_pdf_manifest
from library.model.project import Project
from library.outputs.pdf.plan import plan_pdfs
from library.outputs.site.html import build_html
from library.outputs.static_search.pagefind import FOLDER as SEARCH_FOLDER
from library.serving.watch import (
    WATCH_CHANNELS,
    BuildStatus,
    Preview,
    _Watcher,
    plan_rebuild,
    stale_pdfs,
    unrendered_pdfs,
    watch_project,
)
from library.serving.web import create_app
from library.sources.powriter import render_catalog

PARAGRAPH = "The first review takes place on 17-20 May 2022. Did it go well? *We hope so!*"
TRANSLATED = {"A sample paper: every kind of block", "Why this paper", PARAGRAPH}
FRENCH_PAGE = "fr/sample.html"


@pytest.fixture
def watched(project, prepare):
    """The test papers, partly in French, watched in a thread: (config, preview, what the watcher said)."""
    prepare(project, "watched", lambda config: translate_catalogs(config, "fr", prefixed("FR ", TRANSLATED),
                                                                  domains=("sample", "series")))
    config = load_config(project / "setup.cfg")
    preview, ready, said = Preview(), threading.Event(), []
    thread = threading.Thread(target=watch_project, args=(config.root / "setup.cfg", preview, said.append),
                              kwargs={"pdf_pause": None, "ready": ready}, daemon=True)
    thread.start()
    assert ready.wait(120), "the first build did not end"
    yield config, preview, said
    preview.close()
    thread.join(30)
    assert not thread.is_alive()


def wait_until(preview: Preview, condition, timeout: float = 60) -> BuildStatus:
    """The status once condition(status) holds; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    status = preview.status
    while not condition(status):
        assert time.monotonic() < deadline, f"still {status} after {timeout} s"
        status = preview.next_status(status, 0.5)
    return status


def save_translation(config, msgid: str, text: str) -> None:
    """Set a French translation and save the file whole, as a PO editor does."""
    catalog = catalog_of(config, "fr", "sample")
    catalog[msgid].string = text
    write_atomic(catalog_path(config, "fr", "sample"), render_catalog(catalog))


def page_text(config, page: str = FRENCH_PAGE) -> str:
    return (site_folder(config) / page).read_text("utf-8")


def cli_error(config, *command: str) -> str:
    """The `Error: …` line a command prints for the same broken file."""
    result = CliRunner().invoke(main, ["--config", str(config.root / "setup.cfg"), *command])
    assert result.exit_code != 0
    return next(line for line in result.output.splitlines() if line.startswith("Error: "))


# --- what a save calls for -------------------------------------------------------------------


@pytest.mark.parametrize("saved, papers, everything, languages", [
    (["locales/fr/LC_MESSAGES/sample.po"], set(), False, {"fr"}),
    (["locales/fr/LC_MESSAGES/sample.po", "locales/es/LC_MESSAGES/ui.po"], set(), False, {"fr", "es"}),
    (["papers/sample.md"], {"sample"}, False, set()),
    (["papers/images/map.png"], set(), True, set()),
    (["templates/base.html"], set(), True, set()),
    (["setup.cfg"], set(), True, set()),
    (["locales/glossary.csv"], set(), True, set()),
    (["locales/fr/LC_MESSAGES/sample.mo", "locales/fr/LC_MESSAGES/.sample.po.123.abcdefgh.tmp",
      "papers/sample.md~", "papers/.sample.md.swp", "build/html/fr/index.html"], set(), False, set()),
    (["papers/sedRA8fRq", "templates/sed4xQ9zT", "templates/4913", "papers/#sample.md#", "papers/.#sample.md",
      "templates/base.html___jb_tmp___", "papers/images/not-in-any-paper.png"], set(), False, set()),
    (["locales/de/LC_MESSAGES/sample.po", "locales/xx/LC_MESSAGES/ui.po"], set(), False, set()),
    (["locales/FR/LC_MESSAGES/sample.po"], set(), False, {"fr"}),
], ids=["po", "two-pos", "paper", "image", "template", "settings", "glossary", "ignored", "editors-files",
        "unconfigured-language", "language-in-capitals"])
def test_each_save_calls_for_its_own_steps(config, saved, papers, everything, languages):
    plan = plan_rebuild(Project(config), config.root / "setup.cfg", [config.root / name for name in saved])
    assert (set(plan.papers), plan.everything, set(plan.languages)) == (papers, everything, languages)
    assert plan.needed == bool(papers or everything or languages)


def test_a_catalog_of_a_language_not_configured_shows_no_error(config):
    # A German catalog saved ahead of adding German to setup.cfg: nothing to build, and nothing wrong.
    from library.serving.watch import _Watcher

    build_html(Project(config))
    preview = Preview()
    german = config.locales_dir / "de" / "LC_MESSAGES" / "sample.po"
    german.parent.mkdir(parents=True)
    german.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n', "utf-8")
    _Watcher(config.root / "setup.cfg", preview, [].append, None).rebuild([german])
    assert preview.status == BuildStatus()


def test_a_new_pdf_manifest_relinks_the_pdfs(config):
    plan = plan_rebuild(Project(config), config.root / "setup.cfg", [pdf_manifest_path(config)])
    assert plan.pdfs and plan.needed and not plan.everything


def stand_in_pdfs(config) -> None:
    """The PDFs the gate publishes, as stand-ins: what counts here is the manifest's record of their inputs."""
    plan = plan_pdfs(Project(config))
    for job in plan.jobs:
        job.output.parent.mkdir(parents=True, exist_ok=True)
        job.output.write_bytes(b"%PDF-1.7\n")
    write_pdf_manifest(config, {job.entry.key: job.entry for job in plan.jobs})


def test_the_pdfs_older_than_their_pages_are_named(config):
    stand_in_pdfs(config)
    assert stale_pdfs(Project(config)) == ()
    source = config.papers_dir / "sample.md"
    source.write_text(source.read_text("utf-8").replace("takes place on", "is held on"), "utf-8")
    assert stale_pdfs(Project(config)) == ("en/sample.pdf", "en/volume.pdf")


def test_pdfs_never_rendered_are_named_too(config):
    assert stale_pdfs(Project(config)) == ()
    assert unrendered_pdfs(Project(config)) == ("en/sample.pdf", "en/series.pdf", "en/volume.pdf")
    stand_in_pdfs(config)
    assert unrendered_pdfs(Project(config)) == ()


def test_a_fresh_clone_gets_its_pdfs_at_the_first_pause_and_is_told(config, monkeypatch):
    started, said = [], []

    class Render:  # stands in for the background `library build pdf`, still running when asked
        def __init__(self, command, **_options):
            started.append(command)
            self.pid = None

        def poll(self):
            return None

    monkeypatch.setattr("library.serving.watch.subprocess.Popen", Render)
    watcher = _Watcher(config.root / "setup.cfg", Preview(), said.append, pdf_pause=0)
    watcher.rebuild([config.root / "setup.cfg"])
    assert any("3 PDFs not rendered yet" in line for line in said)  # said at once, with what comes
    watcher.pdfs_if_paused()
    assert started and started[0][-4:] == ["build", "pdf", "--jobs", "1"]
    assert said[-1] == "PDFs: rendering in the background (`library build pdf`): 3 PDFs not rendered yet"


# --- the reload channel ----------------------------------------------------------------------


def test_the_channel_sends_the_status_then_each_change():
    preview = Preview()
    events = preview.events()
    assert next(events).startswith(b'event: status\ndata: {"generation": 0, "error": ""')
    threading.Timer(0.2, preview.update, kwargs={"generation": 1}).start()
    assert b'"generation": 1' in next(events)
    assert next(events) == b": still watching\n\n"  # nothing new within the heartbeat
    preview.close()
    assert list(events) == []


def _open_channel(port: int) -> socket.socket:
    """A preview tab's reload channel, as its browser opens it; the answer's headers read."""
    channel = socket.create_connection(("127.0.0.1", port), timeout=5)
    channel.sendall(b"GET /_watch/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
    return channel


def _read_until(channel: socket.socket, ending: bytes) -> bytes:
    received = b""
    while ending not in received:
        data = channel.recv(4096)
        if not data:
            break
        received += data
    return received


def test_many_open_tabs_hold_a_bounded_number_of_threads_and_pages_are_still_served(config):
    # 45 preview tabs hung `serve --watch`: each tab's channel held one of its 40 threads.
    build_html(Project(config))
    with waitress_server(config, Preview()) as address:
        port = int(address.split(":")[-1].strip("/"))
        channels = [_open_channel(port) for _tab in range(45)]
        try:
            answers = [_read_until(channel, b"event: status") for channel in channels]
            assert all(b"200 OK" in answer and b"text/event-stream" in answer for answer in answers)
            started = time.monotonic()
            with urllib.request.urlopen(f"{address}{FRENCH_PAGE}", timeout=5) as response:
                assert response.status == 200 and b'name="library-watch-build"' in response.read()
            assert time.monotonic() - started < 2
            # The tabs beyond the bounded number got the status and when to ask again, and their answer ended.
            assert sum(b"retry: " in answer for answer in answers) == 45 - WATCH_CHANNELS
            for channel, answer in zip(channels, answers, strict=False):
                if b"retry: " in answer and not answer.endswith(b"\r\n0\r\n\r\n"):
                    answer += _read_until(channel, b"\r\n0\r\n\r\n")
                assert answer.endswith(b"\r\n0\r\n\r\n") == (b"retry: " in answer)
        finally:
            for channel in channels:
                channel.close()


def _get(client, path: str):
    """An answer of the Flask test client, read and closed (a file sent is left open otherwise)."""
    answer = client.get(path)
    answer.get_data()
    answer.close()
    return answer


def test_only_watch_mode_adds_the_reload_script_and_the_policy_holds(config):
    build_html(Project(config))
    plain = create_app(Project(config)).test_client()
    watching = create_app(Project(config), preview=Preview()).test_client()
    published = (site_folder(config) / FRENCH_PAGE).read_bytes()

    answer = _get(plain, f"/{FRENCH_PAGE}")
    policy = answer.headers["Content-Security-Policy"]
    assert answer.data == published
    assert _get(plain, "/_watch/watch.js").status_code == 404 and _get(plain, "/_watch/events").status_code == 404

    answer = _get(watching, f"/{FRENCH_PAGE}")
    # The site's one policy lets a page fetch from its own server only: the reload channel too.
    assert answer.headers["Content-Security-Policy"] == policy and "connect-src 'self'" in policy
    assert answer.headers["Cache-Control"] == "no-store" and "ETag" not in answer.headers
    added = b'<meta name="library-watch-build" content="0">\n<link rel="stylesheet" href="/_watch/watch.css">\n' \
            b'<script src="/_watch/watch.js" defer></script>\n'
    assert answer.data == published.replace(b"</head>", added + b"</head>")
    assert b"<script>" not in answer.data and b"style=" not in answer.data  # nothing inline: the policy holds
    script = _get(watching, "/_watch/watch.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert _get(watching, "/_watch/other.js").status_code == 404


# --- saves, as a translator and an editor make them ----------------------------------------


def test_a_saved_translation_rebuilds_its_pages(watched):
    config, preview, said = watched
    before = preview.status.generation
    save_translation(config, PARAGRAPH, "FR Le premier examen a lieu du 17 au 20 mai 2022.")
    status = wait_until(preview, lambda status: status.generation > before)
    assert "FR Le premier examen a lieu du 17 au 20 mai 2022." in page_text(config)
    assert status.error == "" and any(line.startswith("locales/fr/LC_MESSAGES/sample.po: ") for line in said)
    assert "fr: 1 MO file, 6 pages (locales/fr/LC_MESSAGES/sample.po changed)" in said  # as `library build` says it


def test_a_broken_catalog_shows_the_clis_error_and_keeps_the_last_build(watched):
    config, preview, _said = watched
    path = catalog_path(config, "fr", "sample")
    good, shown = path.read_bytes(), page_text(config)
    write_atomic(path, good + b'\nmsgid "A half-typed entry\n')
    status = wait_until(preview, lambda status: status.error != "")
    assert status.error == cli_error(config, "compile")
    assert status.error.startswith("Error: locales/fr/LC_MESSAGES/sample.po:")
    assert page_text(config) == shown and path.read_bytes().startswith(good)  # nothing written over

    write_atomic(path, good.replace(b'msgstr "FR Why this paper"', b'msgstr "FR Pourquoi ce document"'))
    status = wait_until(preview, lambda status: status.error == "")
    assert "FR Pourquoi ce document" in page_text(config)


def test_broken_front_matter_shows_the_clis_error_until_fixed(watched):
    config, preview, _said = watched
    source = config.papers_dir / "sample.md"
    good = source.read_text("utf-8")
    write_atomic(source, good.replace("date: 2022-03-01", "date: 2022-02-30").encode("utf-8"))
    status = wait_until(preview, lambda status: status.error != "")
    assert status.error == cli_error(config, "extract") and status.error.startswith("Error: papers/sample.md:")
    write_atomic(source, good.encode("utf-8"))
    wait_until(preview, lambda status: status.error == "")


def _save_by_rename(path: Path, text: str) -> None:
    """Save as `sed -i` and many editors do: a new file renamed over the old one."""
    temporary = path.with_name(f"{path.name}.saving")
    temporary.write_text(text, "utf-8")
    temporary.replace(path)


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_settings_saved_by_renaming_over_them_are_seen_every_time(watched):
    config, preview, said = watched
    settings = config.root / "setup.cfg"
    for threshold in (70, 60, 50):
        said.clear()
        _save_by_rename(settings, settings.read_text("utf-8").replace(
            next(line for line in settings.read_text("utf-8").splitlines() if line.startswith("threshold")),
            f"threshold = {threshold}"))
        deadline = time.monotonic() + 30
        while not any(line.startswith("setup.cfg: ") for line in said):
            assert time.monotonic() < deadline, f"the save setting threshold {threshold} was not seen: {said}"
            time.sleep(0.1)


def test_an_english_edit_updates_the_catalogs_then_the_pages(watched):
    config, preview, _said = watched
    source = config.papers_dir / "sample.md"
    before = preview.status.generation
    edited = PARAGRAPH.replace("takes place on", "is held on")
    write_atomic(source, source.read_text("utf-8").replace("takes place on 17-20", "is held on 17-20").encode())
    wait_until(preview, lambda status: status.generation > before)
    assert "The first review is held on 17-20 May 2022." in page_text(config, "en/sample.html")
    message = catalog_of(config, "fr", "sample")[edited]
    assert message.fuzzy and message.string == f"FR {PARAGRAPH}"  # the translator's work kept, to review
    assert (config.locales_dir / "sample.pot").read_text("utf-8").count("is held on") == 1


def test_watch_mode_builds_the_same_site_as_library_build(watched, tmp_path_factory):
    config, preview, _said = watched
    before = preview.status.generation
    save_translation(config, "Why this paper", "FR Pourquoi ce document")
    wait_until(preview, lambda status: status.generation > before)
    wait_until(preview, lambda status: (config.build_dir / "index" / "fr").exists())
    copy = tmp_path_factory.mktemp("built")
    for name in ("papers", "locales", "templates", "setup.cfg"):
        (shutil.copytree if (config.root / name).is_dir() else shutil.copy)(config.root / name, copy / name)
    build_html(Project(load_config(copy / "setup.cfg")))
    assert _files(site_folder(config)) == _files(copy / "build" / "html")
    assert not [name for name, data in _files(site_folder(config)).items() if b"_watch" in data]


def _files(folder: Path) -> dict[str, bytes]:
    """The site's files but the static search's index, which watch mode leaves for `library build`."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.relative_to(folder).parts[0] != SEARCH_FOLDER}


# --- in Chromium -----------------------------------------------------------------------------


@pytest.fixture
def open_page(watched, browser):
    """The French sample open in Chromium on the watching server, scrolled to the edited paragraph."""
    config, preview, _said = watched
    context = browser.new_context(viewport={"width": 1000, "height": 600})
    page = context.new_page()
    refused = []
    page.on("console",
            lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    with live_server(config, preview) as base:
        page.goto(f"{base}/{FRENCH_PAGE}")
        paragraph = page.locator("main p", has_text="FR The first review")
        paragraph.evaluate("element => element.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)  # the page's reload channel is open
        yield config, page, paragraph.get_attribute("id")
    context.close()
    assert refused == []


def _reloads(page) -> list[str]:
    """Collects each load of the page from now on."""
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    return loads


@pytest.mark.browser
def test_a_page_open_while_a_translator_saves_shows_the_new_text(open_page):
    config, page, paragraph_id = open_page
    loads = _reloads(page)
    save_translation(config, PARAGRAPH, "FR2 Le premier examen a lieu du 17 au 20 mai 2022.")
    page.wait_for_function("id => document.getElementById(id).textContent.startsWith('FR2 ')", arg=paragraph_id,
                           timeout=30000)
    assert len(loads) == 1
    top = page.locator(f"#{paragraph_id}").evaluate("element => element.getBoundingClientRect().top")
    assert -5 < top < 100, "the page did not come back to the paragraph the reader was on"


@pytest.mark.browser
def test_a_broken_save_shows_the_located_error_and_a_fix_restores_the_page(open_page):
    config, page, paragraph_id = open_page
    path = catalog_path(config, "fr", "sample")
    good = path.read_bytes()
    write_atomic(path, good + b'\nmsgid "A half-typed entry\n')
    panel = page.locator("#library-watch")
    panel.wait_for(timeout=30000)
    assert panel.locator(".library-watch-error").inner_text() == cli_error(config, "compile")
    assert page.locator(f"#{paragraph_id}").inner_text().startswith("FR The first review")

    fixed = good.replace(b'"FR The first review', b'"FR3 The first review')
    assert fixed != good
    write_atomic(path, fixed)
    page.wait_for_function("id => document.getElementById(id).textContent.startsWith('FR3 ')", arg=paragraph_id,
                           timeout=30000)
    assert panel.count() == 0


@pytest.mark.browser
def test_a_pdf_older_than_the_page_says_so_until_rendered_again(watched, browser):
    config, preview, _said = watched
    before = preview.status.generation
    stand_in_pdfs(config)  # as `library build pdf` leaves them: the site links them
    wait_until(preview, lambda status: status.generation > before)
    page = browser.new_page()
    with live_server(config, preview) as base:
        page.goto(f"{base}/en/sample.html")
        link = page.locator('a[href$="sample.pdf"]')
        assert link.count() == 1 and link.locator(".library-watch-stale").count() == 0
        source = config.papers_dir / "sample.md"
        write_atomic(source, source.read_text("utf-8").replace("takes place on", "is held on").encode())
        page.locator('a[href$="sample.pdf"] .library-watch-stale').wait_for(timeout=30000)
        assert link.inner_text().endswith("(older than this page)")
        stand_in_pdfs(config)  # rendered again
        page.locator(".library-watch-stale").wait_for(state="detached", timeout=30000)
    page.close()
