"""The architecture held by a test: the search stage does not depend on the rendering core."""
from __future__ import annotations

from library.stamps import code_files


def test_search_does_not_import_the_rendering_core():
    # Editing a Jinja filter must not re-index every language (issue 27): the index's code is
    # exactly what it imports, transitively.
    assert "render.py" not in {path.name for path in code_files("search")}
