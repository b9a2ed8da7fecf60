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
def second_app(db_session):
    """Make another application (say, with other settings) for one test without taking over
    the suite's database handle.

    ``create_app`` points the shared ``db`` at a new engine and binds the session to it; left
    so, the suite's engine is dropped with its pooled connections still open (PostgreSQL
    warns of each) and later tests run outside their rolled-back transaction. Afterwards the
    new engines are disposed and the suite's engine and binding are put back."""
    from portal import create_app
    from portal.extensions import db

    engine = db.engine
    bind = db.session.session_factory.kw.get("bind")
    made = []

    def make(config: dict | None = None) -> Flask:
        other = create_app(config)
        made.append(db.engine)
        return other

    yield make
    db.session.remove()
    for other_engine in made:
        other_engine.dispose()
    db.engine = engine
    db.session.configure(bind=bind, join_transaction_mode="create_savepoint")


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
