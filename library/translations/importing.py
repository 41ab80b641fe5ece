"""Taking translators' files back: XLIFF into the catalogs, TMX into the memory, all of them or nothing."""
from __future__ import annotations

from pathlib import Path

from library.model.project import Project
from library.translations.exchange import ExchangeError, root_of, write_unchanged_since
from library.translations.tmx import TmxImport, plan_tmx_import
from library.translations.xliff import XliffPlan, plan_xliff_import

__all__ = ["import_files"]


def import_files(project: Project, files: tuple[Path, ...]) -> tuple[XliffPlan, list[TmxImport]]:
    """Write what files bring back; a file refused (or changed meanwhile) writes nothing of any of them."""
    roots = {path: root_of(path) for path in files}
    for path, root in roots.items():
        if root.tag not in ("xliff", "tmx"):
            raise ExchangeError(path, root.line, f"neither XLIFF nor TMX (its root element is <{root.tag}>)")
    plan = plan_xliff_import(project, [path for path in files if roots[path].tag == "xliff"])
    memories = [plan_tmx_import(project.config, path) for path in files if roots[path].tag == "tmx"]
    writes: dict[Path, tuple[bytes | None, bytes]] = dict(plan.writes)
    for report, data in memories:
        writes[report.target] = (report.target.read_bytes() if report.target.is_file() else None, data)
    write_unchanged_since(writes)
    return plan, [report for report, _data in memories]
