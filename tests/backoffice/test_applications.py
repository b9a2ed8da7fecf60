"""ENR-7 pages: the list with its filters, the detail, documents, and the decisions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.backoffice.models import StaffAction
from portal.enrollment.models import Application
from portal.mail.models import OutgoingEmail
from tests.application_factory import (
    add_document,
    change_data,
    delete_data,
    make_application,
    new_data,
    new_user,
)
from tests.backoffice.conftest import login_token


def rows(page: str) -> list[str]:
    return re.findall(r'data-testid="bo-app-row" data-reference="([^"]+)"', page)


def post(client, path, data=None, token_path=None, **kwargs):
    token = login_token(client, token_path or path.rsplit("/", 1)[0] + "?lang=en")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


@pytest.fixture
def sample(db_session):
    """Four applications across kinds, statuses and dates (Japan time matters)."""
    return {
        "new": make_application(db_session, "new", reference="N-AAAA-AAAA-AAAA",
                                submitted_at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC)),
        "change": make_application(db_session, "change", reference="C-BBBB-BBBB-BBBB",
                                   data=change_data("someone1"), status="in_review",
                                   submitted_at=datetime(2026, 11, 10, 3, 0, tzinfo=UTC)),
        # 16:00 UTC on 19 November is already 20 November in Japan.
        "delete": make_application(db_session, "delete", reference="D-CCCC-CCCC-CCCC",
                                   data=delete_data("someone2"), status="rejected",
                                   decision_reason="重複",
                                   submitted_at=datetime(2026, 11, 19, 16, 0, tzinfo=UTC)),
        "done": make_application(db_session, "new", reference="N-DDDD-DDDD-DDDD",
                                 status="completed",
                                 submitted_at=datetime(2026, 11, 21, 2, 0, tzinfo=UTC)),
    }


def test_staff_only(client, sample):
    for path in ("/backoffice/applications", f"/backoffice/applications/{sample['new'].id}",
                 "/backoffice/users"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/backoffice/login" in response.headers["Location"]
    response = client.post(f"/backoffice/applications/{sample['new'].id}/approve")
    assert response.status_code in (302, 400)  # no staff, no CSRF: nothing happens
    assert client.get("/backoffice/applications", headers={"HX-Request": "true"}
                      ).headers.get("HX-Redirect", "").startswith("/backoffice/login")


def test_list_newest_first_with_counts(signed_in, sample):
    page = signed_in.get("/backoffice/applications?lang=en").get_data(as_text=True)
    assert rows(page) == ["N-DDDD-DDDD-DDDD", "D-CCCC-CCCC-CCCC", "C-BBBB-BBBB-BBBB",
                          "N-AAAA-AAAA-AAAA"]
    assert re.search(r'bo-app-count-received">Received <span[^>]*>1<', page)
    assert re.search(r'bo-app-count-all">All <span[^>]*>4<', page)


@pytest.mark.parametrize(("query", "expected"), [
    ("kind=new", ["N-DDDD-DDDD-DDDD", "N-AAAA-AAAA-AAAA"]),
    ("status=in_review", ["C-BBBB-BBBB-BBBB"]),
    ("kind=new&status=completed", ["N-DDDD-DDDD-DDDD"]),
    ("submitted_from=2026-11-10&submitted_to=2026-11-19", ["C-BBBB-BBBB-BBBB"]),
    ("submitted_from=2026-11-20", ["N-DDDD-DDDD-DDDD", "D-CCCC-CCCC-CCCC"]),
    ("submitted_to=2026-11-02", ["N-AAAA-AAAA-AAAA"]),
    ("kind=bogus&status=nope", ["N-DDDD-DDDD-DDDD", "D-CCCC-CCCC-CCCC", "C-BBBB-BBBB-BBBB",
                                "N-AAAA-AAAA-AAAA"]),
])
def test_filters(signed_in, sample, query, expected):
    response = signed_in.get(f"/backoffice/applications?{query}&lang=en")
    assert response.status_code == 200
    assert rows(response.get_data(as_text=True)) == expected


def test_a_bad_date_is_reported_and_left_out(signed_in, sample):
    page = signed_in.get("/backoffice/applications?submitted_from=2026-13-01&lang=en"
                         ).get_data(as_text=True)
    assert len(rows(page)) == 4
    assert 'data-testid="bo-app-filter-error"' in page
    page = signed_in.get("/backoffice/applications?submitted_from=2026-11-20"
                         "&submitted_to=2026-11-01&lang=en").get_data(as_text=True)
    assert "The end date must not be before the start date." in page
    assert len(rows(page)) == 2  # the start date still applies


def test_filter_messages_are_ours_in_both_languages(signed_in, sample):
    page = signed_in.get("/backoffice/applications?submitted_to=2026-02-30&lang=ja"
                         ).get_data(as_text=True)
    assert "2026-04-01のような形式で日付を入力してください。" in page
    page = signed_in.get("/backoffice/applications?q=" + "x" * 255 + "&lang=ja"
                         ).get_data(as_text=True)
    assert "254文字以内で入力してください。" in page
    assert len(rows(page)) == 4  # the query is left out, as a bad date is
    page = signed_in.get("/backoffice/applications?submitted_from=x&lang=en").get_data(
        as_text=True)
    assert "Enter a date like 2026-04-01." in page


def test_counts_follow_the_other_filters(signed_in, sample):
    page = signed_in.get("/backoffice/applications?kind=new&lang=en").get_data(as_text=True)
    assert re.search(r'bo-app-count-all">All <span[^>]*>2<', page)
    assert re.search(r'bo-app-count-completed">Completed <span[^>]*>1<', page)
    # The status links keep the kind filter.
    assert 'href="/backoffice/applications?status=received&amp;kind=new"' in page


def test_htmx_gets_only_the_results(signed_in, sample):
    response = signed_in.get("/backoffice/applications?kind=delete",
                             headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="application-results"') and "<html" not in page
    assert rows(page) == ["D-CCCC-CCCC-CCCC"]


def test_pagination(signed_in, db_session):
    for n in range(27):
        make_application(db_session, "new", reference=f"N-PAGE-{n:04d}-AAAA",
                         submitted_at=datetime(2026, 10, 1, n % 24, n, tzinfo=UTC), commit=False)
    db_session.commit()
    first = signed_in.get("/backoffice/applications?lang=en").get_data(as_text=True)
    assert len(rows(first)) == 25 and "Page 1 of 2 (27 applications)" in first
    second = signed_in.get("/backoffice/applications?page=2&lang=en").get_data(as_text=True)
    assert len(rows(second)) == 2 and not set(rows(first)) & set(rows(second))
    past = signed_in.get("/backoffice/applications?page=99&lang=en").get_data(as_text=True)
    assert rows(past) == rows(second)


@pytest.mark.parametrize(("lang", "texts"), [
    ("ja", ["お申し込み N-", "ユーザーの追加", "受付済み", "承認する", "却下する", "佐藤 花子1"]),
    ("en", ["Application N-", "Add new user", "Received", "Approve", "Reject", "佐藤 花子1"]),
])
def test_detail_shows_everything(signed_in, db_session, lang, texts):
    data = new_data([new_user(1, auth_pin="9999", auth_word="secretword")])
    application = make_application(db_session, "new", data=data)
    page = signed_in.get(f"/backoffice/applications/{application.id}?lang={lang}"
                         ).get_data(as_text=True)
    for text in texts:
        assert text in page
    for text in ("hanako1@example.test", "392000000000001", "Yamada.Taro@Example.test",
                 "suzuki@example.test", "株式会社サンプル"):
        assert text in page
    assert "9999" not in page and "secretword" not in page  # secrets are never shown
    assert 'data-testid="bo-app-start-review"' in page


def test_detail_of_change_and_delete(signed_in, sample):
    page = signed_in.get(f"/backoffice/applications/{sample['change'].id}?lang=en"
                         ).get_data(as_text=True)
    assert 'data-testid="summary-user-0-user_id">someone1<' in page
    assert 'data-testid="summary-user-0-change-0-action">Add<' in page
    assert "Reporting (Viewer)" in page
    assert 'data-testid="bo-app-start-review"' not in page  # already in review
    page = signed_in.get(f"/backoffice/applications/{sample['delete'].id}?lang=en"
                         ).get_data(as_text=True)
    assert "someone2" in page and "Left the company" in page
    assert 'data-testid="bo-app-decide"' not in page  # decided: no buttons
    assert 'data-testid="bo-app-reason">重複<' in page


def test_unknown_application_is_404(signed_in):
    assert signed_in.get("/backoffice/applications/999999").status_code == 404


def test_approve_from_the_page(signed_in, db_session):
    application = make_application(db_session, "new")
    path = f"/backoffice/applications/{application.id}"
    response = post(signed_in, f"{path}/approve", token_path=f"{path}?lang=en")
    assert response.status_code == 303 and response.headers["Location"] == path
    page = signed_in.get(f"{path}?lang=en").get_data(as_text=True)
    assert "Approved. 1 user was created and will receive two emails." in page
    contact_id = db_session.scalar(select(User.contact_id))
    assert f'data-testid="bo-app-contact-id-0">{contact_id}<' in page
    assert 'data-action="application.approve"' in page and "田中 一郎" in page
    # A second click (an old page) is told the application was decided; nothing doubles.
    response = post(signed_in, f"{path}/approve", token_path=f"{path}?lang=en",
                    follow_redirects=True)
    assert response.status_code == 200
    assert "This application has already been decided. Nothing was changed." in (
        response.get_data(as_text=True))
    assert db_session.scalar(select(func.count()).select_from(User)) == 1
    assert db_session.scalar(select(func.count()).select_from(OutgoingEmail)) == 2


def test_approve_needs_the_csrf_token(signed_in, db_session):
    application = make_application(db_session, "new")
    response = signed_in.post(f"/backoffice/applications/{application.id}/approve")
    assert response.status_code == 400
    assert db_session.get(Application, application.id, populate_existing=True).status == (
        "received")


def test_approving_what_cannot_be_applied_says_why(signed_in, db_session):
    application = make_application(db_session, "change", data=change_data("ghost77"))
    path = f"/backoffice/applications/{application.id}"
    page = post(signed_in, f"{path}/approve", token_path=f"{path}?lang=en",
                follow_redirects=True).get_data(as_text=True)
    assert "No portal user has the user ID ghost77" in page
    assert db_session.get(Application, application.id, populate_existing=True).status == (
        "received")


def test_start_review_then_reject_with_a_reason(signed_in, db_session):
    application = make_application(db_session, "new")
    path = f"/backoffice/applications/{application.id}"
    page = post(signed_in, f"{path}/start-review", token_path=f"{path}?lang=en",
                follow_redirects=True).get_data(as_text=True)
    assert "The review has started." in page and 'data-status="in_review"' in page
    # Without a reason: the form comes back with the message, nothing changes.
    response = post(signed_in, f"{path}/reject", {"reason": "  "},
                    token_path=f"{path}?lang=en")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="reason-error"' in page and "Enter the reason for rejecting" in page
    assert 'aria-describedby="reason-hint reason-error"' in page
    response = post(signed_in, f"{path}/reject", {"reason": "承認者の同意がありません。"},
                    token_path=f"{path}?lang=en", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Rejected." in page and 'data-testid="bo-app-reason">承認者の同意がありません。<' in page
    assert [a.action for a in db_session.scalars(
        select(StaffAction).where(StaffAction.target_id == str(application.id))
        .order_by(StaffAction.id))] == ["application.start_review", "application.reject"]
    # Approving a rejected application is refused.
    page = post(signed_in, f"{path}/approve", token_path=f"{path}?lang=en",
                follow_redirects=True).get_data(as_text=True)
    assert "already been decided" in page


def test_documents_are_for_staff_only(signed_in, client, app, db_session, tmp_path):
    application = make_application(db_session, "new")
    app.config["UPLOAD_DIR"] = str(tmp_path)
    try:
        document = add_document(db_session, application, tmp_path, filename="本人確認.pdf")
        path = f"/backoffice/applications/{application.id}/documents/{document.id}"
        page = signed_in.get(f"/backoffice/applications/{application.id}?lang=en"
                             ).get_data(as_text=True)
        assert f'href="{path}"' in page and "本人確認.pdf" in page
        response = signed_in.get(path)
        assert response.status_code == 200
        assert response.data == b"%PDF-1.4 test\n"
        assert response.headers["Content-Type"] == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
        assert "no-store" in response.headers["Cache-Control"]
        response.close()
        # Another application's number, or a missing file: not found.
        other = make_application(db_session, "new")
        assert signed_in.get(f"/backoffice/applications/{other.id}/documents/{document.id}"
                             ).status_code == 404
        (tmp_path / document.storage_name).unlink()
        assert signed_in.get(path).status_code == 404
        # Without a staff sign-in: the sign-in page, never the file.
        anonymous = app.test_client()
        assert anonymous.get(path).status_code == 302
    finally:
        app.config.pop("UPLOAD_DIR", None)


def test_detail_says_whether_the_named_users_exist(signed_in, db_session):
    from portal.accounts import rules, services

    user, _token = services.create_user(
        db_session, family_name="高橋", given_name="真理", email="t@example.test",
        country_code="JP", birth_day=1, birth_month=2, link_hours=24)
    user.user_id, user.user_id_folded, user.status = "Exists01", rules.fold_user_id(
        "Exists01"), "active"
    db_session.commit()
    data = change_data("exists01")
    data["users"].append({"user_id": "ghost01", "changes": data["users"][0]["changes"]})
    application = make_application(db_session, "change", data=data)
    page = signed_in.get(f"/backoffice/applications/{application.id}?lang=en"
                         ).get_data(as_text=True)
    assert f"User ID exists01: 高橋 真理, contact ID {user.contact_id} (Active)." in page
    assert 'data-problem="unknown"' in page
    assert "User ID ghost01: no portal user has this ID, so approving will fail." in page


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "but the user ID nopa0001 is not an active Program Administrator's"),
    ("ja", "nopa0001 は有効な管理責任者のユーザーIDではない"),
])
def test_detail_warns_when_a_self_declared_pa_is_not_one(signed_in, db_session, lang, text):
    data = change_data("exists01")
    data["applicant"].update(mode="pa", user_id="nopa0001")
    application = make_application(db_session, "change", data=data)
    page = signed_in.get(f"/backoffice/applications/{application.id}?lang={lang}"
                         ).get_data(as_text=True)
    assert 'data-testid="bo-app-applicant-problem"' in page and text in page
    data["applicant"]["mode"] = "other"
    through_approvers = make_application(db_session, "change", data=data)
    page = signed_in.get(f"/backoffice/applications/{through_approvers.id}?lang={lang}"
                         ).get_data(as_text=True)
    assert 'data-testid="bo-app-applicant-problem"' not in page


@pytest.mark.parametrize(("q", "expected"), [
    ("c-bbbb-bbbb-bbbb", ["C-BBBB-BBBB-BBBB"]),
    ("ＣＢＢＢＢＢＢＢＢＢＢＢＢ", ["C-BBBB-BBBB-BBBB"]),
    ("YAMADA.taro@example.test", ["N-DDDD-DDDD-DDDD", "D-CCCC-CCCC-CCCC", "C-BBBB-BBBB-BBBB",
                                  "N-AAAA-AAAA-AAAA"]),
    ("nobody@example.test", []),
    ("N-0000", []),
])
def test_find_by_reference_or_email(signed_in, sample, q, expected):
    response = signed_in.get("/backoffice/applications", query_string={"q": q, "lang": "en"})
    assert response.status_code == 200
    assert rows(response.get_data(as_text=True)) == expected
