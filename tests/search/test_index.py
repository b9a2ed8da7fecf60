"""Search over the loaded catalog and articles: the rules, facets, sorting, pages, and the
index held against the plain scan over many generated queries."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from portal.resources.models import Article
from portal.rewards.models import CatalogItem
from portal.search import index, scan
from portal.search import query as query_module
from portal.search.index import BANDS, Query, band_of
from portal.search.normalize import words


@pytest.fixture
def docs(db_session):
    return scan.documents({
        "item": db_session.scalars(select(CatalogItem).where(CatalogItem.active)),
        "article": db_session.scalars(select(Article).where(Article.active))})


def refs(db_session, kind="item", language="ja", text="", **kw):
    return index.run(db_session, Query(kind, language, text, per_page=200, **kw)).refs


def test_catalog_holds_the_brochure_items_and_enough_samples(db_session):
    items = {i.item_no: i for i in db_session.scalars(select(CatalogItem))}
    assert len(items) >= 100
    assert items["D540-0598"].name_ja == "ザ・ペニンシュラ ブティック＆カフェ 中国茶2種ギフトセット"
    assert items["D540-0598"].points == 24000
    assert items["B813-0486"].points == 1000
    assert items["D511-0841"].category == "digital"
    # Every category has items in at least three points ranges.
    for category in ("drinks", "gifts", "digital", "certificates", "social", "travel"):
        bands = {band_of(i.points) for i in items.values() if i.category == category}
        assert len(bands) >= 3, category


def test_single_kanji_and_kana_in_any_form(db_session):
    tea = refs(db_session, text="茶")
    assert "D540-0598" in tea
    coffee = refs(db_session, text="コーヒー")
    assert "D540-1282" in coffee
    assert refs(db_session, text="こーひー") == coffee
    assert refs(db_session, text="ｺｰﾋｰ") == coffee


def test_item_numbers_with_or_without_hyphen_and_full_width(db_session):
    for text in ("D540-0598", "d5400598", "Ｄ５４０－０５９８"):
        assert refs(db_session, text=text) == ["D540-0598"], text
        assert refs(db_session, language="en", text=text) == ["D540-0598"], text


def test_every_word_must_match(db_session):
    both = refs(db_session, text="ペニンシュラ プリン")
    assert both == ["D540-0597"]
    assert refs(db_session, text="ペニンシュラ 存在しない言葉") == []


def test_english_matches_words_and_prefixes_not_inner_parts(db_session):
    assert "D515-0587" in refs(db_session, language="en", text="Pot")
    assert "D515-0587" in refs(db_session, language="en", text="balm")
    # "ettle" is inside "kettle" (English text only), not the start of a word.
    assert "D515-0587" in refs(db_session, language="en", text="kettle")
    assert "D515-0587" not in refs(db_session, language="en", text="ettle")


def test_words_of_either_language_find_the_item_on_either_page(db_session):
    """Issue 15: コーヒー and 茶 on the English page, wine and coffee on the Japanese page."""
    assert "D515-0587" in refs(db_session, language="ja", text="kettle")
    for language in ("ja", "en"):
        assert "D540-1282" in refs(db_session, language=language, text="コーヒー")
        assert "D540-1282" in refs(db_session, language=language, text="coffee")
        assert "D540-0598" in refs(db_session, language=language, text="茶")
        assert "D520-1331" in refs(db_session, language=language, text="wine")
        assert "D520-1331" in refs(db_session, language=language, text="ワイン")


def test_the_page_language_ranks_first(db_session):
    """A thing matching in the page's language comes before one matching only in the
    other language, whatever the catalog's order says."""
    db_session.add(CatalogItem(
        item_no="Z999-0001", category="drinks", points=1000, in_stock=True, sample=True,
        name_ja="焙煎豆 coffee blend", name_en="Roasted beans",
        description_ja="深煎りの豆", description_en="Dark roast", position=-1, active=True))
    db_session.flush()
    index.build(db_session)
    result = index.run(db_session, Query("item", "en", "coffee", per_page=200))
    assert result.refs[-1] == "Z999-0001"  # first in the catalog's order, last here
    assert len(result.refs) > 1
    ja = index.run(db_session, Query("item", "ja", "coffee", per_page=200))
    assert ja.refs[0] == "Z999-0001"  # on the Japanese page it matches in Japanese


def test_facet_counts_and_filters(db_session):
    result = index.run(db_session, Query("item", "ja", ""))
    assert sum(result.categories.values()) == result.total == result.matched
    drinks = index.run(db_session, Query("item", "ja", "", category="drinks"))
    assert drinks.total == result.categories["drinks"]
    # Points-range counts are for the chosen category; category counts for the chosen range.
    assert sum(drinks.bands.values()) == drinks.total
    top = index.run(db_session, Query("item", "ja", "", category="drinks", band=4))
    assert top.total == drinks.bands[4]
    assert all(db_session.get(CatalogItem, r).points >= BANDS[4][0] for r in top.refs)
    assert top.categories["drinks"] == top.total


def test_sorting_by_points_both_ways(db_session):
    up = refs(db_session, text="", sort="points_asc")
    points = [db_session.get(CatalogItem, r).points for r in up]
    assert points == sorted(points)
    down = refs(db_session, text="", sort="points_desc")
    points = [db_session.get(CatalogItem, r).points for r in down]
    assert points == sorted(points, reverse=True)


def test_relevance_puts_name_matches_first(db_session):
    found = refs(db_session, language="en", text="coffee")
    in_name = [r for r in found if "coffee" in db_session.get(CatalogItem, r).name_en.lower()]
    assert found[: len(in_name)] == in_name
    assert len(in_name) < len(found)  # some only mention coffee in the description


def test_pages_do_not_overlap_and_cover_everything(db_session):
    seen = []
    first = index.run(db_session, Query("item", "ja", "", per_page=25))
    for page in range(1, first.pages + 1):
        seen += index.run(db_session, Query("item", "ja", "", per_page=25, page=page)).refs
    assert len(seen) == len(set(seen)) == first.total
    # A page past the end shows the last page.
    assert index.run(db_session, Query("item", "ja", "", per_page=25, page=999)).refs == \
        index.run(db_session, Query("item", "ja", "", per_page=25, page=first.pages)).refs


def test_articles_by_country(db_session):
    japan_only = "business-days-japan"
    assert japan_only in refs(db_session, "article", "en", "business days", country="JP")
    assert japan_only not in refs(db_session, "article", "en", "business days", country="SG")
    assert "passwords" in refs(db_session, "article", "en", "password", country="SG")


def test_cache_answers_again_and_empties_on_rebuild(db_session):
    index.cache.clear()
    query = Query("item", "ja", "茶")
    first = index.search(db_session, query, cache_size=8)
    assert len(index.cache.entries) == 2  # the counts and the page
    again = index.search(db_session, query, cache_size=8)
    assert again.refs is first.refs and again.total == first.total
    # Another page of the same words reuses the counts: one more entry, not two.
    index.search(db_session, Query("item", "ja", "茶", page=2, per_page=5), cache_size=8)
    assert len(index.cache.entries) == 3
    index.build(db_session)
    assert index.search(db_session, query, cache_size=8).refs is not first.refs
    assert len(index.cache.entries) == 5
    index.cache.clear()


# --- the index against the plain scan ------------------------------------------------------

def _variants(text: str, rng: random.Random) -> str:
    """Write ``text`` the way a person might: katakana, full width, upper case."""
    choice = rng.randrange(4)
    if choice == 0:  # hiragana -> katakana
        return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)
    if choice == 1:  # ASCII -> full width
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    if choice == 2:
        return text.upper()
    return text


def generated_queries(docs, count: int, seed: int = 6):
    rng = random.Random(seed)
    noise = ["茶", "の", "ー", "x", "zz", "ぽ", "セット", "q", "1", "00", "-", "・", "ab"]
    for _ in range(count):
        language = rng.choice(("ja", "en"))
        kind = rng.choice(("item", "item", "article"))
        pool = [d for d in docs if d["lang"] == language and d["kind"] == kind]
        parts = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if rng.random() < 0.15:
                parts.append(rng.choice(noise))
                continue
            doc = rng.choice(pool)
            if language == "en":
                word = rng.choice(words(doc["text"]))
                parts.append(word[: rng.randint(1, len(word))])
            else:
                text = doc["text"]
                start = rng.randrange(len(text))
                piece = text[start:start + rng.randint(1, 6)].strip()
                parts.append(piece.split(" ")[0] if piece else "の")
        text = " ".join(_variants(p, rng) for p in parts)
        category = None
        if rng.random() < 0.3:
            category = rng.choice(sorted({d["category"] for d in pool}))
        band = rng.randrange(len(BANDS)) if kind == "item" and rng.random() < 0.3 else None
        sort = rng.choice(index.SORTS) if kind == "item" else "relevance"
        country = rng.choice((None, "JP", "SG")) if kind == "article" else None
        yield Query(kind, language, text, category=category, band=band, sort=sort,
                    page=rng.choice((1, 1, 2)), per_page=rng.choice((5, 20)), country=country)


def test_index_equals_plain_scan_over_many_generated_queries(db_session, docs, monkeypatch):
    # Count the queries answered through the index of characters (short Japanese words).
    by_chars = []
    short_words = query_module._short_words
    monkeypatch.setattr(query_module, "_short_words",
                        lambda dialect, words: by_chars.append(words) or short_words(dialect, words))
    checked = matched = 0
    for query in generated_queries(docs, 600):
        got = index.run(db_session, query)
        want = scan.scan(docs, query)
        assert (got.refs, got.total, got.matched, got.categories, got.bands) == \
            (want.refs, want.total, want.matched, want.categories, want.bands), query
        checked += 1
        matched += bool(want.total)
    assert checked == 600
    assert matched > 300  # most generated queries find something: the test has teeth
    assert len(by_chars) > 50  # and many of them went through the index of characters


def test_short_japanese_words_use_the_index_of_characters(db_session, docs):
    """Single kanji, two kana, digits, letters and full-width punctuation; ASCII punctuation
    falls back to reading the documents. Either way the plain scan's answer."""
    for text in ("茶", "お茶", "ー", "・", "d5", "5-", "-", "2種", "の 茶", "Ｄ５", "（"):
        for kind in ("item", "article"):
            query = Query(kind, "ja", text, per_page=500)
            got, want = index.run(db_session, query), scan.scan(docs, query)
            assert (got.refs, got.total, got.categories, got.bands) == \
                (want.refs, want.total, want.categories, want.bands), query
    assert index.run(db_session, Query("item", "ja", "茶")).total > 10


def test_a_language_without_a_words_letters_is_not_searched(db_session):
    """The build keeps each language's non-ASCII letters; an index built before that reads
    them from the documents. Either way a Japanese word is not looked for in English texts,
    and the answer stays the plain scan's."""
    from sqlalchemy import update

    from portal.search.models import SearchState

    assert not index._may_match(db_session, "item", "en", [" 茶"])
    assert index._may_match(db_session, "item", "ja", ["茶"])
    assert index._may_match(db_session, "item", "en", [" coffee"])
    db_session.execute(update(SearchState).values(letters=None, version=SearchState.version + 1))
    assert not index._may_match(db_session, "item", "en", [" 茶"])
    assert index._may_match(db_session, "item", "ja", ["茶"])


def test_a_points_ceiling_is_a_filter_like_any_other(db_session, docs):
    """The catalog's "within my balance" gives the search module a ceiling, nothing more;
    the index still answers what the plain scan does."""
    for text in ("", "コーヒー", "wine", "茶"):
        for language in ("ja", "en"):
            query = Query("item", language, text, per_page=200, max_points=30_000)
            got, want = index.run(db_session, query), scan.scan(docs, query)
            assert (got.refs, got.total, got.categories, got.bands) == \
                (want.refs, want.total, want.categories, want.bands), query
            points = {d["ref"]: d["points"] for d in docs if d["kind"] == "item"}
            assert all(points[r] <= 30_000 for r in got.refs)
    assert index.run(db_session, Query("item", "ja", "", max_points=0)).total == 0


def test_an_accent_is_not_needed_nor_in_the_way(db_session, docs):
    """The catalog's "Café" items are found by "cafe", "café" and "CAFÉ", on either page,
    exactly as the plain scan finds them."""
    found = set()
    for text in ("cafe", "café", "CAFÉ", "Cafe boutique"):
        for language in ("en", "ja"):
            query = Query("item", language, text, per_page=200)
            got, want = index.run(db_session, query), scan.scan(docs, query)
            assert (got.refs, got.total) == (want.refs, want.total), query
            found.add(tuple(got.refs))
    assert len(found) == 1 and len(next(iter(found))) >= 2


def test_an_index_built_under_older_text_rules_is_rebuilt_by_the_data_load(app, db_session):
    from sqlalchemy import update

    from portal.cli import load_reference_data
    from portal.search.models import SearchState
    from portal.search.normalize import RULES

    db_session.execute(update(SearchState).values(rules=RULES - 1))
    before = index.version(db_session)
    assert index.outdated(db_session)
    load_reference_data(db_session)
    assert not index.outdated(db_session)
    assert index.version(db_session) == before + 1
    load_reference_data(db_session)  # nothing changed: no rebuild
    assert index.version(db_session) == before + 1


def test_o_cha_finds_what_cha_finds(db_session, docs):
    """お茶 is searched as 茶: green and black teas too, on either page."""
    for language in ("ja", "en"):
        polite = index.run(db_session, Query("item", language, "お茶", per_page=200))
        plain = index.run(db_session, Query("item", language, "茶", per_page=200))
        want = scan.scan(docs, Query("item", language, "お茶", per_page=200))
        assert polite.refs == plain.refs == want.refs and polite.total > 3
