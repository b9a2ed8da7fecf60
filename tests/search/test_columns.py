"""The documents' columns kept per worker (``portal.search.columns``) answer what SQL
and the plain scan answer, follow every rebuild, and step aside when they cannot hold one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.resources.models import Article
from portal.rewards.models import CatalogItem
from portal.search import columns, index, scan
from portal.search.index import Query

from .test_index import generated_queries


@pytest.fixture(autouse=True)
def no_kept_columns():
    columns._kept.clear()
    yield
    columns._kept.clear()


@pytest.fixture
def docs(db_session):
    return scan.documents({
        "item": db_session.scalars(select(CatalogItem).where(CatalogItem.active)),
        "article": db_session.scalars(select(Article).where(Article.active))})


def _same(got, want) -> tuple:
    return ((got.refs, got.total, got.matched, got.categories, got.bands),
            (want.refs, want.total, want.matched, want.categories, want.bands))


def test_columns_sql_and_the_plain_scan_agree(db_session, docs, answered, monkeypatch):
    """The same generated queries (filters, sorts, pages, both languages) three ways; most
    of those the columns may answer are answered by them, and the SQL they replace is still
    held against the scan."""
    queries = list(generated_queries(docs, 400, seed=11))
    kept = [index.run(db_session, q) for q in queries]
    count = len(answered)
    monkeypatch.setattr(columns, "usable", lambda *a: False)
    by_sql = [index.run(db_session, q) for q in queries]
    for query, got, sql in zip(queries, kept, by_sql, strict=True):
        want = scan.scan(docs, query)
        got_figures, want_figures = _same(got, want)
        assert got_figures == want_figures, query
        assert _same(sql, want)[0] == want_figures, query
    assert len(answered) == count > 120  # the test has teeth: many went through the columns
    assert any(q.sort != "relevance" for q in answered)
    assert any(q.category or q.band is not None for q in answered)
    assert any(q.page > 1 for q in answered)


@pytest.fixture
def answered(monkeypatch):
    """The queries the columns answered."""
    seen = []
    answer = columns.answer

    def counting(session, query, branches):
        got = answer(session, query, branches)
        if got is not None:
            seen.append(query)
        return got

    monkeypatch.setattr(columns, "answer", counting)
    return seen


@pytest.mark.parametrize("text,language", [
    ("コーヒー", "ja"), ("coffee", "en"), ("coffee", "ja"), ("茶", "ja"), ("茶", "en"),
    ("茶 の", "ja"),
])
def test_the_catalog_words_of_the_bench_classes(db_session, docs, answered, text, language):
    """Trigram words and single kanji, on either page, with a points ceiling too."""
    for max_points in (None, 30_000):
        query = Query("item", language, text, per_page=200, max_points=max_points)
        got, want = _same(index.run(db_session, query), scan.scan(docs, query))
        assert got == want, query
        assert want[1] > 0
    assert len(answered) == 2


def test_what_the_columns_leave_to_sql():
    for dialect in ("sqlite", "postgresql"):
        assert not columns.usable(dialect, [("en", [" coffee"], 0)], "JP")  # articles' scope
        assert not columns.usable(dialect, [("en", ["d5"], 0)], None)  # no index finds it
        assert columns.usable(dialect, [("ja", ["茶", "豆"], 0), ("en", [" tea"], 2)], None)
    assert not columns.usable("mysql", [("en", [" coffee"], 0)], None)
    # PostgreSQL: the trigram index narrows any branch with a long word, and its index of
    # pieces finds Japanese words of two characters exactly.
    assert columns.usable("postgresql", [("ja", ["茶", "コーヒー"], 0)], None)
    assert columns.usable("postgresql", [("ja", ["お茶"], 0), ("en", [" tea", "d5"], 2)], None)
    assert not columns.usable("sqlite", [("ja", ["お茶"], 0)], None)  # two characters
    assert not columns.usable("sqlite", [("ja", ["茶", "コーヒー"], 0)], None)  # two tables
    assert not columns.usable("sqlite", [("en", ["d5"], 0)], None)
    assert columns.usable("sqlite", [("ja", ["茶", "豆"], 0), ("en", [" tea"], 2)], None)


def test_the_columns_follow_every_build(db_session):
    """Keyed by the build (version, time and size), not by the version alone: a test's
    rolled-back build and the next one may share a version number."""
    def item(no: str, name: str) -> CatalogItem:
        return CatalogItem(item_no=no, category="drinks", points=1000, in_stock=True,
                           sample=True, name_ja=name, name_en=name, description_ja="",
                           description_en="", position=5, active=True)

    first = db_session.begin_nested()
    db_session.add(item("Z900-0001", "quokkablend"))
    db_session.flush()
    index.build(db_session)
    assert index.run(db_session, Query("item", "en", "quokkablend")).refs == ["Z900-0001"]
    first.rollback()
    second = db_session.begin_nested()
    db_session.add(item("Z900-0002", "quokkablend"))
    db_session.flush()
    index.build(db_session)
    assert index.run(db_session, Query("item", "en", "quokkablend")).refs == ["Z900-0002"]
    second.rollback()


def test_like_characters_are_taken_as_they_are(db_session, answered, monkeypatch):
    """``_`` (the one character of ``LIKE``'s patterns a word keeps: ``%`` and ``/`` separate
    words) is a letter, not "any character": by the columns and by SQL alike (on PostgreSQL
    both go through ``conditions.like_pattern``)."""
    names = {"Z900-0011": "quokka zq_b", "Z900-0012": "quokka zqxb", "Z900-0013": "quokka zq_",
             "Z900-0014": "quokka 100%off", "Z900-0015": "quokka 100/off"}
    for no, name in names.items():
        db_session.add(CatalogItem(item_no=no, category="drinks", points=1000, in_stock=True,
                                   sample=True, name_ja=name, name_en=name, description_ja="",
                                   description_en="", position=5, active=True))
    db_session.flush()
    index.build(db_session)
    asked = {"zq_b": ["Z900-0011"], "q_b": ["Z900-0011"], "zq_": ["Z900-0011", "Z900-0013"],
             "zqx": ["Z900-0012"], "quokka%off": ["Z900-0014", "Z900-0015"]}
    for text, refs in asked.items():
        assert sorted(index.run(db_session, Query("item", "en", text)).refs) == refs, text
    assert len(answered) == len(asked)  # each answered by the columns
    monkeypatch.setattr(columns, "usable", lambda *a: False)
    for text, refs in asked.items():
        assert sorted(index.run(db_session, Query("item", "en", text)).refs) == refs, text


def test_only_a_language_of_the_documents_is_written_into_a_statement():
    from portal.search.conditions import in_language

    assert str(in_language("en")) == "search_doc.lang = 'en'"
    with pytest.raises(ValueError):
        in_language("ja' OR '1'='1")


def test_a_build_the_columns_cannot_hold_is_answered_by_sql(db_session, docs, monkeypatch):
    def refuse(session, key):
        raise ValueError("too many categories")

    monkeypatch.setattr(columns, "_load", refuse)
    query = Query("item", "en", "coffee", per_page=200)
    assert columns.columns(db_session) is None
    got, want = _same(index.run(db_session, query), scan.scan(docs, query))
    assert got == want and want[1] > 0
    assert columns.answer(db_session, query, [("en", [" coffee"], 0)]) is None


def test_warm_reads_the_columns_before_the_first_search(db_session):
    index.warm(db_session)
    kept = columns._kept.get(str(db_session.get_bind().engine.url))
    assert isinstance(kept, columns.Columns)
    assert kept.titles.count(None) < len(kept.titles)
