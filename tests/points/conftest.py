"""Fixtures for the corporate rewards tests: users, staff and programs made by the services."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest
from argon2 import PasswordHasher

from portal.accounts import services as account_services
from portal.accounts.services import common as account_common
from portal.rewards import programs
from portal.rewards.cards import with_check_digit

KEY = "test-secret-key"
_numbers = count(1)


def card_number(n: int | None = None) -> str:
    """A fresh, valid 15-digit card number."""
    n = next(_numbers) if n is None else n
    return with_check_digit(f"37{n:012d}")


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    monkeypatch.setattr(account_common, "hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                                   parallelism=1))
    monkeypatch.setattr(account_common, "_DUMMY_HASH", None)


@pytest.fixture
def active_user(app, db_session):
    """``active_user(user_id) -> User``: a registered portal user."""

    def make(user_id: str, **overrides):
        n = next(_numbers)
        values = dict(family_name="山田", given_name="花子", email=f"pa{n}@example.invalid",
                      country_code="JP", birth_day=3, birth_month=3, program_role="pa",
                      access=[{"country_code": "JP", "function_code": "OPM",
                               "control_group": "392000000000001"}])
        values.update(overrides)
        with app.test_request_context("/?lang=en"):
            user, token = account_services.create_user(db_session, **values)
            _state, link = account_services.registration_link(db_session, token)
            user = account_services.complete_registration(
                db_session, link.id, user_id=user_id, password="Passw0rd#1",
                question_code="FIRST_PET", answer="pochi")
        # Leaving the request context closed the session; hand back a live object.
        return db_session.get(type(user), user.id)

    return make


@pytest.fixture
def staff(active_user, db_session):
    from portal.backoffice import services

    member = services.create_staff(db_session, login="suzuki", display_name="鈴木",
                                   password="correct horse battery")
    db_session.flush()
    return member


@pytest.fixture
def program(app, db_session, active_user, staff):
    """``program(on=date, user_id=...) -> (account, pa_card_number)``."""

    def make(on: date = date(2026, 1, 5), user_id: str | None = None):
        user = active_user(user_id or f"pauser{next(_numbers)}")
        number = card_number()
        account = programs.create_program(
            db_session, company_name="Sample Trading", pa_user=user,
            pa_card=programs.NewCard(number, "gold_corporate", "YAMADA HANAKO"),
            on=on, key=KEY, staff=staff)
        db_session.commit()  # a request context in the test would otherwise drop it
        return account, number

    return make
