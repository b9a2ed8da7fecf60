"""MAIL-1, MAIL-2, MAIL-4 through the back office: approving an add-user application sends
both emails to a real SMTP server, with the contact ID the user got and a registration link
that opens the first-login page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from portal.backoffice import processing
from portal.mail.sender import send_due
from tests.application_factory import make_application, new_data, new_user
from tests.mail.conftest import SmtpServer, free_port


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_approval_delivers_both_emails_with_the_contact_id_and_a_working_link(
        app, db_session, staff, smtp_server):
    data = new_data([new_user(1, email="anna.smith@example.test", family_name="Smith",
                              given_name="Anna", country="JP")])
    application = make_application(db_session, "new", data=data)
    outcome = processing.approve(db_session, application, staff,
                                 base_url="http://portal.test")
    contact_id = outcome.created[0].contact_id

    report = send_due(db_session, smtp_server.config())

    assert (report.sent, report.failed) == (2, 0)
    notice, welcome = [item.message for item in smtp_server.received]
    assert all(item.rcpt_tos == ["anna.smith@example.test"] for item in smtp_server.received)
    assert plain(notice).count(contact_id) == 2  # both languages
    links = set(re.findall(r"http://portal\.test(/register/[A-Za-z0-9_-]+)", plain(welcome)))
    assert len(links) == 1
    (path,) = links

    client = app.test_client()
    page = client.get(f"{path}?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert contact_id in text  # REG-2 shows the contact ID
    assert send_due(db_session, smtp_server.config()).sent == 0  # sent once
