"""Browser-test fixtures for accounts: users made in the live server's database with the
real services, and a way to accept the 422 answers a test provokes on purpose."""

from __future__ import annotations

import re
from itertools import count

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from portal.accounts import services
from portal.accounts.models import RateLimit
from portal.db import make_engine

PASSWORD = "Browser#1pass"
ANSWER = "Pochi"
_numbers = count(1)


@pytest.fixture(scope="session")
def accounts_engine(live_server):
    engine = make_engine(live_server.env["PORTAL_DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Every test starts with no failed attempts counted against 127.0.0.1."""
    if "accounts_engine" not in request.fixturenames:
        yield
        return
    engine = request.getfixturevalue("accounts_engine")
    with Session(engine) as session:
        session.execute(delete(RateLimit))
        session.commit()
    yield


@pytest.fixture
def pending_user(accounts_engine):
    """``pending_user(**overrides) -> (user, token)``: created as the back office will."""

    def make(**overrides):
        n = next(_numbers)
        values = dict(family_name="高橋", given_name="真理", email=f"e2e{n}@example.invalid",
                      country_code="JP", birth_day=15, birth_month=4, program_role="contact",
                      access=[{"country_code": "JP", "function_code": "OPM",
                               "control_group": "392000000000001"}])
        values.update(overrides)
        with Session(accounts_engine, expire_on_commit=False) as session:
            user, token = services.create_user(session, link_hours=168, **values)
            session.commit()
        return user, token

    return make


@pytest.fixture
def registered_user(accounts_engine, pending_user):
    """``registered_user(user_id, **overrides) -> user`` with ``PASSWORD`` and ``ANSWER``."""

    def make(user_id, **overrides):
        user, token = pending_user(**overrides)
        with Session(accounts_engine, expire_on_commit=False) as session:
            link = services.registration_link(session, token)[1]
            return services.complete_registration(
                session, link.id, user_id=user_id, password=PASSWORD,
                question_code="FIRST_PET", answer=ANSWER,
            )

    return make


@pytest.fixture
def expected_422(request, no_console_errors):
    """The test provokes corrections (HTTP 422) on purpose; anything else still fails it.
    A test may append more patterns of expected problems to the list this yields."""
    request.node.allow_console_errors = True
    expected = [r"HTTP 422: POST "]
    yield expected
    unexpected = [m for m in no_console_errors.messages
                  if not any(re.match(pattern, m) for pattern in expected)]
    assert unexpected == [], "\n".join(unexpected)
