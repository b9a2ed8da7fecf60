"""Each document's short columns kept per worker, so that a query's matches are
counted, ranked and paged without reading their rows.

A word of three characters or more is found exactly by the trigram index (``search_fts``
is case-sensitive and the stored text is normalised, so the phrase of a word's trigrams is
the word as a substring: what ``instr`` checks). What the answer needs of each match is
small: its kind and language, its thing (``ref``), category, points range, points, place
in the catalog and title (for relevance). Reading those from ``search_doc`` for ten
thousand matches costs more than finding them (a word in one item in eight: about 15 ms of
rows against 6 ms of trigrams on the 100,000-item bench catalog); kept here in arrays,
counting and ranking them costs a few milliseconds.

The columns belong to one build of the index: they are keyed by the database and the
build's version, time and size (``search_state``), loaded once per worker
(:func:`portal.search.index.warm` does it when a worker starts), and dropped when the index
is rebuilt. Only queries whose every word the trigram index finds exactly, without a
country (articles' scope is not kept), come here; the rest are answered by SQL
(:mod:`portal.search.query`). On PostgreSQL the columns serve too: one statement per
language returns the ids the trigram index (or, for short Japanese words, the index of
pieces) finds, and the rest is done here. The tests hold both against the plain scan.
"""

from __future__ import annotations

import functools
import heapq
import threading
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Text, bindparam, cast, func, literal_column, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from portal.search.conditions import TRIGRAM, grams_hold, in_language, like, like_pattern
from portal.search.models import SearchDoc

_NONE = 255  # no document at this id
_SPAN = 1 << 41  # positions are kept as position + 2**40, from 0 to _SPAN - 1


@dataclass
class Columns:
    key: tuple
    low: int  # the first id; every array is indexed by id - low
    run: bytearray  # the (kind, language) of each id, as an index of ``runs``
    runs: list[tuple[str, str]]
    spans: dict[tuple[str, str], tuple[int, int]]  # first and last id of each run
    refs: list[str | None]
    category: bytearray
    categories: list[str]
    band: bytearray
    points: array
    position: array
    titles: list[str | None]


_kept: dict[str, Columns | tuple] = {}  # the database's columns, or the key of a build
# they cannot hold
_lock = threading.Lock()


def _key(session: Session) -> tuple:
    row = session.execute(text(
        "SELECT version, built_at, documents FROM search_state WHERE id = 1")).first()
    return (str(session.get_bind().engine.url), *(tuple(row) if row else ()))


def _load(session: Session, key: tuple) -> Columns:
    connection = session.connection()
    low, high = connection.exec_driver_sql(
        "SELECT min(id), max(id) FROM search_doc").one()
    size = 0 if low is None else high - low + 1
    low = low or 0
    run = bytearray([_NONE]) * size
    category, band = bytearray(size), bytearray(size)
    points, position = array("q", bytes(8 * size)), array("q", bytes(8 * size))
    refs: list[str | None] = [None] * size
    titles: list[str | None] = [None] * size
    runs: dict[tuple[str, str], int] = {}
    categories: dict[str, int] = {}
    spans: dict[tuple[str, str], list[int]] = {}
    same: dict[str, str] = {}  # one string per ref, shared by its languages
    for doc_id, kind, lang, ref, cat, doc_band, doc_points, doc_position, title in (
            connection.exec_driver_sql(
                "SELECT id, kind, lang, ref, category, band, points, position, title "
                "FROM search_doc")):
        k = doc_id - low
        code = runs.setdefault((kind, lang), len(runs))
        span = spans.setdefault((kind, lang), [doc_id, doc_id])
        span[0], span[1] = min(span[0], doc_id), max(span[1], doc_id)
        run[k] = code
        category[k] = categories.setdefault(cat, len(categories))
        band[k] = doc_band
        points[k] = doc_points
        position[k] = doc_position + (_SPAN >> 1)
        refs[k] = same.setdefault(ref, ref)
        titles[k] = title
    if len(runs) >= _NONE or len(categories) > 255 or (size and not (
            0 <= min(position) and max(position) < _SPAN)):
        raise ValueError("more kinds, languages or categories, or farther positions, than "
                         "the columns hold")
    return Columns(key, low, run, list(runs), {r: (a, b) for r, (a, b) in spans.items()},
                   refs, category, list(categories), band, points, position, titles)


def columns(session: Session) -> Columns | None:
    """This build's columns, loaded on first use in this worker; None when they cannot hold
    it (then SQL answers)."""
    key = _key(session)
    with _lock:
        found = _kept.get(key[0])
        if isinstance(found, Columns) and found.key == key:
            return found
        if found == key:
            return None
        try:
            loaded: Columns | tuple = _load(session, key)
        except ValueError:
            loaded = key
        _kept.clear()
        _kept[key[0]] = loaded
        return loaded if isinstance(loaded, Columns) else None


def _table(language: str, words: Sequence[str]) -> str | None:
    """The full-text table that finds exactly the documents holding every word: the
    trigrams for words of three characters or more; for Japanese words of one non-ASCII
    character, the index of characters (every character of a Japanese text is a token of
    its own there, so one token is that character anywhere in the text; two characters
    are not exact: ``a b`` would match ``ab``)."""
    if all(len(w) >= TRIGRAM for w in words):
        return "search_fts"
    if language == "ja" and all(len(w) == 1 and not w.isascii() for w in words):
        return "search_fts_chars"
    return None


DIALECTS = ("sqlite", "postgresql")  # the databases whose queries the columns may answer


def usable(dialect: str, branches: Sequence[tuple[str, Sequence[str], int]],
           country: str | None) -> bool:
    """Whether the columns can answer: no country, and every language's words found exactly
    by one index: on SQLite one full-text table; on PostgreSQL the trigram index (a word of
    three characters or more in every branch) or, for Japanese words of one or two
    characters, the index of pieces (:func:`_pg_ids`)."""
    if country or not branches:
        return False
    if dialect == "sqlite":
        return all(_table(language, words) for language, words, _first in branches)
    if dialect == "postgresql":
        return all(any(len(w) >= TRIGRAM for w in words)
                   or (language == "ja" and all(len(w) < TRIGRAM for w in words))
                   for language, words, _first in branches)
    return False


def _fts(words: Sequence[str]) -> str:
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


@functools.lru_cache(maxsize=64)
def _pg_ids(language: str, words: int, short: bool) -> str:
    """PostgreSQL: the statement of the ids, as one string, of the documents from ``first``
    to ``last`` holding every one of ``words`` words (``w0``, ``w1``…: their ``LIKE``
    patterns). The trigram index narrows the ``LIKE`` of words of three characters or more;
    the language is written out (:func:`portal.search.conditions.in_language`), so that
    PostgreSQL reads that language's trigram index only. Japanese words of one or two
    characters (``short``) are looked up in the index of pieces. ``id + 0``: the range is a
    filter after the index finds the words (on the primary key PostgreSQL would test every
    document of the run). One row, not ten thousand: the driver reads rows at about a
    microsecond each. Compiled once per shape."""
    found = [like(SearchDoc.text, bindparam(f"w{i}", type_=Text)) for i in range(words)]
    if short:
        found.insert(0, grams_hold(bindparam("pieces", type_=postgresql.ARRAY(Text))))
    else:
        found.insert(0, in_language(language))
    statement = (select(func.string_agg(cast(SearchDoc.id, Text), literal_column("' '")))
                 .where((SearchDoc.id + literal_column("0")).between(
                     bindparam("first"), bindparam("last")), *found))
    return str(statement.compile(dialect=postgresql.psycopg.dialect()))


def _ids(session: Session, language: str, words: Sequence[str], first: int, last: int
         ) -> list[int]:
    cursor = session.connection().connection.cursor()  # the driver's: ten thousand rows
    try:
        if session.get_bind().dialect.name == "sqlite":
            table = _table(language, words)
            cursor.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN ? AND ?",
                (_fts(words), first, last))
            return [i for (i,) in cursor.fetchall()]
        short = all(len(w) < TRIGRAM for w in words)
        values = {f"w{i}": like_pattern(w) for i, w in enumerate(words)}
        values.update(first=first, last=last, **({"pieces": list(words)} if short else {}))
        # Not prepared: a generic plan would not know the words (see query._both).
        cursor.execute(_pg_ids(language, len(words), short), values, prepare=False)
        (ids,) = cursor.fetchone()
        return [int(i) for i in ids.split()] if ids else []
    finally:
        cursor.close()


def _matches(session: Session, cols: Columns, kind: str, language: str,
             words: Sequence[str], max_points: int | None) -> list[int]:
    """The array indexes of the documents of ``kind`` in ``language`` holding every word."""
    if (kind, language) not in cols.spans:
        return []
    code = cols.runs.index((kind, language))
    first, last = cols.spans[(kind, language)]
    low, run = cols.low, cols.run  # the ids lie within the run's span, so within the arrays
    found = [i - low for i in _ids(session, language, words, first, last)
             if run[i - low] == code]
    if max_points is not None:
        points = cols.points
        found = [k for k in found if points[k] <= max_points]
    return found


_K = 32  # a match is one int: its rank above the lowest 32 bits, its array index in them
_LOW = (1 << _K) - 1


def _ranked(cols: Columns, found: list[int], words: Sequence[str], first: int) -> list[int]:
    """Each match as ``rank << 32 | index``: the rank is ``first`` when the title holds every
    word, the next one otherwise. Plain ints, not tuples: ten thousand tuples a query made
    the garbage collector walk the whole worker (tens of milliseconds now and then)."""
    titles = cols.titles
    held = found
    for word in words:
        held = [k for k in held if word in titles[k]]
    if len(held) == len(found):
        return [first << _K | k for k in found]
    in_title = set(held)
    top, rest = first << _K, (first + 1) << _K
    return [(top if k in in_title else rest) | k for k in found]


def answer(session: Session, query, branches: Sequence[tuple[str, Sequence[str], int]]
           ) -> tuple[list[tuple[str, int, int]], list[str]] | None:
    """(category, band, count) of the matching things and the refs of the asked-for page
    (the last one when it lies past the end); None when the columns cannot answer.
    ``branches``: (language, words, first rank) of each language searched, as in
    :func:`portal.search.query._both`."""
    cols = columns(session)
    if cols is None:
        return None
    relevance = query.sort == "relevance"
    per_branch = []
    for language, words, first in branches:
        found = _matches(session, cols, query.kind, language, words, query.max_points)
        if found:
            per_branch.append(_ranked(cols, found, words, first) if relevance else found)
    refs = cols.refs
    if len(per_branch) > 1:  # a thing found in both languages counts once, at its best rank
        best: dict[str, int] = {}
        for ranked in per_branch:
            for m in ranked:
                ref = refs[m & _LOW]
                seen = best.get(ref)
                if seen is None or m >> _K < seen >> _K:
                    best[ref] = m
        matching = list(best.values())
    else:
        matching = per_branch[0] if per_branch else []
    category, band, names = cols.category, cols.band, cols.categories
    counted = Counter([category[m & _LOW] << 8 | band[m & _LOW] for m in matching])
    grouped = sorted(((names[cb >> 8], cb & 255, n) for cb, n in counted.items()),
                     key=lambda g: g[2])
    chosen = matching
    if query.category is not None:
        code = names.index(query.category) if query.category in names else -1
        chosen = [m for m in chosen if category[m & _LOW] == code]
    if query.band is not None:
        chosen = [m for m in chosen if band[m & _LOW] == query.band]
    pages = max(1, -(-len(chosen) // query.per_page))
    page = min(max(1, query.page), pages)
    position, points = cols.position, cols.points
    # Each sort key is one int too: (rank or points) * _SPAN + position (see ``_load``),
    # then the array index in the lowest 32 bits.
    if query.sort == "points_asc":
        keys = [(points[k] * _SPAN + position[k]) << _K | k
                for k in (m & _LOW for m in chosen)]
    elif query.sort == "points_desc":
        keys = [(-points[k] * _SPAN + position[k] << _K) + k
                for k in (m & _LOW for m in chosen)]
    else:
        keys = [((m >> _K) * _SPAN + position[m & _LOW]) << _K | (m & _LOW) for m in chosen]
    wanted = page * query.per_page
    ordered = (heapq.nsmallest(wanted, keys) if wanted * 4 < len(keys) else sorted(keys))
    start = (page - 1) * query.per_page
    return grouped, [refs[x & _LOW] for x in ordered[start:wanted]]
