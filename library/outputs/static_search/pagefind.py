"""Search without a server: a Pagefind index of every passage, one per language, written into the site.

Each paper goes to Pagefind as one page, each passage a paragraph with its anchor as id, and
only the words the server indexes (its stop words left out), so that Pagefind's word positions
are the server's; Pagefind stems its words and folds their accents by <html lang>. A result is
a paper and the places of its words; the browser finds each place's passage from each passage's
length in words, which the language's table (`search.<lang>.json`) gives: a number a passage,
and one Pagefind page a paper keeps Pagefind's metadata small. The table also carries what the
server's search knows and Pagefind does not: the stop words, question words and operators of
the server's analyzers and the glossary's forms. The stems of the index's words are in files by
their first letters (`stems/<lang>/…`), fetched for the query's words; what a result shows (its
text, section, paper and PDF page) is in a file per passage (`passages/<lang>/<paper>/<n>.passage`,
gzip), fetched for the passages shown; the vocabulary did-you-mean needs is in
`search-words.<lang>.json`, fetched only for a misspelt word.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from library.core.errors import LibraryError
from library.core.files import Changes, OutputBatch, files_under
from library.core.heap import give_back_free_heap
from library.core.paths import SiteMap, glossary_path, scratch_folder, shown, site_folder
from library.model.figures import KnownFigures
from library.model.project import Project
from library.model.stamps import Digest, distribution_version, read_state, write_state
from library.outputs.analysis import OPERATORS, fold, question_words, stop_words, word_spans
from library.outputs.folders import project_texts
from library.outputs.passages import pdf_page_path, pdf_pages, searchable_passages
from library.outputs.static_search.papers import language_passages
from library.sources.glossary import search_forms

__all__ = ["FOLDER", "build_static_search"]

STAGE = "static_search"
FOLDER = SiteMap.static_search_folder()  # under the site's root; the search page loads pagefind.js from here
# Pagefind also writes its ready-made interfaces and a worker; the site has its own page, and a
# search page searches once, on the main thread: only the engine is kept.
_ENGINE = re.compile(r"(pagefind\.js|pagefind-entry\.json|wasm\.[\w-]+\.pagefind"
                     r"|pagefind\.[\w-]+\.pf_meta|index/[\w-]+\.pf_\w+)")
_SECONDS = 300
_PAGES = ".static-search-pages"  # under the build folder: the passages' pages Pagefind reads, kept between builds
# The files of one language: its index's (and an earlier layout's fragments), its metadata, its stemmer, its
# tables, its passages' and its stems' files.
_OWNED = re.compile(r"(?:fragment|index)/([\w-]+?)_[0-9a-f]+\.pf_\w+|pagefind\.([\w-]+?)_[0-9a-f]+\.pf_meta"
                    r"|wasm\.([\w-]+)\.pagefind|search(?:-words)?\.([\w-]+)\.json"
                    r"|passages/([\w-]+)/.+\.passage|stems/([\w-]+)/[\w-]+\.json")
_ENTRY = "pagefind-entry.json"
_WORD = re.compile(r"\w+(?:[.,]\w+)*")  # the server's words (analysis._WORD)


def build_static_search(project: Project) -> Changes:
    """Write the static search into build/html/pagefind: Pagefind runs again only for the languages whose
    passages changed, each file written as it is ready; the other languages' files are left as they are."""
    config = project.config
    folder = site_folder(config) / FOLDER
    state = read_state(config, STAGE)
    known = project.known()
    inputs = _stage_inputs(project, known)
    present = files_under(folder)
    if state.get("inputs") == inputs and present == set(state.get("files", ())):
        return Changes(unchanged=[folder / name for name in sorted(present)])
    languages = project.select_languages(())
    # Each language: the key of its files, of its index, and of each paper's passage files.
    last: dict[str, dict[str, Any]] = state.get("languages", {})
    now: dict[str, dict[str, Any]] = {language: {"files": _language_key(project, known, language)}
                                      for language in languages}
    counts, indexed = {}, []
    with OutputBatch() as changes:
        # One language at a time, its passages let go before the next is read: Pagefind's run and the
        # passages it indexes are one language's (a whole build at 200 papers: 3 × 9,000 passages).
        for language in languages:
            whole = _language_present(present, language)
            before = last.get(language, {})
            now[language]["passages"] = before.get("passages", {})
            if whole and before.get("files") == now[language]["files"]:
                now[language]["index"] = before["index"]
                continue
            analysed = language_passages(project, known, language)
            counts[language] = analysed.counts
            records = _with_pdf_pages(project, language, analysed.passages)
            table = _table(project, language, analysed.stems)
            key = Digest(distribution_version("pagefind-bin"), records, table).code(__name__).hexdigest()
            now[language]["index"] = key
            if not whole or key != before.get("index"):
                kept_passages = _Kept(now[language]["passages"], present)
                _write_language(project, folder, language, records, table, analysed.lengths, changes, kept_passages)
                now[language]["passages"] = kept_passages.now
                indexed.append(language)
            del analysed, records, table
        _write_vocabularies(project, folder, counts, changes)
    # Each language's run writes the shared files (the entry, the script) again: each is counted once.
    changes.written = list(dict.fromkeys(changes.written))
    written = set(changes.written)
    changes.unchanged = [path for path in dict.fromkeys(changes.unchanged) if path not in written]
    cut = len(f"{folder}/")
    made = {str(path)[cut:] for path in (*changes.written, *changes.unchanged)}
    kept = made | _kept_as_they_were(present, languages, indexed)
    changes.unchanged.extend(folder / name for name in sorted(kept - made))
    for name in sorted(present - kept):
        (folder / name).unlink()
        changes.removed.append(folder / name)
    _remove_empty_folders(folder, {(folder / name).parent for name in present - kept})
    write_state(config, STAGE, {"inputs": inputs, "languages": now, "files": sorted(kept)})
    return changes


def _kept_as_they_were(present: set[str], languages: tuple[str, ...], indexed: list[str]) -> set[str]:
    """The files of the languages not indexed again, and the engine's shared ones: the rest are this run's or go."""
    kept = set()
    for name in present:
        owner = _owner(name)
        if owner in (*languages, "unknown", None) and owner not in indexed and (owner or _ENGINE.fullmatch(name)):
            kept.add(name)
    return kept


def _remove_empty_folders(folder: Path, emptied: set[Path]) -> None:
    """The folders the files removed leave empty (a paper gone, the fragments of an earlier layout), deepest first."""
    for place in sorted(emptied, key=lambda path: len(path.parts), reverse=True):
        while place != folder and place.is_dir() and not any(place.iterdir()):
            place.rmdir()
            place = place.parent


def _stage_inputs(project: Project, known: KnownFigures) -> str:
    """The bytes of every file the index is made from: without parsing anything, has any changed?"""
    config = project.config
    files = project_texts(config, glossary=True)
    return Digest(distribution_version("pagefind-bin"), config.languages,
                  [(shown(path, config.root), known.file_hash(path)) for path in files]).code(__name__).hexdigest()


def _language_key(project: Project, known: KnownFigures, language: str) -> str:
    """What one language's index and table are made from: its texts' files, its PDFs' pages, the glossary.

    Its own PDFs' pages only: a French PDF rendered again leaves the other languages' passages unread.
    """
    config = project.config
    return Digest(distribution_version("pagefind-bin"), config.languages, language,
                  [(slug, known.text_stamp(slug, language)) for slug in project.source_slugs],
                  sorted(pdf_pages(config, language).items()), known.file_hash(glossary_path(config))
                  ).code(__name__).hexdigest()


def _owner(name: str) -> str | None:
    """The language a file of the folder belongs to (None: the files every language shares)."""
    match = _OWNED.fullmatch(name)
    return next((group for group in match.groups() if group), None) if match else None


def _language_present(present: set[str], language: str) -> bool:
    """Whether the language's index is on disk: its table, its words, its metadata."""
    return {table_name(language), words_name(language)} <= present and any(
        name.startswith(f"pagefind.{language}_") for name in present)


def _read_entry(folder: Path, changes: OutputBatch) -> dict[str, Any]:
    """The entry file as the batch leaves it: another language's run may have staged it already."""
    try:
        found = json.loads(changes.current(folder / _ENTRY) or b"{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


@dataclasses.dataclass
class _Kept:
    """Each paper's passage files as the last build wrote them (the hash of their data), and the folder's files."""

    before: dict[str, str]
    present: set[str]
    now: dict[str, str] = dataclasses.field(default_factory=dict)


def _write_language(project: Project, folder: Path, language: str, mine: list[dict[str, Any]],
                    table: dict[str, Any], lengths: list[int], changes: OutputBatch, kept: _Kept) -> None:
    """Index one language with Pagefind (its memory is one language's) and write its files, table and
    passages as they come; the other languages' stay as they are."""
    scratch = scratch_folder(project.config)
    scratch.mkdir(parents=True, exist_ok=True)
    known = project.known()
    code = Digest().code(__name__).hexdigest()  # the pages are written by this code, from the texts' files
    source = scratch / _PAGES / language
    _write_pages(source, language, mine, {slug: Digest(code, known.text_stamp(slug, language)).hexdigest()
                                          for slug in project.slugs})
    with tempfile.TemporaryDirectory(prefix=".static-search-", dir=scratch) as work:
        output = Path(work) / "output"
        _pagefind(source, output)
        pages = _write_index(project, folder, output, changes)
    table = dict(table)
    _write_stems(folder, language, table.pop("stems"), table, changes)
    table["papers"] = _paper_rows(language, mine, lengths, pages)
    table["count"] = len(mine)
    table["length_steps"] = _length_steps(max(lengths, default=0))
    table["average_length"] = sum(lengths) / max(1, len(mine))
    changes.write(folder / table_name(language), _json(table))
    _write_passages(folder, language, mine, changes, kept)


def _paper_rows(language: str, mine: list[dict[str, Any]], counted: list[int],
                pages: dict[tuple[str, str], tuple[str, list[tuple[str, int]]]]) -> list[list[Any]]:
    """Each paper as the browser finds its passages: Pagefind's id of its page, its slug and address, and each
    passage's length in indexed words, which is also its number of words on Pagefind's page (so where each
    starts); where Pagefind counted otherwise (a word it parts in two), its counts follow, all but the last's."""
    rows: dict[str, list[Any]] = {}
    for record, length in zip(mine, counted, strict=True):
        slug = record["paper"]
        if slug not in rows:
            # A page of no word at all is none of Pagefind's: no result names it.
            rows[slug] = [pages.get((language, slug), ("", []))[0], slug, SiteMap.paper(language, slug), [], []]
        rows[slug][3].append(length)
        rows[slug][4].append(record["anchor"])
    for slug, row in rows.items():
        anchors = row.pop()
        found = pages.get((language, slug), ("", [(anchor, 0) for anchor in anchors]))[1]
        if [anchor for anchor, _start in found] != anchors:
            raise LibraryError(f"static search: Pagefind did not keep the passages of {language}/{slug} in order")
        starts = [start for _anchor, start in found]
        words = [after - start for start, after in zip(starts, starts[1:], strict=False)]
        if words != row[3][:-1]:
            row.append(words)
    return list(rows.values())


def _write_stems(folder: Path, language: str, stems: dict[str, dict[str, str]], table: dict[str, Any],
                 changes: OutputBatch) -> None:
    """The stems of the index's words in files by the words' first two letters, so that a search loads those of
    its own words (a few hundred bytes), however large the vocabulary; the table lists the files there are."""
    files: dict[str, dict[str, dict[str, str]]] = {}
    for code, found in stems.items():
        for stem, forms in found.items():
            for prefix in {stem_prefix(stem), *(stem_prefix(form) for form in forms.split())}:
                files.setdefault(prefix, {}).setdefault(code, {})[stem] = forms
    for prefix, groups in files.items():
        changes.write(folder / f"stems/{language}/{prefix}.json", _json(groups))
    table["stem_files"] = sorted(files)


def stem_prefix(word: str) -> str:
    """The name of the stems' file of a folded word: its first two letters' code points (search.js has the same)."""
    return "-".join(f"{ord(letter):x}" for letter in word[:2])


def _write_passages(folder: Path, language: str, mine: list[dict[str, Any]], changes: OutputBatch,
                    kept: _Kept) -> None:
    """What each passage's result shows, in a file of its own: its anchor, section, language, PDF page, text and
    paper's title; numbered within its paper, as the table counts them.

    Compressed, as Pagefind's fragments are (and with no time in the header, so the same each
    build): a host that compresses nothing sends a fifth of the bytes. Their own extension, so
    that no host takes them for a .gz and decompresses them on the way. A paper whose passages
    hash as the last build wrote them, its files all there, is left alone: one changed catalog
    compresses and compares its own paper's passages, not the language's 9,000 at 200 papers.
    """
    by_paper: dict[str, list[bytes]] = {}
    for record in mine:
        by_paper.setdefault(record["paper"], []).append(_json([
            record["anchor"], record["section"], record["language"], record["pdf_path"], record["text"],
            record["paper_title"]]))
    code = Digest().code(__name__).hexdigest().encode()  # the files' format is this module's
    for slug, passages in by_paper.items():
        names = [passage_name(language, slug, number) for number in range(len(passages))]
        kept.now[slug] = hashlib.sha256(b"\0".join((code, *passages))).hexdigest()
        if kept.before.get(slug) == kept.now[slug] and kept.present.issuperset(names):
            changes.unchanged.extend(folder / name for name in names)
            continue
        for name, data in zip(names, passages, strict=True):
            changes.write(folder / name, gzip.compress(data, 9, mtime=0))


def _write_index(project: Project, folder: Path, output: Path,
                 changes: OutputBatch) -> dict[tuple[str, str], tuple[str, list[tuple[str, int]]]]:
    """Copy one Pagefind run's files into folder, one at a time, its languages added to the entry file there;
    returns, for each page it indexed, its id and its passages' anchors and first words' places."""
    pages: dict[tuple[str, str], tuple[str, list[tuple[str, int]]]] = {}
    for path in sorted(output.rglob("*")):
        name = path.relative_to(output).as_posix()
        if path.is_file() and name.startswith("fragment/"):
            pages.update(_fragment(name, path.read_bytes()))  # read here: the browser needs none of them
        elif path.is_file() and _ENGINE.fullmatch(name) and name != _ENTRY:
            changes.write(folder / name, path.read_bytes())
    entry, made = _read_entry(folder, changes), json.loads((output / _ENTRY).read_bytes())
    languages = {code: value for code, value in entry.get("languages", {}).items()
                 if code in project.config.all_languages}
    # Sorted: Pagefind lists the languages of its entry file in another order on each run.
    changes.write(folder / _ENTRY, _json({**made, "languages": {**languages, **made["languages"]}}))
    return pages


def _write_vocabularies(project: Project, folder: Path, counts: dict[str, Counter[str]],
                        changes: OutputBatch) -> None:
    """Each language's did-you-mean vocabulary and the words found only in the others': a language not
    indexed again gives its words from its file."""
    vocabularies = {}
    for language in project.select_languages(()):
        if language in counts:
            vocabularies[language] = _vocabulary(counts[language])
        else:
            vocabularies[language] = json.loads((folder / words_name(language)).read_bytes())["words"]
    for language, vocabulary in vocabularies.items():
        elsewhere = {word for code, found in vocabularies.items() if code != language for word in found}
        changes.write(folder / words_name(language),
                   _json({"words": vocabulary, "elsewhere": sorted(elsewhere - set(vocabulary))}))




def _fragment(name: str, data: bytes) -> dict[tuple[str, str], tuple[str, list[tuple[str, int]]]]:
    """(language, paper) -> Pagefind's id of the paper's page, which its results name, and each passage's anchor
    and place of its first word, from the page's fragment file."""
    fragment = json.loads(gzip.decompress(data)[len(b"pagefind_dcd"):])
    language, paper = fragment["url"].strip("/").split("/")
    anchors = [(anchor["id"], int(anchor["location"])) for anchor in fragment["anchors"]]
    return {(language, paper): (name.removeprefix("fragment/").removesuffix(".pf_fragment"), anchors)}


def _length_steps(longest: int) -> list[int]:
    """The lengths the server's index keeps a passage's length as (one byte: 11 words are kept as 12), up to the
    first at or over longest: the browser keeps each length as the first of them at or over it, as Whoosh does."""
    from whoosh.util.numeric import byte_to_length

    steps = []
    for code in range(256):
        steps.append(int(byte_to_length(code)))
        if steps[-1] >= longest:
            break
    return steps


def table_name(language: str) -> str:
    """The table a language's first search loads: passages, stop and question words, glossary, stems."""
    return f"search.{language}.json"


def passage_name(language: str, paper: str, number: int) -> str:
    """What the result of a paper's passage (its number in the paper, from 0) shows, fetched when it is shown."""
    return f"passages/{language}/{paper}/{number}.passage"


def words_name(language: str) -> str:
    """The vocabulary did-you-mean loads, only when a word of the query is found nowhere."""
    return f"search-words.{language}.json"


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _records(project: Project, language: str) -> list[dict[str, Any]]:
    """Language's passages, each with what its result shows: its paper, its section, its links."""
    translations = [project.translation(paper.slug, language) for paper in project.papers]
    return _with_pdf_pages(project, language, list(searchable_passages(translations)))


def _with_pdf_pages(project: Project, language: str, passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The passages, each with the link to its page of the paper's published PDF ("" when there is none)."""
    pdfs = pdf_pages(project.config, language)
    return [{
        "text": passage["text"],
        "paper": passage["paper"],
        "anchor": passage["anchor"],
        "language": passage["language"],
        "section": passage["section"],
        "paper_title": passage["paper_title"],
        "pdf_path": pdf_page_path(language, passage["paper"], passage["anchor"], pdfs) or "",
    } for passage in passages]


def _table(project: Project, language: str,
           stems: dict[str, dict[str, set[str]]]) -> dict[str, Any]:
    """What the browser's search needs beside Pagefind's index, from the server's own lists."""
    local, config = OPERATORS.get(language, {}), project.config
    table = {
        "stop": sorted(stop_words(language)),
        "ask": sorted(question_words(language)),
        "operators": {name.lower(): sorted({name.upper(), local.get(name, name.upper())})
                      for name in ("And", "Or", "Not")},
        "terms": [{"official": term["official"], "english": term["english"],
                   "forms": [_form(code, form) for code, form in term["forms"]]}
                  for term in search_forms(project.glossary.terms, config.source_language, language)],
        "source": config.source_language,
        "languages": list(config.all_languages),  # the order the server tries them in, for a word of another
        "stems": _stems(stems),
    }
    if language != config.source_language:  # what the server leaves out of a passage's English field
        table["source_stop"] = sorted(stop_words(config.source_language))
    return table


def _form(code: str, form: str) -> list[str]:
    """A glossary form as the browser compares it: its language, its stems, and its stop words (folded)."""
    stops = stop_words(code)
    return [code, " ".join(stem for _s, _e, stem in word_spans(form, code)),
            " ".join(sorted({fold(w.lower()) for w in _WORD.findall(form) if w.lower() in stops}))]


def _stems(groups: dict[str, dict[str, set[str]]]) -> dict[str, dict[str, str]]:
    """Language -> stem -> the folded words of the passages with that stem, for highlighting whole words."""
    return {code: {stem: " ".join(sorted(forms)) for stem, forms in sorted(stems.items())}
            for code, stems in sorted(groups.items())}


def _vocabulary(counts: Counter[str]) -> dict[str, list[Any]]:
    """Folded word -> [how often, as most often written], as the server's index keeps it for did-you-mean."""
    table: dict[str, list[Any]] = {}
    for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        entry = table.setdefault(fold(word), [0, word])
        entry[0] += count
    return table


def _run_pagefind(work: Path, records: dict[str, list[dict[str, Any]]]) -> Path:
    """Write one page per paper under work, index them with Pagefind, and return the folder of its files."""
    source, output = work / "passages", work / "output"
    for language, passages in records.items():
        _write_pages(source, language, passages, {})
    _pagefind(source, output)
    return output


def _write_pages(source: Path, language: str, passages: list[dict[str, Any]], stamps: dict[str, str]) -> None:
    """Write one page per paper, source/<language>/<paper>/index.html, for Pagefind to index.

    The pages stay between builds: a paper's page is written again only when its text's stamp
    (stamps) is not the one its `.stamp` file records; the folders of papers gone are removed.
    """
    by_paper: dict[str, list[dict[str, Any]]] = {}
    for record in passages:
        by_paper.setdefault(record["paper"], []).append(record)
    papers = source / language
    for slug, mine in by_paper.items():
        place, stamp = papers / slug, stamps.get(slug)
        marker = place / ".stamp"
        if stamp is not None and marker.is_file() and marker.read_text("utf-8") == stamp:
            continue
        if place.exists():
            shutil.rmtree(place)
        place.mkdir(parents=True)
        (place / "index.html").write_text(_paper_page(language, mine), "utf-8")
        if stamp is not None:
            marker.write_text(stamp, "utf-8")  # last: a paper half written is written again next time
    for gone in (path for path in papers.iterdir() if path.name not in by_paper) if papers.is_dir() else ():
        shutil.rmtree(gone)


def _pagefind(source: Path, output: Path) -> None:
    """Index the pages under source with Pagefind, its files into output."""
    command = [sys.executable, "-m", "pagefind", "--site", str(source), "--output-path", str(output)]
    give_back_free_heap()  # Pagefind needs some 100 MB at 200 papers: the command's free pages first
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LibraryError(f"static search: Pagefind could not run: {error}") from None
    if finished.returncode != 0:
        last = (finished.stderr or finished.stdout).strip().splitlines()[-1:] or ["no message"]
        raise LibraryError(f"static search: Pagefind failed (exit code {finished.returncode}): {last[0]}")


def _paper_page(language: str, records: list[dict[str, Any]]) -> str:
    """A paper's passages as Pagefind reads them, in the index of language: a paragraph each, its anchor its id.

    Each paragraph holds the words the server indexes of its passage, in their order, and nothing
    else: no stop word (so that a phrase's words follow one another as on the server, whatever small
    words the text has between them), each elided word apart from its article ("l’enfant" gives
    "enfant", as the server's words part at apostrophes). Nothing rides along as Pagefind filters
    or metadata: Pagefind writes filters in a different order on each run (so two builds would
    differ), and indexes metadata as words. An English passage standing in for a missing
    translation goes to the page's language's index, as it sits on that language's page, with the
    server's English words.
    """
    paragraphs = "".join(f'<p id="{escape(record["anchor"])}">{escape(_indexed(record))}</p>' for record in records)
    return (f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8"><title></title></head>'
            f'<body><main data-pagefind-body>{paragraphs}</main></body></html>')


def _indexed(record: dict[str, Any]) -> str:
    """The words of a passage the server indexes, as written, one space apart."""
    text = record["text"]
    return " ".join(text[start:end] for start, end, _stem in word_spans(text, record["language"]))
