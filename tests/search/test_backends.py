"""The same queries on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm) give the same answers.

The test builds two databases of its own: a SQLite file and a PostgreSQL database named
``<test database>_search`` next to ``PORTAL_TEST_DATABASE_URL`` (or
``PORTAL_SEARCH_PG_URL``), created and dropped here, so it never touches shared data.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from portal import content
from portal.cli import upgrade_database
from portal.db import make_engine
from portal.reference import loader
from portal.resources.models import Article
from portal.rewards.models import CatalogItem
from portal.search import columns, index, scan
from portal.search.documents import LANGS

from .test_index import generated_queries

PG_BASE = next((u for u in (os.environ.get("PORTAL_SEARCH_PG_URL", ""),
                            os.environ.get("PORTAL_TEST_DATABASE_URL", ""))
                if u.startswith("postgresql")), "")

pytestmark = pytest.mark.skipif(
    not PG_BASE, reason="needs PostgreSQL: set PORTAL_TEST_DATABASE_URL or PORTAL_SEARCH_PG_URL")


@pytest.fixture(scope="module")
def pg_url():
    url = make_url(PG_BASE)
    target = f"{url.database}_search_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target}"'))
    yield url.set(database=target).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
    admin.dispose()


def _prepared(url: str):
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        loader.load(session)
        content.load(session)
        index.build(session)
    return engine


def test_same_answers_on_sqlite_and_postgresql(app, pg_url, tmp_path):
    with app.app_context():
        lite = _prepared(f"sqlite:///{tmp_path / 'search.db'}")
        pg = _prepared(pg_url)
    try:
        with Session(lite) as a, Session(pg) as b:
            # One trigram index per language (migration 0760), none over both.
            trigram = dict(b.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_doc' "
                "AND indexdef LIKE '%gin_trgm_ops%'")).all())
            assert sorted(trigram) == sorted(f"ix_search_doc_text_trgm_{lang}" for lang in LANGS)
            for lang in LANGS:
                assert f"WHERE ((lang)::text = '{lang}'::text)" in \
                    trigram[f"ix_search_doc_text_trgm_{lang}"]
            # The statements write the language out, which is what lets PostgreSQL choose
            # that language's index (the bench catalog's plans are in the README; a few
            # rows here would be read without any index).
            for lang in LANGS:
                assert f"search_doc.lang = '{lang}'" in columns._pg_ids(lang, 1, False)
            docs = scan.documents({"item": a.scalars(select(CatalogItem)),
                                   "article": a.scalars(select(Article))})
            queries = list(generated_queries(docs, 300, seed=60))
            queries += [index.Query("item", "ja", t) for t in
                        ("茶", "ｺｰﾋｰ", "d5400598", "ペニンシュラ プリン", "%", "_", "\\", "'")]
            # The other language's words on each page (issue 15).
            queries += [index.Query("item", "en", t) for t in ("コーヒー", "茶", "ワイン セット")]
            queries += [index.Query("item", "ja", t) for t in ("wine", "coffee", "balm")]
            queries += [index.Query("article", "ja", "password", country="JP"),
                        index.Query("article", "en", "パスワード", country="JP")]
            for query in queries:
                want = scan.scan(docs, query)
                assert index.run(a, query).refs == want.refs, query
                x, y = index.run(a, query), index.run(b, query)
                assert (x.refs, x.total, x.categories, x.bands) == \
                    (y.refs, y.total, y.categories, y.bands), query
    finally:
        lite.dispose()
        pg.dispose()
