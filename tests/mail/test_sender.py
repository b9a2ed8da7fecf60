"""MAIL-4: delivery over a real SMTP server, retries with backoff, nothing lost or doubled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.mail.config import MailConfig
from portal.mail.messages import queue_new_user_emails
from portal.mail.models import OutgoingEmail
from portal.mail.outbox import queue_email
from portal.mail.sender import claim_next, send_due
from portal.mail.transport import build_message
from tests.mail.conftest import new_user

REGISTRATION_URL = "http://127.0.0.1:5000/register/tok_" + "A1b2" * 10


def emails(session) -> list[OutgoingEmail]:
    return list(session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)
                                .execution_options(populate_existing=True)))


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def html(message) -> str:
    return message.get_body(("html",)).get_content()


def test_both_emails_reach_a_real_smtp_server(db_session, smtp_server):
    user = new_user(email="anna.smith@example.test", family_name="Smith",
                    given_name="Anna", language="en", contact_id="907315264")
    queue_new_user_emails(db_session, user_like=user, registration_url=REGISTRATION_URL)
    db_session.commit()

    report = send_due(db_session, smtp_server.config())

    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    notice, welcome = [item.message for item in smtp_server.received]
    for item in smtp_server.received:
        assert item.rcpt_tos == ["anna.smith@example.test"]
        assert item.mail_from == "portal@example.test"
    assert notice["To"] == "anna.smith@example.test"
    assert notice["From"] == "WorkPortal <portal@example.test>"
    assert str(notice["Subject"]) == "WorkPortal: your contact ID / 【WorkPortal】コンタクトIDのお知らせ"
    assert notice.get_content_type() == "multipart/alternative"
    # MAIL-1: the contact ID in both parts and both languages.
    assert plain(notice).count("907315264") == 2
    assert html(notice).count("907315264") == 2
    # MAIL-2: the link, whole, in the text part and behind the link text in the HTML part.
    assert plain(welcome).count(REGISTRATION_URL) == 2
    anchors = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html(welcome))
    assert (REGISTRATION_URL, "Click here to register for WorkPortal") in anchors
    assert (REGISTRATION_URL, "こちらをクリックしてWorkPortalに登録してください") in anchors
    # Each row is sent, and the server got the Message-ID the row keeps.
    rows = emails(db_session)
    assert [row.status for row in rows] == ["sent", "sent"]
    assert all(row.delivered_via == "smtp" and row.sent_at and row.attempts == 1 for row in rows)
    assert smtp_server.recorder.message_ids() == [row.message_id for row in rows]
    # A second run sends nothing again.
    assert send_due(db_session, smtp_server.config()).sent == 0
    assert len(smtp_server.received) == 2


def test_smtp_down_keeps_mail_queued_then_delivers_each_once(db_session, smtp_server):
    queue_new_user_emails(db_session, user_like=new_user(), registration_url=REGISTRATION_URL)
    db_session.commit()
    config = smtp_server.config(retry_seconds=60)
    smtp_server.stop()
    now = utcnow()

    # Each run meets the dead server once, records the attempt and stops.
    first = send_due(db_session, config, now=now)
    second = send_due(db_session, config, now=now)
    assert (first.retrying, second.retrying) == (1, 1)
    assert first.problems and "ConnectionRefusedError" in first.problems[0]
    for row in emails(db_session):
        assert row.status == "queued"
        assert row.attempts == 1
        assert row.next_attempt_at == now + timedelta(seconds=60)
        assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    # Not due yet: nothing is tried, nothing changes.
    assert not send_due(db_session, config, now=now + timedelta(seconds=30)).worked
    assert all(row.attempts == 1 for row in emails(db_session))

    # Still down at the second attempt: the wait doubles.
    later = now + timedelta(seconds=61)
    send_due(db_session, config, now=later)
    send_due(db_session, config, now=later)
    rows = emails(db_session)
    assert [row.attempts for row in rows] == [2, 2]
    assert all(row.next_attempt_at == later + timedelta(seconds=120) for row in rows)

    smtp_server.start()  # the server is back
    back = later + timedelta(seconds=121)
    report = send_due(db_session, config, now=back)
    assert report.sent == 2 and not report.problems
    assert send_due(db_session, config, now=back + timedelta(hours=1)).sent == 0
    rows = emails(db_session)
    assert [row.status for row in rows] == ["sent", "sent"]
    assert [row.attempts for row in rows] == [3, 3]
    assert all(row.last_error is None for row in rows)
    assert sorted(smtp_server.recorder.message_ids()) == sorted(r.message_id for r in rows)
    assert "482913657" in plain(smtp_server.received[0].message)


def test_after_the_last_attempt_the_email_is_failed(db_session, smtp_server):
    queue_email(db_session, to="a@example.test", subject="s", text="t", html="<p>t</p>",
                kind="test")
    db_session.commit()
    config = smtp_server.config(retry_limit=2)
    smtp_server.stop()
    now = utcnow()
    assert send_due(db_session, config, now=now).retrying == 1
    report = send_due(db_session, config, now=now + timedelta(hours=1))
    assert report.failed == 1
    [row] = emails(db_session)
    assert (row.status, row.attempts) == ("failed", 2)
    # A failed email is not tried again by the sender.
    smtp_server.start()
    assert send_due(db_session, config, now=now + timedelta(days=1)).sent == 0
    assert smtp_server.received == []


def test_a_refused_recipient_fails_at_once(db_session, smtp_server):
    queue_email(db_session, to="nobody@example.test", subject="s", text="t", html="<p>t</p>",
                kind="test")
    db_session.commit()
    smtp_server.recorder.refuse_rcpt = "550 5.1.1 No such user here"
    report = send_due(db_session, smtp_server.config())
    assert report.failed == 1
    [row] = emails(db_session)
    assert row.status == "failed" and row.attempts == 1
    assert "550" in row.last_error and "No such user" in row.last_error


def test_a_temporary_refusal_is_retried(db_session, smtp_server):
    queue_email(db_session, to="busy@example.test", subject="s", text="t", html="<p>t</p>",
                kind="test")
    db_session.commit()
    smtp_server.recorder.refuse_rcpt = "451 4.3.0 Try again later"
    now = utcnow()
    assert send_due(db_session, smtp_server.config(), now=now).retrying == 1
    [row] = emails(db_session)
    assert row.status == "queued" and "451" in row.last_error
    smtp_server.recorder.refuse_rcpt = None
    assert send_due(db_session, smtp_server.config(), now=now + timedelta(minutes=2)).sent == 1


def test_a_sender_that_died_mid_delivery_is_taken_over_after_its_lease(db_session, smtp_server):
    queue_email(db_session, to="a@example.test", subject="s", text="t", html="<p>t</p>",
                kind="test")
    db_session.commit()
    config = smtp_server.config()
    now = utcnow()
    claim = claim_next(db_session, config, now)  # ... and the process dies here
    assert claim is not None
    assert claim_next(db_session, config, now + timedelta(seconds=5)) is None  # still leased
    report = send_due(db_session, config, now=now + config.lease + timedelta(seconds=1))
    assert report.sent == 1
    [row] = emails(db_session)
    assert row.status == "sent" and row.attempts == 2 and row.claim_token is None


def test_no_smtp_host_outside_development_keeps_mail_waiting(db_session):
    queue_email(db_session, to="a@example.test", subject="s", text="t", html="<p>t</p>",
                kind="test")
    db_session.commit()
    report = send_due(db_session, MailConfig(host="", env="production"))
    assert report.waiting and "PORTAL_SMTP_HOST" in str(report)
    [row] = emails(db_session)
    assert row.status == "queued" and row.attempts == 0


def test_no_smtp_host_in_development_delivers_to_the_local_mailbox(db_session):
    queue_email(db_session, to="a@example.test", subject="s", text="t", html="<p>t</p>",
                kind="test")
    db_session.commit()
    report = send_due(db_session, MailConfig(host="", env="development"))
    assert report.sent == 1
    [row] = emails(db_session)
    assert (row.status, row.delivered_via) == ("sent", "local")


def test_backoff_doubles_up_to_the_cap():
    config = MailConfig(retry_seconds=60, retry_max_seconds=3600)
    waits = [config.backoff(n).total_seconds() for n in range(1, 9)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


@pytest.mark.parametrize("security", ["ssl", "STARTTLS ", ""])
def test_unknown_security_mode_is_refused(security):
    if security.strip().lower() == "starttls":
        assert MailConfig(security="starttls").security == "starttls"
        return
    with pytest.raises(ValueError, match="PORTAL_SMTP_SECURITY must be none, starttls or tls"):
        MailConfig(security=security)


def test_settings_are_read_from_the_app(app):
    config = MailConfig.from_config({**app.config, "SMTP_SECURITY": " STARTTLS ",
                                     "SMTP_HOST": " mail.example.test "})
    assert config.security == "starttls" and config.host == "mail.example.test"
    assert config.retry_limit == app.config["MAIL_RETRY_LIMIT"] == 12
    assert config.poll_seconds == 5


def test_message_headers(db_session):
    row = queue_email(db_session, to="a@example.test", subject="件名 / Subject",
                      text="本文", html="<p>本文</p>", kind="test")
    message = build_message(row, MailConfig(sender="no-reply@portal.invalid", brand="WorkPortal"))
    raw = message.as_bytes()
    assert b"Message-ID: " + row.message_id.encode() in raw
    assert b"Auto-Submitted: auto-generated" in raw and b"Date: " in raw
    assert message["Subject"] == "件名 / Subject"
    assert all(ord(ch) < 128 for ch in raw.decode("ascii"))  # encoded for any server
