"""The SQL conditions that find a query's words in the search documents, shared by the
statements of :mod:`portal.search.query` and the id look-up of :mod:`portal.search.columns`,
so that one search has one rule for escaping and one for the index of pieces."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Text, and_, bindparam, cast, func, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from portal.search.documents import LANGS
from portal.search.models import SearchDoc

TRIGRAM = 3  # a word this long or longer is found by the trigram index


LIKE_ESCAPE = "/"


def like_pattern(term: str) -> str:
    """The ``LIKE`` pattern (escape character :data:`LIKE_ESCAPE`) of a text holding ``term``
    as it is."""
    e = LIKE_ESCAPE
    return "%" + term.replace(e, e + e).replace("%", e + "%").replace("_", e + "_") + "%"


def like(column, pattern) -> ColumnElement[bool]:
    """``column LIKE pattern`` with :data:`LIKE_ESCAPE`; ``pattern`` a :func:`like_pattern`
    or a parameter that will hold one."""
    return column.like(pattern, escape=LIKE_ESCAPE)


def contains(dialect: str, column, term: str) -> ColumnElement[bool]:
    """``column`` holds ``term`` as it is: ``instr`` on SQLite, ``LIKE`` on PostgreSQL (the
    trigram index narrows it there)."""
    if dialect == "sqlite":
        return func.instr(column, term) > 0
    return like(column, like_pattern(term))


def in_language(language: str) -> ColumnElement[bool]:
    """The documents in ``language``, written out rather than bound, so that PostgreSQL may
    use that language's partial trigram index (``ix_search_doc_text_trgm_<language>``,
    migration 0760) even in a plan made before the values are known."""
    if language not in LANGS:
        raise ValueError(f"not a language of the search documents: {language!r}")
    return text(f"search_doc.lang = '{language}'")


def grams_hold(pieces) -> ColumnElement[bool]:
    """PostgreSQL: the Japanese documents whose index of pieces holds every one of
    ``pieces`` (a ``text[]`` expression). The partial index is for ``lang = 'ja'`` written
    out, not a bound parameter."""
    return and_(func.search_grams(SearchDoc.text).op("@>")(pieces), in_language("ja"))


def short_words(dialect: str, words: Sequence[str]) -> ColumnElement[bool]:
    """The documents holding every word (one or two characters) by the index of characters:
    candidates only, the :func:`contains` checks decide."""
    if dialect == "sqlite":
        phrases = " AND ".join('"' + " ".join(w) + '"' for w in words)
        matching = text("SELECT rowid FROM search_fts_chars WHERE search_fts_chars MATCH :chars")
        return SearchDoc.id.in_(matching.bindparams(bindparam("chars", phrases, unique=True)))
    return grams_hold(cast(postgresql.array(list(words)), postgresql.ARRAY(Text)))
