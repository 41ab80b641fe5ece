"""The architecture held by tests: which module depends on which, and the README's map of them."""
from __future__ import annotations

import ast
import functools
import re
import sys
from pathlib import Path

import pytest
from projects import REPOSITORY

from library.model.stamps import code_files

sys.path.insert(0, str(REPOSITORY / "scripts"))


def test_search_does_not_import_the_rendering_core():
    # Editing a Jinja filter must not re-index every language (issue 27): the index's code is
    # exactly what it imports, transitively.
    for module in ("index", "engine"):
        assert "render.py" not in {path.name for path in code_files(f"library.outputs.search.{module}")}


def test_the_readme_shows_the_map_the_folders_draw():
    from modules import module_map

    assert module_map() in (REPOSITORY / "README.md").read_text("utf-8"), "run scripts/modules.py --write"


def test_every_module_sits_in_the_folder_of_its_part():
    # Only the command line and the pipeline that joins the parts stay at the top.
    top = {path.stem for path in (REPOSITORY / "library").glob("*.py")}
    assert top == {"__init__", "__main__", "cli", "pipeline"}
    for init in (REPOSITORY / "library").rglob("__init__.py"):
        assert init.read_text("utf-8").startswith('"""'), f"{init} says what its folder holds"


# --- the import graph: no cycle, sibling stages, one owner of paths ----------------------------

LIBRARY = REPOSITORY / "library"


def _dotted(path: Path) -> str:
    parts = path.relative_to(REPOSITORY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_dotted(path): path for path in LIBRARY.rglob("*.py")}


@functools.cache
def _imports(name: str) -> frozenset[str]:
    """The library modules a module imports, at its top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("library"):
            inside = {f"{node.module}.{alias.name}" for alias in node.names} & MODULES.keys()
            found |= inside or {node.module}
    return frozenset(found & MODULES.keys())


def test_the_library_has_no_import_cycle():
    # A depth-first walk: a module met again on the trail that leads to it closes a cycle; a module
    # walked whole before leads to none (walking every path again took a minute).
    walked: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, " -> ".join((*trail, name))
        if name in walked:
            return
        for other in sorted(_imports(name)):
            visit(other, (*trail, name))
        walked.add(name)

    for name in MODULES:
        visit(name, ())


def test_a_cycle_is_found(monkeypatch):
    monkeypatch.setitem(MODULES, "library.core.errors", MODULES["library.core.paths"])  # paths imports errors
    _imports.cache_clear()
    try:
        with pytest.raises(AssertionError, match=r"(library\.core\.(?:config|errors)) -> (?:\S+ -> )*\1\n"):
            test_the_library_has_no_import_cycle()
    finally:
        _imports.cache_clear()


STAGE_FOLDERS = sorted(_dotted(path.parent) for path in (LIBRARY / "outputs").glob("*/__init__.py"))


@pytest.mark.parametrize("stage", STAGE_FOLDERS)
def test_an_output_stage_imports_no_other_stage(stage):
    others = [folder for folder in STAGE_FOLDERS if folder != stage]
    for name in [name for name in MODULES if name.startswith(stage)]:
        crossing = {found for found in _imports(name) if found.startswith(tuple(others))}
        assert not crossing, f"{name} imports {crossing}"


def test_the_outputs_are_the_stages_of_the_pipeline():
    assert STAGE_FOLDERS == ["library.outputs.cards", "library.outputs.citations", "library.outputs.epub",
                             "library.outputs.feeds",
                             "library.outputs.pdf", "library.outputs.search", "library.outputs.site",
                             "library.outputs.sitemap", "library.outputs.static_search"]


# Each part may import the parts before it, never those after (translators' tools may check).
LAYERS = ("library.core", "library.sources", "library.model", "library.quality", "library.translations",
          "library.outputs", "library.serving", "library.pipeline", "library.cli")


@pytest.mark.parametrize("part", LAYERS[:-1])
def test_each_part_imports_only_what_comes_before_it(part):
    never = tuple(layer for layer in LAYERS[LAYERS.index(part) + 1:] if layer != "library.pipeline")
    for name in [name for name in MODULES if name.startswith(part)]:
        assert not {found for found in _imports(name) if found.startswith(never)}, name


def test_only_paths_names_build_and_locale_folders():
    pattern = re.compile(r"""build_dir\s*/|locales_dir\s*[/.]|["']LC_MESSAGES["']|\.pages\.json""")
    offenders = [f"{path.name}:{number}" for path in sorted(LIBRARY.rglob("*.py")) if path.name != "paths.py"
                 for number, line in enumerate(path.read_text("utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_no_module_is_over_600_lines():
    long = {name: lines for name, path in MODULES.items() if (lines := len(path.read_text("utf-8").splitlines())) > 600}
    assert long == {}


def test_every_import_of_the_library_names_what_is_there():
    # Imports inside functions run late: a name moved to another module would fail only there (tests too).
    import importlib

    missing = []
    users = {**MODULES, **{path.name: path for folder in ("tests", "benchmarks", "scripts")
                           for path in (REPOSITORY / folder).glob("*.py")}}
    for name, path in users.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("library"):
                module = importlib.import_module(node.module)
                missing += [f"{name}: {node.module}.{alias.name}" for alias in node.names
                            if not hasattr(module, alias.name) and f"{node.module}.{alias.name}" not in MODULES]
    assert missing == []
