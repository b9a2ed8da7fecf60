"""Browser-test fixtures for tracking and the back office: a live portal whose mail goes to a
real SMTP server in the test process, and applications written into its database in the
shape the wizard writes them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from sqlalchemy import delete
from sqlalchemy.orm import Session

from portal.accounts.models import RateLimit
from portal.backoffice.sample import SAMPLE_LOGIN, SAMPLE_PASSWORD
from portal.db import make_engine
from tests.application_factory import make_application
from tests.mail.conftest import SmtpServer, free_port


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def office_server(start_server, smtp_server):
    return start_server("office", PORTAL_SMTP_HOST="127.0.0.1",
                        PORTAL_SMTP_PORT=str(smtp_server.port))


@pytest.fixture(scope="session")
def office_engine(office_server):
    engine = make_engine(office_server.env["PORTAL_DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    if "office_engine" not in request.fixturenames:
        yield
        return
    with Session(request.getfixturevalue("office_engine")) as session:
        session.execute(delete(RateLimit))
        session.commit()
    yield


@pytest.fixture
def application(office_engine):
    """``application(kind, **values) -> Application`` committed to the live server's DB."""

    def make(kind="new", **values):
        with Session(office_engine, expire_on_commit=False) as session:
            return make_application(session, kind, **values)

    return make


@pytest.fixture
def expected_422(request, no_console_errors):
    """The test provokes corrections (HTTP 422) on purpose; anything else still fails it."""
    request.node.allow_console_errors = True
    expected = [r"HTTP 422: (POST|GET) "]
    yield expected
    unexpected = [m for m in no_console_errors.messages
                  if not any(re.match(pattern, m) for pattern in expected)]
    assert unexpected == [], "\n".join(unexpected)


def staff_sign_in(page: Page, url: str, lang: str = "ja") -> None:
    page.goto(f"{url}/backoffice/login?lang={lang}")
    page.get_by_test_id("bo-login").fill(SAMPLE_LOGIN)
    page.get_by_test_id("bo-password").fill(SAMPLE_PASSWORD)
    page.get_by_test_id("bo-login-submit").click()
    page.get_by_test_id("backoffice-bar").wait_for()
