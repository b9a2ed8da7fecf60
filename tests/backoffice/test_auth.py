"""Back-office sign-in and sign-out: separate from portal users, server-side sessions,
generic errors, lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.backoffice.models import Staff, StaffSession
from portal.db import utcnow
from tests.backoffice.conftest import PASSWORD, change_staff, login_token, sign_in

GENERIC = "The login name or password is not correct, or this account cannot sign in at the moment."


def staff_cookie(client):
    return client.get_cookie("portal_staff", path="/backoffice")


@pytest.mark.parametrize(("lang", "title"), [("ja", "バックオフィスへのログイン"),
                                             ("en", "Back office sign-in")])
def test_sign_in_page_in_both_languages(client, lang, title):
    response = client.get(f"/backoffice/login?lang={lang}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert title in page
    assert 'data-testid="bo-login"' in page and 'data-testid="bo-password"' in page
    assert 'autocomplete="current-password"' in page


def test_the_back_office_needs_a_sign_in(client):
    response = client.get("/backoffice/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/backoffice/login?next=/backoffice/"
    response = client.get("/backoffice/mail?status=failed")
    assert response.headers["Location"].startswith("/backoffice/login?next=/backoffice/mail")


def test_htmx_requests_are_sent_to_the_sign_in_page(client):
    response = client.get("/backoffice/mail", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/backoffice/login")


def test_sign_in_sets_a_back_office_cookie_and_opens_the_dashboard(client, staff, db_session):
    response = sign_in(client, login="TANAKA")  # the login name is not case-sensitive
    assert response.status_code == 302 and response.headers["Location"] == "/backoffice/"
    cookie = response.headers["Set-Cookie"]
    assert "portal_staff=" in cookie and "Path=/backoffice" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/backoffice/?lang=en").get_data(as_text=True)
    assert "Signed in as 田中 一郎" in page and "Dashboard" in page
    # Only a hash of the token is stored.
    stored = db_session.scalar(select(StaffSession.token_hash))
    assert stored and stored != staff_cookie(client).value


def test_sign_in_returns_to_the_page_asked_for(client, staff):
    response = sign_in(client, next="/backoffice/mail?status=failed")
    assert response.headers["Location"] == "/backoffice/mail?status=failed"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/other",
                                    "/backoffice\\..\\x", "javascript:alert(1)"])
def test_sign_in_never_leaves_the_back_office(client, staff, target):
    assert sign_in(client, next=target).headers["Location"] == "/backoffice/"


@pytest.mark.parametrize(("login", "password"), [("tanaka", "wrong password!"),
                                                 ("nobody", PASSWORD)])
def test_failures_say_the_same_thing(client, staff, login, password):
    response = sign_in(client, login=login, password=password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert GENERIC in page
    assert f'value="{login}"' in page  # what was typed stays
    assert PASSWORD not in page and "wrong password!" not in page
    assert staff_cookie(client) is None


def test_failure_message_in_japanese(client, staff):
    page = sign_in(client, password="nope", lang="ja").get_data(as_text=True)
    assert "ログイン名またはパスワードが正しくないか" in page


def test_empty_fields_get_messages_next_to_them(client, staff):
    token = login_token(client)
    response = client.post("/backoffice/login?lang=en",
                           data={"csrf_token": token, "login": "", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="login-error"' in page and "Enter your login name." in page
    assert 'id="password-error"' in page and "Enter your password." in page


def test_htmx_failure_returns_the_form_only(client, staff):
    token = login_token(client)
    response = client.post("/backoffice/login", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "login": "tanaka", "password": "x"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith("<form") and "<html" not in page


def test_htmx_success_redirects_with_a_header(client, staff):
    token = login_token(client)
    response = client.post("/backoffice/login", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "login": "tanaka", "password": PASSWORD})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/backoffice/"
    assert staff_cookie(client) is not None


def test_sign_in_needs_the_csrf_token(client, staff):
    response = client.post("/backoffice/login", data={"login": "tanaka", "password": PASSWORD})
    assert response.status_code == 400
    assert staff_cookie(client) is None


def test_five_failures_pause_the_account(client, staff, db_session):
    for _ in range(4):
        assert sign_in(client, password="wrong").status_code == 422
    assert db_session.get(Staff, staff.id, populate_existing=True).failed_logins == 4
    sign_in(client, password="wrong")  # the fifth
    member = db_session.get(Staff, staff.id, populate_existing=True)
    assert member.locked_until is not None and member.locked_until > utcnow() + timedelta(minutes=14)
    # Even the right password does not work now, and the message is the same.
    response = sign_in(client)
    assert response.status_code == 422 and GENERIC in response.get_data(as_text=True)
    # When the pause is over, the right password works.
    change_staff(db_session, staff, locked_until=utcnow() - timedelta(seconds=1))
    assert sign_in(client).status_code == 302
    assert db_session.get(Staff, staff.id, populate_existing=True).failed_logins == 0


def test_a_success_resets_the_failure_count(client, staff, db_session):
    for _ in range(3):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302
    assert db_session.get(Staff, staff.id, populate_existing=True).failed_logins == 0


def test_an_inactive_account_cannot_sign_in(client, staff, db_session):
    change_staff(db_session, staff, active=False)
    response = sign_in(client)
    assert response.status_code == 422 and GENERIC in response.get_data(as_text=True)


def test_sign_out_kills_a_copied_cookie(app, signed_in, db_session):
    stolen = staff_cookie(signed_in).value
    assert signed_in.get("/backoffice/").status_code == 200
    token = login_token(signed_in, "/backoffice/")
    response = signed_in.post("/backoffice/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/backoffice/login"
    assert "portal_staff=;" in response.headers["Set-Cookie"]
    assert db_session.scalar(select(func.count()).select_from(StaffSession)) == 0
    assert signed_in.get("/backoffice/").status_code == 302
    # Someone who copied the cookie before sign-out gets nowhere.
    other = app.test_client()
    other.set_cookie("portal_staff", stolen, path="/backoffice")
    assert other.get("/backoffice/").status_code == 302


def test_sign_out_needs_the_csrf_token(signed_in):
    assert signed_in.post("/backoffice/logout").status_code == 400
    assert signed_in.get("/backoffice/").status_code == 200


def test_sign_out_message(signed_in):
    token = login_token(signed_in, "/backoffice/")
    page = signed_in.post("/backoffice/logout?lang=en", data={"csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
    assert "You have signed out of the back office." in page


def test_an_idle_session_ends(signed_in, db_session):
    record = db_session.scalar(select(StaffSession))
    record.last_seen_at = utcnow() - timedelta(minutes=61)
    db_session.commit()
    assert signed_in.get("/backoffice/").status_code == 302
    assert db_session.scalar(select(func.count()).select_from(StaffSession)) == 0


def test_a_session_ends_after_its_lifetime_even_when_active(signed_in, db_session):
    record = db_session.scalar(select(StaffSession))
    record.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert signed_in.get("/backoffice/").status_code == 302


def test_activity_keeps_a_session_alive(signed_in, db_session):
    record = db_session.scalar(select(StaffSession))
    record.last_seen_at = utcnow() - timedelta(minutes=50)
    db_session.commit()
    assert signed_in.get("/backoffice/").status_code == 200
    record = db_session.scalar(select(StaffSession).execution_options(populate_existing=True))
    assert record.last_seen_at > utcnow() - timedelta(minutes=1)


def test_deactivating_staff_ends_their_sessions(signed_in, staff, db_session):
    change_staff(db_session, staff, active=False)
    assert signed_in.get("/backoffice/").status_code == 302


def test_a_signed_in_person_visiting_the_sign_in_page_goes_to_the_dashboard(signed_in):
    response = signed_in.get("/backoffice/login")
    assert response.status_code == 302 and response.headers["Location"] == "/backoffice/"


def test_password_hashes_are_argon2id(staff):
    assert staff.password_hash.startswith("$argon2id$")
