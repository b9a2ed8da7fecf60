"""Test fixtures: one application per session, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when ``PORTAL_TEST_DATABASE_URL`` is
set (for example ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

TEST_DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")


def reset_postgres(url: str) -> None:
    from portal.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    url = TEST_DATABASE_URL or f"sqlite:///{instance / 'test.db'}"
    if url.startswith("postgresql"):
        reset_postgres(url)
    os.environ.update(
        PORTAL_ENV="test",
        PORTAL_INSTANCE_DIR=str(instance),
        PORTAL_DATABASE_URL=url,
        PORTAL_SECRET_KEY="test-secret-key",
    )

    from portal import create_app
    from portal.cli import load_reference_data, upgrade_database

    app = create_app()
    _add_test_routes(app)
    with app.app_context():
        upgrade_database(url)
        load_reference_data()
    yield app
    from portal.extensions import db

    db.session.remove()
    db.engine.dispose()


def _add_test_routes(app: Flask) -> None:
    """Routes that exist only in the test app: an unexpected error, a plain POST and the
    client's address as the portal sees it."""

    @app.get("/_test/boom")
    def _boom():
        raise RuntimeError("boom")

    @app.post("/_test/echo")
    def _echo():
        return "posted"

    @app.get("/_test/address")
    def _address():
        from portal.accounts.current import client_address

        return client_address()


@pytest.fixture(autouse=True)
def db_session(app: Flask):
    """Every test runs inside a transaction that is rolled back afterwards."""
    from portal.extensions import db

    connection = db.engine.connect()
    outer = connection.begin()
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    yield db.session
    db.session.remove()
    outer.rollback()
    connection.close()
    db.session.configure(bind=db.engine, join_transaction_mode="conservative_savepoint")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token the page at ``path`` hands to htmx and forms."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def csrf(client: FlaskClient):
    return lambda path="/": csrf_token(client, path)
