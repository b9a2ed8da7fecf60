"""Database access: the declarative base, the engine and a scoped session per request.

SQLite runs with WAL and foreign keys on. The pysqlite driver's own transaction handling
is switched off so that SQLAlchemy emits BEGIN itself; this makes SAVEPOINTs work (the test
suite relies on them) and lets a unit of work ask for ``BEGIN IMMEDIATE`` when it must
serialize writers (see :func:`immediate`).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTCDateTime column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 15)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            mode = connection.get_execution_options().get("sqlite_begin", "")
            connection.exec_driver_sql(f"BEGIN {mode}".strip())

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """The engine and the scoped session of one application."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session: scoped_session[Session] = scoped_session(
            sessionmaker(expire_on_commit=False)
        )

    def init_app(self, app: Flask) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.session.remove()
        self.session.configure(bind=self.engine)
        app.extensions["portal_db"] = self

        @app.teardown_appcontext
        def _remove_session(_exc):
            self.session.remove()

    @property
    def is_sqlite(self) -> bool:
        assert self.engine is not None
        return self.engine.dialect.name == "sqlite"


@contextmanager
def _writer_turn(database: str | None) -> Iterator[None]:
    """Wait for this SQLite file's other writers with a lock on ``<file>-writer.lock``.

    SQLite's own busy handler sleeps ever longer between tries (up to 100 ms), so under many
    writers a waiting one sleeps long after the lock is free. Waiting on an OS file lock
    wakes it the moment the writer before it finishes; the SQLite lock still guards the data.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    handle = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


@contextmanager
def immediate(session: Session) -> Iterator[Session]:
    """Run a unit of work that must not interleave with other writers.

    SQLite: the transaction starts with ``BEGIN IMMEDIATE`` (the write lock is taken at once),
    after waiting for the other writers that came first (see ``_writer_turn``); commit
    inside the block. Other backends: a normal transaction; use ``with_for_update()`` on the
    rows involved. Accepts the scoped session (``db.session``) as well as a plain Session.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        yield session
        return
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        yield session
        return
    with _writer_turn(bind.url.database) if hasattr(bind, "url") else nullcontext():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        yield session
