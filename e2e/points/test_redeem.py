"""Browser tests, ja and en (issue 11): Flexible Savings with a cap hit then a valid amount,
Trip Flex below the minimum then on a real travel charge, a designated third party redeems,
axe on each page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from e2e.a11y import violations
from e2e.points.test_points import sign_in
from e2e.slow_scripts import htmx_held
from portal.rewards.sample import CARDS

MESSAGES = {
    "ja": {"unpaid": "未払い残高", "minimum": "1,000ポイント以上"},
    "en": {"unpaid": "unpaid balance", "minimum": "at least 1,000 points"},
}


@pytest.fixture(scope="module")
def redeem_server(start_server):
    """A portal of its own (the tests spend its points), with flights on the PA's card."""
    server = start_server("redeem")
    path = server.instance / "travel.csv"
    path.write_text("reference,card_number,posted_on,merchant,mcc,amount,kind\n" + "".join(
        f"E2E-AIR-{n},{CARDS['A'][0]},{date.today().isoformat()},Sample Airlines,4511,"
        "120000,purchase\n" for n in range(3)), encoding="utf-8")  # a Trip Flex uses one
    server.flask("import-statement", str(path))
    return server


def pa_card_option(page: Page) -> str:
    return f"HANAKO YAMADA ({CARDS['A'][0][-5:]})"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_flexible_savings_cap_then_a_valid_amount(page: Page, redeem_server, request, lang):
    request.node.allow_console_errors = True  # the cap is answered with 422 on purpose
    url = redeem_server.url
    sign_in(page, url, "samplepa", lang)
    page.goto(f"{url}/rewards/?lang={lang}")
    page.get_by_test_id("redeem-savings-link").click()
    page.get_by_test_id("redeem-card").select_option(label=pa_card_option(page))
    page.get_by_test_id("redeem-points").fill("99999999")  # typed while the card's part loads
    expect(page.get_by_test_id("redeem-unpaid")).to_be_visible()  # the card's cap, shown
    expect(page.get_by_test_id("redeem-points")).to_have_value("99999999")
    page.get_by_test_id("redeem-review-submit").click()
    expect(page.locator(".field__error").first).to_be_visible()
    expect(page.get_by_test_id("redeem-points")).to_have_value("99999999")  # kept
    page.get_by_test_id("redeem-points").fill("2000")
    page.get_by_test_id("redeem-review-submit").click()
    expect(page.get_by_test_id("redeem-review-yen")).to_have_attribute("data-yen", "1000")
    page.get_by_test_id("redeem-confirm").click()
    expect(page.get_by_test_id("redemption")).to_have_attribute("data-points", "2000")
    reference = page.get_by_test_id("redemption-reference").inner_text()
    page.goto(f"{url}/rewards/points/history?lang={lang}")
    expect(page.get_by_role("link", name=reference)).to_be_visible()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_trip_flex_below_the_minimum_then_on_a_real_travel_charge(page: Page, redeem_server,
                                                                  request, lang):
    request.node.allow_console_errors = True
    url = redeem_server.url
    sign_in(page, url, "samplepa", lang)
    page.goto(f"{url}/rewards/redeem/trip?lang={lang}")
    page.get_by_test_id("redeem-card").select_option(label=pa_card_option(page))
    charge = page.get_by_test_id("redeem-charge").first  # htmx brought the card's charges
    expect(charge).to_be_visible()
    charge.check()
    page.get_by_test_id("redeem-points").fill("999")
    page.get_by_test_id("redeem-review-submit").click()
    expect(page.locator("#redeem-form")).to_contain_text(MESSAGES[lang]["minimum"])
    page.get_by_test_id("redeem-charge").first.check()
    page.get_by_test_id("redeem-points").fill("1000")
    page.get_by_test_id("redeem-review-submit").click()
    expect(page.get_by_test_id("redeem-review-yen")).to_have_attribute("data-yen", "700")
    page.get_by_test_id("redeem-confirm").click()
    expect(page.get_by_test_id("redemption")).to_have_attribute("data-kind", "trip")


def test_the_card_choice_loads_charges_only_when_chosen(page: Page, redeem_server):
    """Loading the page sends nothing by itself (a replayed "change" of the untouched card
    choice once answered after the person's own choice and emptied it), and a card chosen
    before htmx has run still brings its charges once it has."""
    url = redeem_server.url
    sign_in(page, url, "samplepa", "en")
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.headers.get("hx-request") else None)
    page.goto(f"{url}/rewards/redeem/trip?lang=en")
    page.wait_for_load_state("networkidle")
    assert sent == []
    with htmx_held(page):
        page.goto(f"{url}/rewards/redeem/trip?lang=en", wait_until="commit")
        page.get_by_test_id("redeem-card").select_option(label=pa_card_option(page))
    expect(page.get_by_test_id("redeem-charge").first).to_be_visible()
    expect(page.get_by_test_id("redeem-card")).not_to_have_value("")
    assert len(sent) == 1 and "card=" in sent[0] and "csrf_token" not in sent[0]
    # The address says which card, and so does the other language's link.
    expect(page).to_have_url(re.compile(r"card=\d+"))
    page.get_by_test_id("lang-ja").click()
    expect(page.get_by_test_id("redeem-charge").first).to_be_visible()
    expect(page.get_by_test_id("redeem-card")).not_to_have_value("")


def test_a_designated_third_party_redeems(page: Page, redeem_server):
    """(Someone who is neither the PA nor designated is refused: tests/points/
    test_redeem_views.py, since the sample has no such registered user.)"""
    url = redeem_server.url
    sign_in(page, url, "samplecontact", "en")
    page.goto(f"{url}/rewards/redeem/savings?lang=en")
    page.get_by_test_id("redeem-card").select_option(label=pa_card_option(page))
    page.get_by_test_id("redeem-points").fill("10")
    page.get_by_test_id("redeem-review-submit").click()
    page.get_by_test_id("redeem-confirm").click()
    expect(page.get_by_test_id("redemption")).to_have_attribute("data-points", "10")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_redeem_pages_pass_axe(browser, redeem_server, lang):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, redeem_server.url, "samplepa", lang)
    for kind in ("savings", "trip"):
        page.goto(f"{redeem_server.url}/rewards/redeem/{kind}?lang={lang}")
        assert violations(page) == [], kind
        page.get_by_test_id("redeem-review-submit").click()  # errors shown
        expect(page.locator(".field__error").first).to_be_visible()
        assert violations(page) == [], kind
    page.goto(f"{redeem_server.url}/rewards/redeem/savings?lang={lang}")
    page.get_by_test_id("redeem-card").select_option(label=pa_card_option(page))
    page.get_by_test_id("redeem-points").fill("2")
    page.get_by_test_id("redeem-review-submit").click()
    assert violations(page) == []  # the review
    page.get_by_test_id("redeem-confirm").click()
    expect(page.get_by_test_id("redemption")).to_be_visible()
    assert violations(page) == []  # the receipt
    context.close()
