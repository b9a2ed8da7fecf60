"""The back office in a real browser: staff sign in, see the dashboard in ja and en, sign
out; and the development mailbox on a development server."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from e2e.slow_scripts import htmx_held
from portal.backoffice.sample import SAMPLE_LOGIN, SAMPLE_PASSWORD


def sign_in(page: Page, base_url: str, password: str = SAMPLE_PASSWORD) -> None:
    page.get_by_test_id("bo-login").fill(SAMPLE_LOGIN)
    page.get_by_test_id("bo-password").fill(password)
    page.get_by_test_id("bo-login-submit").click()


def test_staff_sign_in_dashboard_in_both_languages_and_sign_out(page: Page, base_url: str):
    page.goto(f"{base_url}/backoffice/?lang=ja")
    expect(page).to_have_url(re.compile(r"/backoffice/login\?next=/backoffice/"))
    expect(page.locator("h1")).to_have_text("バックオフィスへのログイン")
    sign_in(page, base_url)

    expect(page).to_have_url(f"{base_url}/backoffice/?lang=ja")  # back where we started
    expect(page.locator("h1")).to_have_text("ダッシュボード")
    expect(page.get_by_test_id("bo-staff-name")).to_contain_text("Sample Staff")
    panel = page.get_by_test_id("bo-mail-panel")
    expect(panel).to_contain_text("メールの送信状況")
    expect(panel.get_by_test_id("bo-count-failed")).to_have_text("0")
    expect(page.get_by_test_id("bo-applications-panel")).to_contain_text("お申し込み")

    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.get_by_test_id("bo-mail-panel")).to_contain_text("Mail queue")
    expect(page.get_by_test_id("bo-open-applications")).to_have_text("Review applications")

    page.get_by_test_id("bo-nav-mail").click()
    expect(page.locator("h1")).to_have_text("Mail outbox")
    page.get_by_test_id("bo-mail-status").select_option("failed")
    expect(page).to_have_url(re.compile(r"/backoffice/mail\?status=failed"))
    expect(page.get_by_test_id("bo-mail-empty")).to_be_visible()

    page.get_by_test_id("bo-signout").click()
    expect(page).to_have_url(f"{base_url}/backoffice/login")
    expect(page.get_by_test_id("flash-success")).to_have_text(
        "You have signed out of the back office.")
    page.goto(f"{base_url}/backoffice/")
    expect(page.locator("h1")).to_have_text("Back office sign-in")


def test_a_wrong_password_gets_the_generic_message(page: Page, base_url: str, request):
    request.node.allow_console_errors = True  # the failed sign-in answers 422 (htmx swaps it)
    page.goto(f"{base_url}/backoffice/login?lang=en")
    sign_in(page, base_url, password="not the password")
    error = page.get_by_test_id("bo-login-error")
    expect(error).to_contain_text("The login name or password is not correct")
    expect(error).to_be_focused()
    expect(page.get_by_test_id("bo-login")).to_have_value(SAMPLE_LOGIN)
    expect(page.get_by_test_id("bo-password")).to_have_value("")
    # Then the right one works from the same form.
    page.get_by_test_id("bo-password").fill(SAMPLE_PASSWORD)
    page.get_by_test_id("bo-login-submit").click()
    expect(page.locator("h1")).to_have_text("Dashboard")


def test_dashboard_fits_a_narrow_window(browser, base_url: str):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{base_url}/backoffice/login")
    sign_in(page, base_url)
    expect(page.locator("h1")).to_have_text("ダッシュボード")
    expect(page.get_by_test_id("bo-signout")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways: {width}px"
    context.close()


QUEUE_EMAILS = """
from types import SimpleNamespace
from portal import create_app
from portal.extensions import db
from portal.mail import queue_new_user_emails
app = create_app()
with app.app_context():
    user = SimpleNamespace(email="hanako.sato@example.test", family_name="佐藤",
                           given_name="花子", language="ja", contact_id="482913657")
    queue_new_user_emails(db.session, user_like=user,
                          registration_url=app.config["BASE_URL"] + "/register/demo-token")
    db.session.commit()
"""


@pytest.fixture(scope="module")
def dev_server(start_server):
    server = start_server("devmail", PORTAL_ENV="development")
    subprocess.run([sys.executable, "-c", QUEUE_EMAILS], env=server.env, check=True,
                   capture_output=True)
    return server


def test_development_mailbox_shows_both_emails(page: Page, dev_server):
    url = dev_server.url
    page.goto(f"{url}/dev/mail/?lang=en")
    rows = page.get_by_test_id("devmail-row")
    expect(rows).to_have_count(2)
    expect(rows.first.get_by_test_id("mail-status")).to_have_text("Queued")

    result = dev_server.flask("send-mail")  # no SMTP host in development: local mailbox
    assert "2 sent" in result.stdout
    page.reload()
    expect(rows.first.get_by_test_id("mail-status")).to_have_text("Sent")

    page.get_by_role("link", name=re.compile("ご登録のご案内")).click()
    expect(page.get_by_test_id("devmail-subject")).to_have_text(
        "【WorkPortal】ご登録のご案内 / Register for WorkPortal")
    link = page.get_by_test_id("devmail-link")
    expect(link).to_have_attribute("href", f"{url}/register/demo-token")
    expect(page.get_by_test_id("devmail-text")).to_contain_text(
        "こちらをクリックしてWorkPortalに登録してください")
    frame = page.frame_locator("[data-testid=devmail-html]")
    expect(frame.get_by_role("link", name="Click here to register for WorkPortal")).to_have_attribute(
        "href", f"{url}/register/demo-token")

    page.get_by_test_id("devmail-back").click()
    page.get_by_role("link", name=re.compile("コンタクトIDのお知らせ")).click()
    frame = page.frame_locator("[data-testid=devmail-html]")
    expect(frame.get_by_text("482913657").first).to_be_visible()


def test_development_mailbox_is_absent_elsewhere(page: Page, base_url: str, request):
    request.node.allow_console_errors = True
    response = page.goto(f"{base_url}/dev/mail/")
    assert response.status == 404


def test_a_filter_chosen_before_the_scripts_ran_still_shows_its_results(page: Page,
                                                                         base_url: str):
    # On a slow connection staff can change the outbox's status filter before htmx has
    # loaded; the list must follow the choice without a second change.
    page.goto(f"{base_url}/backoffice/login?lang=en")
    sign_in(page, base_url)
    page.get_by_test_id("backoffice-bar").wait_for()
    with htmx_held(page):
        page.goto(f"{base_url}/backoffice/mail?lang=en", wait_until="commit")
        page.get_by_test_id("bo-mail-status").select_option("failed")
    expect(page).to_have_url(re.compile(r"/backoffice/mail\?status=failed"))
    expect(page.get_by_test_id("bo-mail-empty")).to_be_visible()
