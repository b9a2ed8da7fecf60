"""First login, sign-in, lock-out, password reset and sign-out in a real browser, in Japanese
and English (REG-1..6, AUTH-1..3)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.slow_scripts import htmx_held

from .conftest import ANSWER, PASSWORD

LANGS = ["ja", "en"]
TEXT = {
    "ja": {"welcome": "へようこそ", "done": "登録が完了しました", "login": "ログイン",
           "wrong": "ユーザーIDまたはパスワードが正しくありません", "locked": "ロックされます",
           "changed": "パスワードを変更しました", "question": "初めて飼ったペットの名前は？",
           "all_four": "4項目すべてが入力されています", "mismatch": "登録内容と一致しません",
           "access": "ご利用いただける機能とアクセス権"},
    "en": {"welcome": "Welcome to", "done": "Your registration is complete", "login": "Sign in",
           "wrong": "The user ID or password is not correct", "locked": "an account is locked",
           "changed": "Your password has been changed",
           "question": "What was the name of your first pet?", "all_four": "all four fields",
           "mismatch": "do not match our records", "access": "Your functions and access"},
}


def choose_credentials(page: Page, user_id: str, *, question="FIRST_PET"):
    page.get_by_test_id("user_id").fill(user_id)
    expect(page.locator("#user-id-status [data-state=available]")).to_be_visible()
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("password_confirm").fill(PASSWORD)
    page.get_by_test_id("secret_question").select_option(question)
    page.get_by_test_id("secret_answer").fill(ANSWER)
    page.get_by_test_id("account-submit").click()


def finish_and_enter(page: Page, lang: str, user_id: str, contact_id: str, name: str):
    expect(page.locator("h1")).to_have_text(TEXT[lang]["done"])
    expect(page.get_by_test_id("done-user-id")).to_have_text(user_id)
    expect(page.get_by_test_id("done-contact-id")).to_have_text(contact_id)
    expect(page.get_by_test_id("done-secret-question")).to_have_text(TEXT[lang]["question"])
    page.get_by_test_id("go-to-portal").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("home-user-name")).to_contain_text(name)
    expect(page.get_by_test_id("access-country-JP")).to_contain_text("392000000000001")
    expect(page.get_by_test_id("home-access")).to_contain_text(TEXT[lang]["access"])


def sign_in(page: Page, base_url: str, user_id: str, password: str = PASSWORD):
    page.goto(f"{base_url}/login")
    page.get_by_test_id("user_id").fill(user_id)
    page.get_by_test_id("password").fill(password)
    page.get_by_test_id("login-submit").click()


@pytest.mark.parametrize("lang", LANGS)
def test_first_login_with_birthday(page: Page, base_url, pending_user, lang, expected_422):
    user, token = pending_user()
    page.goto(f"{base_url}/register/{token}?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_contain_text(TEXT[lang]["welcome"])
    expect(page.get_by_test_id("contact-id")).to_have_text(user.contact_id)
    # All four fields filled: an error that says why, and nothing typed is lost.
    page.get_by_test_id("birth_day").select_option("15")
    page.get_by_test_id("birth_month").select_option("4")
    page.get_by_test_id("auth_word").fill("sakura")
    page.get_by_test_id("auth_pin").fill("1234")
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("verify-form-error")).to_contain_text(TEXT[lang]["all_four"])
    expect(page.get_by_test_id("verify-form-error")).to_be_focused()
    expect(page.get_by_test_id("birth_day")).to_have_value("15")
    page.get_by_test_id("auth_word").fill("")
    page.get_by_test_id("auth_pin").fill("")
    page.get_by_test_id("verify-submit").click()

    user_id = f"Bday{lang}2024"
    choose_credentials(page, user_id)
    finish_and_enter(page, lang, user_id, user.contact_id, "高橋 真理")
    # Signed out and in again with what was chosen (any case of the user ID).
    page.get_by_test_id("sign-out").click()
    sign_in(page, base_url, user_id.upper())
    expect(page.get_by_test_id("home-user-name")).to_contain_text("高橋 真理")
    # The link worked once.
    expected_422.append(r"HTTP 410: GET .*/register/")
    page.goto(f"{base_url}/register/{token}")
    expect(page.get_by_test_id("link-problem")).to_have_attribute("data-state", "used")


@pytest.mark.parametrize("lang", LANGS)
def test_first_login_with_word_and_pin(page: Page, base_url, pending_user, lang, expected_422):
    user, token = pending_user(family_name="Brown", given_name="Kim", country_code="JP",
                               auth_word="Sakura", auth_pin="2468")
    page.goto(f"{base_url}/register/{token}?lang={lang}")
    page.get_by_test_id("auth_word").fill("sakura")
    page.get_by_test_id("auth_pin").fill("1357")
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("verify-problem")).to_contain_text(TEXT[lang]["mismatch"])
    page.get_by_test_id("auth_pin").fill("2468")
    page.get_by_test_id("verify-submit").click()
    user_id = f"word{lang}2468"
    choose_credentials(page, user_id, question="BIRTH_CITY")
    expect(page.get_by_test_id("done-user-id")).to_have_text(user_id)
    page.get_by_test_id("go-to-portal").click()
    expect(page.get_by_test_id("home-user-name")).to_contain_text("Brown Kim" if lang == "ja" else "Kim Brown")  # family name first in Japanese


@pytest.mark.parametrize("lang", LANGS)
def test_a_taken_user_id_and_a_suggestion_picked(page: Page, base_url, pending_user, lang):
    user, token = pending_user()
    page.goto(f"{base_url}/register/{token}?lang={lang}")
    page.get_by_test_id("birth_day").select_option("15")
    page.get_by_test_id("birth_month").select_option("4")
    page.get_by_test_id("verify-submit").click()
    page.get_by_test_id("user_id").fill("SamplePA")  # the sample PA has it, in another case
    status = page.get_by_test_id("user-id-status")
    expect(status.locator("[data-state=taken]")).to_be_visible()
    suggestions = page.get_by_test_id("user-id-suggestions").locator("button")
    expect(suggestions).to_have_count(3)
    picked = suggestions.nth(1).get_attribute("data-value")
    assert re.fullmatch(r"SamplePA\d{2,3}", picked)
    suggestions.nth(1).click()
    expect(page.get_by_test_id("user_id")).to_have_value(picked)
    expect(page.get_by_test_id("user_id")).to_be_focused()
    expect(status.locator("[data-state=available]")).to_contain_text(picked)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("password_confirm").fill(PASSWORD)
    page.get_by_test_id("secret_question").select_option("FIRST_PET")
    page.get_by_test_id("secret_answer").fill(ANSWER)
    page.get_by_test_id("account-submit").click()
    expect(page.get_by_test_id("done-user-id")).to_have_text(picked)


@pytest.mark.parametrize("lang", LANGS)
def test_a_user_id_typed_before_the_scripts_ran_is_still_checked(page: Page, base_url,
                                                                  pending_user, lang):
    # On a slow connection a person can type before htmx has loaded; the check must not wait
    # for their next key. The account page's htmx is held back until the field is filled.
    user, token = pending_user()
    page.goto(f"{base_url}/register/{token}?lang={lang}")
    with htmx_held(page):
        page.get_by_test_id("birth_day").select_option("15")
        page.get_by_test_id("birth_month").select_option("4")
        page.get_by_test_id("verify-submit").click()
        page.wait_for_url(re.compile(r"/account$"), wait_until="commit")
        page.get_by_test_id("user_id").fill("SamplePA")
    expect(page.get_by_test_id("user-id-status").locator("[data-state=taken]")).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_lock_out_after_three_failures_and_unlock(page: Page, base_url, live_server,
                                                  registered_user, lang, expected_422):
    user_id = f"lock{lang}001"
    registered_user(user_id)
    page.goto(f"{base_url}/login?lang={lang}")
    expect(page.locator("h1")).to_contain_text(TEXT[lang]["login"])
    for attempt in range(3):
        sign_in(page, base_url, user_id, f"Wrong#{attempt}pass")
        expect(page.get_by_test_id("login-problem")).to_contain_text(TEXT[lang]["wrong"])
        expect(page.get_by_test_id("user_id")).to_have_value(user_id)
    # The right password now: still the generic answer, which names the lock rule and the
    # help desk, so a guesser learns nothing and the owner knows what to do.
    sign_in(page, base_url, user_id)
    expect(page.get_by_test_id("login-problem")).to_contain_text(TEXT[lang]["wrong"])
    expect(page.get_by_test_id("login-problem")).to_contain_text(TEXT[lang]["locked"])
    expect(page.get_by_test_id("account-home")).to_have_count(0)
    # An unknown user ID gets exactly the generic message.
    sign_in(page, base_url, "nobody0000", "Wrong#pass")
    expect(page.get_by_test_id("login-problem")).to_contain_text(TEXT[lang]["wrong"])

    result = live_server.flask("unlock-user", user_id)
    assert f"{user_id}: unlocked" in result.stdout
    sign_in(page, base_url, user_id)
    expect(page.get_by_test_id("account-home")).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_password_reset(page: Page, base_url, registered_user, lang, expected_422):
    user_id = f"reset{lang}01"
    registered_user(user_id)
    page.goto(f"{base_url}/login?lang={lang}")
    page.get_by_test_id("forgot-password-link").click()
    page.get_by_test_id("user_id").fill(user_id)
    page.get_by_test_id("forgot-submit").click()
    expect(page.get_by_test_id("answer-question")).to_have_text(TEXT[lang]["question"])
    page.get_by_test_id("secret_answer").fill("tama")
    page.get_by_test_id("answer-submit").click()
    expect(page.get_by_test_id("answer-problem")).to_be_visible()
    page.get_by_test_id("secret_answer").fill("ＰＯＣＨＩ")  # full width and capitals still match
    page.get_by_test_id("answer-submit").click()
    page.get_by_test_id("password").fill("Renewed&42")
    page.get_by_test_id("password_confirm").fill("Renewed&42")
    page.get_by_test_id("new-password-submit").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text(TEXT[lang]["changed"])
    page.get_by_test_id("user_id").fill(user_id)
    page.get_by_test_id("password").fill(PASSWORD)  # the old one no longer works
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-problem")).to_be_visible()
    expect(page.get_by_test_id("flash-success")).to_have_count(0)  # the stale note is gone
    sign_in(page, base_url, user_id, "Renewed&42")
    expect(page.get_by_test_id("account-home")).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_sign_out_then_the_old_cookie_is_refused(browser, base_url, registered_user, lang):
    user_id = f"cookie{lang}1"
    registered_user(user_id)
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(f"{base_url}/?lang={lang}")
    sign_in(page, base_url, user_id)
    expect(page.get_by_test_id("signed-in-as")).to_have_text("高橋 真理")
    copied = context.cookies()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("login-page")).to_be_visible()
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    context.close()

    replay = browser.new_context(locale="ja-JP")
    replay.add_cookies(copied)
    page = replay.new_page()
    page.goto(f"{base_url}/")
    expect(page.get_by_test_id("sign-in-link")).to_be_visible()
    expect(page.get_by_test_id("account-home")).to_have_count(0)
    replay.close()


def test_registration_and_home_fit_a_narrow_window(browser, base_url, pending_user):
    user, token = pending_user()
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{base_url}/register/{token}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_test_id("birth_day").select_option("15")
    page.get_by_test_id("birth_month").select_option("4")
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("account-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    choose_credentials(page, "narrow0375")
    page.get_by_test_id("go-to-portal").click()
    expect(page.get_by_test_id("account-home")).to_be_visible()
    expect(page.get_by_test_id("sign-out")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_a_suggestion_picked_after_a_failed_submit_clears_the_summary(page: Page, base_url,
                                                                      pending_user, expected_422):
    user, token = pending_user()
    page.goto(f"{base_url}/register/{token}?lang=en")
    page.get_by_test_id("birth_day").select_option("15")
    page.get_by_test_id("birth_month").select_option("4")
    page.get_by_test_id("verify-submit").click()
    page.get_by_test_id("user_id").fill("samplepa")
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("password_confirm").fill(PASSWORD)
    page.get_by_test_id("secret_question").select_option("FIRST_PET")
    page.get_by_test_id("secret_answer").fill(ANSWER)
    page.get_by_test_id("account-submit").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("User ID")
    suggestion = page.get_by_test_id("user-id-suggestion-0")
    picked = suggestion.get_attribute("data-value")
    suggestion.click()
    expect(page.get_by_test_id("user_id")).to_have_value(picked)
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    page.get_by_test_id("password").fill(PASSWORD)  # passwords are never sent back
    page.get_by_test_id("password_confirm").fill(PASSWORD)
    page.get_by_test_id("account-submit").click()
    expect(page.get_by_test_id("done-user-id")).to_have_text(picked)
