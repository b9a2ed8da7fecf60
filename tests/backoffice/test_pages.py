"""The dashboard (mail-queue and applications panels) and the mail outbox page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.backoffice.models import StaffAction
from portal.db import utcnow
from portal.mail.models import OutgoingEmail
from portal.mail.outbox import queue_email
from tests.backoffice.conftest import login_token


def make_email(db_session, n, status="queued", **values):
    email = queue_email(db_session, to=f"p{n}@example.test", subject=f"Subject {n}",
                        text="t", html="<p>t</p>", kind="test")
    email.status = status
    for key, value in values.items():
        setattr(email, key, value)
    db_session.commit()
    return email


@pytest.mark.parametrize(("lang", "texts"), [
    ("ja", ["ダッシュボード", "メールの送信状況", "送信待ち", "お申し込み", "田中 一郎でログイン中"]),
    ("en", ["Dashboard", "Mail queue", "Waiting to be sent", "Applications",
            "Signed in as 田中 一郎"]),
])
def test_dashboard_in_both_languages(signed_in, lang, texts):
    response = signed_in.get(f"/backoffice/?lang={lang}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in texts:
        assert text in page
    # The applications part is installed, so the panel links to it instead of a placeholder.
    assert 'data-testid="bo-applications-placeholder"' not in page
    assert 'href="/backoffice/applications"' in page
    assert 'data-testid="bo-signout"' in page


def test_dashboard_counts_the_mail_queue(signed_in, db_session):
    for n in range(3):
        make_email(db_session, n)
    make_email(db_session, 3, "sending")
    make_email(db_session, 4, "failed", attempts=12, last_error="boom")
    for n in range(5, 7):
        make_email(db_session, n, "sent", sent_at=utcnow())
    page = signed_in.get("/backoffice/?lang=en").get_data(as_text=True)
    assert 'data-testid="bo-count-queued">4<' in page
    assert 'data-testid="bo-count-failed">1<' in page
    assert 'data-testid="bo-count-sent">2<' in page
    assert 'data-testid="bo-mail-failed-note"' in page


def test_dashboard_without_failures_has_no_alert(signed_in):
    page = signed_in.get("/backoffice/?lang=en").get_data(as_text=True)
    assert 'data-testid="bo-count-failed">0<' in page
    assert "bo-mail-failed-note" not in page
    assert 'data-testid="staff-actions-empty"' in page


def test_mail_page_filters_by_status(signed_in, db_session):
    make_email(db_session, 1)
    failed = make_email(db_session, 2, "failed", attempts=12, last_error="550 no")
    page = signed_in.get("/backoffice/mail?status=failed&lang=en").get_data(as_text=True)
    assert page.count('data-testid="bo-mail-row"') == 1
    assert f'data-email-id="{failed.id}"' in page
    assert 'data-testid="bo-mail-retry"' in page
    page = signed_in.get("/backoffice/mail?lang=en").get_data(as_text=True)
    assert page.count('data-testid="bo-mail-row"') == 2
    # An unknown status shows everything rather than failing.
    page = signed_in.get("/backoffice/mail?status=bogus").get_data(as_text=True)
    assert page.count('data-testid="bo-mail-row"') == 2


@pytest.mark.parametrize("number", ["2", "184467440737095518", str(2**31), str(10**30)])
def test_a_mail_page_past_the_end_is_empty_not_an_error(signed_in, db_session, number):
    """The fuzz suite found a page number whose offset overflowed the driver (a 500)."""
    make_email(db_session, 1)
    response = signed_in.get(f"/backoffice/mail?page={number}&lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-testid="bo-mail-row"' not in page
    assert 'data-testid="bo-mail-empty"' in page


def test_mail_page_htmx_returns_the_results_only(signed_in, db_session):
    make_email(db_session, 1, "sent", sent_at=utcnow())
    response = signed_in.get("/backoffice/mail?status=sent", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="mail-results"') and "<html" not in page
    assert page.count('data-testid="bo-mail-row"') == 1


def test_mail_page_pages(signed_in, db_session):
    for n in range(51):
        make_email(db_session, n)
    first = signed_in.get("/backoffice/mail").get_data(as_text=True)
    assert first.count('data-testid="bo-mail-row"') == 50 and "bo-mail-older" in first
    second = signed_in.get("/backoffice/mail?page=2").get_data(as_text=True)
    assert second.count('data-testid="bo-mail-row"') == 1 and "bo-mail-newer" in second


def test_retry_a_failed_email_is_recorded(signed_in, db_session, staff):
    email = make_email(db_session, 1, "failed", attempts=12, last_error="451 busy")
    token = login_token(signed_in, f"/backoffice/mail/{email.id}")
    response = signed_in.post(f"/backoffice/mail/{email.id}/retry?lang=en",
                              data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "The email is back in the queue" in response.get_data(as_text=True)
    row = db_session.get(OutgoingEmail, email.id, populate_existing=True)
    assert (row.status, row.attempts) == ("queued", 0)
    assert row.next_attempt_at <= utcnow()
    action = db_session.scalar(select(StaffAction))
    assert (action.staff_id, action.action, action.target_type, action.target_id) == (
        staff.id, "mail.retry", "outgoing_email", str(email.id))
    assert action.details == {"attempts": 12, "last_error": "451 busy"}
    # The detail page shows the action in the audit partial.
    page = signed_in.get(f"/backoffice/mail/{email.id}?lang=en").get_data(as_text=True)
    assert 'data-action="mail.retry"' in page
    assert "Put a failed email back in the queue" in page and "田中 一郎" in page
    assert "Attempts so far" in page and "451 busy" in page


def test_retry_returns_to_the_filtered_list(signed_in, db_session):
    email = make_email(db_session, 1, "failed", attempts=3)
    token = login_token(signed_in, "/backoffice/mail?status=failed")
    response = signed_in.post(f"/backoffice/mail/{email.id}/retry",
                              data={"csrf_token": token, "next": "/backoffice/mail?status=failed"})
    assert response.headers["Location"] == "/backoffice/mail?status=failed"


def test_only_failed_emails_can_be_retried(signed_in, db_session):
    email = make_email(db_session, 1, "sent", sent_at=utcnow())
    token = login_token(signed_in, f"/backoffice/mail/{email.id}")
    page = signed_in.post(f"/backoffice/mail/{email.id}/retry?lang=en",
                          data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "Only a failed email can be sent again." in page
    assert db_session.get(OutgoingEmail, email.id, populate_existing=True).status == "sent"
    assert db_session.scalar(select(StaffAction)) is None


def test_retry_needs_staff_and_csrf(client, signed_in, db_session, app):
    email = make_email(db_session, 1, "failed")
    assert signed_in.post(f"/backoffice/mail/{email.id}/retry").status_code == 400
    anonymous = app.test_client()
    response = anonymous.post(f"/backoffice/mail/{email.id}/retry",
                              data={"csrf_token": login_token(anonymous)})
    assert response.status_code == 302 and "/backoffice/login" in response.headers["Location"]
    assert db_session.get(OutgoingEmail, email.id, populate_existing=True).status == "failed"


def test_mail_detail_hides_the_body(signed_in, db_session):
    email = queue_email(db_session, to="x@example.test", subject="Secret link",
                        text="https://portal/register/SECRET", html="<a>SECRET</a>", kind="t")
    db_session.commit()
    page = signed_in.get(f"/backoffice/mail/{email.id}").get_data(as_text=True)
    assert "Secret link" in page and "SECRET" not in page.replace("Secret link", "")


def test_unknown_email_is_404(signed_in):
    assert signed_in.get("/backoffice/mail/999999").status_code == 404
