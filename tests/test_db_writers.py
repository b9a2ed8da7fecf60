"""SQLite writers take turns on an OS file lock (portal.db.immediate), so a waiting writer
wakes when the one before it finishes instead of sleeping in SQLite's busy handler."""

from __future__ import annotations

import fcntl
import os

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal.db import immediate, make_engine


def held(path: str) -> bool:
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False


def test_the_writer_lock_is_held_for_the_block_and_released_after(tmp_path):
    database = tmp_path / "portal.db"
    engine = make_engine(f"sqlite:///{database}")
    lock = f"{database}-writer.lock"
    with Session(engine) as session:
        with immediate(session):
            session.execute(text("CREATE TABLE t (n INTEGER)"))
            assert held(lock)
            session.commit()
        assert not held(lock)
        with pytest.raises(RuntimeError), immediate(session):  # released on an error too
            raise RuntimeError("boom")
        session.rollback()
        assert not held(lock)
    engine.dispose()


def test_an_in_memory_database_needs_no_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite://")
    with Session(engine) as session, immediate(session):
        session.execute(text("SELECT 1"))
    assert list(tmp_path.iterdir()) == []
