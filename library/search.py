"""Full-text search: one Whoosh index per language, built atomically, queried as readers type."""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from . import __version__
from .analysis import analysis_name, analyzer, fold, words
from .config import Config
from .errors import LibraryError
from .manifest import published_pdfs
from .markup import plain_text
from .paths import SiteMap, anchor_record_path, catalog_path, index_folder
from .project import Project
from .render import MAX_QUERY_LENGTH
from .stamps import Digest, code_files, distribution_version, read_state, write_state
from .translation import TranslatedPaper

__all__ = [
    "MAX_QUERY_LENGTH",
    "IndexReport",
    "Passage",
    "PaperHits",
    "SearchResults",
    "build_index",
    "search",
]

STAGE = "index"
MAX_TERMS = 24
SNIPPET_CHARACTERS = 220
INDEXED_ROLES = ("title", "subtitle", "summary", "heading", "paragraph", "list_item", "quote", "cell", "image")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
# A phrase typed, or copied from the help, in typographic quotation marks is still a phrase.
_QUOTES = str.maketrans({mark: '"' for mark in "“”„‟«»‹›"})
_VOCABULARY = "vocabulary.json"


# Building ------------------------------------------------------------------------------------


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
    """Index every passage of every paper, one index per language, each swapped in whole.

    A language's index is rebuilt only when its passages changed; when not even the files
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
        documents = list(_documents([project.translation(paper.slug, language) for paper in project.papers]))
        passages = Digest(inputs.split(":")[0], documents).hexdigest()
        if before.get("passages") != passages or not link.exists():
            write_index(index_folder(config), language, config.source_language, documents)
        analysis = analysis_name(language)  # kept, so an unchanged build need not import Whoosh to say it
        state[language] = {"inputs": inputs, "passages": passages, "documents": len(documents), "analysis": analysis}
        write_state(config, STAGE, state)
        reports.append(IndexReport(language, link, len(documents), time.perf_counter() - started,
                                   before.get("passages") != passages, analysis=analysis))
    if not languages:
        reports += _withdraw_languages(project, state)
    return reports


def _withdraw_languages(project: Project, state: dict) -> list[IndexReport]:
    """Delete the indexes of languages no longer in setup.cfg, so search stops offering them."""
    config, folder, reports = project.config, index_folder(project.config), []
    for link in sorted(folder.glob("*")) if folder.is_dir() else ():
        language = link.name
        if language.startswith(".") or language in config.all_languages:
            continue
        for generation in _generations(folder, language):
            shutil.rmtree(generation, ignore_errors=True)
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
    code = Digest(__version__, distribution_version("whoosh-reloaded"), config.source_language, language)
    code = code.files(code_files("search"), Path(__file__).parent).hexdigest()
    sources = sorted(config.papers_dir.glob("*.md"))
    files = [*sources, *(anchor_record_path(config, path.stem) for path in sources)]  # the passages' ids
    if language != config.source_language:
        files += [catalog_path(config, language, path.stem) for path in sources]
    return f"{code}:{Digest().files(files, config.root).hexdigest()}"


def _documents(translations: list[TranslatedPaper]):
    """One document per segment, with the heading of the section it sits in."""
    for translation in translations:
        title = translation.by_id()["title"]
        section = ""
        for segment in translation.segments:
            role = segment.segment.role
            if role == "heading":
                section = plain_text(segment.text)
            if role not in INDEXED_ROLES:
                continue
            yield {
                "key": f"{translation.paper.slug}#{segment.segment.id}",
                "paper": translation.paper.slug,
                "paper_title": plain_text(title.text),
                "anchor": segment.segment.id,
                "section": section if role != "heading" else "",
                "language": segment.language,
                "text": plain_text(segment.text),
            }


def write_index(folder: Path, language: str, source_language: str, documents) -> int:
    """Write a new generation of language's index under folder and point folder/<language> at it."""
    from whoosh import index

    folder.mkdir(parents=True, exist_ok=True)
    generation = folder / f".{language}-{time.time_ns()}"
    generation.mkdir()
    try:
        writer = index.create_in(generation, _schema(language, source_language)).writer(limitmb=128)
        vocabulary: Counter[str] = Counter()
        count = 0
        for document in documents:
            writer.add_document(**_fields(document, language))
            vocabulary.update(words(document["text"], document["language"]))
            count += 1
        writer.commit()
        (generation / _VOCABULARY).write_text(json.dumps(_vocabulary_table(vocabulary), ensure_ascii=False), "utf-8")
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    _swap_in(folder, language, generation)
    return count


def _fields(document: dict, language: str) -> dict:
    """The document as Whoosh fields: its text goes to the field analysed in its own language."""
    if document["language"] == language:
        return document
    fields = dict(document)
    fields["text_source"] = fields.pop("text")
    return fields


def _schema(language: str, source_language: str):
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


def _vocabulary_table(vocabulary: Counter[str]) -> dict[str, list]:
    """Folded word -> [frequency, the most frequent way it is written], for did-you-mean."""
    table: dict[str, list] = {}
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
    # The generation just replaced may still be open in a running server: it stays until the next build.
    keep = {generation.name, *(p.name for p in _generations(folder, language)[-2:])}
    for old in _generations(folder, language):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def _generations(folder: Path, language: str) -> list[Path]:
    return sorted((p for p in folder.glob(f".{language}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime_ns)


# Searching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """One matching segment, shown in the reader's language."""

    anchor: str
    section: str
    snippet: Markup  # escaped text with <mark> around the matched words
    path: str  # site path of the paragraph: fr/what-is-the-imrf.html#p-1234abcd
    language: str  # the language of the snippet's text
    score: float
    matched_language: str  # the index the query matched in
    matched_snippet: Markup | None = None  # the matching text, when it matched in another language
    pdf_path: str | None = None  # the paper's PDF at the passage's page: fr/what-is-the-imrf.pdf#page=3


@dataclass(frozen=True)
class PaperHits:
    """The passages of one paper, best first."""

    paper: str
    title: str
    path: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class SearchResults:
    """What a query found in one language, and what to tell the reader about it."""

    query: str
    language: str
    papers: tuple[PaperHits, ...] = ()
    total: int = 0
    suggestion: str | None = None  # a corrected query, when a word looks misspelt
    matched_language: str | None = None  # set when nothing matched in the reader's language
    notices: tuple[str, ...] = field(default=())  # "empty", "shortened", "no-words", "no-index"


def search(project: Project, query: str, language: str, limit: int = 20) -> SearchResults:
    """Search language's index for query; fall back to the other languages when nothing matches."""
    config = project.config
    (language,) = project.select_languages((language,))
    cleaned, notices = _clean(query)
    if not cleaned:
        return SearchResults(query=cleaned, language=language, notices=(*notices, "empty"))
    if not (index_folder(config) / language).exists():
        raise LibraryError(f"{index_folder(config) / language}: no search index; run `library index` first")
    with _Index(config, language) as own:
        parsed = own.parse(cleaned)
        if parsed is None:
            return SearchResults(query=cleaned, language=language, notices=(*notices, "no-words"))
        hits = own.hits(parsed, limit)
        matched = None
        if not hits:
            hits, matched = _elsewhere(config, own, cleaned, language, limit)
        suggestion = own.suggest(cleaned, _known_elsewhere(config, language))
    papers = _group(hits)
    return SearchResults(cleaned, language, papers, sum(len(p.passages) for p in papers), suggestion, matched,
                         tuple(notices))


def _clean(query: str) -> tuple[str, list[str]]:
    """The query without control or direction characters, squeezed and cut to a sane length."""
    notices = []
    cleaned = " ".join(_CONTROL.sub(" ", query).translate(_QUOTES).split())
    if len(cleaned) > MAX_QUERY_LENGTH:
        cleaned = cleaned[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0]
        notices.append("shortened")
    return cleaned, notices


def _elsewhere(config: Config, own: _Index, query: str, language: str, limit: int):
    """Hits from the first other language whose index matches, shown through the reader's segments."""
    for other in config.all_languages:
        if other == language or not (index_folder(config) / other).exists():
            continue
        with _Index(config, other) as foreign:
            parsed = foreign.parse(query)
            found = foreign.hits(parsed, limit) if parsed is not None else []
            if found:
                return [own.counterpart(hit) for hit in found], other
    return [], None


def _group(passages: list[tuple[str, str, Passage]]) -> tuple[PaperHits, ...]:
    """Passages grouped by paper, papers in the order of their best passage."""
    groups: dict[str, list] = {}
    titles: dict[str, str] = {}
    for paper, title, passage in passages:
        groups.setdefault(paper, []).append(passage)
        titles.setdefault(paper, title)
    return tuple(
        PaperHits(paper, titles[paper], passages_[0].path.split("#")[0], tuple(passages_))
        for paper, passages_ in groups.items()
    )


class _Index:
    """One language's index, open for the length of a query."""

    def __init__(self, config: Config, language: str) -> None:
        from whoosh import index

        self.config, self.language = config, language
        # Resolve the link once, so a build swapping in a new index mid-query changes nothing here.
        self.folder = (index_folder(config) / language).resolve()
        self.index = index.open_dir(self.folder)
        self.searcher = self.index.searcher()

    def __enter__(self) -> _Index:
        return self

    def __exit__(self, *_exc) -> None:
        self.searcher.close()

    @property
    def fields(self) -> list[str]:
        return [name for name in ("text", "text_source") if name in self.index.schema]

    def parse(self, query: str):
        """The Whoosh query for what a reader typed, or None when no searchable word is left.

        The query is parsed once per text field, each with its own language's analyzer,
        so that a French stop word is not required of a passage still in English.
        """
        from whoosh.query import NullQuery, Or

        if len(query.split()) > MAX_TERMS:
            query = " ".join(query.split()[:MAX_TERMS])
        parsed = [_parser(name, self.index.schema, self.language).parse(query) for name in self.fields]
        parsed = [q for q in parsed if q is not NullQuery and any(True for _ in q.iter_all_terms())]
        if not parsed:
            return None
        return parsed[0] if len(parsed) == 1 else Or(parsed)

    def hits(self, parsed, limit: int) -> list[tuple[str, str, Passage]]:
        results = self.searcher.search(parsed, limit=limit, terms=True)
        results.fragmenter = _fragmenter()
        results.formatter = _mark_formatter_class()()
        return [self._passage(hit, self.language) for hit in results]

    def _passage(self, hit, matched_language: str) -> tuple[str, str, Passage]:
        field_name = "text" if "text" in hit else "text_source"
        snippet = Markup(hit.highlights(field_name, top=2)) or _opening(hit[field_name])
        passage = Passage(
            anchor=hit["anchor"],
            section=hit["section"],
            snippet=snippet,
            path=f"{SiteMap.paper(self.language, hit['paper'])}#{hit['anchor']}",
            language=hit["language"],
            score=round(hit.score, 4),
            matched_language=matched_language,
            pdf_path=self._pdf_path(hit["paper"], hit["anchor"]),
        )
        return hit["paper"], hit["paper_title"], passage

    def counterpart(self, foreign_hit: tuple[str, str, Passage]) -> tuple[str, str, Passage]:
        """The reader's-language version of a passage that matched in another language."""
        paper, _title, passage = foreign_hit
        stored = self.searcher.document(key=f"{paper}#{passage.anchor}")
        if stored is None:
            return foreign_hit
        text = stored.get("text", stored.get("text_source", ""))
        mine = Passage(
            anchor=passage.anchor,
            section=stored["section"],
            snippet=_opening(text),
            path=f"{SiteMap.paper(self.language, paper)}#{passage.anchor}",
            language=stored["language"],
            score=passage.score,
            matched_language=passage.matched_language,
            matched_snippet=passage.snippet,
            pdf_path=self._pdf_path(paper, passage.anchor),
        )
        return paper, stored["paper_title"], mine

    def _pdf_path(self, paper: str, anchor: str) -> str | None:
        """The link to the page of the paper's published PDF that holds anchor, from the PDF manifest."""
        entry = published_pdfs(self.config).get((self.language, paper))
        page = entry.pages.get(anchor) if entry else None
        return SiteMap.pdf_page(self.language, paper, page) if page else None

    def suggest(self, query: str, known_elsewhere: set[str]) -> str | None:
        """The query with each unknown word replaced by the closest known one, if any was replaced.

        A word is unknown when no passage holds any form of it (after stemming) and no other
        language's index holds it either: a word of another language is a word, not a typo.
        """
        changed = False
        corrected = []
        for token in re.split(r"(\W+)", query):
            folded = fold(token.lower())
            if not re.match(r"\w", token) or token.isupper() or len(folded) < 4 or folded in known_elsewhere \
                    or self._indexed(token):
                corrected.append(token)
                continue
            replacement = self._closest(folded)
            corrected.append(replacement or token)
            changed = changed or replacement is not None
        return "".join(corrected) if changed else None

    def _indexed(self, word: str) -> bool:
        """Whether some passage holds a form of word, in either text field."""
        for name in self.fields:
            terms = [token.text for token in self.index.schema[name].analyzer(word)]
            if terms and all(self.searcher.doc_frequency(name, term) for term in terms):
                return True
        return False

    def _closest(self, folded: str) -> str | None:
        """The most frequent indexed word within one or two edits of folded, as it is written."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        vocabulary = self.vocabulary()
        found = process.extract(folded, vocabulary.keys(), scorer=DamerauLevenshtein.distance,
                                score_cutoff=1 if len(folded) <= 5 else 2, limit=5)
        if not found:
            return None
        best = min(found, key=lambda match: (match[1], -vocabulary[match[0]][0]))
        return vocabulary[best[0]][1]

    def vocabulary(self) -> dict[str, list]:
        return _read_vocabulary(self.folder)


@lru_cache(maxsize=16)
def _read_vocabulary(generation: Path) -> dict[str, list]:
    """An index generation's vocabulary; a generation never changes, so it is read once."""
    return json.loads((generation / _VOCABULARY).read_text("utf-8"))


def _known_elsewhere(config: Config, language: str) -> frozenset[str]:
    """The folded words of the other languages' indexes."""
    links = (index_folder(config) / other for other in config.all_languages if other != language)
    return _merged_vocabularies(tuple(link.resolve() for link in links if link.exists()))


@lru_cache(maxsize=16)
def _merged_vocabularies(generations: tuple[Path, ...]) -> frozenset[str]:
    """The union of some generations' vocabularies, merged once per set of generations, not per query."""
    return frozenset(word for generation in generations for word in _read_vocabulary(generation))


def _opening(text: str) -> Markup:
    """The first words of text, escaped, for a passage with nothing to highlight."""
    if len(text) <= SNIPPET_CHARACTERS:
        return escape(text)
    return escape(text[:SNIPPET_CHARACTERS].rsplit(" ", 1)[0]) + Markup(" …")


# Readers type AND, OR and NOT, and in their own language too; operators must be capitals.
_OPERATORS = {
    "fr": {"And": "ET", "Or": "OU", "Not": "SAUF"},
    "es": {"And": "Y", "Or": "O", "Not": "NO"},
}


def _parser(field_name: str, schema, language: str):
    """A Whoosh parser with only what readers type: words, "phrases", (groups), AND/OR/NOT, -word."""
    from whoosh import qparser

    parser = qparser.QueryParser(field_name, schema, group=qparser.AndGroup)
    for plugin in (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin, qparser.BoostPlugin,
                   qparser.SingleQuotePlugin, qparser.OperatorsPlugin):
        parser.remove_plugin_class(plugin)
    local = _OPERATORS.get(language, {})
    parser.add_plugin(qparser.OperatorsPlugin(
        And=rf"(?<=\s)(AND|{local.get('And', 'AND')})(?=\s)",
        Or=rf"(?<=\s)(OR|{local.get('Or', 'OR')})(?=\s)",
        Not=rf"(^|(?<=(\s|[()])))(NOT|{local.get('Not', 'NOT')})(?=\s)",
        AndNot=None,
        AndMaybe=None,
        Require=None,
    ))
    # + and - only at the start of a word: "multi-stakeholder" is one term, not "multi NOT stakeholder".
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(^|(?<=[\s(]))\+", minusexpr=r"(^|(?<=[\s(]))-"))
    return parser


def _fragmenter():
    from whoosh.highlight import ContextFragmenter

    return ContextFragmenter(maxchars=SNIPPET_CHARACTERS, surround=60)


@lru_cache(maxsize=1)
def _mark_formatter_class():
    """Defined on first use, so that importing this module does not import Whoosh."""
    from whoosh.highlight import Formatter, get_text

    class MarkFormatter(Formatter):
        """Whoosh highlights, escaped by markupsafe, each match in <mark>."""

        between = " … "

        def _text(self, text: str) -> str:
            return str(escape(text))

        def format_token(self, text: str, token, replace: bool = False) -> str:
            return f"<mark>{escape(get_text(text, token, replace))}</mark>"

    return MarkFormatter

