"""Browser tests, ja and en: the PA reads the company's points; staff open a program, enrol a
card, import a statement and the PA sees the points arrive; axe on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.a11y import violations
from e2e.office.conftest import staff_sign_in
from portal.rewards.cards import with_check_digit
from portal.rewards.sample import CARDS

SAMPLE_PASSWORDS = {"samplepa": "Sample#pa1", "samplecontact": "Sample#co1"}


def sign_in(page: Page, url: str, user_id: str, lang: str) -> None:
    page.goto(f"{url}/login?lang={lang}")
    page.get_by_label(re.compile("ユーザーID|User ID")).first.fill(user_id)
    page.locator("input[name=password]").fill(SAMPLE_PASSWORDS[user_id])
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda u: "/login" not in u)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_pa_reads_balance_history_and_dashboard(page: Page, live_server, lang):
    url = live_server.url
    sign_in(page, url, "samplepa", lang)
    page.goto(f"{url}/rewards/?lang={lang}")
    expect(page.get_by_test_id("points-balance")).to_have_attribute("data-points", "110000")
    expect(page.get_by_test_id("points-balance")).to_contain_text(
        "110,000ポイント" if lang == "ja" else "110,000 points")
    page.get_by_test_id("points-history-link").click()
    expect(page.get_by_test_id("points-count")).to_contain_text("36")
    # Filter by card with htmx: the address follows, the rows narrow to that card.
    page.get_by_test_id("points-filter-card").select_option(label=f"SABURO TAKAHASHI ({CARDS['C'][0][-5:]})")
    page.get_by_test_id("points-filter-submit").click()
    expect(page.get_by_test_id("points-count")).to_contain_text("12")
    assert "card=" in page.url
    with page.expect_download() as download:
        page.get_by_test_id("points-csv").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        content = handle.read()
    assert content.count("\n") == 13 and "SABURO TAKAHASHI" in content
    page.goto(f"{url}/rewards/points/dashboard?lang={lang}")
    expect(page.get_by_test_id("dash-total")).to_have_attribute("data-points", "110000")
    expect(page.get_by_test_id("dash-card-row")).to_have_count(3)


def test_a_designated_third_party_sees_the_points_and_a_narrow_window_works(page: Page,
                                                                           live_server):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server.url, "samplecontact", "ja")
    page.goto(f"{live_server.url}/rewards/points/history?lang=ja")
    expect(page.get_by_test_id("points-row").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the history scrolls sideways at 375 px ({width} px)"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_rewards_pages_pass_axe(browser, live_server, lang):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "samplepa", lang)
    for path in ("/rewards/", "/rewards/points/history", "/rewards/points/history?start=x",
                 "/rewards/points/dashboard"):
        page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
        assert violations(page) == [], path
    staff_sign_in(page, live_server.url, lang)
    page.goto(f"{live_server.url}/backoffice/programs/?lang={lang}")
    assert violations(page) == []
    page.get_by_test_id("bo-program-row").first.get_by_role("link").click()
    assert violations(page) == []
    page.get_by_test_id("bo-enrol-submit").click()  # empty: errors next to the fields
    expect(page.locator(".field__error, .error-summary").first).to_be_visible()
    assert violations(page) == []
    page.goto(f"{live_server.url}/backoffice/programs/new?lang={lang}")
    assert violations(page) == []
    context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_staff_enrol_a_card_and_import_a_statement_and_the_pa_sees_the_points(
        page: Page, start_server, tmp_path, request, lang):
    request.node.allow_console_errors = True  # the bad file is answered with 422 on purpose
    server = start_server(f"points-{lang}")
    url = server.url
    staff_sign_in(page, url, lang)
    page.goto(f"{url}/backoffice/programs/?lang={lang}")
    page.get_by_test_id("bo-program-row").first.get_by_role("link").click()
    number = with_check_digit("37912345" + ("000101" if lang == "ja" else "000102"))
    page.get_by_test_id("bo-enrol-number").fill(f"{number[:4]} {number[4:10]} {number[10:]}")
    page.get_by_test_id("bo-enrol-product").select_option("corporate")
    page.get_by_test_id("bo-enrol-holder").fill("SHIRO TANAKA")
    page.get_by_test_id("bo-enrol-submit").click()
    expect(page.locator(f"[data-testid=bo-card-row][data-card='{number[-5:]}']")).to_be_visible()
    statement = tmp_path / "december.csv"
    rows = ["reference,card_number,posted_on,merchant,mcc,amount,kind",
            f"E2E-{lang}-1,{number},2099-12-01,Sample Cafe,5812,25000,purchase",
            f"E2E-{lang}-2,{CARDS['A'][0]},2099-12-02,ATM,6011,30000,cash_advance"]
    statement.write_text("\n".join(rows).replace("5812", "58", 1) + "\n", encoding="utf-8")
    page.get_by_test_id("bo-statement-file").set_input_files(str(statement))
    page.get_by_test_id("bo-statement-submit").click()
    expect(page.locator("#statement")).to_contain_text("december.csv")
    expect(page.locator("#statement")).to_contain_text("2行目" if lang == "ja" else "line 2")
    statement.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.get_by_test_id("bo-statement-file").set_input_files(str(statement))
    page.get_by_test_id("bo-statement-submit").click()
    expect(page.get_by_test_id("bo-program-balance")).to_have_attribute("data-points", "110250")
    page.context.clear_cookies()
    sign_in(page, url, "samplepa", lang)
    page.goto(f"{url}/rewards/?lang={lang}")
    expect(page.get_by_test_id("points-balance")).to_have_attribute("data-points", "110250")
    expect(page.get_by_test_id("points-latest")).to_contain_text("Sample Cafe")
