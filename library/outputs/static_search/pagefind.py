"""Search without a server: a Pagefind index of every passage, one per language, written into the site.

Each passage goes to Pagefind as a little page of its own, so that a result is a paragraph,
as it is on the server; Pagefind stems its words and folds their accents by <html lang>.
Beside the index, each language gets a table (`search.<lang>.json`) of what the server's
search knows and Pagefind does not: each passage's section, paper and PDF page, the stop
words, question words and operators of the server's analyzers, the glossary's forms and the
stems of the index's words; and the vocabulary did-you-mean needs (`search-words.<lang>.json`).
The reader's browser downloads only the parts of the index its query needs, the table once,
and the rest only when a query needs it (a misspelt word; a word found only in English).
"""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from library.core.errors import LibraryError
from library.core.files import Changes, remove_stale, write_outputs
from library.core.paths import SiteMap, scratch_folder, site_folder
from library.model.project import Project
from library.model.stamps import Digest, distribution_version, read_state, write_state
from library.outputs.analysis import OPERATORS, fold, question_words, stop_words, word_spans, words
from library.outputs.folders import project_texts
from library.outputs.passages import pdf_page_path, pdf_pages, searchable_passages
from library.sources.glossary import search_forms

__all__ = ["FOLDER", "build_static_search", "static_search_files"]

STAGE = "static_search"
FOLDER = SiteMap.static_search_folder()  # under the site's root; the search page loads pagefind.js from here
# Pagefind also writes its ready-made interfaces and a worker; the site has its own page, and a
# search page searches once, on the main thread: only the engine is kept.
_ENGINE = re.compile(r"(pagefind\.js|pagefind-entry\.json|wasm\.[\w-]+\.pagefind"
                     r"|pagefind\.[\w-]+\.pf_meta|(index|fragment)/[\w-]+\.pf_\w+)")
_SECONDS = 300
_ENTRY = "pagefind-entry.json"
_WORD = re.compile(r"\w+(?:[.,]\w+)*")  # the server's words (analysis._WORD)
# An elided word and its apostrophe, before a letter: l’enfant, qu’est, d'examen (search.js has the same).
_ELISION = re.compile(r"(?<![^\W\d_])((?:qu|jusqu|lorsqu|puisqu|quoiqu|[^\W\d_]{1,2})[’'])(?=[^\W\d_])")


def build_static_search(project: Project) -> Changes:
    """Write the static search into build/html/pagefind: Pagefind runs again only when what it indexes changed."""
    config = project.config
    folder = site_folder(config) / FOLDER
    state = read_state(config, STAGE)
    inputs = _stage_inputs(project)
    present = sorted(path for path in folder.rglob("*") if path.is_file())
    if state.get("inputs") == inputs and {path.relative_to(folder).as_posix() for path in present} == set(
            state.get("files", ())):
        return Changes(unchanged=present)
    files, key = static_search_files(project, site_folder(config), state.get("key"))
    if files is None:  # the inputs' bytes changed, not what the index holds
        changes = Changes(unchanged=present)
        kept = present
    else:
        changes = write_outputs(files)
        changes.removed.extend(remove_stale(folder, set(files)))
        kept = list(files)
    write_state(config, STAGE, {"inputs": inputs, "key": key,
                                "files": sorted(path.relative_to(folder).as_posix() for path in kept)})
    return changes


def _stage_inputs(project: Project) -> str:
    """The bytes of every file the index is made from: without parsing anything, has any changed?"""
    config = project.config
    files = project_texts(config, glossary=True)
    return Digest(distribution_version("pagefind-bin"), config.languages).files(files, config.root).code(
        __name__).hexdigest()


def static_search_files(project: Project, site: Path, last_key: str | None) -> tuple[dict[Path, bytes] | None, str]:
    """Pagefind's files and the tables to write, by path under site, and the key of what they hold.

    Pagefind runs only when the passages, the PDF pages they link or the glossary changed since
    last_key; otherwise the files are None: those on disk are current.
    """
    languages = project.select_languages(())
    records = {language: _records(project, language) for language in languages}
    tables = {language: _table(project, language, records) for language in languages}
    key = Digest(distribution_version("pagefind-bin"), records, tables).code(__name__).hexdigest()
    folder = site / FOLDER
    if key == last_key and (folder / _ENTRY).is_file():
        return None, key
    scratch = scratch_folder(project.config)
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".static-search-", dir=scratch) as work:
        written = _run_pagefind(Path(work), records)
    fragments = _fragments(written)
    for language, (table, vocabulary) in tables.items():
        lengths = [len(word_spans(r["text"], r["language"])) for r in records[language]]
        table["passages"] = [[fragments[language, r["paper"], r["anchor"]], r["paper"], r["anchor"], r["section"],
                              r["language"], r["pdf_path"], _stored_length(length)]
                             for r, length in zip(records[language], lengths, strict=True)]
        table["average_length"] = sum(lengths) / max(1, len(lengths))
        written[table_name(language)] = _json(table)
        written[words_name(language)] = _json(vocabulary)
    return {folder / name: data for name, data in written.items()}, key


def _stored_length(length: int) -> int:
    """A passage's length in words as the server's index keeps it, in one byte (11 is kept as 12), for BM25F.

    The average length the server divides by is the exact one (the table's average_length).
    """
    from whoosh.util.numeric import byte_to_length, length_to_byte

    return int(byte_to_length(length_to_byte(length)))


def table_name(language: str) -> str:
    """The table a language's first search loads: passages, stop and question words, glossary, stems."""
    return f"search.{language}.json"


def words_name(language: str) -> str:
    """The vocabulary did-you-mean loads, only when a word of the query is found nowhere."""
    return f"search-words.{language}.json"


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _records(project: Project, language: str) -> list[dict[str, Any]]:
    """Language's passages, each with what its result shows: its paper, its section, its links."""
    pdfs = pdf_pages(project.config, language)
    translations = [project.translation(paper.slug, language) for paper in project.papers]
    return [{
        "text": passage["text"],
        "paper": passage["paper"],
        "anchor": passage["anchor"],
        "language": passage["language"],
        "section": passage["section"],
        "paper_title": passage["paper_title"],
        "pdf_path": pdf_page_path(language, passage["paper"], passage["anchor"], pdfs) or "",
    } for passage in searchable_passages(translations)]


def _table(project: Project, language: str,
           records: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the browser's search needs beside Pagefind's index, from the server's own lists; and its vocabulary."""
    local, config = OPERATORS.get(language, {}), project.config
    mine = records[language]
    table = {
        "papers": {r["paper"]: [r["paper_title"], SiteMap.paper(language, r["paper"])] for r in mine},
        "stop": sorted(stop_words(language)),
        "ask": sorted(question_words(language)),
        "operators": {name.lower(): sorted({name.upper(), local.get(name, name.upper())})
                      for name in ("And", "Or", "Not")},
        "terms": [{"official": term["official"], "english": term["english"],
                   "forms": [_form(code, form) for code, form in term["forms"]]}
                  for term in search_forms(project.glossary.terms, config.source_language, language)],
        "source": config.source_language,
        "languages": list(config.all_languages),  # the order the server tries them in, for a word of another
        "stems": _stems([(r["text"], r["language"]) for r in mine]),
    }
    if language != config.source_language:  # what the server leaves out of a passage's English field
        table["source_stop"] = sorted(stop_words(config.source_language))
    vocabulary = _vocabulary([(r["text"], r["language"]) for r in mine])
    elsewhere = {word for code, passages in records.items() if code != language
                 for word in _vocabulary([(r["text"], r["language"]) for r in passages])}
    return table, {"words": vocabulary, "elsewhere": sorted(elsewhere - set(vocabulary))}


def _form(code: str, form: str) -> list[str]:
    """A glossary form as the browser compares it: its language, its stems, and its stop words (folded)."""
    stops = stop_words(code)
    return [code, " ".join(stem for _s, _e, stem in word_spans(form, code)),
            " ".join(sorted({fold(w.lower()) for w in _WORD.findall(form) if w.lower() in stops}))]


def _stems(texts: list[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Language -> stem -> the folded words of the passages with that stem, for highlighting whole words."""
    groups: dict[str, dict[str, set[str]]] = {}
    for text, code in texts:
        for start, end, stem in word_spans(text, code):
            groups.setdefault(code, {}).setdefault(stem, set()).add(fold(text[start:end].lower()))
    return {code: {stem: " ".join(sorted(forms)) for stem, forms in sorted(stems.items())}
            for code, stems in sorted(groups.items())}


def _vocabulary(texts: list[tuple[str, str]]) -> dict[str, list[Any]]:
    """Folded word -> [how often, as most often written], as the server's index keeps it for did-you-mean."""
    counts: Counter[str] = Counter()
    for text, code in texts:
        counts.update(words(text, code))
    table: dict[str, list[Any]] = {}
    for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        entry = table.setdefault(fold(word), [0, word])
        entry[0] += count
    return table


def _fragments(written: dict[str, bytes]) -> dict[tuple[str, str, str], str]:
    """(language, paper, anchor) -> Pagefind's id of its passage, which its results name."""
    found = {}
    for name, data in written.items():
        if not name.startswith("fragment/"):
            continue
        fragment = json.loads(gzip.decompress(data)[len(b"pagefind_dcd"):])
        language, paper, anchor = fragment["url"].strip("/").removesuffix(".html").split("/")
        found[language, paper, anchor] = name.removeprefix("fragment/").removesuffix(".pf_fragment")
    return found


def _run_pagefind(work: Path, records: dict[str, list[dict[str, Any]]]) -> dict[str, bytes]:
    """Write one page per passage under work, index them with Pagefind, and return the engine's files."""
    source, output = work / "passages", work / "output"
    for language, passages in records.items():
        for record in passages:
            page = source / language / record["paper"] / f"{record['anchor']}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(_passage_page(language, record), "utf-8")
    command = [sys.executable, "-m", "pagefind", "--site", str(source), "--output-path", str(output)]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LibraryError(f"static search: Pagefind could not run: {error}") from None
    if finished.returncode != 0:
        last = (finished.stderr or finished.stdout).strip().splitlines()[-1:] or ["no message"]
        raise LibraryError(f"static search: Pagefind failed (exit code {finished.returncode}): {last[0]}")
    files = {path.relative_to(output).as_posix(): path.read_bytes()
             for path in sorted(output.rglob("*"))
             if path.is_file() and _ENGINE.fullmatch(path.relative_to(output).as_posix())}
    # Pagefind lists the languages of its entry file in another order on each run.
    files[_ENTRY] = _json(json.loads(files[_ENTRY]))
    return files


def _passage_page(language: str, record: dict[str, Any]) -> str:
    """One passage as Pagefind reads it: its text, in the index of language.

    Its page's address names its paper and anchor; what the result shows comes from the
    language's table. Nothing rides along as Pagefind filters or metadata: Pagefind writes
    filters in a different order on each run (so two builds would differ), and indexes metadata
    as words. An English passage standing in for a missing translation goes to the page's
    language's index, as it sits on that language's page.
    """
    return (f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8"><title></title></head>'
            f'<body><main data-pagefind-body><p>{_elided(record["text"])}</p></main></body></html>')


def _elided(text: str) -> str:
    """text escaped, a space after each elision ("l’ enfant"), so that Pagefind indexes "enfant" as a word.

    The server's words part at apostrophes; Pagefind's do not. search.js takes the space out again.
    """
    return escape(_ELISION.sub(r"\1 ", text))
