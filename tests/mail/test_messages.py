"""MAIL-1..3: the two emails to a new user, both languages, the person's language first."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.mail.messages import (
    KIND_CONTACT_ID,
    KIND_WELCOME,
    contact_id_email,
    queue_new_user_emails,
    welcome_email,
)
from portal.mail.models import OutgoingEmail
from portal.workdays import JAPAN
from tests.mail.conftest import new_user

URL = "http://127.0.0.1:5000/register/Zx9-token_value"


def notice(language="ja", **kw):
    values = dict(family_name="佐藤", given_name="花子", language=language,
                  contact_id="482913657", brand="WorkPortal", support_phone="0120-000-000")
    values.update(kw)
    return contact_id_email(**values)


EXPIRES = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)  # 12:30 in Tokyo


def welcome(language="ja", **kw):
    values = dict(family_name="Smith", given_name="Anna", language=language,
                  registration_url=URL, brand="WorkPortal", link_expires_at=EXPIRES)
    values.update(kw)
    return welcome_email(**values)


def test_contact_id_notice_japanese_first_then_english(app):
    mail = notice("ja")
    assert mail.subject == "【WorkPortal】コンタクトIDのお知らせ / WorkPortal: your contact ID"
    ja = mail.text.index("佐藤 花子 様")
    en = mail.text.index("Dear 佐藤 花子,")  # a Japanese-script name keeps its order
    assert ja < en
    # The ID and what it is for, in both languages.
    assert mail.text.count("482913657") == 2
    assert "ヘルプデスク" in mail.text[:en] and "help desk" in mail.text[en:]
    assert "初回登録" in mail.text[:en]
    # The first line says, in English, that English follows.
    assert mail.text.splitlines()[0] == "English version below."
    assert mail.html.count("482913657") == 2
    assert '<html lang="ja">' in mail.html
    assert mail.html.index('<div lang="ja"') < mail.html.index('<div lang="en"')


def test_contact_id_notice_english_first_then_japanese(app):
    mail = notice("en", family_name="Smith", given_name="Anna")
    assert mail.subject == "WorkPortal: your contact ID / 【WorkPortal】コンタクトIDのお知らせ"
    assert mail.text.index("Dear Anna Smith,") < mail.text.index("Smith Anna 様")
    assert mail.text.splitlines()[0] == "日本語の文面は下にあります。"
    assert '<html lang="en">' in mail.html
    assert mail.html.index('<div lang="en"') < mail.html.index('<div lang="ja"')


def test_an_unknown_language_gets_japanese_first(app):
    mail = notice("fr")
    assert mail.subject.startswith("【WorkPortal】")


def test_welcome_has_the_registration_link_in_both_languages(app):
    mail = welcome("en")
    assert mail.subject == "Register for WorkPortal / 【WorkPortal】ご登録のご案内"
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', mail.html)
    texts = [text for href, text in links if href == URL]
    assert "Click here to register for WorkPortal" in texts
    assert "こちらをクリックしてWorkPortalに登録してください" in texts
    assert mail.text.count(URL) == 2
    assert "Click here to register for WorkPortal" in mail.text


def test_welcome_says_until_when_the_link_works_in_japan_time(app):
    text = welcome("en").text
    assert "until December 1, 2026 12:30" in text and "(Japan time)" in text
    assert "2026年12月1日 12:30（日本時間）" in text
    assert "until" not in welcome("en", link_expires_at=None).text


def test_names_are_escaped_in_html(app):
    mail = notice("en", family_name="<b>Smith</b>", given_name="A&B")
    assert "<b>Smith</b>" not in mail.html
    assert "&lt;b&gt;Smith&lt;/b&gt;" in mail.html and "A&amp;B" in mail.html
    assert "Dear A&B <b>Smith</b>," in mail.text  # the text part is not HTML


def test_the_brand_is_a_setting(app):
    mail = notice("en", brand="Acme Desk")
    assert "Acme Desk" in mail.subject and "WorkPortal" not in mail.text


def test_queue_new_user_emails_writes_both_rows(app, db_session):
    with app.test_request_context("/?lang=en"):
        first, second = queue_new_user_emails(db_session, user_like=new_user(),
                                               registration_url=URL)
    assert (first.kind, second.kind) == (KIND_CONTACT_ID, KIND_WELCOME)
    assert first.to_address == second.to_address == "hanako.sato@example.test"
    assert "482913657" in first.text_body and URL in second.html_body
    # The person's language, not the page's, comes first.
    assert first.subject.startswith("【WorkPortal】")
    assert first.status == second.status == "queued" and first.attempts == 0
    assert first.message_id != second.message_id
    assert first.message_id.endswith("@portal.invalid>")
    assert first.next_attempt_at <= second.next_attempt_at
    # By default the link is said to work for PORTAL_REGISTRATION_LINK_HOURS from now.
    week = (datetime.now(UTC) + timedelta(hours=168)).astimezone(JAPAN)
    assert f"{week.year}年{week.month}月" in second.text_body


def test_queueing_the_same_user_twice_writes_nothing_new(app, db_session):
    one = queue_new_user_emails(db_session, user_like=new_user(), registration_url=URL)
    two = queue_new_user_emails(db_session, user_like=new_user(), registration_url=URL)
    assert [e.id for e in one] == [e.id for e in two]
    assert db_session.scalar(select(func.count()).select_from(OutgoingEmail)) == 2


def test_queued_mail_belongs_to_the_callers_transaction(app, db_session):
    queue_new_user_emails(db_session, user_like=new_user(), registration_url=URL)
    assert db_session.scalar(select(func.count()).select_from(OutgoingEmail)) == 2
    db_session.rollback()  # the change that caused the mail did not happen
    assert db_session.scalar(select(func.count()).select_from(OutgoingEmail)) == 0


@pytest.mark.parametrize("field", ["to", "subject"])
def test_header_injection_is_refused(app, db_session, field):
    from portal.mail.outbox import queue_email

    values = dict(to="a@example.test", subject="Hello", text="t", html="<p>t</p>", kind="x")
    values[field] = values[field] + "\r\nBcc: victim@example.test"
    with pytest.raises(ValueError, match="line break"):
        queue_email(db_session, **values)


def test_a_dedupe_key_queued_by_someone_else_meanwhile_returns_their_email(db_session, monkeypatch):
    """Two transactions queue the same key at once: the unique index decides and the
    loser gets the winner's row (the check before the insert saw nothing)."""
    from portal.mail import outbox

    winner = outbox.queue_email(db_session, to="a@example.test", subject="s", text="t",
                                html="<p>t</p>", kind="x", dedupe_key="same-key")
    real = outbox._by_dedupe_key
    calls = []

    def not_yet_visible(session, key):
        calls.append(key)
        return None if len(calls) == 1 else real(session, key)

    monkeypatch.setattr(outbox, "_by_dedupe_key", not_yet_visible)
    loser = outbox.queue_email(db_session, to="a@example.test", subject="s", text="t",
                               html="<p>t</p>", kind="x", dedupe_key="same-key")
    assert loser.id == winner.id and len(calls) == 2
    assert db_session.scalar(select(func.count()).select_from(OutgoingEmail)) == 1
