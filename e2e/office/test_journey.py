"""The whole loop in a real browser, ja and en: a person submits an add-user application in
the wizard and follows it by reference number; staff review and approve it; the new user's
two emails arrive over SMTP and the emailed link opens first-login registration."""

from __future__ import annotations

import re
from itertools import count

import pytest
from playwright.sync_api import Page, expect

from e2e.office.conftest import staff_sign_in

_numbers = count(1)
STATUS = {"ja": {"received": "受付済み", "completed": "完了"},
          "en": {"received": "Received", "completed": "Completed"}}


def put(page: Page, values: dict[str, str]) -> None:
    for testid, value in values.items():
        control = page.get_by_test_id(testid)
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)


def submit_add_user_application(page: Page, url: str, lang: str, email: str) -> str:
    """Fill the add-new-user wizard for one user with OPM in Japan; return the reference."""
    page.goto(f"{url}/enroll/new/?lang={lang}")
    page.get_by_test_id("wizard-start-button").click()
    page.get_by_test_id("applicant-mode-employee").check()
    put(page, {
        "applicant-family_name": "山田", "applicant-given_name": "花子",
        "applicant-email": "Applicant.Yamada@example.co.jp", "applicant-phone": "03-1234-5678",
        "applicant-company": "株式会社サンプル",
        "u0-family_name": "佐藤", "u0-given_name": "一郎", "u0-email": email,
        "u0-country": "JP", "u0-birth_day": "3", "u0-birth_month": "4",
        "u0-postal_code": "1000005", "u0-prefecture": "東京都", "u0-city": "千代田区",
        "u0-street": "丸の内1-1",
    })
    page.get_by_test_id("wizard-next").click()
    expect(page).to_have_url(re.compile(r"/enroll/new/step/access"))
    page.get_by_test_id("add-access-0").click()
    country = page.get_by_test_id("u0-a0-country")
    country.wait_for()
    page.wait_for_timeout(300)  # let htmx wire up the new entry before it is used
    country.select_option("JP")
    page.get_by_test_id("u0-a0-functions-OPM").check()
    page.get_by_test_id("u0-a0-cg_rest").fill("000000000001")
    page.get_by_test_id("wizard-next").click()
    expect(page).to_have_url(re.compile(r"/enroll/new/step/approvers"))
    put(page, {"ap-JP-0-0-family_name": "鈴木", "ap-JP-0-0-given_name": "次郎",
               "ap-JP-0-0-email": "suzuki@example.co.jp", "ap-JP-0-0-phone": "03-9876-5432"})
    page.get_by_test_id("ap-JP-0-0-agree").check()
    page.get_by_test_id("wizard-next").click()
    expect(page).to_have_url(re.compile(r"/enroll/new/step/review"))
    page.get_by_test_id("wizard-submit").click()
    reference = page.get_by_test_id("reference-number")
    expect(reference).to_have_text(re.compile(r"^N-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    return reference.inner_text().strip()


def track(page: Page, url: str, lang: str, reference: str) -> None:
    page.goto(f"{url}/applications/track?lang={lang}")
    page.get_by_test_id("track-reference").fill(reference.lower().replace("-", ""))
    page.get_by_test_id("track-email").fill("applicant.yamada@EXAMPLE.co.jp")
    page.get_by_test_id("track-submit").click()
    expect(page.get_by_test_id("track-result")).to_be_visible()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_apply_track_approve_and_register(page: Page, browser, office_server, smtp_server,
                                          lang):
    """The applicant uses ``page`` (console errors and failed requests fail the test)."""
    url = office_server.url
    email = f"journey.{lang}{next(_numbers)}@example.co.jp"
    reference = submit_add_user_application(page, url, lang, email)

    track(page, url, lang, reference)
    expect(page.get_by_test_id("track-status")).to_have_text(STATUS[lang]["received"])
    expect(page.get_by_test_id("track-expected")).to_be_visible()

    staff = browser.new_context(locale="ja-JP" if lang == "ja" else "en-US")
    office = staff.new_page()
    staff_sign_in(office, url, lang)
    office.get_by_test_id("bo-nav-applications").click()
    office.get_by_test_id(f"bo-app-open-{reference}").click()
    expect(office.get_by_test_id("summary-user-0-email")).to_have_text(email)
    office.get_by_test_id("bo-app-approve").click()
    expect(office.get_by_test_id("flash-success")).to_be_visible()
    contact_id = office.get_by_test_id("bo-app-contact-id-0").inner_text().strip()
    assert re.fullmatch(r"\d{9}", contact_id)
    staff.close()

    track(page, url, lang, reference)
    expect(page.get_by_test_id("track-status")).to_have_text(STATUS[lang]["completed"])

    assert " 0 failed" in office_server.flask("send-mail").stdout  # other tests may queue mail too
    mine = [item.message for item in smtp_server.received if item.rcpt_tos == [email]]
    assert len(mine) == 2
    notice, welcome = mine
    assert contact_id in notice.get_body(("plain",)).get_content()
    links = set(re.findall(re.escape(url) + r"/register/[A-Za-z0-9_-]+",
                           welcome.get_body(("plain",)).get_content()))
    assert len(links) == 1

    newcomer = browser.new_context(locale="ja-JP")
    registration = newcomer.new_page()
    registration.goto(links.pop())
    expect(registration.get_by_test_id("contact-id")).to_have_text(contact_id)
    expect(registration.get_by_test_id("verify-form")).to_be_visible()
    newcomer.close()
