"""Browser tests, ja and en (issue 12): set up online access with the sample card (a wrong
code first), read the limit and the statement (month filter by htmx, CSV), change the phone
and the email address through the link sent by real SMTP; axe on each page, also in a
narrow window."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from e2e.a11y import violations
from portal.cardmember.sample import BIRTH_DATE, CARD_D, CODES, D_TODAY
from portal.rewards.sample import CARDS
from tests.mail.conftest import SmtpServer, free_port

PASSWORD = "Takahashi85"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cm_server(start_server, smtp):
    return start_server("cardmember", PORTAL_SMTP_HOST="127.0.0.1",
                        PORTAL_SMTP_PORT=str(smtp.port))


def set_up(page: Page, url: str, lang: str, number: str, code: str) -> str:
    """Online access for the sample cardmember; returns the login ID shown."""
    page.goto(f"{url}/cardmember/setup?lang={lang}")
    page.get_by_test_id("cm-number").fill(number)
    page.get_by_test_id("cm-code").fill(code)
    page.get_by_test_id("cm-setup-next").click()
    page.get_by_test_id("cm-birth-year").fill(str(BIRTH_DATE.year))
    page.get_by_test_id("cm-birth-month").select_option(str(BIRTH_DATE.month))
    page.get_by_test_id("cm-birth-day").select_option(str(BIRTH_DATE.day))
    page.get_by_test_id("cm-identity-next").click()
    login_id = page.get_by_test_id("cm-login-id").inner_text().strip()
    page.get_by_test_id("cm-password").fill(PASSWORD)
    page.get_by_test_id("cm-password-confirm").fill(PASSWORD)
    page.get_by_test_id("cm-question").select_option(index=1)
    page.get_by_test_id("cm-answer").fill("pochi")
    page.get_by_test_id("cm-account-save").click()
    expect(page.get_by_test_id("cm-setup-done")).to_be_visible()
    return login_id


def sign_in(page: Page, url: str, login_id: str, lang: str) -> None:
    page.goto(f"{url}/login?lang={lang}")
    page.get_by_label(re.compile("ユーザーID|User ID")).first.fill(login_id)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda u: "/login" not in u)


@pytest.fixture(scope="module")
def login_id(cm_server, browser) -> str:
    """The sample cardmember set up once (in English) for the tests that follow."""
    context = browser.new_context()
    found = set_up(context.new_page(), cm_server.url, "en", CARDS["C"][0], CODES["C"])
    context.close()
    return found


def test_setup_refuses_a_wrong_code_without_saying_which_part(page: Page, cm_server, request,
                                                              login_id):
    request.node.allow_console_errors = True  # the wrong code is answered with 422
    url = cm_server.url
    for lang, words in (("ja", "組み合わせに該当するカードがありません"),
                        ("en", "do not match a card we know")):
        page.goto(f"{url}/cardmember/setup?lang={lang}")
        page.get_by_test_id("cm-number").fill(CARD_D)
        page.get_by_test_id("cm-code").fill("0000")
        page.get_by_test_id("cm-setup-next").click()
        expect(page.locator("#number-field .field__error")).to_contain_text(words)
        expect(page.get_by_test_id("cm-number")).to_have_value(CARD_D)  # kept
    # The second card of someone already set up is told to sign in.
    page.get_by_test_id("cm-code").fill(CODES["D"])
    page.get_by_test_id("cm-setup-next").click()
    expect(page.get_by_test_id("cm-setup-signed-up")).to_be_visible()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_limit_and_statement(page: Page, cm_server, login_id, lang):
    url = cm_server.url
    sign_in(page, url, login_id, lang)
    page.goto(f"{url}/cardmember/?lang={lang}")
    expect(page.get_by_test_id("cm-card")).to_have_count(2)
    available = page.get_by_test_id("cm-limit").first.get_attribute("data-available")
    assert int(available) == 1_500_000 - 1_000_000 - 8_800  # card C: limit − posted − pending
    page.get_by_test_id("cm-statement-link").first.click()
    expect(page.get_by_test_id("cm-pending-row")).to_have_count(1)
    body = page.get_by_test_id("cm-statement")
    first_month = body.get_attribute("data-month")
    page.get_by_test_id("cm-filter-month").select_option(index=2)  # htmx swaps the body
    expect(body).not_to_have_attribute("data-month", first_month)
    expect(page.get_by_test_id("cm-posted-row")).to_have_count(1)
    assert "month=" in page.url  # the filter is in the address
    with page.expect_download() as download:
        page.get_by_test_id("cm-csv").click()
    assert download.value.suggested_filename.startswith("statement-")


def test_phone_change_and_email_change_by_link(page: Page, cm_server, smtp, login_id, request):
    request.node.allow_console_errors = True
    url = cm_server.url
    sign_in(page, url, login_id, "ja")
    page.goto(f"{url}/cardmember/profile/?lang=ja")
    page.get_by_test_id("cm-change-phone").locator("summary").click()
    page.get_by_test_id("cm-phone").fill("12")
    page.get_by_test_id("cm-save-phone").click()
    expect(page.locator("#phone-phone-field .field__error")).to_contain_text("10桁または11桁")
    page.get_by_test_id("cm-phone").fill("080-2222-3333")
    page.get_by_test_id("cm-save-phone").click()
    expect(page.get_by_test_id("cm-current-phone")).to_have_text("080-2222-3333")
    page.get_by_test_id("cm-change-email").locator("summary").click()
    page.get_by_test_id("cm-email").fill("saburo.new@example.com")
    page.get_by_test_id("cm-save-email").click()
    expect(page.get_by_test_id("cm-current-email")).to_have_text("saburo.takahashi@example.com")
    cm_server.flask("send-mail")
    letters = [r for r in smtp.received if "saburo.new@example.com" in r.rcpt_tos]
    assert letters, [r.rcpt_tos for r in smtp.received]
    text = letters[-1].message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/cardmember/profile/email/[\w-]+", text).group(0)
    page.goto(url + link[link.index("/cardmember"):] + "?lang=en")
    expect(page.get_by_test_id("cm-email-link")).to_have_attribute("data-ok", "true")
    page.goto(f"{url}/cardmember/profile/?lang=en")
    expect(page.get_by_test_id("cm-current-email")).to_have_text("saburo.new@example.com")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_cardmember_pages_pass_axe(browser, cm_server, login_id, lang):
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = context.new_page()
    url = cm_server.url
    page.goto(f"{url}/cardmember/setup?lang={lang}")
    assert violations(page) == []
    page.get_by_test_id("cm-setup-next").click()  # errors shown
    expect(page.locator(".field__error").first).to_be_visible()
    assert violations(page) == []
    sign_in(page, url, login_id, lang)
    for path in ("/cardmember/", "/cardmember/statement", "/cardmember/profile/"):
        page.goto(f"{url}{path}?lang={lang}")
        assert violations(page) == [], path
        page.screenshot(path=f"/tmp/cm-{path.strip('/').replace('/', '-')}-{lang}.png",
                        full_page=True)
    page.get_by_test_id("cm-change-pin").locator("summary").click()
    page.get_by_test_id("cm-save-pin").click()
    expect(page.locator(".field__error").first).to_be_visible()
    assert violations(page) == []
    context.close()


def test_setup_in_japanese_with_the_second_card(page: Page, start_server):
    """A portal of its own, so that the sample cardmember is not set up yet."""
    server = start_server("cardmember-ja")
    login = set_up(page, server.url, "ja", CARD_D, CODES["D"])
    expect(page.get_by_test_id("cm-setup-done")).to_contain_text(login)
    expect(page.get_by_test_id("cm-setup-done")).to_contain_text("ログインID")
    sign_in(page, server.url, login, "ja")
    page.goto(f"{server.url}/?lang=ja")
    page.get_by_test_id("home-my-cards").click()
    expect(page.get_by_test_id("cm-card")).to_have_count(2)  # both cards, whichever set up


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_switch_a_charge_to_revolving_and_undo(browser, cm_server, login_id, lang, request):
    """OS-6 through the preview: a monthly amount out of range is told next to the field, a
    right one shows the schedule (by htmx), confirming marks the charge on the statement,
    and undoing takes it back."""
    request.node.allow_console_errors = True  # the amount out of range is answered with 422
    context = browser.new_context(bypass_csp=True)  # for axe
    page = context.new_page()
    url = cm_server.url
    sign_in(page, url, login_id, lang)
    page.goto(f"{url}/cardmember/?lang={lang}")
    page.get_by_test_id("cm-revolving-link").click()
    merchant = D_TODAY[0][0]
    page.get_by_label(re.compile(merchant)).check()
    monthly = page.get_by_test_id("cm-revolving-monthly")
    monthly.fill("3000")
    monthly.press("Tab")  # the change event: htmx swaps the form and the schedule
    expect(page.locator("#monthly-field .field__error")).to_contain_text(
        "￥5,000" if lang == "ja" else "¥5,000")
    expect(monthly).to_have_value("3000")  # what was typed is kept
    assert violations(page) == []
    monthly.fill("10000")
    monthly.press("Tab")
    schedule = page.get_by_test_id("cm-revolving-schedule")
    expect(schedule).to_have_attribute("data-months", "7")  # 64,800 at 10,000 a month
    expect(page.locator("#monthly-field .field__error")).to_have_count(0)
    first = page.get_by_test_id("cm-revolving-month").first
    expect(first).to_have_attribute("data-fee", str(64_800 * 1500 // 120_000))
    assert "monthly=10000" in page.url  # the address follows, a bookmark shows the same
    assert violations(page) == []
    page.get_by_test_id("cm-revolving-confirm").click()
    page.wait_for_url(re.compile(r"/cardmember/statement"))
    mark = page.get_by_test_id("cm-revolving-mark")
    expect(mark).to_have_count(1)
    expect(mark).to_contain_text("10,000")
    expect(page.locator("[data-revolving='10000']")).to_contain_text(merchant)
    page.screenshot(path=f"/tmp/cm-revolving-statement-{lang}.png", full_page=True)
    page.get_by_test_id("cm-revolving-link").click()
    switch = page.get_by_test_id("cm-revolving-switch")
    expect(switch).to_have_count(1)
    page.screenshot(path=f"/tmp/cm-revolving-switched-{lang}.png", full_page=True)
    switch.get_by_test_id("cm-revolving-undo").click()
    expect(page.get_by_test_id("cm-revolving-no-switches")).to_be_visible()
    page.goto(f"{url}/cardmember/statement?lang={lang}")
    page.get_by_test_id("cm-filter-card").select_option(index=1)  # card D
    expect(page.get_by_test_id("cm-revolving-offer").first).to_be_visible()
    expect(page.get_by_test_id("cm-revolving-mark")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width", [1280, 375])
def test_revolving_page_passes_axe_and_fits(browser, cm_server, login_id, lang, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    url = cm_server.url
    sign_in(page, url, login_id, lang)
    page.goto(f"{url}/cardmember/revolving/?lang={lang}")
    assert violations(page) == []
    page.get_by_test_id("cm-revolving-preview-button").click()  # nothing chosen: errors
    expect(page.locator("#charge-field .field__error")).to_be_visible()
    assert violations(page) == []
    page.screenshot(path=f"/tmp/cm-revolving-errors-{lang}-{width}.png", full_page=True)
    page.get_by_label(re.compile(D_TODAY[0][0])).check()  # htmx: the charge's error goes
    expect(page.locator("#charge-field .field__error")).to_have_count(0)
    page.get_by_test_id("cm-revolving-monthly").fill("20000")
    page.get_by_test_id("cm-revolving-preview-button").click()
    expect(page.get_by_test_id("cm-revolving-schedule")).to_be_visible()
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=f"/tmp/cm-revolving-{lang}-{width}.png", full_page=True)
    context.close()
