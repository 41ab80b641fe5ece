"""Shared fixtures: a throw-away project built from the files under tests/data."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from library.cli import main
from library.config import Config, load_config

DATA = Path(__file__).parent / "data"
SETUP_CFG = """\
[library]
source_language = en
languages = fr es
threshold = 80
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the test papers, a setup.cfg and nothing else."""
    shutil.copytree(DATA / "papers", tmp_path / "papers")
    (tmp_path / "templates").mkdir()
    (tmp_path / "setup.cfg").write_text(SETUP_CFG, "utf-8")
    return tmp_path


@pytest.fixture
def config(project: Path) -> Config:
    return load_config(project / "setup.cfg")


@pytest.fixture
def run(project: Path):
    """Run the `library` command in the project, returning click's result."""

    def invoke(*args: str):
        return CliRunner().invoke(main, ["--config", str(project / "setup.cfg"), *args], catch_exceptions=False)

    return invoke


@pytest.fixture(autouse=True)
def fixed_epoch(monkeypatch):
    """A fixed POT-Creation-Date, so generated files can be compared whole."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1646092800")  # 2022-03-01 00:00 UTC


def msgfmt_check(path: Path) -> subprocess.CompletedProcess:
    """GNU msgfmt --check on path (gettext is installed by the test command)."""
    return subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)


def snapshot(folder: Path) -> dict[str, str]:
    """Path -> content hash of every file under folder, to prove nothing was written."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
