"""Back-office fixtures: a staff account and a signed-in client."""

from __future__ import annotations

import re

import pytest

from portal.backoffice import services

PASSWORD = "correct horse battery"


@pytest.fixture
def staff(app, db_session):
    member = services.create_staff(db_session, login="Tanaka", display_name="田中 一郎",
                                   password=PASSWORD)
    db_session.commit()
    return member


def change_staff(db_session, staff, **values):
    """Change a staff row for real (a request in between closes the test's session)."""
    from portal.backoffice.models import Staff

    member = db_session.get(Staff, staff.id, populate_existing=True)
    for key, value in values.items():
        setattr(member, key, value)
    db_session.commit()


def login_token(client, path="/backoffice/login") -> str:
    """The CSRF token of the form on ``path`` (the sign-in form, or the sign-out button)."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token in a form on {path}"
    return match.group(1)


def sign_in(client, login="tanaka", password=PASSWORD, lang="en", **extra):
    token = login_token(client)
    return client.post(f"/backoffice/login?lang={lang}",
                       data={"csrf_token": token, "login": login, "password": password, **extra})


@pytest.fixture
def signed_in(client, staff):
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
