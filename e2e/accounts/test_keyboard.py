"""A new user's first login with the keyboard only (issue 13, item 3): the registration link,
proving who they are, choosing a user ID (a taken one, then a suggestion), password and
secret question, the portal's home, then signing out and in again. Tab, Shift+Tab, typing,
Enter and arrow keys, no mouse; after each htmx swap the focus is on what changed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.keyboard import choose_in, focused, tab_to, type_into

from .conftest import ANSWER, PASSWORD

TEXT = {
    "ja": {"all_four": "4項目すべてが入力されています", "done": "登録が完了しました",
           "wrong": "ユーザーIDまたはパスワードが正しくありません"},
    "en": {"all_four": "all four fields", "done": "Your registration is complete",
           "wrong": "The user ID or password is not correct"},
}


def enter(page: Page) -> None:
    page.keyboard.press("Enter")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_first_login_by_keyboard(page: Page, base_url, pending_user, lang, expected_422):
    user, token = pending_user()
    page.goto(f"{base_url}/register/{token}?lang={lang}")
    expect(page.get_by_test_id("contact-id")).to_have_text(user.contact_id)

    # All four fields given: the message comes in place and has the focus; what was chosen
    # stays, and Tab goes on from the message into the form.
    choose_in(page, "birth_day", "15")
    choose_in(page, "birth_month", "4")
    type_into(page, "auth_word", "sakura")
    type_into(page, "auth_pin", "1234")
    tab_to(page, "verify-submit")
    enter(page)
    problem = page.get_by_test_id("verify-form-error")
    expect(problem).to_contain_text(TEXT[lang]["all_four"])
    expect(problem).to_be_focused()
    expect(page.get_by_test_id("birth_day")).to_have_value("15")
    type_into(page, "auth_word", "")
    type_into(page, "auth_pin", "")
    enter(page)  # Enter in a field sends the form
    page.wait_for_url(re.compile(r"/account$"))

    # A taken user ID: the suggestions are the next Tab stops; picking one puts the focus
    # back in the field, which holds it.
    type_into(page, "user_id", "SamplePA")
    status = page.get_by_test_id("user-id-status")
    expect(status.locator("[data-state=taken]")).to_be_visible()
    tab_to(page, "user-id-suggestion-1", limit=3)
    picked = page.evaluate("() => document.activeElement.getAttribute('data-value')")
    assert re.fullmatch(r"SamplePA\d{2,3}", picked)
    enter(page)
    user_id = page.get_by_test_id("user_id")
    expect(user_id).to_have_value(picked)
    expect(user_id).to_be_focused()
    expect(status.locator("[data-state=available]")).to_contain_text(picked)

    # Passwords that differ: the error summary comes in place and has the focus; its link
    # leads to the field.
    type_into(page, "password", PASSWORD)
    type_into(page, "password_confirm", "Other#2pass")
    choose_in(page, "secret_question", "FIRST_PET")
    type_into(page, "secret_answer", ANSWER)
    tab_to(page, "account-submit")
    enter(page)
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    href = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert href and href.startswith("#"), focused(page)
    enter(page)
    expect(page.locator(href)).to_be_focused()
    expect(user_id).to_have_value(picked)  # nothing chosen is lost
    # Both passwords again (Shift+Tab up to the first when the link led to the second).
    if href == "#password_confirm":
        type_into(page, "password", PASSWORD, back=True)
    else:
        page.keyboard.press("Control+A")
        page.keyboard.type(PASSWORD)
    type_into(page, "password_confirm", PASSWORD)
    choose_in(page, "secret_question", "FIRST_PET")
    type_into(page, "secret_answer", ANSWER)
    enter(page)

    # Done: the way on has the focus; Enter goes into the portal.
    expect(page.locator("h1")).to_have_text(TEXT[lang]["done"])
    expect(page.get_by_test_id("done-user-id")).to_have_text(picked)
    expect(page.get_by_test_id("go-to-portal")).to_be_focused()
    enter(page)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("home-user-name")).to_contain_text("高橋 真理")

    # Sign out and in again, a wrong password first (its message has the focus).
    tab_to(page, "sign-out", back=True)
    enter(page)
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)
    page.goto(f"{base_url}/login?lang={lang}")
    type_into(page, "user_id", picked.lower())
    type_into(page, "password", "Wrong#9pass")
    enter(page)
    login_problem = page.get_by_test_id("login-problem")
    expect(login_problem).to_contain_text(TEXT[lang]["wrong"])
    expect(login_problem).to_be_focused()
    type_into(page, "password", PASSWORD)
    enter(page)
    expect(page.get_by_test_id("home-user-name")).to_contain_text("高橋 真理")
