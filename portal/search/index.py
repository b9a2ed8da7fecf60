"""Search: the entry point (build, search and the answer cache) over its parts.

- :mod:`portal.search.sources`: the registry the features fill (kind, loader, texts per
  language, facets); search imports no feature;
- :mod:`portal.search.documents`: building ``search_doc`` from the sources;
- :mod:`portal.search.query`: answering a :class:`Query` (the plan below);
- :mod:`portal.search.scan`: the plain scan the tests hold the index against.

Every catalog item and article becomes one document per language (``search_doc``) holding
its normalised text. A query is a list of terms (:func:`portal.search.normalize.terms`);
a document matches when its text contains every term as a substring. So:

- SQLite: terms of three characters or more go through the FTS5 trigram index
  (``search_fts``); every term is checked with ``instr`` on the stored text as well, so the
  result is exactly the plain scan.
- PostgreSQL: every term is ``LIKE '%term%'`` on the text, which the pg_trgm GIN index of
  the language serves (LIKE is case-sensitive there, and the text is normalised already;
  the language is written out so that the partial index of that language is chosen).
- Japanese queries of short words only (a single kanji, two kana: no trigram) find their
  candidates in an index of characters: on SQLite the FTS5 table ``search_fts_chars`` (each
  Japanese text with a space between its characters, so a word is a phrase of characters),
  on PostgreSQL the GIN index on ``search_grams(text)`` (every one- and two-character piece).
  Words with ASCII punctuation (which the FTS5 ``ascii`` tokenizer drops) and English words
  read the documents' run of ids instead. The ``instr``/``LIKE`` checks stay.

Facet counts come from one grouped count over the matching documents, the page from one
ordered query; on SQLite, words the full-text tables find exactly are counted and ranked
from columns kept per worker instead (:mod:`portal.search.columns`, read by :func:`warm`).
Answers are kept in a small per-process cache keyed by the index version (``search_state``),
which every rebuild raises; ``PORTAL_SEARCH_CACHE_SIZE=0`` turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy.orm import Session

from portal.search import columns
from portal.search.documents import (  # noqa: F401  (the module's public names)
    BANDS,
    LANGS,
    band_of,
    build,
    documents,
    outdated,
    state,
    version,
)
from portal.search.normalize import terms
from portal.search.query import (  # noqa: F401  (the module's public names)
    OTHER,
    SORTS,
    TRIGRAM,
    Query,
    Result,
    _answer,
    _id_range,
    _may_match,
    _run,
    _short_words,
    run,
)


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
    other_words = terms(query.text, OTHER[query.language])
    where = (*state(session), tuple(words), tuple(other_words), query.kind,
             query.language, query.country, query.max_points)
    grouped = cache.get(("counts", *where))
    key = ("page", *where, query.category, query.band, query.sort, query.page, query.per_page)
    refs = cache.get(key) if grouped is not None else None
    if grouped is None or refs is None:
        grouped, result = _run(session, query)
        cache.put(("counts", *where), grouped, cache_size)
        cache.put(key, result.refs, cache_size)
        return result
    result = _answer(query, words or other_words, grouped)
    result.refs = refs
    return result



def warm(session: Session) -> None:
    """Read what a worker keeps once per build of the index before its first search: the
    runs of ids, each language's letters and the documents' columns
    (:mod:`portal.search.columns`, under a second for 220,000 documents on SQLite). ``portal.wsgi``
    calls it when a worker starts, so that the first person to search does not wait."""
    from portal.search.query import _non_ascii, _ranges

    _id_range(session, "item", "ja")
    for kind, language in next(iter(_ranges.values()), {}):
        _non_ascii(session, kind, language)
    if session.get_bind().dialect.name in columns.DIALECTS:
        columns.columns(session)
