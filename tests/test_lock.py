from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from projects import live_server

from library.core.config import load_config
from library.core.errors import Busy
from library.core.lock import hold_lock
from library.core.paths import lock_path

HOLD = """
import sys, time
from pathlib import Path
from library.core.lock import hold_lock
with hold_lock(Path(sys.argv[1]), "build", "library build html"):
    print("held", flush=True)
    time.sleep(60)
"""


def _holder(path: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "held\n"
    return process


def test_a_second_writer_is_refused_or_waits_naming_the_first(tmp_path: Path):
    path = tmp_path / "build" / ".lock"
    first = _holder(path)
    try:
        refused = rf"build/ is being written by another library command \(pid {first.pid}: library build html\)"
        with pytest.raises(Busy, match=refused), hold_lock(path, "build", "library build pdf", wait=False):
            pass
        said: list[str] = []
        threading.Timer(0.5, first.terminate).start()
        with hold_lock(path, "build", "library build pdf", on_wait=said.append):
            assert path.read_text("utf-8") == f"{os.getpid()} library build pdf\n"
        assert said == [f"build/ is being written by another library command (pid {first.pid}: "
                        "library build html); waiting for it to end"]
    finally:
        first.kill()
        first.communicate()


def test_a_writer_killed_with_sigkill_leaves_no_stale_lock(tmp_path: Path):
    path = tmp_path / ".lock"
    first = _holder(path)
    first.send_signal(signal.SIGKILL)
    first.communicate()
    with hold_lock(path, "build", "library build", wait=False):
        pass


def _library(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "library", "--config", str(project / "setup.cfg"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_no_wait_refuses_with_exit_code_9(project: Path):
    config = load_config(project / "setup.cfg")
    first = _holder(lock_path(config, "locales"))
    try:
        refused = _library(project, "--no-wait", "update")
        _, stderr = refused.communicate(timeout=60)
        assert refused.returncode == Busy.exit_code
        assert stderr == (f"Error: locales/ is being written by another library command (pid {first.pid}: "
                          "library build html); try again when it ends\n")
    finally:
        first.kill()
        first.communicate()


def _read_pages(base: Path, urls: list[str], stop: threading.Event, failures: list[str], budget: int) -> int:
    """Fetch urls in turn until stop or budget requests; note every answer that is not a whole page."""
    done = 0
    while not stop.is_set() and done < budget:
        url = urls[done % len(urls)]
        try:
            with urllib.request.urlopen(f"{base}{url}", timeout=10) as response:
                body = response.read()
                if response.status != 200 or not body.rstrip().endswith(b"</html>"):
                    failures.append(f"{url}: {response.status}, {len(body)} bytes")
        except urllib.error.HTTPError as error:
            failures.append(f"{url}: {error.code}")
        done += 1
    return done


@pytest.mark.slow
def test_two_writers_take_turns_while_readers_are_served(project: Path):
    config = load_config(project / "setup.cfg")
    for command in (("extract",), ("update",), ("build", "html")):
        setup = _library(project, *command)
        setup.communicate(timeout=120)
        assert setup.returncode == 0
    source = project / "papers" / "sample.md"
    source.write_text(source.read_text("utf-8").replace("A quoted paragraph.", "A quoted paragraph, changed."))
    urls = ["/en/sample.html", "/fr/sample.html", "/es/", "/en/series.html"]
    stop, failures, counts = threading.Event(), [], []
    with live_server(config) as base:
        readers = [threading.Thread(target=lambda: counts.append(_read_pages(base, urls, stop, failures, 400)))
                   for _ in range(2)]
        for reader in readers:
            reader.start()
        holder = _holder(lock_path(config, "build"))
        writers = [_library(project, "build", "html") for _ in range(2)]
        try:
            waiting = [writer.stderr.readline() for writer in writers]  # each says it waits, then blocks
            assert all(line.startswith("build/ is being written by another library command") for line in waiting)
            holder.terminate()
            outputs = [writer.communicate(timeout=120) for writer in writers]
        finally:
            holder.kill()
            holder.communicate()
            time.sleep(0.2)
            stop.set()
            for reader in readers:
                reader.join(timeout=30)
    assert [writer.returncode for writer in writers] == [0, 0], outputs
    written = sorted(int(re.search(r"^(\d+) written, ", out, re.M)[1]) for out, _ in outputs)
    assert written[0] == 0 and written[1] > 0  # one after the other: the second finds the work done
    assert failures == [] and sum(counts) > 0
    assert "A quoted paragraph, changed." in (project / "build" / "html" / "en" / "sample.html").read_text("utf-8")
