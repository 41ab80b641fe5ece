"""The README's map of library/: each module in its part of the pipeline, with its docstring's first line.

    .venv/bin/python scripts/modules.py          print the map (the README holds it between two markers)
    .venv/bin/python scripts/modules.py --write  write it into README.md

tests/test_layout.py fails when a module is in no part, or when the README's map is not this one.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PACKAGE = REPOSITORY / "library"
BEGIN, END = "<!-- modules: begin (scripts/modules.py --write) -->", "<!-- modules: end -->"

# The parts of the pipeline, in its order; every module of library/ is in exactly one.
PARTS = {
    "Sources and catalogs": ("papers", "segments", "anchors", "extractors", "pofiles", "placeholders", "catalogs",
                             "memory", "renaming", "glossary"),
    "The model": ("config", "project", "translation", "paths"),
    "The pipeline and its stages (siblings: none imports another)": (
        "pipeline", "stamps", "pdf", "pdf_tags", "manifest", "conformance", "html", "webfonts", "static_search",
        "search", "analysis"),
    "Shared by the outputs": ("render", "markup", "interface", "headers", "passages", "results"),
    "Reports, checks and exchange": ("reports", "checks", "exchange", "xliff", "tmx", "tbx"),
    "Serving and the command line": ("web", "web_preview", "connections", "watch", "cli", "__main__"),
    "Underneath everything": ("errors", "files", "lock"),
}


def modules() -> list[str]:
    return sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def summary(name: str) -> str:
    docstring = ast.get_docstring(ast.parse((PACKAGE / f"{name}.py").read_text("utf-8"))) or ""
    return docstring.splitlines()[0] if docstring else ""


def module_map() -> str:
    lines = [BEGIN]
    for part, names in PARTS.items():
        lines += ["", f"**{part}**", ""]
        lines += [f"- `{name}`: {summary(name)}" for name in names]
    return "\n".join([*lines, "", END])


def unplaced() -> tuple[list[str], list[str]]:
    """Modules in no part, and parts' names that are no module."""
    placed = [name for names in PARTS.values() for name in names]
    return sorted(set(modules()) - set(placed)), sorted(set(placed) - set(modules()))


def main(argv: list[str]) -> int:
    missing, gone = unplaced()
    if missing or gone:
        print(f"modules in no part: {missing}; parts naming no module: {gone}", file=sys.stderr)
        return 1
    if argv[1:] == ["--write"]:
        readme = REPOSITORY / "README.md"
        text = readme.read_text("utf-8")
        start, end = text.index(BEGIN), text.index(END) + len(END)
        readme.write_text(text[:start] + module_map() + text[end:], "utf-8")
    else:
        print(module_map())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
