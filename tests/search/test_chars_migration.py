"""Migration 0610 on a database whose index was built before it: the index of characters is
filled from the existing documents, so short Japanese words keep finding them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal.cli import alembic_config
from portal.db import make_engine
from portal.search import index
from portal.search.index import Query


def test_upgrade_fills_the_index_of_characters_from_existing_documents(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0600")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            # The stored text is normalised already (katakana as hiragana).
            for ref, lang, body in (("A000-0001", "ja", "緑茶 てぃーばっぐ"),
                                    ("A000-0002", "ja", "こーひー豆"),
                                    ("A000-0001", "en", " green tea")):
                connection.execute(text(
                    "INSERT INTO search_doc (kind, ref, lang, category, band, points, position,"
                    " scope, title, text) VALUES ('item', :ref, :lang, 'drinks', 0, 100, 1, '',"
                    " :text, :text)"), {"ref": ref, "lang": lang, "text": body})
            connection.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
            connection.execute(text(
                "INSERT INTO search_state (id, version, documents) VALUES (1, 1, 3)"))
        command.upgrade(config, "head")
        with Session(engine) as session:
            assert session.execute(text("SELECT count(*) FROM search_fts_chars")).scalar() == 2
            assert index.run(session, Query("item", "ja", "茶")).refs == ["A000-0001"]
            assert index.run(session, Query("item", "ja", "豆")).refs == ["A000-0002"]
            assert index.run(session, Query("item", "ja", "バッ")).refs == ["A000-0001"]
            assert index.run(session, Query("item", "ja", "ばぐ")).refs == []
            assert index.run(session, Query("item", "ja", "ぐ")).refs == ["A000-0001"]
        command.downgrade(config, "0600")
        with engine.connect() as connection:
            assert not connection.execute(text(
                "SELECT name FROM sqlite_master WHERE name = 'search_fts_chars'")).all()
    finally:
        engine.dispose()
