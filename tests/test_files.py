from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import copy_files, make_project

from library.cli import main
from library.core.files import remove_leftovers, write_all, write_atomic, write_outputs

# Runs `library`, killing itself with SIGKILL at the Nth rename of a finished temporary file.
KILLED_AT_RENAME = """
import os, signal, sys
from library.cli import main
renames, real_replace = [], os.replace
def replace(source, target):
    renames.append(target)
    if len(renames) == int(os.environ["KILL_AT_RENAME"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(source, target)
os.replace = replace
main()
"""


def _library(project: Path, *args: str, kill_at_rename: int = 0, **popen) -> subprocess.Popen:
    command = [sys.executable, "-c", KILLED_AT_RENAME] if kill_at_rename else [sys.executable, "-m", "library"]
    env = {**os.environ, "KILL_AT_RENAME": str(kill_at_rename)}
    return subprocess.Popen([*command, "--config", str(project / "setup.cfg"), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen)


def _finish(process: subprocess.Popen) -> int:
    _, stderr = process.communicate(timeout=60)
    assert b"Traceback" not in stderr, stderr.decode()
    return process.returncode


def _catalogs(project: Path) -> dict[str, bytes]:
    return {str(p.relative_to(project)): p.read_bytes() for p in sorted((project / "locales").rglob("*.po"))}


def _temporary_files(project: Path) -> list[Path]:
    return sorted(path for path in project.rglob(".*.tmp"))


def test_leftovers_of_a_dead_writer_go_with_the_next_write_into_their_folder(tmp_path: Path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftovers = [tmp_path / f".ui.po.{dead.stdout.strip()}.abcd1234.tmp", tmp_path / ".ui.po.k3j4h5g6.tmp"]
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as alive:
        try:
            live = tmp_path / f".es.po.{alive.pid}.zyxw9876.tmp"
            kept = [live, tmp_path / "notes.tmp", tmp_path / ".hidden"]
            for path in (*leftovers, *kept):
                path.write_bytes(b"half a file")
            write_all({tmp_path / "fr.po": b"whole"})
            assert sorted(tmp_path.iterdir()) == sorted([*kept, tmp_path / "fr.po"])
            assert remove_leftovers(tmp_path) == []  # the live writer's file stays
        finally:
            alive.kill()
    assert remove_leftovers(tmp_path) == [live]


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch):
    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_atomic(tmp_path / "fr.po", b"data")
    assert list(tmp_path.iterdir()) == []


def test_outputs_reach_the_disk_with_one_sync_for_the_batch_not_an_fsync_each(tmp_path: Path, monkeypatch):
    syncs = []
    monkeypatch.setattr(os, "fsync", lambda fd: pytest.fail("an output was fsynced on its own"))
    monkeypatch.setattr(os, "sync", lambda: syncs.append(sorted(p.name for p in tmp_path.rglob("*") if p.is_file())))
    (tmp_path / "same.html").write_bytes(b"same")
    planned = {tmp_path / "same.html": b"same", **{tmp_path / "fr" / f"page-{n}.html": b"new" for n in range(3)}}
    changes = write_outputs(planned)
    assert changes.unchanged == [tmp_path / "same.html"] and changes.written == list(planned)[1:]
    # At the one sync the new pages were still temporary files: nothing had replaced anything yet.
    (at_sync,) = syncs
    assert [name for name in at_sync if not name.endswith(".tmp")] == ["same.html"] and len(at_sync) == 4
    assert all(path.read_bytes() == data for path, data in planned.items()) and _temporary_files(tmp_path) == []
    assert write_outputs(planned).written == [] and len(syncs) == 1  # nothing changed: no sync either


def test_a_batch_of_outputs_that_fails_replaces_nothing_and_names_the_file(tmp_path: Path):
    (tmp_path / "index.html").write_bytes(b"old")
    (tmp_path / "fr").write_bytes(b"a file where a folder should be")
    with pytest.raises(OSError) as raised:
        write_outputs({tmp_path / "index.html": b"new", tmp_path / "fr" / "index.html": b"new"})
    assert str(tmp_path / "fr") in str(raised.value)
    assert (tmp_path / "index.html").read_bytes() == b"old" and _temporary_files(tmp_path) == []


@pytest.fixture
def changed_english(tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A project whose catalogs are behind a change of the English: the catalogs before and after update."""
    project = make_project(tmp_path / "project")
    for command in (["extract"], ["update"]):
        assert _finish(_library(project, *command)) == 0
    source = project / "papers" / "sample.md"
    source.write_text(source.read_text("utf-8").replace("A quoted paragraph.", "A quoted paragraph, changed."))
    assert _finish(_library(project, "extract")) == 0
    reference = tmp_path / "reference"
    shutil.copytree(project, reference)
    assert _finish(_library(reference, "update")) == 0
    before, after = _catalogs(project), _catalogs(reference)
    assert len([name for name in before if before[name] != after[name]]) >= 2
    return project, before, after


def _assert_old_or_new(project: Path, before: dict[str, bytes], after: dict[str, bytes]) -> None:
    now = _catalogs(project)
    assert now.keys() == before.keys()
    for name, data in now.items():
        assert data in (before[name], after[name]), f"{name} is neither the old nor the new file"


@pytest.mark.slow
@pytest.mark.parametrize("rename", [1, 2])
def test_update_killed_at_a_rename_leaves_old_or_new_catalogs_and_the_next_run_cleans_up(changed_english, rename):
    project, before, after = changed_english
    assert _finish(_library(project, "update", kill_at_rename=rename)) == -signal.SIGKILL
    _assert_old_or_new(project, before, after)
    assert _temporary_files(project), "killed before its rename, the writer leaves its temporary file"
    assert _finish(_library(project, "update")) == 0
    assert _catalogs(project) == after and _temporary_files(project) == []


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.2, 0.4, 0.6, 0.8, 1.0])
def test_update_killed_at_any_moment_leaves_old_or_new_catalogs(changed_english, delay):
    project, before, after = changed_english
    process = _library(project, "update")
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    _finish(process)
    _assert_old_or_new(project, before, after)
    assert _finish(_library(project, "update")) == 0
    assert _catalogs(project) == after and _temporary_files(project) == []


# --- the one check every person's file passes ------------------------------------------------

COMMANDS = [("status",), ("compile",), ("check",), ("update",), ("build", "html"), ("index",)]


def _library_in(project: Path, *args: str):
    """Run `library` in this process (click's runner), as the refused-file tests need.

    A process of its own each cost these two dozen tests a tenth of a second of CPU apiece; the
    real process's exit code and stderr are test_cli's
    (test_a_broken_po_file_ends_the_process_with_its_code_and_no_traceback).
    """
    return CliRunner().invoke(main, ["--config", str(project / "setup.cfg"), *args])


def _refused(result, message: str) -> None:
    """The command ended on its own error (no exception escaped it: no traceback), naming the file."""
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.exc_info
    assert message in result.stderr, result.stderr


@contextmanager
def _released_after(fifo: Path, seconds: float = 30) -> Iterator[None]:
    """Should the command open fifo to read it, it would wait for a writer forever: one comes after seconds.

    The read then ends on an empty file, and the test fails on what the command made of it
    instead of hanging the run (the deadline a separate process had).
    """
    finished = threading.Event()

    def release() -> None:
        if finished.wait(seconds):
            return
        while not finished.is_set():
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # refused while no one reads it
            except OSError:
                finished.wait(0.1)

    writer = threading.Thread(target=release, daemon=True)
    writer.start()
    try:
        yield
    finally:
        finished.set()
        writer.join()


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("synced"))
    for command in ("extract", "update"):
        assert _library_in(project, command).exit_code == 0
    return project


def _copy(project: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    copy_files(project, copy)  # synced is never changed: its files are read once
    return copy


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_link_to_nothing_is_refused_alike_by_every_command(synced, tmp_path, command):
    project = _copy(synced, tmp_path)
    catalog = project / "locales" / "fr" / "LC_MESSAGES" / "sample.po"
    catalog.unlink()
    catalog.symlink_to(tmp_path / "moved-away.po")  # a PO editor's link, its target moved
    _refused(_library_in(project, *command), "locales/fr/LC_MESSAGES/sample.po: a link to a file that does not exist")


@pytest.mark.parametrize("where", ["papers/pipe.md", "locales/fr/LC_MESSAGES/pipe.po", "locales/pipe.pot"])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_named_pipe_is_refused_unread_instead_of_hanging(synced, tmp_path, where, command):
    project = _copy(synced, tmp_path)
    os.mkfifo(project / where)
    with _released_after(project / where):
        result = _library_in(project, *command)
    _refused(result, f"{where}: not a regular file (a named pipe); refused without reading it")


def test_a_paper_linked_from_outside_the_project_is_refused_unread(synced, tmp_path):
    project = _copy(synced, tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text((project / "papers" / "sample.md").read_text("utf-8").replace("slug: sample", "slug: leak"))
    (project / "papers" / "leak.md").symlink_to(secret)
    for command in (("extract",), ("build", "html")):
        _refused(_library_in(project, *command), "papers/leak.md: links to a file outside papers/")
    assert not list((project / "build").rglob("leak*")) and not (project / "locales" / "leak.pot").exists()


@pytest.mark.slow
def test_folders_are_readable_by_the_web_server_whatever_the_umask(synced, tmp_path):
    project = _copy(synced, tmp_path)
    result = subprocess.run(["sh", "-c", f'umask 077 && exec "{sys.executable}" -m library --config '
                             f'"{project / "setup.cfg"}" build html'], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    site = project / "build" / "html"
    modes = {path.relative_to(site).as_posix(): path.stat().st_mode & 0o777 for path in [site, *site.rglob("*")]}
    unreadable = {name: oct(mode) for name, mode in modes.items()
                  if mode & 0o444 != 0o444 or (name in modes and (site / name).is_dir() and mode & 0o111 != 0o111)}
    assert len(modes) > 50 and unreadable == {}


def test_a_full_disk_names_the_file_it_stopped(project, monkeypatch):
    import errno

    import library.core.files as files

    def no_space(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", no_space)
    result = CliRunner().invoke(main, ["--config", str(project / "setup.cfg"), "extract"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "Error: locales/" in result.output and ": No space left on device" in result.output
    assert _temporary_files(project) == []


# Frees 64 MB of 1 kB blocks below one kept block (so glibc cannot shrink its heap from the top) and prints
# how many kB of resident memory give_back_free_heap returns to the system.
_FREED_HEAP = """
from library.core.heap import give_back_free_heap
def resident_kb():
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
blocks = [bytes(1024) for _ in range(65536)]
kept = bytes(1024)
del blocks
before = resident_kb()
give_back_free_heap()
print(before - resident_kb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_the_free_heap_goes_back_to_the_system():
    done = subprocess.run([sys.executable, "-c", _FREED_HEAP], capture_output=True, text=True, check=True)
    assert int(done.stdout) > 32 * 1024  # of the 64 MB freed
