from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from projects import make_project

from library.files import remove_leftovers, write_all, write_atomic

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


@pytest.mark.parametrize("rename", [1, 2])
def test_update_killed_at_a_rename_leaves_old_or_new_catalogs_and_the_next_run_cleans_up(changed_english, rename):
    project, before, after = changed_english
    assert _finish(_library(project, "update", kill_at_rename=rename)) == -signal.SIGKILL
    _assert_old_or_new(project, before, after)
    assert _temporary_files(project), "killed before its rename, the writer leaves its temporary file"
    assert _finish(_library(project, "update")) == 0
    assert _catalogs(project) == after and _temporary_files(project) == []


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
