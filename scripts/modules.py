"""The README's map of library/, drawn from its folders: each package's docstring, then its modules'.

    .venv/bin/python scripts/modules.py          print the map (the README holds it between two markers)
    .venv/bin/python scripts/modules.py --write  write it into README.md

The folders are the architecture: a new module is placed by putting it in its folder, and
tests/test_layout.py fails when the README's map is not this one.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PACKAGE = REPOSITORY / "library"
BEGIN, END = "<!-- modules: begin (scripts/modules.py --write) -->", "<!-- modules: end -->"

# The folders in the pipeline's order (a folder not named here comes after them, by name).
ORDER = (
    "core",
    "sources",
    "model",
    "quality",
    "translations",
    "outputs",
    "outputs/pdf",
    "outputs/epub",
    "outputs/site",
    "outputs/static_search",
    "outputs/sitemap",
    "outputs/citations",
    "outputs/feeds",
    "outputs/cards",
    "outputs/search",
    "serving",
)


def summary(path: Path) -> str:
    docstring = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or ""
    return docstring.splitlines()[0] if docstring else ""


def folders() -> list[Path]:
    """The package's folders (itself first), in the pipeline's order."""
    found = sorted(path.parent for path in PACKAGE.rglob("__init__.py"))
    rank = {name: number for number, name in enumerate(ORDER)}
    return sorted(found, key=lambda folder: (folder != PACKAGE, rank.get(_name(folder), len(ORDER)), _name(folder)))


def _name(folder: Path) -> str:
    return folder.relative_to(PACKAGE).as_posix()


def module_map() -> str:
    lines = [BEGIN]
    for folder in folders():
        title = "`library/`: the command line and the pipeline" if folder == PACKAGE else \
            f"`library/{_name(folder)}/`: {summary(folder / '__init__.py')}"
        lines += ["", f"**{title}**", ""]
        lines += [f"- `{path.stem}`: {summary(path)}" for path in sorted(folder.glob("*.py"))
                  if path.stem != "__init__"]
    return "\n".join([*lines, "", END])


def main(argv: list[str]) -> int:
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
