"""Fixtures for the accounts tests: a fast argon2id, and users made by the real services."""

from __future__ import annotations

import re
from itertools import count

import pytest
from argon2 import PasswordHasher

from portal.accounts import services
from portal.accounts.services import common

_numbers = count(1)
PASSWORD = "Passw0rd#1"
ANSWER = "Pochi"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """argon2id still, with small costs so the suite stays quick."""
    monkeypatch.setattr(common, "hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                           parallelism=1))
    monkeypatch.setattr(common, "_DUMMY_HASH", None)


@pytest.fixture
def make_user(app, db_session):
    """``make_user(**overrides) -> (user, token)``: a pending user with a registration link."""

    def make(**overrides):
        n = next(_numbers)
        values = dict(
            family_name="田中", given_name="太郎", email=f"user{n}@example.invalid",
            country_code="JP", birth_day=15, birth_month=4,
            access=[{"country_code": "JP", "function_code": "OPM",
                     "control_group": "392000000000001"}],
        )
        values.update(overrides)
        with app.test_request_context("/?lang=en"):
            user, token = services.create_user(db_session, **values)
            db_session.commit()
        return user, token

    return make


@pytest.fixture
def register(app, db_session):
    """``register(user, token, user_id) -> user``: finish first-login registration."""

    def finish(user, token, user_id, password=PASSWORD, answer=ANSWER, question="FIRST_PET"):
        with app.test_request_context("/?lang=en"):
            _state, link = services.registration_link(db_session, token)
            return services.complete_registration(
                db_session, link.id, user_id=user_id, password=password,
                question_code=question, answer=answer,
            )

    return finish


@pytest.fixture
def registered(make_user, register):
    """``registered(user_id, **create_overrides) -> user``: an active user."""

    def make(user_id="tanaka01", **overrides):
        user, token = make_user(**overrides)
        return register(user, token, user_id)

    return make


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def page_csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def post_form(client):
    """GET a page, then POST ``data`` to it with the page's CSRF token."""

    def post(path, data, *, htmx=False, get_path=None, **kwargs):
        page = client.get(get_path or path)
        token = page_csrf(page.get_data(as_text=True))
        headers = {"HX-Request": "true"} if htmx else {}
        return client.post(path, data={"csrf_token": token, **data}, headers=headers, **kwargs)

    return post
