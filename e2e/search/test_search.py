"""The catalog and the resource center in a browser, in Japanese and English: active search,
the address kept up to date, Back and reload, facets, sorting, the item-number jump, the
country switch and the resource search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.a11y import violations

COPY = {
    "ja": {"word": "コーヒー", "kana": "こーひー", "refine": "コーヒー 全自動", "guide": "パスワード",
           "title": "リワード・カタログ", "country_title": "リソース・センター：日本"},
    "en": {"word": "coffee", "kana": "COFFEE", "refine": "coffee autom", "guide": "password",
           "title": "Rewards catalog", "country_title": "Resource center: Japan"},
}


def results(page: Page):
    return page.get_by_test_id("catalog-item")


def item_numbers(page: Page) -> list[str]:
    return [e.get_attribute("data-item-no") for e in results(page).all()]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_active_search_updates_the_address_and_back_and_reload_work(page: Page, base_url, lang):
    copy = COPY[lang]
    page.goto(f"{base_url}/rewards/catalog?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(copy["title"])
    expect(results(page)).to_have_count(20)

    page.get_by_test_id("catalog-q").press_sequentially(copy["word"], delay=40)
    expect(page).to_have_url(re.compile(r"q=" + re.escape(
        {"ja": "%E3%82%B3%E3%83%BC%E3%83%92%E3%83%BC", "en": "coffee"}[lang])))
    expect(page.locator('[data-item-no="D540-1282"]')).to_be_visible()
    count_text = page.get_by_test_id("catalog-count").inner_text()
    assert copy["word"] in count_text
    first = item_numbers(page)
    assert 0 < len(first) < 20

    # Hiragana / upper case find the same items.
    page.get_by_test_id("catalog-q").fill(copy["kana"])
    expect(page).to_have_url(re.compile(r"q="))
    expect(page.get_by_test_id("catalog-count")).to_contain_text(copy["kana"])
    assert item_numbers(page) == first

    # Several words: all must match.
    page.get_by_test_id("catalog-q").fill(copy["refine"])
    expect(page.get_by_test_id("catalog-count")).to_contain_text(copy["refine"])
    assert item_numbers(page) == ["D540-1282"]

    # Back returns to the earlier search, as a full page; reload keeps the address's results.
    page.go_back()
    expect(page.get_by_test_id("catalog-q")).to_have_value(copy["kana"])
    assert item_numbers(page) == first
    page.reload()
    expect(page.get_by_test_id("catalog-q")).to_have_value(copy["kana"])
    assert item_numbers(page) == first

    # The language links follow the address htmx wrote: the other language keeps the search.
    page.get_by_test_id("catalog-q").fill(copy["refine"])
    expect(page.get_by_test_id("catalog-count")).to_contain_text(copy["refine"])
    other = "en" if lang == "ja" else "ja"
    page.get_by_test_id(f"lang-{other}").click()
    expect(page.locator("html")).to_have_attribute("lang", other)
    expect(page.get_by_test_id("catalog-q")).to_have_value(copy["refine"])
    assert item_numbers(page) == ["D540-1282"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_facets_counts_and_sorting(page: Page, base_url, lang):
    page.goto(f"{base_url}/rewards/catalog?lang={lang}")
    drinks = page.get_by_test_id("facet-category-drinks")
    expected = int(drinks.get_attribute("data-count"))
    drinks.click()
    expect(page).to_have_url(re.compile(r"category=drinks"))
    expect(page.get_by_test_id("facet-category-drinks")).to_have_attribute("aria-current", "true")
    total = min(expected, 20)
    expect(results(page)).to_have_count(total)

    top = page.get_by_test_id("facet-points-4")
    top_count = int(top.get_attribute("data-count"))
    top.click()
    expect(page).to_have_url(re.compile(r"points=300000-"))
    expect(results(page)).to_have_count(top_count)
    assert "D540-1282" in item_numbers(page)

    # Typing keeps the chosen filters (they travel with the form).
    page.get_by_test_id("facet-points-all").click()
    expect(page).not_to_have_url(re.compile(r"points="))
    page.get_by_test_id("catalog-sort").select_option("points_desc")
    expect(page).to_have_url(re.compile(r"sort=points_desc"))
    expect(page).to_have_url(re.compile(r"category=drinks"))
    points = [int(e.get_attribute("data-points"))
              for e in page.get_by_test_id("catalog-item-points").all()]
    assert points == sorted(points, reverse=True) and points[0] == 380000


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_item_number_opens_the_item(page: Page, base_url, lang):
    page.goto(f"{base_url}/rewards/catalog?lang={lang}")
    page.get_by_test_id("catalog-q").press_sequentially("ｄ５４００５９８", delay=30)
    expect(page).to_have_url(f"{base_url}/rewards/items/D540-0598")
    expect(page.get_by_test_id("item-no")).to_have_text("D540-0598")
    name = {"ja": "ザ・ペニンシュラ ブティック＆カフェ 中国茶2種ギフトセット",
            "en": "The Peninsula Boutique & Café gift set of two Chinese teas"}[lang]
    expect(page.get_by_test_id("item-name")).to_have_text(name)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_results_and_paging(page: Page, base_url, lang):
    page.goto(f"{base_url}/rewards/catalog?lang={lang}")
    page.get_by_test_id("catalog-q").fill("zqzqzq")
    expect(page.get_by_test_id("catalog-no-results")).to_be_visible()
    page.get_by_test_id("catalog-q").fill("")
    expect(results(page)).to_have_count(20)
    page.get_by_test_id("catalog-next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.get_by_test_id("catalog-page-2")).to_have_attribute("aria-current", "page")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_resource_center_country_switch_and_search(page: Page, base_url, lang):
    copy = COPY[lang]
    page.goto(f"{base_url}/resources/?lang={lang}")
    page.get_by_test_id("rc-country-select").select_option("jp")
    expect(page).to_have_url(f"{base_url}/resources/jp/")
    expect(page.get_by_test_id("rc-country-title")).to_have_text(copy["country_title"])

    page.get_by_test_id("rc-q").fill(copy["guide"])
    page.get_by_test_id("rc-search-submit").click()
    expect(page).to_have_url(re.compile(r"/resources/search\?q="))
    found = page.get_by_test_id("resource-result")
    expect(found.first).to_be_visible()
    slugs = [e.get_attribute("data-slug") for e in found.all()]
    assert "passwords" in slugs and "forgotten-password" in slugs
    page.locator('[data-testid="resource-result"][data-slug="passwords"] a').click()
    expect(page.get_by_test_id("rc-article")).to_have_attribute("data-slug", "passwords")

    # The pull-down switches country from any page (once the page's script has run: before
    # that, the Go button next to it sends the choice).
    page.wait_for_load_state()
    page.get_by_test_id("rc-country-select").select_option("sg")
    expect(page).to_have_url(f"{base_url}/resources/sg/")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_short_words_search_in_the_resource_center(page: Page, base_url, lang):
    # A single kanji in Japanese; a two-letter word start in English.
    word, slug = {"ja": ("申", "enrollment-overview"), "en": ("lo", "account-locked")}[lang]
    page.goto(f"{base_url}/resources/search?country=JP&lang={lang}")
    page.get_by_test_id("rc-q").fill(word)
    page.get_by_test_id("rc-search-submit").click()
    expect(page.locator(f'[data-testid="resource-result"][data-slug="{slug}"]')).to_be_visible()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("path", ["/rewards/", "/rewards/catalog?q=%E8%8C%B6", "/rewards/items/D540-0598",
                                  "/resources/", "/resources/jp/", "/resources/search?q=pass",
                                  "/resources/jp/articles/video-first-login"])
def test_search_pages_pass_axe(browser, base_url, path, lang):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base_url}{path}{'&' if '?' in path else '?'}lang={lang}")
    assert violations(page) == []
    context.close()


def test_narrow_window(page: Page, base_url):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base_url}/rewards/catalog?lang=ja")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{base_url}/resources/jp/?lang=en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_kept_page_runs_its_scripts_with_a_nonce_of_its_own(page: Page, base_url, lang):
    """The second load of a search is the page the server kept (one worker), with this
    response's nonce and CSRF token put in: the scripts run (the CSP allows them, and the
    console has no errors), so active search works on it."""
    copy = COPY[lang]
    path = f"{base_url}/rewards/catalog?lang={lang}&category=drinks"
    nonces = []
    tokens = []
    for _ in range(2):
        page.goto(path)
        expect(results(page)).to_have_count(20)
        nonces.append(page.locator("script[nonce]").first.evaluate("e => e.nonce"))
        tokens.append(page.locator("body").get_attribute("hx-headers"))
    assert nonces[0] and nonces[1] and nonces[0] != nonces[1]
    assert all("X-CSRFToken" in t and "<!--" not in t for t in tokens)
    page.get_by_test_id("catalog-q").press_sequentially(copy["word"], delay=40)
    expect(page).to_have_url(re.compile(r"q=.+&?"))
    expect(page.locator('[data-item-no="D540-1282"]')).to_be_visible()
    expect(page.get_by_test_id("catalog-category")).to_have_value("drinks")


@pytest.mark.parametrize(("lang", "word", "item", "shown"), [
    ("en", "コーヒー", "D540-1282", "De'Longhi"),  # a Japanese word on the English page
    ("ja", "wine", "D520-1331", "ワイン"),  # an English word on the Japanese page
])
def test_the_other_languages_words_find_the_item(page: Page, base_url, lang, word, item, shown):
    page.goto(f"{base_url}/rewards/catalog?lang={lang}")
    page.get_by_test_id("catalog-q").fill(word)
    found = page.locator(f'[data-testid="catalog-item"][data-item-no="{item}"]')
    expect(found).to_be_visible()
    expect(found).to_contain_text(shown)  # shown in the page's language
    # Each of the hint's examples finds something: try the first one.
    example = page.get_by_test_id("hint-example").first.inner_text()
    page.get_by_test_id("catalog-q").fill(example)
    expect(page.get_by_test_id("catalog-count")).to_contain_text(example)
    expect(results(page).first).to_be_visible()


@pytest.mark.parametrize(("lang", "word"), [("en", "パスワード"), ("ja", "password")])
def test_the_other_languages_words_find_the_guide(page: Page, base_url, lang, word):
    page.goto(f"{base_url}/resources/search?country=JP&lang={lang}")
    page.get_by_test_id("rc-q").fill(word)
    page.get_by_test_id("rc-search-submit").click()
    expect(page.locator('[data-testid="resource-result"][data-slug="passwords"]')).to_be_visible()
