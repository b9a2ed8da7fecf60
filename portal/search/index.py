"""Build the search documents and answer queries on them.

Every catalog item and article becomes one document per language (``search_doc``) holding
its normalised text. A query is a list of terms (:func:`portal.search.normalize.terms`);
a document matches when its text contains every term as a substring. So:

- SQLite: terms of three characters or more go through the FTS5 trigram index
  (``search_fts``); every term is checked with ``instr`` on the stored text as well, so the
  result is exactly the plain scan.
- PostgreSQL: every term is ``LIKE '%term%'`` on the text, which the pg_trgm GIN index
  serves (LIKE is case-sensitive there, and the text is normalised already).
- Japanese queries of short words only (a single kanji, two kana: no trigram) find their
  candidates in an index of characters: on SQLite the FTS5 table ``search_fts_chars`` (each
  Japanese text with a space between its characters, so a word is a phrase of characters),
  on PostgreSQL the GIN index on ``search_grams(text)`` (every one- and two-character piece).
  Words with ASCII punctuation (which the FTS5 ``ascii`` tokenizer drops) and English words
  read the documents' run of ids instead. The ``instr``/``LIKE`` checks stay.

Facet counts come from one grouped count over the matching documents, the page from one
ordered query. Answers are kept in a small per-process cache keyed by the index version
(``search_state``), which every rebuild raises; ``PORTAL_SEARCH_CACHE_SIZE=0`` turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from portal.db import utcnow
from portal.search.models import SearchDoc, SearchState
from portal.search.normalize import document_text, item_number_forms, terms

LANGS = ("ja", "en")
# Points ranges of the catalog's facet: (lowest, highest or None).
BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 4999), (5000, 19999), (20000, 99999), (100000, 299999), (300000, None),
)
SORTS = ("relevance", "points_asc", "points_desc")
TRIGRAM = 3


def band_of(points: int) -> int:
    for number, (low, high) in enumerate(BANDS):
        if points >= low and (high is None or points <= high):
            return number
    return 0


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


# --- building -----------------------------------------------------------------------------

def _title_and_text(title: str, rest: list[str], lang: str) -> tuple[str, str]:
    """The normalised title, and the whole text (title first); the title is normalised once."""
    title_text = document_text([title], lang)
    rest_text = document_text(rest, lang)
    if lang == "en":
        return title_text, title_text + rest_text
    return title_text, " ".join(part for part in (title_text, rest_text) if part)


def item_documents(items: Iterable[Any], langs: Sequence[str] = LANGS
                   ) -> Iterable[dict[str, Any]]:
    for item in items:
        forms = item_number_forms(item.item_no)
        for lang in langs:
            title, full = _title_and_text(
                getattr(item, f"name_{lang}"), [getattr(item, f"description_{lang}"), forms], lang)
            yield {
                "kind": "item", "ref": item.item_no, "lang": lang, "category": item.category,
                "band": band_of(item.points), "points": item.points,
                "position": item.position, "scope": "", "title": title, "text": full,
            }


def article_documents(articles: Iterable[Any], langs: Sequence[str] = LANGS
                      ) -> Iterable[dict[str, Any]]:
    for article in articles:
        for lang in langs:
            title, full = _title_and_text(
                getattr(article, f"title_{lang}"),
                [getattr(article, f"summary_{lang}"), getattr(article, f"body_{lang}"),
                 getattr(article, f"transcript_{lang}")], lang)
            yield {
                "kind": "article", "ref": article.slug, "lang": lang,
                "category": article.category, "band": 0, "points": 0,
                "position": article.position, "scope": article.countries,
                "title": title, "text": full,
            }


_COLUMNS = ("kind", "ref", "lang", "category", "band", "points", "position", "scope", "title",
            "text")


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    if session.get_bind().dialect.name == "sqlite":
        # The driver's executemany: several times faster than a Core insert for 200,000 rows.
        session.connection().exec_driver_sql(
            f"INSERT INTO search_doc ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
            [tuple(row[c] for c in _COLUMNS) for row in rows],
        )
    else:
        session.execute(insert(SearchDoc), rows)


def _fill_chars(session: Session) -> None:
    """SQLite: ``search_fts_chars`` anew from the Japanese documents (see the docstring)."""
    connection = session.connection()
    connection.exec_driver_sql(
        "INSERT INTO search_fts_chars(search_fts_chars) VALUES ('delete-all')")
    rows = connection.exec_driver_sql("SELECT id, text FROM search_doc WHERE lang = 'ja'")
    connection.exec_driver_sql("INSERT INTO search_fts_chars(rowid, text) VALUES (?, ?)",
                               [(id_, " ".join(doc_text)) for id_, doc_text in rows])


def build(session: Session, batch: int = 5000) -> int:
    """Rebuild every search document from the active items and articles; returns the number
    of documents. Runs inside the caller's transaction."""
    from portal.resources.models import Article
    from portal.rewards.models import CatalogItem

    session.execute(delete(SearchDoc))
    count = 0
    items_table, articles_table = CatalogItem.__table__, Article.__table__
    items = session.execute(select(items_table).where(items_table.c.active)
                            .order_by(items_table.c.position)).all()
    articles = session.execute(select(articles_table).where(articles_table.c.active)
                               .order_by(articles_table.c.position)).all()
    # One kind and language after the other, so that each forms one run of ids (see
    # ``_id_range``: a scan for short words reads only its own run).
    for documents in (
        *(item_documents(items, (lang,)) for lang in LANGS),
        *(article_documents(articles, (lang,)) for lang in LANGS),
    ):
        rows: list[dict[str, Any]] = []
        for row in documents:
            rows.append(row)
            if len(rows) >= batch:
                _insert(session, rows)
                count += len(rows)
                rows = []
        if rows:
            _insert(session, rows)
            count += len(rows)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
        _fill_chars(session)
    state = session.get(SearchState, 1)
    if state is None:
        session.add(SearchState(id=1, version=1, built_at=utcnow(), documents=count))
    else:
        session.execute(update(SearchState).where(SearchState.id == 1).values(
            version=SearchState.version + 1, built_at=utcnow(), documents=count))
    session.flush()
    return count


def version(session: Session) -> int:
    """The index's version: one plain statement (no ORM query to compile), since every
    cached answer and rendered page checks it."""
    found = session.connection().exec_driver_sql(
        "SELECT version FROM search_state WHERE id = 1").scalar()
    return found or 0


def state(session: Session) -> tuple[str, int]:
    """What cached answers belong to: the database and the index's version."""
    return str(session.get_bind().engine.url), version(session)


# --- querying -----------------------------------------------------------------------------

def _contains(dialect: str, column, term: str) -> ColumnElement[bool]:
    if dialect == "sqlite":
        return func.instr(column, term) > 0
    return column.contains(term, autoescape=True)


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _match_conditions(dialect: str, words: Sequence[str]) -> list[ColumnElement[bool]]:
    conditions = [_contains(dialect, SearchDoc.text, word) for word in words]
    if dialect == "sqlite":
        long_words = [w for w in words if len(w) >= TRIGRAM]
        if long_words:
            expression = " AND ".join(_fts_phrase(w) for w in long_words)
            matching = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :fts")
            conditions.insert(0, SearchDoc.id.in_(matching.bindparams(fts=expression)))
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


def _short_words(dialect: str, words: Sequence[str]) -> ColumnElement[bool]:
    """The documents holding every word (one or two characters) by the index of characters:
    candidates only, the ``instr``/``LIKE`` checks decide."""
    if dialect == "sqlite":
        phrases = " AND ".join('"' + " ".join(w) + '"' for w in words)
        matching = text("SELECT rowid FROM search_fts_chars WHERE search_fts_chars MATCH :chars")
        return SearchDoc.id.in_(matching.bindparams(chars=phrases))
    # The partial index is for lang = 'ja' written out, not a bound parameter.
    pieces = cast(postgresql.array(list(words)), postgresql.ARRAY(Text))
    return and_(func.search_grams(SearchDoc.text).op("@>")(pieces),
                text("search_doc.lang = 'ja'"))


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
    else:
        conditions = [SearchDoc.kind == query.kind, SearchDoc.lang == query.language]
    if query.country:
        conditions.append(
            (SearchDoc.scope == "") | _contains(dialect, SearchDoc.scope, f",{query.country},")
        )
    return conditions + _match_conditions(dialect, words)


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


def _both(session: Session, query: Query, words: list[str]
          ) -> tuple[list[tuple[str, int, int]], Result, list[str] | None]:
    """The counts and the asked-for page in one statement: the matching documents are
    found once (a materialised CTE), then grouped, and filtered, ordered and paged. Returns
    None for the page when it lies past the last one (the caller asks again).

    Without words (browsing) two plain queries are cheaper: the indexes on kind, language,
    category, band and position answer both."""
    if not words:
        grouped = _grouped(session, query, words)
        result = _answer(query, words, grouped)
        return grouped, result, _page(session, result)
    dialect = session.get_bind().dialect.name
    relevance = query.sort == "relevance" and words
    rank = (case((and_(*[_contains(dialect, SearchDoc.title, w) for w in words]), 0), else_=1)
            if relevance else literal(0))
    matching = (
        select(SearchDoc.ref, SearchDoc.category, SearchDoc.band, SearchDoc.points,
               SearchDoc.position, rank.label("rank"))
        .where(*_base_conditions(session, query, words))
        .cte("matching").prefix_with("MATERIALIZED")
    )
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
    result = _answer(query, words, grouped)
    refs = [row[4] for row in rows if row[0] == 1]
    if not refs and result.total and query.page != result.page:
        return grouped, result, None
    return grouped, result, refs


def run(session: Session, query: Query) -> Result:
    """Answer ``query`` from the index (no cache)."""
    words = terms(query.text, query.language)
    _grouped_rows, result, refs = _both(session, query, words)
    result.refs = refs if refs is not None else _page(session, result)
    return result


class LRUCache:
    """A small least-recently-used cache, per process (answers here, rendered pages in
    :mod:`portal.search.fragments`)."""

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple, value: Any, size: int) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


cache = LRUCache()


def search(session: Session, query: Query, cache_size: int = 0) -> Result:
    """Answer ``query``, from the per-process cache when ``cache_size`` allows it.

    The facet counts of a query's words are cached apart from its pages, so that choosing
    a filter, a sort order or another page only runs the page query."""
    if cache_size <= 0:
        return run(session, query)
    words = terms(query.text, query.language)
    where = (*state(session), tuple(words), query.kind,
             query.language, query.country)
    grouped = cache.get(("counts", *where))
    key = ("page", *where, query.category, query.band, query.sort, query.page, query.per_page)
    if grouped is None:
        grouped, result, refs = _both(session, query, words)
        cache.put(("counts", *where), grouped, cache_size)
        if refs is None:
            refs = _page(session, result)
        cache.put(key, refs, cache_size)
        result.refs = refs
        return result
    refs = cache.get(key)
    result = _answer(query, words, grouped)
    if refs is None:
        refs = _page(session, result)
        cache.put(key, refs, cache_size)
    result.refs = refs
    return result
