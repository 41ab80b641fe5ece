from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import snapshot
from projects import DATA

from library.paths import catalog_path

COMMANDS = ["extract", "update", "compile"]


def test_help_and_version(run):
    result = run("--help")
    assert result.exit_code == 0 and all(command in result.output for command in COMMANDS)
    assert run("--version").output.strip().startswith("library, version ")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_help_answers_without_heavy_imports():
    code = "import sys; from library.cli import main; print(sorted(m for m in ('babel', 'weasyprint', 'whoosh', 'markdown_it', 'yaml', 'jinja2', 'flask') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_python_dash_m_and_console_script_work(project):
    console_script = Path(sys.executable).parent / "library"  # installed next to this Python
    for command in ([sys.executable, "-m", "library"], [str(console_script)]):
        result = subprocess.run([*command, "--version"], capture_output=True, text=True, cwd=project)
        assert result.returncode == 0 and "library, version" in result.stdout


def test_extract_update_compile_round(run, project):
    assert run("extract").exit_code == 0
    result = run("update", "--lang", "fr")
    assert result.exit_code == 0 and re.search(r"^wrote locales/fr/LC_MESSAGES/sample.po: \d+ new$", result.output, re.M)
    assert not (project / "locales" / "es").exists()
    assert run("update").exit_code == 0
    assert run("compile").exit_code == 0
    assert (project / "build" / "locale" / "es" / "LC_MESSAGES" / "series.mo").is_file()
    assert run("update").output == "0 written, 6 unchanged; 0 new, 0 outdated, 0 obsolete, 0 revived\n"


def test_a_language_code_in_capitals_is_the_same_language(run, project):
    run("extract")
    result = run("update", "--lang", "FR")
    assert result.exit_code == 0 and "wrote locales/fr/LC_MESSAGES/sample.po" in result.output
    assert sorted(path.name for path in (project / "locales").iterdir() if path.is_dir()) == ["fr"]
    assert run("status", "--lang", "FR", "--json").output == run("status", "--lang", "fr", "--json").output


def test_unknown_language_is_refused(run):
    run("extract")
    result = run("update", "--lang", "de")
    assert result.exit_code == 2 and "Error: unknown language 'de'" in result.output


def test_update_before_extract_says_what_to_do(run):
    result = run("update")
    assert result.exit_code == 1 and "run `library extract` first" in result.output


@pytest.mark.parametrize("command", ["update", "compile"])
@pytest.mark.parametrize("bad", sorted((DATA / "po").glob("bad.*.po")), ids=lambda p: p.stem)
def test_broken_po_stops_every_reader_with_file_and_line_and_writes_nothing(run, config, project, command, bad):
    run("extract")
    run("update")
    target = catalog_path(config, "fr", "sample")
    shutil.copyfile(bad, target)
    before = snapshot(project)
    result = subprocess.run(
        [sys.executable, "-m", "library", "--config", str(project / "setup.cfg"), command],
        capture_output=True, text=True,
    )
    line = bad.read_bytes().split(b"\n")[0].decode().removeprefix("# expect: ").split(":")[0]
    assert result.returncode == 5
    assert result.stderr.startswith(f"Error: {target.relative_to(project)}:{line}: ")
    assert "Traceback" not in result.stderr
    assert snapshot(project) == before


def test_broken_source_is_reported_with_exit_code_4(run, project):
    (project / "papers" / "sample.md").write_text("no front matter\n", "utf-8")
    result = run("extract")
    assert result.exit_code == 4
    assert "Error: papers/sample.md:1: a paper starts with YAML front matter" in result.output


def test_bad_config_is_reported_with_exit_code_3(tmp_path: Path):
    (tmp_path / "setup.cfg").write_text("[library]\nthreshold = lots\n", "utf-8")
    result = subprocess.run([sys.executable, "-m", "library", "extract"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.strip() == "Error: setup.cfg:2: [library] threshold: expected a percentage from 0 to 100"
