"""The development mailbox (/dev/mail) and the send-mail command."""

from __future__ import annotations

import pytest

from portal.mail.messages import queue_new_user_emails
from portal.mail.models import OutgoingEmail
from portal.mail.outbox import queue_email
from tests.mail.conftest import new_user

URL = "http://127.0.0.1:5000/register/dev-token"


@pytest.fixture
def development(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "development")


@pytest.fixture
def queued(db_session):
    notice, welcome = queue_new_user_emails(db_session, user_like=new_user(),
                                            registration_url=URL)
    db_session.commit()
    return notice, welcome


@pytest.mark.parametrize("env", ["production", "test"])
def test_dev_mail_is_404_outside_development(client, app, monkeypatch, queued, env):
    monkeypatch.setitem(app.config, "PORTAL_ENV", env)
    notice, _welcome = queued
    for path in ("/dev/mail/", f"/dev/mail/{notice.id}", f"/dev/mail/{notice.id}/html"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "482913657" not in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_dev_mailbox_lists_every_email(client, development, queued, lang):
    page = client.get(f"/dev/mail/?lang={lang}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert {"ja": "開発用メールボックス", "en": "Development mailbox"}[lang] in text
    assert text.count('data-testid="devmail-row"') == 2
    assert "【WorkPortal】コンタクトIDのお知らせ" in text
    assert {"ja": "送信待ち", "en": "Queued"}[lang] in text


def test_dev_mailbox_when_empty(client, development):
    text = client.get("/dev/mail/?lang=en").get_data(as_text=True)
    assert 'data-testid="devmail-empty"' in text


def test_dev_message_shows_text_html_and_links(client, development, queued):
    _notice, welcome = queued
    page = client.get(f"/dev/mail/{welcome.id}?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'href="{URL}"' in text  # the link to follow the journey
    assert f'src="/dev/mail/{welcome.id}/html"' in text and "sandbox=" in text
    assert "Click here to register for WorkPortal" in text  # the text part
    assert welcome.message_id.replace("<", "&lt;").replace(">", "&gt;") in text


def test_dev_message_html_has_its_own_policy(client, development, queued):
    notice, _welcome = queued
    response = client.get(f"/dev/mail/{notice.id}/html")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "482913657" in response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "sandbox" in policy and "frame-ancestors 'self'" in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_unknown_message_is_404(client, development):
    assert client.get("/dev/mail/999999").status_code == 404


def test_send_mail_command_delivers_to_the_local_mailbox(app, development, db_session):
    email = queue_email(db_session, to="a@example.test", subject="s", text="t",
                        html="<p>t</p>", kind="test")
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "mail: 1 sent, 0 to retry, 0 failed" in result.output
    email = db_session.get(OutgoingEmail, email.id, populate_existing=True)
    assert (email.status, email.delivered_via) == ("sent", "local")


def test_send_mail_command_over_smtp(app, db_session, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", smtp_server.port)
    queue_email(db_session, to="a@example.test", subject="s", text="t", html="<p>t</p>",
                kind="test")
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output and len(smtp_server.received) == 1


def test_send_mail_command_reports_an_unreachable_server(app, db_session, monkeypatch):
    from tests.mail.conftest import free_port

    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())
    queue_email(db_session, to="a@example.test", subject="s", text="t", html="<p>t</p>",
                kind="test")
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "1 to retry" in result.output and "Connection" in result.output


def test_send_mail_command_without_a_host_says_so(app, db_session):
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "no SMTP host configured" in result.output


def test_the_sender_loop_is_a_background_worker():
    from portal.background import BACKGROUND
    from portal.mail.sender import run_forever

    assert run_forever in BACKGROUND


def test_the_loop_sends_until_stopped(app, development, db_session, monkeypatch):
    import threading

    from portal.mail.sender import run_loop

    email = queue_email(db_session, to="a@example.test", subject="s", text="t",
                        html="<p>t</p>", kind="test")
    db_session.commit()
    stop = threading.Event()
    waits = []

    def wait(seconds):  # the loop sleeps between runs: stop it after the first sleep
        waits.append(seconds)
        stop.set()
        return True

    monkeypatch.setattr(stop, "wait", wait)
    run_loop(app, stop)
    email = db_session.get(OutgoingEmail, email.id, populate_existing=True)
    assert email.status == "sent" and waits == [app.config["MAIL_POLL_SECONDS"]]
