"""Answer a :class:`Query` from the search documents (the plan: :mod:`portal.search.index`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from math import ceil

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from portal.search import columns
from portal.search.conditions import TRIGRAM, in_language
from portal.search.conditions import contains as _contains
from portal.search.conditions import short_words as _short_words
from portal.search.documents import BANDS, LANGS, band_of, state  # noqa: F401
from portal.search.models import SearchDoc, SearchState
from portal.search.normalize import terms

SORTS = ("relevance", "points_asc", "points_desc")


@dataclass(frozen=True)
class Query:
    kind: str  # "item" or "article"
    language: str
    text: str = ""
    category: str | None = None
    band: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    country: str | None = None  # articles: only those listed in this country
    max_points: int | None = None  # only things worth at most this many points


@dataclass
class Result:
    query: Query
    terms: list[str]
    refs: list[str]  # item numbers or slugs of this page, in order
    total: int  # documents matching the words and both filters
    matched: int  # documents matching the words, without the filters
    categories: dict[str, int] = field(default_factory=dict)  # counts under the band filter
    bands: dict[int, int] = field(default_factory=dict)  # counts under the category filter

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.query.per_page))

    @property
    def page(self) -> int:
        return min(max(1, self.query.page), self.pages)



# --- querying -----------------------------------------------------------------------------

def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _match_conditions(dialect: str, words: Sequence[str],
                      ids: tuple[int, int] | None = None) -> list[ColumnElement[bool]]:
    conditions = [_contains(dialect, SearchDoc.text, word) for word in words]
    if dialect == "sqlite":
        long_words = [w for w in words if len(w) >= TRIGRAM]
        if long_words:
            expression = " AND ".join(_fts_phrase(w) for w in long_words)
            # Only the run of ids of the kind and language (``_id_range``): the trigram
            # index holds both languages, and the rest would be looked up for nothing.
            matching = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :fts"
                            + (" AND rowid BETWEEN :low AND :high" if ids else ""))
            # unique: a query looks in both languages, so this may appear twice in a statement
            params = [bindparam("fts", expression, unique=True)]
            if ids:
                params += [bindparam("low", ids[0], unique=True),
                           bindparam("high", ids[1], unique=True)]
            conditions.insert(0, SearchDoc.id.in_(matching.bindparams(*params)))
    return conditions


_ranges: dict[tuple, dict[tuple[str, str], tuple[int, int]]] = {}
_ranges_lock = threading.Lock()


def _id_range(session: Session, kind: str, language: str) -> tuple[int, int]:
    """The first and last id of the documents of ``kind`` in ``language`` (built one run
    after the other), per index version."""
    key = state(session)
    with _ranges_lock:
        found = _ranges.get(key)
    if found is None:
        found = {(k, lang): (low, high) for k, lang, low, high in session.execute(
            select(SearchDoc.kind, SearchDoc.lang, func.min(SearchDoc.id), func.max(SearchDoc.id))
            .group_by(SearchDoc.kind, SearchDoc.lang))}
        with _ranges_lock:
            _ranges.clear()
            _ranges[key] = found
    return found.get((kind, language), (0, -1))


def _chars_ok(dialect: str, word: str) -> bool:
    """Whether the index of characters can find ``word``: on SQLite not with ASCII
    punctuation (the ``ascii`` tokenizer drops it); PostgreSQL keeps every character."""
    return dialect == "postgresql" or all(not c.isascii() or c.isalnum() for c in word)


def _base_conditions(session: Session, query: Query, words: Sequence[str]) -> list:
    dialect = session.get_bind().dialect.name
    short = bool(words) and all(len(w) < TRIGRAM for w in words)
    if short and query.language == "ja" and all(_chars_ok(dialect, w) for w in words):
        # Few candidates, fetched one by one: ``|| ''`` keeps SQLite from reading the
        # index on kind and language instead.
        conditions = [(SearchDoc.kind + "") == query.kind, (SearchDoc.lang + "") == query.language,
                      _short_words(dialect, words)]
    elif dialect == "sqlite" and short:
        # Only short words (a kanji, two kana): every document of the kind and language is
        # read, so read just their run of ids, in order, rather than hop through an index
        # (``|| ''`` keeps SQLite from choosing the index on kind and language).
        low, high = _id_range(session, query.kind, query.language)
        conditions = [SearchDoc.id.between(low, high), (SearchDoc.kind + "") == query.kind,
                      (SearchDoc.lang + "") == query.language]
    elif dialect == "sqlite" and words:
        # Words for the trigram index: its ids are looked up one by one (``|| ''`` keeps
        # SQLite from reading every entry of the index on kind and language instead and
        # testing each against the list), within the run of the kind and language.
        ids = _id_range(session, query.kind, query.language)
        conditions = [(SearchDoc.kind + "") == query.kind,
                      (SearchDoc.lang + "") == query.language]
        return (conditions + _filters(dialect, query)
                + _match_conditions(dialect, words, ids))
    elif dialect == "postgresql" and words:
        # The language written out: its own trigram index (see conditions.in_language).
        conditions = [SearchDoc.kind == query.kind, in_language(query.language)]
    else:
        conditions = [SearchDoc.kind == query.kind, SearchDoc.lang == query.language]
    return conditions + _filters(dialect, query) + _match_conditions(dialect, words)


def _filters(dialect: str, query: Query) -> list:
    conditions = []
    if query.max_points is not None:
        conditions.append(SearchDoc.points <= query.max_points)
    if query.country:
        conditions.append(
            (SearchDoc.scope == "") | _contains(dialect, SearchDoc.scope, f",{query.country},")
        )
    return conditions


def _order(dialect: str, query: Query, words: Sequence[str]) -> list:
    if query.sort == "points_asc":
        return [SearchDoc.points.asc(), SearchDoc.position.asc()]
    if query.sort == "points_desc":
        return [SearchDoc.points.desc(), SearchDoc.position.asc()]
    if not words:
        return [SearchDoc.position.asc()]
    # Relevance: documents whose title holds every word first, then the catalog's order.
    in_title = and_(*[_contains(dialect, SearchDoc.title, w) for w in words])
    return [case((in_title, 0), else_=1), SearchDoc.position.asc()]


def _grouped(session: Session, query: Query, words: Sequence[str]) -> list[tuple[str, int, int]]:
    """(category, band, count) of the documents matching the words, before any filter."""
    base = _base_conditions(session, query, words)
    return [tuple(row) for row in session.execute(
        select(SearchDoc.category, SearchDoc.band, func.count())
        .where(*base).group_by(SearchDoc.category, SearchDoc.band)
    )]


def _answer(query: Query, words: list[str], grouped: list[tuple[str, int, int]]) -> Result:
    categories: dict[str, int] = {}
    bands: dict[int, int] = {}
    total = matched = 0
    for category, band, count in grouped:
        matched += count
        if query.band is None or band == query.band:
            categories[category] = categories.get(category, 0) + count
        if query.category is None or category == query.category:
            bands[band] = bands.get(band, 0) + count
            if query.band is None or band == query.band:
                total += count
    return Result(query, words, [], total, matched, categories, bands)


def _page(session: Session, result: Result) -> list[str]:
    query, words = result.query, result.terms
    if not result.total:
        return []
    dialect = session.get_bind().dialect.name
    filters = _base_conditions(session, query, words)
    if query.category is not None:
        filters.append(SearchDoc.category == query.category)
    if query.band is not None:
        filters.append(SearchDoc.band == query.band)
    return list(session.scalars(
        select(SearchDoc.ref).where(*filters).order_by(*_order(dialect, query, words))
        .limit(query.per_page).offset((result.page - 1) * query.per_page)
    ))


OTHER = {"ja": "en", "en": "ja"}
_letters: dict[tuple, dict[tuple[str, str], frozenset[str]]] = {}


def _non_ascii(session: Session, kind: str, language: str) -> frozenset[str]:
    """Every non-ASCII character in the documents of ``kind`` in ``language``, once per index
    version (English documents hold few): a word with any other one cannot match there."""
    key = state(session)
    with _ranges_lock:
        found = _letters.get(key, {}).get((kind, language))
    if found is not None:
        return found
    stored = session.scalar(select(SearchState.letters).where(SearchState.id == 1))
    if stored is not None:  # written by the build
        found = frozenset(json.loads(stored).get(f"{kind}:{language}", ""))
    else:  # an index built before the build kept them: read the documents once
        dialect = session.get_bind().dialect.name
        pattern = (SearchDoc.text.op("GLOB")("*[^\x01-\x7f]*") if dialect == "sqlite"
                   else SearchDoc.text.op("~")("[^\\x01-\\x7f]"))
        chars: set[str] = set()
        for (doc_text,) in session.execute(select(SearchDoc.text).where(
                SearchDoc.kind == kind, SearchDoc.lang == language, pattern)):
            chars.update(c for c in doc_text if not c.isascii())
        found = frozenset(chars)
    with _ranges_lock:
        if key not in _letters:
            _letters.clear()
            _letters[key] = {}
        _letters[key][(kind, language)] = found
    return found


def _may_match(session: Session, kind: str, language: str, words: list[str]) -> bool:
    """False when some word holds a character no document of ``kind`` in ``language``
    has (a Japanese word against English texts): that language is not searched."""
    wanted = {c for w in words for c in w if not c.isascii()}
    return not wanted or wanted <= _non_ascii(session, kind, language)


def _branch(session: Session, dialect: str, query: Query, language: str, words: list[str],
            first_rank: int, relevance: bool):
    """The documents in ``language`` holding every word, with their rank: ``first_rank`` when
    the title holds every word, the next one otherwise."""
    asked = replace(query, language=language)
    rank = (case((and_(*[_contains(dialect, SearchDoc.title, w) for w in words]), first_rank),
                 else_=first_rank + 1) if relevance else literal(0))
    return (select(SearchDoc.ref, SearchDoc.category, SearchDoc.band, SearchDoc.points,
                   SearchDoc.position, rank.label("rank"))
            .where(*_base_conditions(session, asked, words)))


def _both(session: Session, query: Query, words: list[str], other_words: list[str]
          ) -> tuple[list[tuple[str, int, int]], Result, list[str] | None]:
    """The counts and the asked-for page in one statement: the matching documents are
    found once (a materialised CTE), then grouped, and filtered, ordered and paged. Returns
    None for the page when it lies past the last one (the caller asks again).

    A query is looked for in both languages: the page's language with ``words`` and the other
    language with ``other_words`` (its own rules); a thing matching in either counts once,
    and those matching in the page's language rank first (then by title, then the catalog's
    order). Without words (browsing) two plain queries are cheaper: the indexes on kind,
    language, category, band and position answer both."""
    if not words and not other_words:
        grouped = _grouped(session, query, words)
        result = _answer(query, words, grouped)
        return grouped, result, _page(session, result)
    dialect = session.get_bind().dialect.name
    relevance = query.sort == "relevance"
    asked = [(language, wanted, first) for language, wanted, first in
             ((query.language, words, 0), (OTHER[query.language], other_words, 2))
             if wanted and _may_match(session, query.kind, language, wanted)]
    if not asked:  # no document can hold these words
        result = _answer(query, words or other_words, [])
        return [], result, []
    kept = (columns.answer(session, query, asked)  # SQLite, words found exactly
            if columns.usable(dialect, asked, query.country) else None)
    if kept is not None:
        grouped, refs = kept
        return grouped, _answer(query, words or other_words, grouped), refs
    branches = [_branch(session, dialect, query, language, wanted, first, relevance)
                for language, wanted, first in asked]
    if len(branches) == 1:  # nothing found twice: no grouping by thing
        matching = branches[0].cte("matching").prefix_with("MATERIALIZED")
    else:
        f = union_all(*branches).subquery("found").c
        matching = (
            select(f.ref, f.category, f.band, f.points, f.position,
                   func.min(f.rank).label("rank"))
            .group_by(f.ref, f.category, f.band, f.points, f.position)
            .cte("matching").prefix_with("MATERIALIZED")
        )
    if dialect == "postgresql":
        # psycopg prepares a statement run five times; PostgreSQL may then keep a generic
        # plan, which does not know the words' pieces and evaluates search_grams() on every
        # row (seconds). Plans made for the actual values, for this transaction.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    m = matching.c
    if query.sort == "points_asc":
        order = [m.points.asc(), m.position.asc()]
    elif query.sort == "points_desc":
        order = [m.points.desc(), m.position.asc()]
    else:
        order = [m.rank.asc(), m.position.asc()]
    filters = []
    if query.category is not None:
        filters.append(m.category == query.category)
    if query.band is not None:
        filters.append(m.band == query.band)
    page = (
        select(m.ref, func.row_number().over(order_by=order).label("seq"))
        .where(*filters).order_by(*order)
        .limit(query.per_page).offset((max(1, query.page) - 1) * query.per_page)
        .subquery("page")
    )
    counts = select(literal(0).label("part"), m.category.label("category"),
                    m.band.label("band"), func.count().label("n"),
                    literal(None, String).label("ref")).group_by(m.category, m.band)
    pages = select(literal(1).label("part"), literal(None, String), literal(None, Integer),
                   page.c.seq, page.c.ref)
    rows = session.execute(
        select(union_all(counts, pages).subquery("answer")).order_by(text("part"), text("n"))
    ).all()
    grouped = [(row[1], row[2], row[3]) for row in rows if row[0] == 0]
    result = _answer(query, words or other_words, grouped)
    refs = [row[4] for row in rows if row[0] == 1]
    if not refs and result.total and query.page != result.page:
        return grouped, result, None
    return grouped, result, refs


def _run(session: Session, query: Query) -> tuple[list[tuple[str, int, int]], Result]:
    words = terms(query.text, query.language)
    other_words = terms(query.text, OTHER[query.language])
    grouped, result, refs = _both(session, query, words, other_words)
    if refs is None:  # past the last page: the last page
        _grouped, _again, refs = _both(session, replace(query, page=result.page), words,
                                       other_words)
    result.refs = refs or []
    return grouped, result


def run(session: Session, query: Query) -> Result:
    """Answer ``query`` from the index (no cache), in both languages (see ``_both``)."""
    return _run(session, query)[1]

