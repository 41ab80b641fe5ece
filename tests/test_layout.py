"""The architecture held by tests: which module depends on which, and the README's map of them."""
from __future__ import annotations

import sys

from projects import REPOSITORY

from library.stamps import code_files

sys.path.insert(0, str(REPOSITORY / "scripts"))


def test_search_does_not_import_the_rendering_core():
    # Editing a Jinja filter must not re-index every language (issue 27): the index's code is
    # exactly what it imports, transitively.
    assert "render.py" not in {path.name for path in code_files("search")}


def test_every_module_has_its_part_and_the_readme_shows_the_map():
    from modules import module_map, unplaced

    assert unplaced() == ([], [])
    assert module_map() in (REPOSITORY / "README.md").read_text("utf-8"), "run scripts/modules.py --write"
