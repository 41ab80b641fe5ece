"""Reading what a reader typed: words, "phrases", (groups), AND/OR/NOT and -word, as Whoosh queries.

Only what readers type is understood: field names, wildcards, boosts and ranges are plain text.
"""
from __future__ import annotations

import copy
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from library.outputs.analysis import OPERATORS, word_spans
from library.outputs.results import MAX_QUERY_LENGTH
from library.outputs.search.index import TERMINOLOGY

__all__ = ["Clause", "Parsed", "Term", "Terminology", "clean_query", "either", "make_parser", "prune",
           "read_terminology", "run_spelling", "top_level", "group_text", "FIELD_SYNTAX", "MAX_TERMS"]

MAX_TERMS = 24


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


# A phrase typed, or copied from the help, in typographic quotation marks is still a phrase.
_QUOTES = str.maketrans({mark: '"' for mark in "“”„‟«»‹›"})


# What Whoosh would read as a field, wildcard, fuzzy or boost is plain text here; as a space it parts
# words, so that "title:forum" or "detention^10" still find "forum" or "detention" when the rest does not.
FIELD_SYNTAX = re.compile(r"[:~^*?\[\]{}]")


def clean_query(query: str) -> tuple[str, list[str]]:
    """The query without control or direction characters, squeezed and cut to a sane length."""
    notices = []
    # One form for each accented letter, as the index has it: "e" + U+0301 is "é".
    cleaned = " ".join(unicodedata.normalize("NFC", _CONTROL.sub(" ", query)).translate(_QUOTES).split())
    if len(cleaned) > MAX_QUERY_LENGTH:
        cleaned = cleaned[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0]
        notices.append("shortened")
    return cleaned, notices


@dataclass(frozen=True)
class Clause:
    """One thing the reader asked for: a word, a "phrase" or a group, as a query over the text fields."""

    text: str  # as the reader typed it
    query: Any  # a Whoosh query (Whoosh is untyped)
    stems: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by language, for the glossary's forms


@dataclass(frozen=True)
class Parsed:
    """A query in clauses: every required one must match, optional ones only rank, excluded ones must not."""

    required: tuple[Clause, ...]
    optional: tuple[Clause, ...] = ()
    excluded: tuple[Any, ...] = ()

    def all_of(self) -> Any:
        """Passages holding every required clause, the optional ones ranking them."""
        from whoosh.query import And, AndMaybe

        query = either([clause.query for clause in self.required], And)
        if self.optional:
            query = AndMaybe(query, either([clause.query for clause in self.optional]))
        return self.without_excluded(query)

    def any_of(self) -> Any:
        """Passages holding any clause, for ranking those that hold most of them."""
        return self.without_excluded(either([clause.query for clause in (*self.required, *self.optional)]))

    def without_excluded(self, query: Any) -> Any:
        from whoosh.query import AndNot

        return AndNot(query, either(list(self.excluded))) if self.excluded else query


def either(queries: list[Any], kind: Any = None) -> Any:
    """One query for several: kind (Or by default) of them, or the query itself when there is one."""
    from whoosh.query import Or

    if len(queries) == 1:
        return queries[0]
    return (kind or Or)(queries)


def top_level(tree: Any) -> tuple[list[Any], list[Any]]:
    """The positive and the negative nodes at the top of a parsed query."""
    kind = type(tree).__name__
    if kind == "AndNotGroup":
        positive, _negative = top_level(tree[0])
        banned = list(tree[1]) if type(tree[1]).__name__ == "OrGroup" else [tree[1]]  # one is not grouped
        return positive, [*_negative, *banned]
    nodes = list(tree) if kind == "AndGroup" else [tree]
    return ([n for n in nodes if type(n).__name__ != "NotGroup"], [n for n in nodes if type(n).__name__ == "NotGroup"])


def prune(node: Any) -> Any:
    """node without what an operator with nothing to act on leaves in Whoosh's tree, or None if nothing is left.

    "NOT NOT NOT" leaves a NOT with nothing under it, "( -forum )" a minus that Whoosh only reads
    at the top level: each would fail when asked for its query. A minus inside a group becomes
    the NOT it means there; a NOT, a group or an operator left empty goes, with what it held.
    """
    from whoosh.qparser import syntax

    if isinstance(node, syntax.ErrorNode):
        return prune(node.node) if node.node is not None else None
    if isinstance(node, (syntax.MarkerNode, syntax.Operator)):
        return None
    if not isinstance(node, syntax.GroupNode):
        return node
    if isinstance(node, syntax.BinaryGroup):
        return _pruned_pair(node)
    children, negated = [], False
    for child in node.nodes:
        if type(child).__name__ == "Minus":
            negated = True
            continue
        kept = prune(child)
        if kept is not None:
            children.append(syntax.NotGroup([kept]) if negated else kept)
            negated = False
    if not children:
        return None
    if len(children) == 1 and type(node).__name__ in ("AndGroup", "OrGroup") and node.boost == 1:
        return children[0]  # "( -forum )" is "-forum"
    pruned = copy.copy(node)
    pruned.nodes = children
    return pruned


def _pruned_pair(node: Any) -> Any:
    """A binary group (a AND NOT b, a ANDMAYBE b) pruned; with one side gone, the other as it meant."""
    from whoosh.qparser import syntax

    first, second = (prune(child) for child in (list(node.nodes) + [None, None])[:2])
    if first is not None and second is not None:
        pruned = copy.copy(node)
        pruned.nodes = [first, second]
        return pruned
    if second is not None and isinstance(node, syntax.AndNotGroup):
        return syntax.NotGroup([second])
    return first if first is not None else second


def group_text(node: Any) -> str:
    """What the reader typed for a group node, as well as it can be told."""
    words = [getattr(child, "text", None) or group_text(child) for child in getattr(node, "nodes", ())]
    joiner = " OR " if type(node).__name__ == "OrGroup" else " "
    return f"({joiner.join(words)})" if len(words) > 1 else "".join(words)


def make_parser(field_name: str, schema: Any, language: str) -> Any:
    """A Whoosh parser with only what readers type: words, "phrases", (groups), AND/OR/NOT, -word."""
    from whoosh import qparser

    parser = qparser.QueryParser(field_name, schema, group=qparser.AndGroup)
    for plugin in (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin, qparser.BoostPlugin,
                   qparser.SingleQuotePlugin, qparser.OperatorsPlugin):
        parser.remove_plugin_class(plugin)
    local = OPERATORS.get(language, {})  # AND, OR, NOT, and the reader's own
    parser.add_plugin(qparser.OperatorsPlugin(
        And=rf"(?<=\s)(AND|{local.get('And', 'AND')})(?=\s)",
        Or=rf"(?<=\s)(OR|{local.get('Or', 'OR')})(?=\s)",
        Not=rf"(^|(?<=(\s|[()])))(NOT|{local.get('Not', 'NOT')})(?=\s)",
        AndNot=None,
        AndMaybe=None,
        Require=None,
    ))
    # - only at the start of a word: "multi-stakeholder" is one term, not "multi NOT stakeholder". Every
    # word is required already, so + means nothing (Whoosh would make the other words optional).
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?!)", minusexpr=r"(^|(?<=[\s(]))-"))
    return parser


@dataclass(frozen=True)
class Term:
    """A glossary term as search uses it: the official form in the index's language, and what else spells it."""

    official: str
    english: str
    forms: tuple[tuple[str, tuple[str, ...]], ...]  # (language, the form's stems in that language)


@dataclass(frozen=True)
class Terminology:
    terms: tuple[Term, ...] = ()

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(code for term in self.terms for code, _stems in term.forms)


def read_terminology(folder: Path) -> Terminology:
    """The glossary's forms an index generation was built with (none for an index built before they were kept)."""
    path = folder / TERMINOLOGY
    rows = json.loads(path.read_text("utf-8")) if path.exists() else []
    terms = []
    for row in rows:
        forms = tuple((code, tuple(s for _b, _e, s in word_spans(form, code))) for code, form in row["forms"])
        terms.append(Term(row["official"], row["english"], tuple((code, stems) for code, stems in forms if stems)))
    return Terminology(tuple(terms))


def run_spelling(clauses: list[Clause], term: Term) -> int:
    """How many clauses, from the first, spell one of term's forms together (0: none does)."""
    for code, stems in term.forms:
        spelt: tuple[str, ...] = ()
        for count, clause in enumerate(clauses, 1):
            if code not in clause.stems or not clause.stems[code]:
                break
            spelt += clause.stems[code]
            if spelt == stems:
                return count
            if spelt != stems[:len(spelt)]:
                break
    return 0
