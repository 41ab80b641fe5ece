"""The index stage: one Whoosh index per language, each a generation swapped in whole, and readers' leases.

A new generation analyses only the passages of the papers that changed: it takes over the other
papers' segments from the generation before (see groups), so one changed catalog costs a group.

A reader (a server's search) takes a lease on the generation it opens; a build deletes an old
generation only when nobody holds one, so a search never loses the files it is reading.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from library import __version__
from library.core.config import Config
from library.core.files import write_if_changed
from library.core.paths import anchor_record_path, catalog_path, glossary_path, index_folder, paper_paths
from library.model.project import Project
from library.model.stamps import Digest, distribution_version, read_state, write_state
from library.outputs.analysis import analysis_name, analyzer, fold
from library.outputs.passages import searchable_passages
from library.outputs.search.groups import (
    GROUPS,
    LAYOUT,
    Group,
    group_papers,
    read_groups,
    segment_ids,
    vocabulary,
    write_groups,
)
from library.sources.glossary import search_forms

__all__ = ["IndexReport", "build_index", "write_index", "lease", "FORMAT", "VOCABULARY", "TERMINOLOGY"]

STAGE = "index"
VOCABULARY = "vocabulary.json"  # beside each generation: its words, for did-you-mean
# Whoosh keeps a schema's analyzers by their class's module path: a generation can be read only by
# code whose analyzers sit where they sat. Raised when they move (2: library/outputs/analysis.py).
# How a generation is cut into segments (groups.LAYOUT) changes nothing for its readers: not here.
FORMAT = ("format", "2")
TERMINOLOGY = "terminology.json"  # and the glossary's forms it was built with
READERS = "readers.lock"  # the leases of the processes reading a generation


@dataclass(frozen=True)
class IndexReport:
    """What one language's index holds, and how long it took."""

    language: str
    path: Path
    documents: int
    seconds: float
    rebuilt: bool = True  # False: its inputs had not changed, so the index was left as it was
    withdrawn: bool = False  # its language was removed from setup.cfg, and so was the index
    analysis: str = ""  # how its words are analysed: stemmed, or folded only


def build_index(project: Project, languages: tuple[str, ...] = ()) -> list[IndexReport]:
    """Index every passage of every paper, one index per language, each a new generation swapped in whole.

    A language's index is written again only when its passages or glossary changed, and then only
    the groups of papers whose passages changed are analysed (see groups); when not even the files
    they come from changed, nothing is parsed and Whoosh is not imported.
    """
    config = project.config
    state = read_state(config, STAGE)
    reports = []
    for language in project.select_languages(languages):
        started = time.perf_counter()
        before = state.get(language, {})
        link = index_folder(config) / language
        inputs = _index_inputs(project, language)
        if before.get("inputs") == inputs and link.exists() and "analysis" in before:
            reports.append(IndexReport(language, link, before["documents"], time.perf_counter() - started, False,
                                       analysis=before["analysis"]))
            continue
        rebuilt, documents = _update_index(project, language)
        analysis = analysis_name(language)  # kept, so an unchanged build need not import Whoosh to say it
        state[language] = {"inputs": inputs, "documents": documents, "analysis": analysis}
        write_state(config, STAGE, state)
        reports.append(IndexReport(language, link, documents, time.perf_counter() - started, rebuilt,
                                   analysis=analysis))
    if not languages:
        reports += _withdraw_languages(project, state)
    return reports


def _update_index(project: Project, language: str) -> tuple[bool, int]:
    """Write a new generation of language's index if its passages or glossary changed; (written?, passages).

    Groups whose files are unchanged keep their segment unread; those whose files changed are
    translated and compared; only those whose passages changed are analysed again.
    """
    config = project.config
    link = index_folder(config) / language
    previous = link.resolve() if link.exists() else None
    present = segment_ids(previous) if previous is not None else set()
    recorded = [group for group in read_groups(previous) if group.segment is None or group.segment in present]
    earlier = {group.papers: group for group in recorded}
    groups, kept = _groups(project, language), {}
    for number, group in enumerate(groups):
        old = earlier.get(group.papers)
        if old is not None and old.inputs == group.inputs:
            kept[number] = old
            continue
        documents = list(searchable_passages(project.translation(slug, language) for slug in group.papers))
        group.passages, group.documents = Digest(documents).hexdigest(), lambda documents=documents: documents
        if old is not None and old.passages == group.passages:
            kept[number] = old
    terminology = _terminology(project, language)
    same_groups = [group.papers for group in recorded] == [group.papers for group in groups]
    if previous is not None and len(kept) == len(groups) and same_groups \
            and _read_json(previous / TERMINOLOGY) == json.loads(json.dumps(terminology)):
        for number, group in kept.items():  # the same passages from changed files: the same generation
            group.inputs = groups[number].inputs
        write_if_changed(previous / GROUPS, _groups_table(list(kept.values())))
        return False, sum(group.count for group in kept.values())
    count = _write_generation(index_folder(config), language, config.source_language, groups, terminology,
                              previous, kept)
    return True, count


def _groups(project: Project, language: str) -> list[Group]:
    """The papers in series order, in groups, each with the digest of its code and files."""
    config = project.config
    code = Digest(__version__, distribution_version("whoosh-reloaded"), config.source_language,
                  language).code(__name__).hexdigest()
    groups = []
    for slugs in group_papers(project.slugs):
        files = [path for slug in slugs for path in _paper_files(config, slug, language)]
        groups.append(Group(slugs, Digest(code, slugs).files(files, config.root).hexdigest()))
    return groups


def _paper_files(config: Config, slug: str, language: str) -> list[Path]:
    """The files a paper's passages in language are made from: its source, its ids, its catalog."""
    files = [config.papers_dir / f"{slug}.md", anchor_record_path(config, slug)]
    return files + ([catalog_path(config, language, slug)] if language != config.source_language else [])


def _withdraw_languages(project: Project, state: dict[str, Any]) -> list[IndexReport]:
    """Delete the indexes of languages no longer in setup.cfg, so search stops offering them."""
    config, folder, reports = project.config, index_folder(project.config), []
    for link in sorted(folder.glob("*")) if folder.is_dir() else ():
        language = link.name
        if language.startswith(".") or language in config.all_languages:
            continue
        for generation in _generations(folder, language):
            _remove_unread(generation)  # one a server still reads goes with a later build
        if link.is_symlink() or link.is_file():
            link.unlink()
        else:
            shutil.rmtree(link, ignore_errors=True)
        state.pop(language, None)
        write_state(config, STAGE, state)
        reports.append(IndexReport(language, link, 0, 0.0, withdrawn=True))
    return reports


def _index_inputs(project: Project, language: str) -> str:
    """'code:files': the indexing code and tools, then the bytes of the sources and catalogs read."""
    config = project.config
    code = Digest(__version__, distribution_version("whoosh-reloaded"), config.source_language,
                  language).code(__name__).hexdigest()
    sources = paper_paths(config)
    files = [*sources, *(anchor_record_path(config, path.stem) for path in sources)]  # the passages' ids
    if language != config.source_language:
        files += [catalog_path(config, language, path.stem) for path in sources]
    files.append(glossary_path(config))
    return f"{code}:{Digest().files(files, config.root).hexdigest()}"


def write_index(folder: Path, language: str, source_language: str, documents: Iterable[dict[str, Any]],
                terminology: Sequence[dict[str, Any]] = ()) -> int:
    """Write a new generation of language's index of documents under folder and point folder/<language> at it.

    The documents come paper by paper; terminology: the glossary's terms as `_terminology` gives them.
    """
    by_paper: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        by_paper.setdefault(document["paper"], []).append(document)
    groups = [Group(slugs, "", functools.partial(_of_papers, by_paper, slugs))
              for slugs in group_papers(list(by_paper))]
    return _write_generation(folder, language, source_language, groups, terminology)


def _of_papers(by_paper: dict[str, list[dict[str, Any]]], papers: tuple[str, ...]) -> list[dict[str, Any]]:
    return [document for paper in papers for document in by_paper[paper]]


def _write_generation(folder: Path, language: str, source_language: str, groups: list[Group],
                      terminology: Sequence[dict[str, Any]], previous: Path | None = None,
                      kept: dict[int, Group] | None = None) -> int:
    """A new generation of groups (kept[i]: group i's segment as previous holds it), swapped in; its passages."""
    folder.mkdir(parents=True, exist_ok=True)
    generation = folder / f".{language}-{time.time_ns()}"
    generation.mkdir()
    try:
        write_groups(generation, _schema(language, source_language), groups,
                     lambda document: _fields(document, language), previous, kept)
        (generation / FORMAT[0]).write_text(FORMAT[1], "utf-8")
        (generation / VOCABULARY).write_text(json.dumps(_vocabulary_table(vocabulary(groups)), ensure_ascii=False),
                                             "utf-8")
        (generation / TERMINOLOGY).write_text(json.dumps(list(terminology), ensure_ascii=False), "utf-8")
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    _swap_in(folder, language, generation)
    return sum(group.count for group in groups)


def _groups_table(groups: list[Group]) -> bytes:
    return json.dumps({"layout": LAYOUT, "groups": [group.record() for group in groups]}, ensure_ascii=False).encode()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _fields(document: dict[str, Any], language: str) -> dict[str, Any]:
    """The document as Whoosh fields: its text goes to the field analysed in its own language."""
    if document["language"] == language:
        return document
    fields = dict(document)
    fields["text_source"] = fields.pop("text")
    return fields


def _terminology(project: Project, language: str) -> list[dict[str, Any]]:
    """Each glossary term with an official form in language, and the other forms a reader may type for it."""
    config = project.config
    return search_forms(project.glossary.terms, config.source_language, language)


def _schema(language: str, source_language: str) -> Any:  # a Whoosh schema
    from whoosh.fields import ID, STORED, TEXT, Schema

    fields = {
        "key": ID(stored=True, unique=True),
        "paper": ID(stored=True),
        "paper_title": STORED(),
        "anchor": ID(stored=True),
        "section": STORED(),
        "language": ID(stored=True),
        "text": TEXT(analyzer=analyzer(language), stored=True, phrase=True),
    }
    if language != source_language:
        # A segment still in English is indexed as English, with the English stemmer.
        fields["text_source"] = TEXT(analyzer=analyzer(source_language), stored=True, phrase=True)
    return Schema(**fields)


def _vocabulary_table(vocabulary: Counter[str]) -> dict[str, list[Any]]:
    """Folded word -> [frequency, the most frequent way it is written], for did-you-mean."""
    table: dict[str, list[Any]] = {}
    for word, count in vocabulary.most_common():
        entry = table.setdefault(fold(word), [0, word])
        entry[0] += count
    return table


def _swap_in(folder: Path, language: str, generation: Path) -> None:
    """Point the link folder/<language> at generation in one rename; keep one older generation."""
    link = folder / language
    if link.exists() and not link.is_symlink():
        link.rename(folder / f".{language}-old-{time.time_ns()}")
    temporary = folder / f".{language}.link-{time.time_ns()}"
    temporary.symlink_to(generation.name)
    os.replace(temporary, link)
    # The generation just replaced may still be open in a running server: it stays until the next build,
    # and an older one goes only once no process holds it open (see lease).
    keep = {generation.name, *(p.name for p in _generations(folder, language)[-2:])}
    for old in _generations(folder, language):
        if old.name not in keep:
            _remove_unread(old)


def lease(generation: Path) -> TextIO:
    """A shared lock on generation for as long as the returned file stays open: a reader's claim.

    Any process that opens a generation takes one; the kernel lets it go when the process ends,
    even after kill -9, so a generation is never deleted under a search that is reading it.
    """
    import fcntl

    handle = open(generation / READERS, "a")  # noqa: SIM115 (held for the generation's life)
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def _remove_unread(generation: Path) -> bool:
    """Delete generation unless some process holds a lease on it; say whether it went."""
    import fcntl

    try:
        with open(generation / READERS, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(generation, ignore_errors=True)  # under the lock: no reader can start meanwhile
    except BlockingIOError:
        return False
    except FileNotFoundError:
        pass  # gone already
    return True


def _generations(folder: Path, language: str) -> list[Path]:
    return sorted((p for p in folder.glob(f".{language}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime_ns)
