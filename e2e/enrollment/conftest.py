"""Browser-test fixtures for enrollment: the live server's database, and a way to accept
the 422 answers a test provokes on purpose."""

from __future__ import annotations

import re

import pytest

from portal.db import make_engine


@pytest.fixture(scope="session")
def enroll_engine(live_server):
    engine = make_engine(live_server.env["PORTAL_DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture
def expected_422(request, no_console_errors):
    """The test provokes corrections (HTTP 422) on purpose; anything else still fails it."""
    request.node.allow_console_errors = True
    expected = [r"HTTP 422: POST "]
    yield expected
    unexpected = [m for m in no_console_errors.messages
                  if not any(re.match(pattern, m) for pattern in expected)]
    assert unexpected == [], "\n".join(unexpected)
