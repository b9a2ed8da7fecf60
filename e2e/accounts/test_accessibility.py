"""axe on the steps of first login and password reset that only a form or an emailed link
reaches (the every-page crawl follows links only), each with its errors shown, in ja and en."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.a11y import violations

from .conftest import ANSWER, PASSWORD


def check(page: Page, where: str, found: dict[str, list[str]]) -> None:
    problems = violations(page)
    if problems:
        found[where] = problems


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_first_login_steps_pass_axe_with_their_errors(browser, base_url, pending_user, lang):
    user, token = pending_user()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    page.goto(f"{base_url}/register/{token}?lang={lang}")
    page.get_by_test_id("verify-submit").click()  # nothing entered
    expect(page.get_by_test_id("verify-form-error")).to_be_visible()
    check(page, "verify, nothing entered", found)
    page.get_by_test_id("birth_day").select_option("15")
    page.get_by_test_id("birth_month").select_option("4")
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("account-submit")).to_be_visible()
    check(page, "account", found)
    page.get_by_test_id("user_id").fill(f"axe{lang}reg01")
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("password_confirm").fill(PASSWORD + "x")
    page.get_by_test_id("account-submit").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    check(page, "account, passwords differ", found)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("password_confirm").fill(PASSWORD)
    page.get_by_test_id("secret_question").select_option("FIRST_PET")
    page.get_by_test_id("secret_answer").fill(ANSWER)
    page.get_by_test_id("account-submit").click()
    expect(page.get_by_test_id("go-to-portal")).to_be_visible()
    check(page, "complete", found)
    context.close()
    assert found == {}, found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_password_reset_steps_pass_axe_with_their_errors(browser, base_url, registered_user,
                                                         lang):
    user_id = f"axe{lang}reset1"
    registered_user(user_id)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    page.goto(f"{base_url}/login?lang={lang}")
    page.get_by_test_id("forgot-password-link").click()
    page.get_by_test_id("forgot-submit").click()  # no user ID
    expect(page.locator(".field__error, .error-summary").first).to_be_visible()
    check(page, "forgot, no user ID", found)
    page.get_by_test_id("user_id").fill(user_id)
    page.get_by_test_id("forgot-submit").click()
    page.get_by_test_id("secret_answer").fill("tama")
    page.get_by_test_id("answer-submit").click()
    expect(page.get_by_test_id("answer-problem")).to_be_visible()
    check(page, "answer, wrong", found)
    page.get_by_test_id("secret_answer").fill(ANSWER)
    page.get_by_test_id("answer-submit").click()
    page.get_by_test_id("password").fill("Renewed&42")
    page.get_by_test_id("password_confirm").fill("Renewed&43")
    page.get_by_test_id("new-password-submit").click()
    expect(page.locator(".field__error").first).to_be_visible()
    check(page, "new password, they differ", found)
    context.close()
    assert found == {}, found
