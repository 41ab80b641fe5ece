"""Build the real library with two commits' code and compare what readers get, byte for byte.

    .venv/bin/python scripts/same_outputs.py BEFORE [AFTER]   (AFTER: the work tree's HEAD)

For a change that must not change the outputs (a refactoring). Each commit is checked out in a
temporary worktree and built with its own package (first on the path) and SOURCE_DATE_EPOCH.
Compared: every file of build/html, build/pdf and build/epub byte for byte, except two things that name the
build rather than what it shows: a PDF's /ID and the manifests' "inputs", both the hash of the
inputs including the code (which a refactoring changes by definition); and each Whoosh index by
its stored passages, since Whoosh names its segment files at random.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PDF_ID = re.compile(rb"/ID \[\((?:\\.|[^\\)])*\)", re.S)  # its first part: the inputs' hash, as a PDF string


def build(commit: str, folder: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--quiet", "--detach", str(folder), commit], cwd=REPOSITORY, check=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1646092800", "PYTHONPATH": str(folder)}
    subprocess.run([sys.executable, "-m", "library", "--config", "setup.cfg", "build"], cwd=folder, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return folder / "build"


def comparable(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return PDF_ID.sub(b"/ID [()", data)
    if path.name == "manifest.json":
        rows = next(iter(json.loads(data).values()))  # {"pdfs": [...]} or {"epubs": [...]}
        return json.dumps([{key: value for key, value in row.items() if key != "inputs"} for row in rows]).encode()
    return data


def differences(before: Path, after: Path) -> list[str]:
    names = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    names |= {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    return [str(name) for name in sorted(names)
            if not (before / name).is_file() or not (after / name).is_file()
            or comparable(before / name) != comparable(after / name)]


_STORED = """
import json, sys
from whoosh import index
with index.open_dir(sys.argv[1]).searcher() as searcher:
    print(json.dumps(sorted(json.dumps(f, sort_keys=True, ensure_ascii=False) for f in searcher.all_stored_fields())))
"""


def stored_passages(index: Path, code: Path) -> list:
    """The index's stored passages, read with the code that wrote it (Whoosh pickles its analyzers' classes)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    read = subprocess.run([sys.executable, "-c", _STORED, str(index)], env=env, cwd=code, check=True,
                          capture_output=True)
    return json.loads(read.stdout)


def main(before: str, after: str = "HEAD") -> int:
    with tempfile.TemporaryDirectory() as work:
        built = {name: build(commit, Path(work) / name) for name, commit in (("before", before), ("after", after))}
        failed = 0
        for output in ("html", "pdf", "epub"):
            found = differences(built["before"] / output, built["after"] / output)
            count = sum(1 for p in (built["after"] / output).rglob("*") if p.is_file())
            print(f"build/{output}: " + ("identical" if not found else f"{len(found)} DIFFERENT: {found[:5]}")
                  + f" ({count} files)")
            failed += bool(found)
        for index in sorted(p for p in (built["after"] / "index").iterdir() if not p.name.startswith(".")):
            same = (stored_passages(built["before"] / "index" / index.name, built["before"].parent)
                    == stored_passages(index, built["after"].parent))
            print(f"build/index/{index.name}: " + ("the same passages" if same else "DIFFERENT passages"))
            failed += not same
        for name in built:
            subprocess.run(["git", "worktree", "remove", "--force", str(Path(work) / name)], cwd=REPOSITORY,
                           check=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
