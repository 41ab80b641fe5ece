"""Outside judges: the W3C Nu HTML checker (vnu.jar) and axe-core in Debian's Chromium for the HTML;
epubcheck and DAISY Ace for the EPUBs.

scripts/setup.sh installs them: java, chromium and epubcheck from Debian, vnu.jar, axe-core and
Ace with `npm ci` in tests/tools.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, Page, Playwright

TOOLS = Path(__file__).parent / "tools"
NODE_MODULES = TOOLS / "node_modules"
EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck
ACE = NODE_MODULES / "@daisy" / "ace" / "bin" / "ace-puppeteer.js"  # Ace with Puppeteer (its Electron needs a download)
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
# --no-sandbox because the tests may run as root; the last three keep Chromium from calling Google's services.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21aa")
SETUP = "run `bash scripts/setup.sh` to install the test tools"


def _require(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"{path} is missing: {SETUP}", pytrace=False)
    return path


def vnu_errors(paths: Iterable[Path]) -> list[str]:
    """The Nu HTML checker's errors in the HTML files, as "file:line:col: message"; empty if all are valid."""
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    java = shutil.which("java")
    if java is None:
        pytest.fail(f"java is not on PATH, the Nu HTML checker needs it: {SETUP}", pytrace=False)
    # vnu.jar skips a file it cannot open without a word, so a typo would pass as valid.
    if missing := [str(p) for p in paths if not p.is_file()]:
        pytest.fail(f"no HTML file to check at: {', '.join(missing)}", pytrace=False)
    names = {os.path.abspath(p): str(p) for p in paths}
    result = subprocess.run(
        [java, "-jar", str(_require(VNU_JAR)), "--errors-only", "--format", "json", *names],
        capture_output=True,
        encoding="utf-8",
        # Java decodes file names in the locale's charset: under LANG=C it silently skips non-ASCII names.
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    try:
        messages = json.loads(result.stderr)["messages"]  # the JSON report goes to stderr
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar failed (exit {result.returncode}):\n{result.stderr}{result.stdout}", pytrace=False)
    errors = []
    for message in messages:
        url = message.get("url", "")
        name = names.get(unquote(url.removeprefix("file:")), url)
        line, column = message.get("firstLine", message.get("lastLine")), message.get("firstColumn")
        where = f"{name}:{line}:{column}" if line and column else name
        errors.append(f"{where}: {message['message']}")
    return errors


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; Playwright gives it a fresh temporary profile, removed on close."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: {SETUP}", pytrace=False)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@functools.cache
def _axe_source() -> str:
    # A trailing statement makes Playwright run the file as a script, not call it as a function expression.
    return _require(AXE_JS).read_text("utf-8") + "\n;undefined"


_AXE_RUN = """async tags => {
    const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
    const {violations} = await axe.run(document, options);
    return violations.map(v => ({id: v.id, help: v.help,
                                 targets: v.nodes.map(n => n.target.flat(Infinity).join(' '))}));
}"""


def axe_violations(page: Page, tags: Sequence[str] = AXE_TAGS) -> list[str]:
    """axe-core's violations of the rules with the given tags on the page, as "rule: help (n nodes: selectors)"."""
    # page.evaluate goes through DevTools, which the site's CSP (script-src 'self') does not block;
    # page.add_script_tag inserts an inline <script> that it does.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(_axe_source())
    lines = []
    for violation in page.evaluate(_AXE_RUN, list(tags)):
        targets = violation["targets"]
        shown = ", ".join(targets[:5]) + (", …" if len(targets) > 5 else "")
        count = f"{len(targets)} node{'s' if len(targets) != 1 else ''}"
        lines.append(f"{violation['id']}: {violation['help']} ({count}: {shown})")
    return lines


def epubcheck_messages(paths: Iterable[Path], folder: Path) -> dict[Path, list[str]]:
    """epubcheck's fatal errors, errors and warnings for each EPUB, as "SEVERITY(ID) place: message".

    One Java process checks them all (tests/tools/CheckEpubs.java); its JSON reports go into folder.
    """
    paths = [Path(p) for p in paths]
    java = shutil.which("java")
    if java is None:
        pytest.fail(f"java is not on PATH, epubcheck needs it: {SETUP}", pytrace=False)
    if missing := [str(p) for p in paths if not p.is_file()]:
        pytest.fail(f"no EPUB to check at: {', '.join(missing)}", pytrace=False)
    folder.mkdir(parents=True, exist_ok=True)
    # -Xss: Debian's own launcher gives epubcheck's schema validator this much stack.
    done = subprocess.run(
        [
            java,
            "-Xss1024k",
            "-cp",
            str(_require(EPUBCHECK_JAR)),
            str(TOOLS / "CheckEpubs.java"),
            str(folder),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=120 + 20 * len(paths),
    )
    if done.returncode or done.stdout.strip() != "done":
        pytest.fail(f"epubcheck failed (exit {done.returncode}):\n{done.stderr}{done.stdout}", pytrace=False)
    found = {}
    for index, path in enumerate(paths, start=1):
        report = json.loads((folder / f"{index}.json").read_text("utf-8"))
        found[path] = [_epubcheck_line(message) for message in report["messages"]
                       if message["severity"] in ("FATAL", "ERROR", "WARNING")]
    return found


def _epubcheck_line(message: dict) -> str:
    place = message["locations"][0] if message.get("locations") else {}
    where = f"{place.get('path', '')}:{place.get('line', '')}:{place.get('column', '')}" if place else ""
    return f"{message['severity']}({message['ID']}) {where}: {message['message']}"


def ace_violations(path: Path, folder: Path) -> list[str]:
    """DAISY Ace's violations in an EPUB, as "rule (impact) document: description"; run in Debian's Chromium."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"node is not on PATH, DAISY Ace needs it: {SETUP}", pytrace=False)
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: {SETUP}", pytrace=False)
    # Ace's Puppeteer would launch a browser of its own download; --ignore-scripts installed none.
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM)}
    done = subprocess.run([node, str(_require(ACE)), "--silent", "--force", "--outdir", str(folder), str(path)],
                          capture_output=True, text=True, env=env, timeout=300)
    report = folder / "report.json"
    if done.returncode not in (0, 1) or not report.is_file():
        pytest.fail(f"Ace failed (exit {done.returncode}):\n{done.stderr}{done.stdout}", pytrace=False)
    violations = []
    for subject in json.loads(report.read_text("utf-8"))["assertions"]:
        for assertion in subject.get("assertions", []):
            test, result = assertion["earl:test"], assertion["earl:result"]
            violations.append(f"{test['dct:title']} ({test['earl:impact']}) {subject['earl:testSubject']['url']}: "
                              f"{result['dct:description']}")
    return violations
