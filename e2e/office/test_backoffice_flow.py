"""ENR-7 and AUTH-1 in a real browser: staff find an application, review and approve it, the
new user's two emails arrive over SMTP and the emailed link opens the registration page;
a rejection needs a reason; a second approval from a stale page is refused; unlocking."""

from __future__ import annotations

import re
from itertools import count

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from e2e.office.conftest import staff_sign_in
from portal.accounts import rules, services
from portal.db import utcnow
from tests.application_factory import new_data, new_reference, new_user

_numbers = count(1)
TEXT = {
    "ja": {"apps": "お申し込み", "review_started": "審査を開始しました",
           "approved": "承認しました", "in_review": "審査中", "completed": "完了"},
    "en": {"apps": "Applications", "review_started": "The review has started",
           "approved": "Approved", "in_review": "In review", "completed": "Completed"},
}


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_staff_approve_and_the_emailed_link_opens_registration(
        page: Page, office_server, application, smtp_server, lang):
    email = f"new{lang}{next(_numbers)}@example.test"
    reference = new_reference("new")
    application("new", reference=reference,
                data=new_data([new_user(1, email=email, family_name="新井",
                                        given_name="さくら")]))
    url = office_server.url
    staff_sign_in(page, url, lang)

    page.get_by_test_id("bo-nav-applications").click()
    expect(page.locator("h1")).to_have_text(TEXT[lang]["apps"])
    page.get_by_test_id("bo-app-kind").select_option("new")
    expect(page).to_have_url(re.compile(r"/backoffice/applications\?.*kind=new"))
    page.get_by_test_id("bo-app-status").select_option("received")
    expect(page).to_have_url(re.compile(r"status=received"))
    page.get_by_test_id(f"bo-app-open-{reference}").click()
    expect(page.get_by_test_id("summary-user-0-email")).to_have_text(email)

    page.get_by_test_id("bo-app-start-review").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text(TEXT[lang]["review_started"])
    expect(page.get_by_test_id("bo-app-detail").get_by_test_id("app-status")).to_have_text(
        TEXT[lang]["in_review"])

    page.get_by_test_id("bo-app-approve").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text(TEXT[lang]["approved"])
    expect(page.get_by_test_id("bo-app-detail").get_by_test_id("app-status")).to_have_text(
        TEXT[lang]["completed"])
    contact_id = page.get_by_test_id("bo-app-contact-id-0").inner_text().strip()
    assert re.fullmatch(r"\d{9}", contact_id)
    expect(page.get_by_test_id("staff-action")).to_have_count(2)
    expect(page.get_by_test_id("bo-app-decide")).to_have_count(0)

    result = office_server.flask("send-mail")  # other tests may have queued mail too
    assert " 0 failed" in result.stdout, result.stdout
    mine = [item.message for item in smtp_server.received if item.rcpt_tos == [email]]
    assert len(mine) == 2
    notice, welcome = mine
    assert plain(notice).count(contact_id) == 2
    links = set(re.findall(re.escape(url) + r"/register/[A-Za-z0-9_-]+", plain(welcome)))
    assert len(links) == 1

    page.goto(links.pop())
    expect(page.get_by_test_id("contact-id")).to_have_text(contact_id)
    expect(page.get_by_test_id("verify-form")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_a_stale_page_cannot_approve_twice(browser, office_server, application):
    reference = new_reference("new")
    created = application("new", reference=reference, data=new_data(
        [new_user(1, email=f"stale{next(_numbers)}@example.test")]))
    context = browser.new_context(locale="en-US")
    first = context.new_page()
    staff_sign_in(first, office_server.url, "en")
    detail = f"{office_server.url}/backoffice/applications/{created.id}?lang=en"
    first.goto(detail)
    second = context.new_page()
    second.goto(detail)
    first.get_by_test_id("bo-app-approve").click()
    expect(first.get_by_test_id("flash-success")).to_contain_text("1 user was created")
    second.get_by_test_id("bo-app-approve").click()
    expect(second.get_by_test_id("flash-error")).to_have_text(
        "This application has already been decided. Nothing was changed.")
    expect(second.get_by_test_id("staff-action")).to_have_count(1)
    context.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_reject_needs_a_reason_and_the_applicant_sees_it(page: Page, office_server,
                                                         application, lang, expected_422):
    reference = new_reference("change")
    created = application("change", reference=reference)
    staff_sign_in(page, office_server.url, lang)
    page.goto(f"{office_server.url}/backoffice/applications/{created.id}")
    page.get_by_test_id("bo-app-reject").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    expect(page.get_by_test_id("reason-error")).to_be_visible()
    page.get_by_test_id("bo-app-reason-input").fill("承認者の同意が確認できませんでした。")
    page.get_by_test_id("bo-app-reject").click()
    expect(page.get_by_test_id("bo-app-reason")).to_have_text("承認者の同意が確認できませんでした。")
    expect(page.get_by_test_id("staff-action")).to_have_count(1)

    page.goto(f"{office_server.url}/applications/track?lang={lang}&reference={reference}"
              "&email=yamada.taro@example.test")
    expect(page.get_by_test_id("track-reason")).to_have_text("承認者の同意が確認できませんでした。")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_staff_unlock_a_locked_user(page: Page, office_server, office_engine, lang):
    n = next(_numbers)
    with Session(office_engine, expire_on_commit=False) as session:
        user, _token = services.create_user(
            session, family_name="伊藤", given_name="健", email=f"lock{n}@example.test",
            country_code="JP", birth_day=3, birth_month=3, link_hours=24)
        user.user_id = f"Locked{lang}{n:03d}"
        user.user_id_folded = rules.fold_user_id(user.user_id)
        user.status, user.failed_logins, user.locked_at = "active", 3, utcnow()
        session.commit()
    staff_sign_in(page, office_server.url, lang)
    page.get_by_test_id("bo-nav-users").click()
    page.get_by_test_id("bo-user-q").fill(user.contact_id)
    page.get_by_test_id("bo-user-search-submit").click()
    expect(page.get_by_test_id("bo-user-id")).to_have_text(user.user_id)
    expect(page).to_have_url(re.compile(rf"/backoffice/users\?q={user.contact_id}"))
    page.get_by_test_id("bo-user-unlock").click()
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("bo-user-unlock")).to_have_count(0)
    expect(page.get_by_test_id("staff-action")).to_have_count(1)


def test_back_office_pages_fit_a_narrow_window(browser, office_server, application):
    created = application("new", reference=new_reference("new"))
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP")
    page = context.new_page()
    staff_sign_in(page, office_server.url, "ja")
    for path in ("/backoffice/applications", f"/backoffice/applications/{created.id}",
                 "/backoffice/users"):
        page.goto(office_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways: {width}px"
    context.close()


def _registered(session, user_id: str, n: int, role: str = "contact", access=()):
    user, _token = services.create_user(
        session, family_name="高橋", given_name="真理", email=f"{user_id}{n}@example.test",
        country_code="JP", birth_day=1, birth_month=2, program_role=role, access=access,
        link_hours=24)
    user.user_id, user.user_id_folded = user_id, rules.fold_user_id(user_id)
    user.status = "active"
    return user


CHANGE_TEXT = {
    "ja": {"changed": "追加したアクセス権：1件、削除したアクセス権：1件",
           "deleted": "このユーザーはログインできなくなり", "not_pa": "有効な管理責任者のユーザーIDでは"},
    "en": {"changed": "Access added: 1, removed: 1", "deleted": "can no longer sign in",
           "not_pa": "is not an active Program Administrator's"},
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_staff_apply_a_change_and_a_deletion(page: Page, office_server, office_engine,
                                             application, lang):
    """ENR-7 for the other two kinds: approving a change adds and removes access, approving
    a deletion disables the user; a change by someone who says they are a PA but is not one
    is flagged and cannot be approved."""
    from portal.accounts.models import User, UserAccess
    from tests.application_factory import change_data, delete_data

    n = next(_numbers)
    target_id, leaver_id, pa_id = f"Henkou{lang}{n:03d}", f"Sakujo{lang}{n:03d}", f"Kanri{lang}{n:03d}"
    with Session(office_engine, expire_on_commit=False) as session:
        target = _registered(session, target_id, n, access=[
            {"country_code": "JP", "function_code": "STATEMENTS",
             "control_group": "392000000000001"}])
        leaver = _registered(session, leaver_id, n)
        _registered(session, pa_id, n, role="pa")
        session.commit()
    change = application("change", reference=new_reference("change"), data=change_data(
        target_id, [{"country": "JP", "action": "add", "control_group": "392000000000002",
                     "functions": [{"function": "REPORTING", "role": "VIEWER"}]},
                    {"country": "JP", "action": "remove", "control_group": "392000000000001",
                     "functions": [{"function": "STATEMENTS", "role": None}]}]))
    deletion_data = delete_data(leaver_id)
    deletion_data["applicant"]["user_id"] = pa_id
    deletion = application("delete", reference=new_reference("delete"), data=deletion_data)
    claimed = change_data(target_id)
    claimed["applicant"].update(mode="pa", user_id=f"Nopa{lang}{n:03d}")
    not_pa = application("change", reference=new_reference("change"), data=claimed)

    url = office_server.url
    staff_sign_in(page, url, lang)
    page.goto(f"{url}/backoffice/applications/{change.id}?lang={lang}")
    expect(page.get_by_test_id("bo-app-target")).to_contain_text(target_id)
    page.get_by_test_id("bo-app-approve").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text(CHANGE_TEXT[lang]["changed"])

    page.goto(f"{url}/backoffice/applications/{deletion.id}?lang={lang}")
    expect(page.get_by_test_id("bo-app-applicant-problem")).to_have_count(0)
    page.get_by_test_id("bo-app-approve").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text(CHANGE_TEXT[lang]["deleted"])

    page.goto(f"{url}/backoffice/applications/{not_pa.id}?lang={lang}")
    expect(page.get_by_test_id("bo-app-applicant-problem")).to_contain_text(
        CHANGE_TEXT[lang]["not_pa"])
    page.get_by_test_id("bo-app-approve").click()
    expect(page.get_by_test_id("flash-error")).to_contain_text(CHANGE_TEXT[lang]["not_pa"])
    expect(page.get_by_test_id("bo-app-approve")).to_be_visible()  # still open

    with Session(office_engine) as session:
        access = {(a.function_code, a.control_group) for a in session.query(UserAccess).filter_by(
            user_id=target.id)}
        assert access == {("REPORTING", "392000000000002")}
        gone = session.get(User, leaver.id)
        assert gone.status == "disabled"
