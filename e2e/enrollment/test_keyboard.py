"""An administrator applies to add a new user with the keyboard only (issue 13, item 3): from
the enrollment page through the four steps to the reference number, Tab, Shift+Tab, typing,
Space, Enter and arrow keys, no mouse. After every swap and every page that shows errors,
the focus is where the person needs it: on the new block, the error summary, the next
approver, back on the button that opened a dialog."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from e2e.keyboard import choose_in, focus_within, focused, is_focused, tab_to, type_into
from portal.enrollment.models import Application

TEXT = {
    "ja": {"users": "ユーザー情報の入力", "access": "アクセス権の設定", "approvers": "承認者情報の入力",
           "review": "お申し込み内容の確認", "done": "お申し込みを受け付けました"},
    "en": {"users": "User information", "access": "Access", "approvers": "Approver details",
           "review": "Review", "done": "Application received"},
}


def enter(page: Page) -> None:
    page.keyboard.press("Enter")


def assert_focus(page: Page, selector: str, what: str) -> None:
    assert is_focused(page, selector), f"{what}: the focus is on {focused(page)}"


def follow_summary_link(page: Page) -> str:
    """From the focused error summary, Tab to its first link and press Enter: the focus goes
    to the field it names. Returns that field's id."""
    page.keyboard.press("Tab")
    href = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert href and href.startswith("#"), f"Tab from the summary went to {focused(page)}"
    enter(page)
    target = href[1:]
    expect(page.locator(f"[id='{target}']")).to_be_focused()
    return target


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_add_user_application_by_keyboard(page: Page, base_url, lang, expected_422,
                                          enroll_engine):
    page.goto(f"{base_url}/enroll/?lang={lang}")
    tab_to(page, "way-new")
    enter(page)
    page.wait_for_url(re.compile(r"/enroll/new/"))
    tab_to(page, "wizard-start-button")
    enter(page)
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["users"])

    # Step 1 sent empty: the page comes back with the error summary focused, and its links
    # lead to the fields.
    tab_to(page, "wizard-next")
    enter(page)
    expect(page.get_by_test_id("error-summary")).to_be_focused()
    first = follow_summary_link(page)
    assert first.startswith("applicant-"), first

    # The applicant: Shift+Tab back up from that field to the first question.
    tab_to(page, "applicant-mode-employee", back=True)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("applicant-mode-employee")).to_be_checked()
    type_into(page, "applicant-user_id", "samplepa")
    type_into(page, "applicant-family_name", "山田")
    type_into(page, "applicant-given_name", "花子")
    type_into(page, "applicant-email", "pa-keys@example.co.jp")
    type_into(page, "applicant-phone", "03-1234-5678")
    type_into(page, "applicant-company", "Example KK")
    # Shift+Tab back to a field already passed, to correct it.
    type_into(page, "applicant-given_name", "春子", back=True)

    # The first user, living in Japan: the address appears once Japan is chosen.
    type_into(page, "u0-family_name", "佐藤")
    type_into(page, "u0-given_name", "一郎")
    type_into(page, "u0-email", "ichiro-keys@example.co.jp")
    expect(page.get_by_test_id("u0-address")).to_be_hidden()
    choose_in(page, "u0-country", "JP")
    expect(page.get_by_test_id("u0-address")).to_be_visible()
    choose_in(page, "u0-birth_day", "3")
    choose_in(page, "u0-birth_month", "4")
    type_into(page, "u0-postal_code", "100-0005")
    choose_in(page, "u0-prefecture", "東京都")
    type_into(page, "u0-city", "千代田区")
    type_into(page, "u0-street", "丸の内1-1")

    # "Add user": the new block's heading has the focus; removing it puts the focus on the
    # user before it.
    tab_to(page, "add-user")
    enter(page)
    expect(page.locator("#user-1 > legend")).to_be_focused()
    tab_to(page, "remove-user-1")
    enter(page)
    expect(page.get_by_test_id("user-1")).to_have_count(0)
    expect(page.locator("#user-0 > legend")).to_be_focused()

    # Enter in a field means "Save and next".
    tab_to(page, "u0-building")
    enter(page)

    # Step 2: add access with the keyboard.
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["access"])
    tab_to(page, "add-access-0")
    enter(page)
    entry = page.get_by_test_id("access-entry-0-0")
    expect(entry.locator("summary")).to_be_focused()
    choose_in(page, "u0-a0-country", "JP")
    expect(page.get_by_test_id("u0-a0-cg_rest-prefix")).to_have_text("392")
    # The functions came in place of the box after the select; the focus stayed on it.
    assert_focus(page, "[data-testid='u0-a0-country']", "after the functions loaded")
    tab_to(page, "u0-a0-functions-OPM")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("u0-a0-functions-OPM")).to_be_checked()
    expect(page.get_by_test_id("access-summary-0-0")).to_contain_text("OPM")
    type_into(page, "u0-a0-cg_rest", "00000000001")  # one digit short

    # A second entry, added and removed: the focus goes to the list's note of the removal.
    tab_to(page, "add-access-0")
    enter(page)
    expect(page.get_by_test_id("access-entry-0-1").locator("summary")).to_be_focused()
    tab_to(page, "remove-access-0-1")
    enter(page)
    expect(page.get_by_test_id("access-entry-0-1")).to_have_count(0)
    expect(page.locator("#u0-entries [role=status]")).to_be_focused()
    assert focus_within(page, "#u0-entries")

    # Save and next with the short number: the summary has the focus, its link the field.
    tab_to(page, "wizard-next")
    enter(page)
    expect(page.get_by_test_id("error-summary")).to_be_focused()
    assert follow_summary_link(page) == "u0-a0-cg_rest"
    page.keyboard.press("Control+A")
    page.keyboard.type("000000000001")
    tab_to(page, "wizard-next")
    enter(page)

    # Step 3: the approver, the terms in a dialog, a second approver added and removed.
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["approvers"])
    p = "ap-JP-0-0-"
    type_into(page, p + "family_name", "鈴木")
    type_into(page, p + "given_name", "次郎")
    type_into(page, p + "email", "approver-keys@example.co.jp")
    type_into(page, p + "phone", "03-9876-5432")
    tab_to(page, "open-terms-JP-0-0")
    enter(page)
    dialog = page.get_by_test_id("terms-dialog")
    expect(dialog).to_be_visible()
    assert focus_within(page, "#terms-dialog"), focused(page)
    tab_to(page, "terms-close")
    enter(page)
    expect(dialog).to_be_hidden()
    assert_focus(page, "[data-testid='open-terms-JP-0-0']", "after the terms closed")
    tab_to(page, p + "agree")
    page.keyboard.press("Space")
    expect(page.get_by_test_id(p + "agree")).to_be_checked()
    tab_to(page, "add-approver-JP-0")
    enter(page)
    expect(page.locator("#approver-JP-0-1 > legend")).to_be_focused()
    tab_to(page, "remove-approver-JP-0-1")
    enter(page)
    expect(page.get_by_test_id("approver-JP-0-1")).to_have_count(0)
    expect(page.locator("#approver-JP-0-0 > legend")).to_be_focused()  # the one left
    expect(page.get_by_test_id(p + "agree")).to_be_checked()  # what was entered stays
    tab_to(page, "wizard-next")
    enter(page)

    # Step 4: a change link by keyboard and back to the review, then submit.
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["review"])
    expect(page.get_by_test_id("summary-user-0-name")).to_have_text("佐藤 一郎")
    tab_to(page, "change-user-0")
    enter(page)
    expect(page.get_by_test_id("wizard-save-review")).to_be_visible()
    type_into(page, "u0-given_name", "次郎")
    tab_to(page, "wizard-save-review")
    enter(page)
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["review"])
    expect(page.get_by_test_id("summary-user-0-name")).to_have_text("佐藤 次郎")
    expect(page.get_by_test_id("summary-applicant")).to_contain_text("春子")
    tab_to(page, "wizard-submit")
    enter(page)

    expect(page.get_by_test_id("wizard-done")).to_be_visible()
    expect(page.locator("h1")).to_have_text(TEXT[lang]["done"])
    reference = page.get_by_test_id("reference-number").inner_text()
    with Session(enroll_engine) as session:
        application = session.scalars(select(Application).where(
            Application.reference == reference)).one()
    assert application.applicant_email == "pa-keys@example.co.jp"
    assert application.language == lang
    user = application.data["users"][0]
    assert (user["family_name"], user["given_name"], user["country"]) == ("佐藤", "次郎", "JP")
    assert user["access"][0]["control_group"].endswith("000000000001")
    # The next move is in reach too.
    tab_to(page, "download-pdf")
