"""Fixtures for deciding applications: a staff member, registered portal users."""

from __future__ import annotations

from itertools import count

import pytest

from portal.accounts import rules, services
from portal.backoffice import services as staff_services

_numbers = count(1)


@pytest.fixture(autouse=True)
def app_context(app, db_session):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def staff(db_session):
    member = staff_services.create_staff(db_session, login=f"rev{next(_numbers)}",
                                         display_name="審査 太郎", password="long enough pass")
    db_session.commit()
    return member


@pytest.fixture
def registered(db_session):
    """``registered(user_id, access=[...]) -> User``: an active portal user."""

    def make(user_id: str, access=(), **overrides):
        values = dict(family_name="高橋", given_name="真理",
                      email=f"reg{next(_numbers)}@example.test", country_code="JP",
                      birth_day=1, birth_month=2, program_role="contact", access=access)
        values.update(overrides)
        user, _token = services.create_user(db_session, link_hours=24, **values)
        user.user_id = user_id
        user.user_id_folded = rules.fold_user_id(user_id)
        user.status = "active"
        db_session.commit()
        return user

    return make
