"""AUTH-1: staff find a portal user by user ID or contact ID and unlock a locked account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts import rules, services
from portal.accounts.models import User
from portal.backoffice.models import StaffAction
from portal.db import utcnow
from tests.backoffice.conftest import login_token


@pytest.fixture
def locked_user(db_session):
    user, _token = services.create_user(
        db_session, family_name="伊藤", given_name="健", email="ito@example.test",
        country_code="JP", birth_day=3, birth_month=3, link_hours=24)
    user.user_id, user.status = "ItoKen01", "active"
    user.user_id_folded = rules.fold_user_id("ItoKen01")
    user.failed_logins, user.locked_at = 3, utcnow()
    db_session.commit()
    return user


@pytest.mark.parametrize("query", ["itoken01", " ITOKEN01 ", "contact"])
def test_find_by_user_id_or_contact_id(signed_in, locked_user, query):
    if query == "contact":
        query = locked_user.contact_id
    page = signed_in.get("/backoffice/users", query_string={"q": query, "lang": "en"}
                         ).get_data(as_text=True)
    assert f'data-user="{locked_user.id}"' in page
    assert 'data-testid="bo-user-id">ItoKen01<' in page
    assert "Locked since" in page and 'data-testid="bo-user-unlock"' in page


def test_full_width_contact_id_is_found(signed_in, locked_user):
    wide = "".join(chr(ord(c) + 0xFEE0) for c in locked_user.contact_id)
    page = signed_in.get("/backoffice/users", query_string={"q": wide}).get_data(as_text=True)
    assert f'data-user="{locked_user.id}"' in page


def test_nobody_and_empty(signed_in, locked_user):
    page = signed_in.get("/backoffice/users?q=nobody&lang=en").get_data(as_text=True)
    assert 'data-testid="bo-user-none"' in page
    page = signed_in.get("/backoffice/users?q=&lang=en").get_data(as_text=True)
    assert 'data-testid="bo-user-error"' in page
    page = signed_in.get("/backoffice/users?lang=en").get_data(as_text=True)
    assert "bo-user-error" not in page and "bo-user-none" not in page


def test_unlock_is_recorded_and_the_user_can_sign_in(signed_in, locked_user, db_session, app):
    path = f"/backoffice/users/{locked_user.id}/unlock"
    token = login_token(signed_in, f"/backoffice/users?q={locked_user.contact_id}&lang=en")
    response = signed_in.post(path, data={"csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The account is unlocked." in page and "Not locked" in page
    assert 'data-action="user.unlock"' in page
    user = db_session.get(User, locked_user.id, populate_existing=True)
    assert user.locked_at is None and user.failed_logins == 0
    entry = db_session.scalar(select(StaffAction).where(StaffAction.action == "user.unlock"))
    assert entry.target_id == str(user.id) and entry.details["failed_logins"] == 3
    # Again: nothing to do, said plainly, nothing recorded.
    page = signed_in.post(path, data={"csrf_token": token}, follow_redirects=True
                          ).get_data(as_text=True)
    assert "This account was not locked." in page
    assert len(list(db_session.scalars(select(StaffAction).where(
        StaffAction.action == "user.unlock")))) == 1


def test_unlock_needs_staff_and_csrf(app, signed_in, locked_user, db_session):
    anonymous = app.test_client()
    token = login_token(anonymous, "/backoffice/login")
    response = anonymous.post(f"/backoffice/users/{locked_user.id}/unlock",
                              data={"csrf_token": token})
    assert response.status_code == 302 and "/backoffice/login" in response.headers["Location"]
    assert signed_in.post(f"/backoffice/users/{locked_user.id}/unlock").status_code == 400
    assert db_session.get(User, locked_user.id, populate_existing=True).locked_at is not None
    assert signed_in.post("/backoffice/users/999999/unlock", data={
        "csrf_token": login_token(signed_in, "/backoffice/users")}).status_code == 404
