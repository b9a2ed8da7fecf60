"""Build the search documents from the registered sources (:mod:`portal.search.sources`):
one document per entry and language in ``search_doc``, holding its normalised text. See
:mod:`portal.search.index` for how queries read them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.search.models import SearchDoc, SearchState
from portal.search.normalize import RULES, document_text
from portal.search.sources import Source, sources

LANGS = ("ja", "en")
# Points ranges of the catalog's facet: (lowest, highest or None).
BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 4999), (5000, 19999), (20000, 99999), (100000, 299999), (300000, None),
)


def band_of(points: int) -> int:
    for number, (low, high) in enumerate(BANDS):
        if points >= low and (high is None or points <= high):
            return number
    return 0




# --- building -----------------------------------------------------------------------------

def _title_and_text(title: str, rest: list[str], lang: str) -> tuple[str, str]:
    """The normalised title, and the whole text (title first); the title is normalised once."""
    title_text = document_text([title], lang)
    rest_text = document_text(rest, lang)
    if lang == "en":
        return title_text, title_text + rest_text
    return title_text, " ".join(part for part in (title_text, rest_text) if part)


def documents(source: Source, rows: Iterable[Any], langs: Sequence[str] = LANGS
              ) -> Iterable[dict[str, Any]]:
    """The search documents of ``rows`` of ``source``, one per row and language."""
    for row in rows:
        for lang in langs:
            doc = source.document(row, lang)
            title, full = _title_and_text(doc.title, list(doc.texts), lang)
            yield {
                "kind": source.kind, "ref": doc.ref, "lang": lang, "category": doc.category,
                "band": band_of(doc.points), "points": doc.points, "position": doc.position,
                "scope": doc.scope, "title": title, "text": full,
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
    """Rebuild every search document from the registered sources (``portal.search.sources``);
    returns the number of documents. Runs inside the caller's transaction."""
    session.execute(delete(SearchDoc))
    count = 0
    # One kind and language after the other, so that each forms one run of ids (see
    # ``_id_range``: a scan for short words reads only its own run).
    letters: dict[str, set[str]] = {}
    for source in sources():
        loaded = list(source.load(session))
        for lang in LANGS:
            seen = letters.setdefault(f"{source.kind}:{lang}", set())
            count += _insert_all(session, documents(source, loaded, (lang,)), batch, seen)
    found = json.dumps({key: "".join(sorted(chars)) for key, chars in letters.items()},
                       ensure_ascii=False)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
        _fill_chars(session)
    else:
        # Fresh statistics for the rewritten table: on a first build there are none, and
        # until autovacuum came by, the planner guessed the trigram index's yield so badly
        # that searches took 80 to 190 ms instead of 10 to 60 (bench, 100,000 items). And
        # the GIN indexes' pending entries moved into the indexes, which every search would
        # otherwise read in full until a vacuum (item numbers: 17 ms, then 8 ms).
        session.execute(text("ANALYZE search_doc"))
        for name in [*(f"ix_search_doc_text_trgm_{lang}" for lang in LANGS),
                     "ix_search_doc_grams"]:
            session.execute(text("SELECT gin_clean_pending_list(CAST(:name AS regclass))"),
                            {"name": name})
    state = session.get(SearchState, 1)
    if state is None:
        session.add(SearchState(id=1, version=1, built_at=utcnow(), documents=count,
                                letters=found, rules=RULES))
    else:
        session.execute(update(SearchState).where(SearchState.id == 1).values(
            version=SearchState.version + 1, built_at=utcnow(), documents=count,
            letters=found, rules=RULES))
    session.flush()
    return count


def _insert_all(session: Session, docs: Iterable[dict[str, Any]], batch: int,
                letters: set[str]) -> int:
    count = 0
    rows: list[dict[str, Any]] = []
    for row in docs:
        if not row["text"].isascii():
            letters.update(c for c in row["text"] if not c.isascii())
        rows.append(row)
        if len(rows) >= batch:
            _insert(session, rows)
            count += len(rows)
            rows = []
    if rows:
        _insert(session, rows)
        count += len(rows)
    return count


def outdated(session: Session) -> bool:
    """Whether the index was never built or was built under other text rules than these."""
    rules = session.scalar(select(SearchState.rules).where(SearchState.id == 1))
    return rules != RULES


def version(session: Session) -> int:
    """The index's version: one plain statement (no ORM query to compile), since every
    cached answer and rendered page checks it."""
    found = session.connection().exec_driver_sql(
        "SELECT version FROM search_state WHERE id = 1").scalar()
    return found or 0


def state(session: Session) -> tuple[str, int]:
    """What cached answers belong to: the database and the index's version."""
    return str(session.get_bind().engine.url), version(session)

