"""The catalog, item, rewards home and resource-center pages through the Flask client."""

from __future__ import annotations

import re

import pytest

from portal.search import index
from portal.search.index import Query

from ..accounts.conftest import (  # noqa: F401  (fixtures: an active, signed-in user)
    fast_hashing,
    make_user,
    register,
    registered,
)

HX = {"HX-Request": "true"}


def item_numbers(html: str) -> list[str]:
    return re.findall(r'data-testid="catalog-item" data-item-no="([^"]+)"', html)


def test_catalog_page_lists_items_with_their_numbers(client, db_session):
    html = client.get("/rewards/catalog?lang=ja").get_data(as_text=True)
    found = item_numbers(html)
    assert found[0] == "D540-0598"
    assert len(found) == 20
    assert 'data-testid="catalog-count"' in html and 'role="status"' in html
    assert "<html" in html


@pytest.mark.parametrize("lang,q", [("en", "cafe"), ("en", "Caf%C3%A9"), ("ja", "cafe"),
                                    ("ja", "%EF%BD%83%EF%BD%81%EF%BD%86%EF%BD%85")])
def test_the_cafe_items_are_found_without_the_accent(client, lang, q):
    """Typed as a person would on either page: plain, accented, or in full width."""
    found = item_numbers(client.get(f"/rewards/catalog?lang={lang}&q={q}").get_data(
        as_text=True))
    assert found == ["D540-0598", "D540-0597"]


def test_active_search_answers_htmx_with_the_results_block(client):
    response = client.get("/rewards/catalog?q=%E8%8C%B6&lang=ja", headers=HX)
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "D540-0598" in item_numbers(html)
    # The count for screen readers and the filter inputs come along out of band.
    assert 'id="catalog-status" hx-swap-oob="innerHTML"' in html
    assert 'id="catalog-filters" hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_pushed_address_reloads_as_the_full_page(client):
    html = client.get("/rewards/catalog?q=%E8%8C%B6&lang=ja").get_data(as_text=True)
    assert "<html" in html and 'value="茶"' in html


@pytest.mark.parametrize("number", ["D540-0598", "d5400598", "Ｄ５４０－０５９８"])
def test_an_exact_item_number_opens_the_item(client, number):
    response = client.get("/rewards/catalog", query_string={"q": number})
    assert response.status_code == 303
    assert response.headers["Location"] == "/rewards/items/D540-0598"
    response = client.get("/rewards/catalog", query_string={"q": number}, headers=HX)
    assert response.headers["HX-Redirect"] == "/rewards/items/D540-0598"


def test_unknown_item_number_is_a_normal_search(client):
    html = client.get("/rewards/catalog?q=Z999-9999&lang=en").get_data(as_text=True)
    assert 'data-testid="catalog-no-results"' in html
    assert "Nothing matches “Z999-9999”" in html


def test_facets_show_counts_and_filter(client, db_session):
    html = client.get("/rewards/catalog?q=%E8%8C%B6&lang=ja").get_data(as_text=True)
    expected = index.run(db_session, Query("item", "ja", "茶"))
    shown = {code: int(n) for code, n in
             re.findall(r'data-testid="facet-category-(\w+)" data-count="(\d+)"', html)}
    assert shown == {code: expected.categories.get(code, 0) for code in shown}
    assert len(shown) == 6 and shown["drinks"] > 0
    bands = {int(b): int(n) for b, n in
             re.findall(r'data-testid="facet-points-(\d)" data-count="(\d+)"', html)}
    assert bands == {b: expected.bands.get(b, 0) for b in range(5)}
    html = client.get("/rewards/catalog?category=digital&points=300000-&lang=ja").get_data(
        as_text=True)
    found = item_numbers(html)
    assert "D511-0841" in found and "D540-0483" in found and "D501-1265" not in found
    assert 'data-testid="catalog-category"' in html and 'value="300000-"' in html


def test_sorting_and_pages(client, db_session):
    html = client.get("/rewards/catalog?sort=points_desc&lang=en").get_data(as_text=True)
    points = [int(p) for p in re.findall(r'data-testid="catalog-item-points" data-points="(\d+)"', html)]
    assert points == sorted(points, reverse=True) and points[0] == 420000
    second = client.get("/rewards/catalog?sort=points_desc&page=2&lang=en").get_data(as_text=True)
    assert not set(item_numbers(html)) & set(item_numbers(second))
    assert 'data-testid="catalog-prev"' in second and 'aria-current="page"' in second


def test_bad_parameters_fall_back_to_the_defaults(client):
    response = client.get("/rewards/catalog?category=cars&points=1-2&sort=random&page=x")
    assert response.status_code == 200
    assert item_numbers(response.get_data(as_text=True))[0] == "D540-0598"


def test_too_long_a_query_is_explained(client):
    html = client.get("/rewards/catalog", query_string={"q": "a" * 150, "lang": "en"}).get_data(as_text=True)
    assert "Please use at most 100 characters." in html


def test_filtered_no_results_offer_to_drop_the_filters(client):
    html = client.get("/rewards/catalog?q=%E8%8C%B6&category=travel&lang=en").get_data(as_text=True)
    assert 'data-testid="catalog-no-results"' in html
    assert 'data-testid="catalog-clear-filters"' in html


@pytest.mark.parametrize(("query", "lang", "words"), [
    ("q=zzqqxx", "en", "No item matches “zzqqxx”."),
    ("q=zzqqxx", "ja", "「zzqqxx」に一致するアイテムはありません。"),
    ("category=travel&points=4", "en", "match the chosen filters"),
    ("q=%E8%8C%B6&category=travel", "ja", "「茶」に一致するアイテムはありません。"),
])
def test_the_count_line_says_what_was_asked(client, query, lang, words):
    html = client.get(f"/rewards/catalog?{query}&lang={lang}").get_data(as_text=True)
    count = re.search(r'data-testid="catalog-count">(.*?)</p>', html, re.S).group(1)
    assert words in count and "0件" not in count and " 0 items" not in count


def test_item_page(client):
    html = client.get("/rewards/items/D515-0587?lang=ja").get_data(as_text=True)
    assert "BALMUDA バルミューダ ザ・ポット（ブラック）" in html
    assert 'data-testid="item-no">D515-0587<' in html
    assert 'data-points="32000"' in html
    html = client.get("/rewards/items/D515-0587?lang=en").get_data(as_text=True)
    assert "BALMUDA The Pot (black)" in html and "32,000 points" in html
    assert client.get("/rewards/items/d5150587").headers["Location"] == "/rewards/items/D515-0587"
    assert client.get("/rewards/items/Q000-0000").status_code == 404


def test_rewards_home_is_public_and_invites_program_administrators_to_sign_in(client):
    html = client.get("/rewards/?lang=en").get_data(as_text=True)
    assert 'data-testid="rewards-sign-in"' in html
    assert 'data-testid="points-panel"' not in html
    assert 'data-testid="rewards-category-drinks"' in html
    assert 'data-testid="menu-catalog"' in html and 'data-testid="menu-resources"' in html


# --- resource center -----------------------------------------------------------------------

def test_global_home_has_the_country_pull_down(client):
    html = client.get("/resources/?lang=ja").get_data(as_text=True)
    assert 'data-testid="rc-country-select"' in html and 'value="jp"' in html
    response = client.get("/resources/?country=jp")
    assert response.status_code == 303 and response.headers["Location"] == "/resources/jp/"
    assert client.get("/resources/JP/").headers["Location"] == "/resources/jp/"
    assert client.get("/resources/zz/").status_code == 404


def test_japanese_home_has_search_and_categories(client):
    html = client.get("/resources/jp/?lang=ja").get_data(as_text=True)
    assert 'data-testid="rc-search-form"' in html
    assert 'data-testid="rc-browse-enrollment"' in html
    assert 'data-testid="rc-guide-business-days-japan"' in html
    # The Japan-only guide is not listed for Singapore.
    html = client.get("/resources/sg/?lang=en").get_data(as_text=True)
    assert "business-days-japan" not in html


def test_resource_search_finds_guides_whichever_language_the_words_are_in(client):
    html = client.get("/resources/search?q=%E3%83%91%E3%82%B9%E3%83%AF%E3%83%BC%E3%83%89&country=JP&lang=ja").get_data(as_text=True)
    slugs = re.findall(r'data-testid="resource-result" data-slug="([^"]+)"', html)
    assert "passwords" in slugs and "forgotten-password" in slugs
    html = client.get("/resources/search?q=password&country=JP&lang=en").get_data(as_text=True)
    assert "passwords" in re.findall(r'data-testid="resource-result" data-slug="([^"]+)"', html)
    # An English word on the Japanese page (and the other way round) still finds the guide,
    # shown in the page's language.
    html = client.get("/resources/search?q=password&country=JP&lang=ja").get_data(as_text=True)
    assert "passwords" in re.findall(r'data-testid="resource-result" data-slug="([^"]+)"', html)
    assert '<html lang="ja">' in html
    html = client.get("/resources/search", query_string={"q": "パスワード", "country": "JP",
                                                          "lang": "en"}).get_data(as_text=True)
    assert "passwords" in re.findall(r'data-testid="resource-result" data-slug="([^"]+)"', html)
    html = client.get("/resources/search?q=zzqxv&country=JP&lang=ja").get_data(as_text=True)
    assert 'data-testid="rc-no-results"' in html


def test_single_kanji_finds_guides(client):
    html = client.get("/resources/search", query_string={"q": "申", "lang": "ja"}).get_data(as_text=True)
    assert "enrollment-overview" in html


def test_video_shows_transcript_and_plays_only_when_a_file_is_configured(client, app, monkeypatch):
    html = client.get("/resources/jp/articles/video-first-login?lang=en").get_data(as_text=True)
    assert 'data-testid="rc-transcript"' in html and "<video" not in html
    assert 'data-testid="rc-video-unavailable"' in html and 'datetime="PT3M5S"' in html
    monkeypatch.setitem(app.config, "RESOURCE_VIDEO_URL", "/static/videos/")
    html = client.get("/resources/jp/articles/video-first-login?lang=en").get_data(as_text=True)
    assert '<video class="rc-video" controls preload="metadata" src="/static/videos/first-login.mp4"' in html
    # A video without a file name stays a transcript.
    html = client.get("/resources/jp/articles/video-add-user?lang=en").get_data(as_text=True)
    assert "<video" not in html


def test_guide_page_and_unknown_articles(client):
    html = client.get("/resources/jp/articles/account-locked?lang=ja").get_data(as_text=True)
    assert "アカウントがロックされたとき" in html
    assert client.get("/resources/jp/articles/no-such-guide").status_code == 404
    assert client.get("/resources/sg/articles/business-days-japan").status_code == 404


# --- rendered results kept per worker (portal.search.fragments) ----------------------------

NONCE = re.compile(r"'nonce-([^']+)'")
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def page_keys():
    from portal.search.fragments import fragments

    return [key for key in fragments.cache.entries if key[1][0] == "page"]


def test_kept_pages_hold_no_nonce_or_token_and_each_response_gets_its_own(client):
    from portal.search.fragments import fragments
    from portal.templating import NONCE_MARK, TOKEN_MARK

    fragments.clear()
    path = "/rewards/catalog?q=%E8%8C%B6&lang=ja"
    first = client.get(path)
    # The results, the page's content, and (signed out) the whole page.
    assert len(fragments.cache.entries) == 3 and len(page_keys()) == 1
    second = client.get(path)
    client.get(path, headers=HX)
    assert len(fragments.cache.entries) == 4  # and the htmx swap; later answers were kept ones
    one, two = (NONCE.search(r.headers["Content-Security-Policy"]).group(1)
                for r in (first, second))
    assert one != two
    html = second.get_data(as_text=True)
    assert html.count(f'nonce="{two}"') == first.get_data(as_text=True).count(
        f'nonce="{one}"') >= 2
    assert one not in html and NONCE_MARK not in html and TOKEN_MARK not in html
    assert item_numbers(html) == item_numbers(first.get_data(as_text=True))
    token = TOKEN.search(html).group(1)
    for kept, _result in fragments.cache.entries.values():
        assert one not in kept and two not in kept and token not in kept
        assert 'data-testid="catalog-item"' in kept
    (kept_page, _result), = (fragments.cache.entries[k] for k in page_keys())
    assert NONCE_MARK in kept_page and TOKEN_MARK in kept_page
    # The token put into the kept page is this session's: htmx's POSTs with it pass.
    assert client.post("/_test/echo", headers={"X-CSRFToken": token}).status_code == 200
    assert client.post("/_test/echo").status_code == 400


def test_pages_with_flashed_messages_are_not_kept(client):
    from portal.search.fragments import fragments

    fragments.clear()
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this reader only")]
    html = client.get("/rewards/catalog?lang=en").get_data(as_text=True)
    assert "A message for this reader only" in html
    assert not page_keys() and len(fragments.cache.entries) == 2
    assert "A message for this reader only" not in client.get(
        "/rewards/catalog?lang=en").get_data(as_text=True)
    assert len(page_keys()) == 1


def test_kept_results_are_per_language(client):
    from portal.search.fragments import fragments

    fragments.clear()
    ja = client.get("/rewards/catalog?lang=ja").get_data(as_text=True)
    en = client.get("/rewards/catalog?lang=en").get_data(as_text=True)
    assert "すべてのカテゴリー" in ja and "All categories" not in ja
    assert "All categories" in en and "すべてのカテゴリー" not in en
    assert "BALMUDA The Pot (black)" in client.get(
        "/rewards/catalog?q=balmuda&lang=en").get_data(as_text=True)
    assert "BALMUDA バルミューダ" in client.get(
        "/rewards/catalog?q=balmuda&lang=ja").get_data(as_text=True)
    # The language a signed-out reader chose earlier (cookie) counts too, not only ?lang=.
    again = client.get("/rewards/catalog").get_data(as_text=True)
    assert "すべてのカテゴリー" in again


def test_kept_results_serve_the_htmx_swap_and_the_full_page(client):
    from portal.search.fragments import fragments

    fragments.clear()
    path = "/rewards/catalog?q=%E8%8C%B6&category=drinks&lang=ja"
    full = client.get(path).get_data(as_text=True)
    swap = client.get(path, headers=HX).get_data(as_text=True)
    again = client.get(path).get_data(as_text=True)
    swap_again = client.get(path, headers=HX).get_data(as_text=True)
    assert swap_again == swap
    assert len(fragments.cache.entries) == 4  # results, content, whole page, htmx swap
    assert "<html" in full and "<html" in again and "<html" not in swap
    assert 'hx-swap-oob' in swap and 'hx-swap-oob' not in full
    assert 'data-testid="catalog-category"' in swap  # the filter inputs, out of band
    assert item_numbers(full) == item_numbers(swap) == item_numbers(again)
    count = re.search(r'data-testid="catalog-count">([^<]+)<', full).group(1)
    assert count in swap and count in again


def test_kept_results_follow_the_index(client, db_session):
    from portal.search.fragments import fragments

    fragments.clear()
    path = "/resources/search?q=%E7%94%B3&lang=ja"
    before = client.get(path).get_data(as_text=True)
    assert "enrollment-overview" in before and len(fragments.cache.entries) == 3
    from portal.resources.models import Article

    db_session.get(Article, "enrollment-overview").active = False
    index.build(db_session)
    after = client.get(path).get_data(as_text=True)
    assert "enrollment-overview" not in after
    assert len(fragments.cache.entries) == 3  # the old version's entries are gone


def test_without_the_cache_nothing_is_kept(client, app, monkeypatch):
    from portal.search.fragments import fragments

    fragments.clear()
    monkeypatch.setitem(app.config, "SEARCH_CACHE_SIZE", 0)
    for headers in ({}, HX):
        response = client.get("/rewards/catalog?q=%E8%8C%B6&lang=ja", headers=headers)
        html = response.get_data(as_text=True)
        assert "D540-0598" in item_numbers(html)
        nonce = NONCE.search(response.headers["Content-Security-Policy"]).group(1)
        assert (f'nonce="{nonce}"' in html) == (headers == {})
    html = client.get("/resources/search?q=password&lang=en").get_data(as_text=True)
    assert 'data-slug="passwords"' in html and "<!--" not in html
    assert not fragments.cache.entries


def test_a_kept_page_shows_the_query_as_typed_and_its_error(client):
    from portal.search.fragments import fragments

    fragments.clear()
    for typed in ("茶", " 茶 ", "茶" + " " * 120, "茶"):
        html = client.get("/rewards/catalog", query_string={"q": typed, "lang": "ja"}
                          ).get_data(as_text=True)
        assert f'value="{typed}"' in html
        assert ('data-testid="q-error"' in html) == (len(typed) > 100)
        assert "D540-0598" in item_numbers(html)


def test_a_kept_resource_search_page_follows_the_country_list(client, db_session):
    from portal.reference.models import Country
    from portal.search.fragments import fragments

    fragments.clear()
    path = "/resources/search?q=password&lang=en"
    assert 'value="sg"' in client.get(path).get_data(as_text=True)
    db_session.get(Country, "SG").active = False
    db_session.flush()
    html = client.get(path).get_data(as_text=True)
    assert 'value="sg"' not in html and 'value="jp"' in html
    assert 'data-slug="passwords"' in html


def test_kept_pages_hold_nothing_of_the_signed_in_person(app, client, registered,  # noqa: F811
                                                         db_session):
    from portal.accounts import services as accounts
    from portal.search.fragments import fragments

    fragments.clear()
    user = registered("yamamoto01", family_name="山本", given_name="花子")
    with client.session_transaction() as session:
        session["sid"] = accounts.start_session(db_session, user)
    path = "/rewards/catalog?q=%E8%8C%B6&lang=ja"
    mine = client.get(path).get_data(as_text=True)
    assert 'data-testid="signed-in-as"' in mine and "山本 花子" in mine
    assert fragments.cache.entries and not page_keys()  # no whole page kept for a person
    for kept, _result in fragments.cache.entries.values():
        assert "山本" not in kept and "signed-in-as" not in kept
    # Somebody else, signed out, gets the kept content in a page of their own.
    theirs = app.test_client().get(path).get_data(as_text=True)
    assert "山本" not in theirs and 'data-testid="sign-in-link"' in theirs
    assert item_numbers(theirs) == item_numbers(mine)


def test_a_page_that_made_a_real_nonce_while_kept_is_not_kept(app, client, monkeypatch):
    """If something in a page made a real nonce or token (not the stand-ins), the page is
    not kept, and the response is rendered for its reader as usual."""
    from portal import security
    from portal.search.fragments import fragments

    fragments.clear()
    monkeypatch.setitem(app.jinja_env.globals, "csp_nonce", security.csp_nonce)
    for _ in range(2):
        response = client.get("/rewards/catalog?q=%E8%8C%B6&lang=ja")
        html = response.get_data(as_text=True)
        nonce = NONCE.search(response.headers["Content-Security-Policy"]).group(1)
        assert f'nonce="{nonce}"' in html and "<!--csp-nonce-->" not in html
        assert not page_keys()
        for kept, _result in fragments.cache.entries.values():
            assert nonce not in kept
