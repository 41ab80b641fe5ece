from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import snapshot
from projects import DATA, put_back

from library.cli import main
from library.core.config import load_config
from library.core.paths import catalog_path

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
    heavy = ("babel", "weasyprint", "whoosh", "markdown_it", "yaml", "jinja2", "flask")
    code = f"import sys; from library.cli import main; print(sorted(m for m in {heavy!r} if m in sys.modules))"
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
    assert result.exit_code == 0
    assert re.search(r"^wrote locales/fr/LC_MESSAGES/sample.po: \d+ new$", result.output, re.M)
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
def test_broken_po_stops_every_reader_with_file_and_line_and_writes_nothing(updated_shared, command, bad):
    # In-process, as click runs the command for a user (a process of its own costs more than the test):
    # an exception that escaped would fail the test; the next test holds the same of a process.
    project = updated_shared
    target = catalog_path(load_config(project / "setup.cfg"), "fr", "sample")
    with put_back(target):
        shutil.copyfile(bad, target)
        before = snapshot(project)
        result = CliRunner().invoke(main, ["--config", str(project / "setup.cfg"), command])
        after = snapshot(project)
    line = bad.read_bytes().split(b"\n")[0].decode().removeprefix("# expect: ").split(":")[0]
    assert result.exit_code == 5
    assert result.stderr.startswith(f"Error: {target.relative_to(project)}:{line}: ")
    assert "Traceback" not in result.stderr
    assert after == before


def test_a_broken_po_file_ends_the_process_with_its_code_and_no_traceback(config, updated):
    target = catalog_path(config, "fr", "sample")
    shutil.copyfile(DATA / "po" / "bad.unterminated-string.po", target)
    result = subprocess.run([sys.executable, "-m", "library", "--config", str(updated / "setup.cfg"), "update"],
                            capture_output=True, text=True)
    assert result.returncode == 5 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: {target.relative_to(updated)}:")


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


def _readme_exit_codes() -> dict[int, set[str]]:
    """The README's exit-code table: each code and the error classes its row names."""
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    section = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if re.match(r"\| \d+ \|", line)]
    return {int(code): set(re.findall(r"`(\w+)`", names)) for code, _meaning, names in rows}


def test_the_readmes_exit_code_table_is_the_one_of_errors_py():
    from library.core import errors

    classes = {name: getattr(errors, name) for name in errors.__all__ if isinstance(getattr(errors, name), type)}
    table = _readme_exit_codes()
    named = {name: code for code, names in table.items() for name in names}
    assert named == {name: error.exit_code for name, error in classes.items()}
    assert sorted(table) == list(range(10)) and table[0] == set()  # no gap, and success names no error
    usage = {name for name, code in named.items() if code == click.UsageError.exit_code}
    assert table[2] == {"SelectionError"} == usage


def _every_command(group=None, path=()):
    from library.cli import main

    group = group or main
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _every_command(command, (*path, name))


SHARED_OPTIONS = {"--lang": "-l", "--paper": "-p", "--format": "-f"}


def test_every_command_names_languages_papers_and_formats_alike():
    for path, command in _every_command():
        for param in command.params:  # a short form always stands for its long one, and the long one has it
            for long_name, short_name in SHARED_OPTIONS.items():
                assert (long_name in param.opts) == (short_name in param.opts), (path, param.opts)
    commands = dict(_every_command())
    for name in ("update", "compile", "status", "missing", "check", "search", "memory", "index"):
        assert "--lang" in {opt for param in commands[(name,)].params for opt in param.opts}, name
    for path in (("status",), ("missing",), ("check",), ("build", "pdf")):
        assert "--paper" in {opt for param in commands[path].params for opt in param.opts}, path
    for name in ("status", "missing", "check", "search"):
        assert "--format" in {opt for param in commands[(name,)].params for opt in param.opts}, name


def test_missing_takes_the_options_of_status_and_check(run, project):
    run("extract")
    run("update")
    positional = run("missing", "fr", "sample")
    assert positional.exit_code == 0 and "fr: " in positional.stdout
    assert run("missing", "--lang", "fr", "--paper", "sample").stdout == positional.stdout
    assert run("missing", "-l", "fr", "-p", "sample").stdout == positional.stdout
    found = json.loads(run("missing", "-l", "fr", "-p", "sample", "-f", "json").stdout)
    assert found and {item["language"] for item in found} == {"fr"} and {item["paper"] for item in found} == {"sample"}
    assert all(item["file"] == "locales/fr/LC_MESSAGES/sample.po" and item["line"] for item in found)
    both = run("missing")  # every language
    assert "\nfr: " in both.stdout and "\nes: " in both.stdout
    unknown = run("missing", "--lang", "de")
    assert unknown.exit_code == 2 and "unknown language 'de'" in unknown.stderr


def test_search_takes_format_json_as_the_other_commands(run, project):
    run("extract")
    run("update")
    run("build", "index")
    as_format, as_flag = run("search", "sample", "-f", "json"), run("search", "sample", "--json")
    assert json.loads(as_format.stdout) == json.loads(as_flag.stdout)


def test_the_readme_opens_with_its_title_then_the_two_commands():
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    title, blank, fence, main, tests, end = readme.splitlines()[:6]
    assert title.startswith("# ") and blank == "" and fence == "```sh" and end == "```"
    assert main.startswith("bash scripts/main.sh ") and tests.startswith("bash scripts/test.sh ")
