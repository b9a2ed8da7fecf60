"""Search documents: one row per searchable thing (catalog item, article) and language.

The text is stored normalised (see :mod:`portal.search.normalize`). The full-text index on
top of it is not part of these models: SQLite keeps an FTS5 table ``search_fts`` (trigram
tokenizer, external content = ``search_doc``), PostgreSQL a pg_trgm GIN index per language
``ix_search_doc_text_trgm_<lang>`` (migration 0760; 0600 made one for both); they are
ignored by Alembic's model comparison (``migrations/env.py``: ``include_name``). For Japanese
words of one or two characters, migration 0610 adds ``search_fts_chars`` (SQLite) and
``ix_search_doc_grams`` (PostgreSQL), see :mod:`portal.search.index`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime

# Tables and indexes managed outside the models.
UNMANAGED_PREFIXES = ("search_fts", "ix_search_doc_text_trgm", "ix_search_doc_grams")


class SearchDoc(Base):
    __tablename__ = "search_doc"
    __table_args__ = (
        Index("ix_search_doc_facets", "kind", "lang", "category", "band"),
        Index("ix_search_doc_points", "kind", "lang", "points", "position"),
        Index("ix_search_doc_position", "kind", "lang", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # item | article
    ref: Mapped[str] = mapped_column(String(100))  # item number or article slug
    lang: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(20))
    band: Mapped[int] = mapped_column(SmallInteger, default=0)  # points range (items)
    points: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    scope: Mapped[str] = mapped_column(String(200), default="")  # countries, like Article
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class SearchState(Base):
    """One row: the index's version, raised on every rebuild (per-worker caches key on it)."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    # The non-ASCII characters of each kind's documents per language, written by the build
    # (JSON ``{"item:en": "…"}``): a word with another one cannot match there.
    letters: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The text rules the documents were normalised by (``normalize.RULES``); the data load
    # rebuilds an index made under older ones.
    rules: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
