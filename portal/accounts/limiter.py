"""A small rate limiter kept in the database, so every gunicorn worker (and every host on
PostgreSQL) counts the same attempts.

Fixed windows: a key's counter starts when its first hit arrives and restarts once the window
has passed. ``hit`` is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on both
SQLite and PostgreSQL, so concurrent requests never lose a count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.accounts.models import RateLimit
from portal.db import UTCDateTime, utcnow


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(RateLimit)


def hit(session: Session, key: str, *, window: timedelta, now: datetime | None = None) -> int:
    """Count one attempt under ``key``; return the number of attempts in the current window."""
    now = now or utcnow()
    cutoff = now - window
    table = RateLimit.__table__
    expired = table.c.window_start <= literal(cutoff, UTCDateTime())
    statement = _insert(session).values(key=key, window_start=now, hits=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "hits": case((expired, 1), else_=table.c.hits + 1),
            "window_start": case(
                (expired, literal(now, UTCDateTime())), else_=table.c.window_start
            ),
        },
    ).returning(table.c.hits)
    return int(session.execute(statement).scalar_one())


def count(session: Session, key: str, *, window: timedelta, now: datetime | None = None) -> int:
    """Attempts under ``key`` in the current window (0 once it has passed)."""
    now = now or utcnow()
    row = session.execute(
        select(RateLimit.hits, RateLimit.window_start).where(RateLimit.key == key)
    ).first()
    if row is None or row.window_start <= now - window:
        return 0
    return int(row.hits)


def retry_after(
    session: Session, key: str, *, window: timedelta, now: datetime | None = None
) -> timedelta:
    """How long until the window of ``key`` restarts."""
    now = now or utcnow()
    start = session.scalar(select(RateLimit.window_start).where(RateLimit.key == key))
    if start is None:
        return timedelta(0)
    return max(timedelta(0), start + window - now)


def reset(session: Session, key: str) -> None:
    session.execute(delete(RateLimit).where(RateLimit.key == key))


def purge(session: Session, *, older_than: timedelta, now: datetime | None = None) -> int:
    """Remove counters whose window started longer ago than ``older_than``."""
    now = now or utcnow()
    result = session.execute(delete(RateLimit).where(RateLimit.window_start < now - older_than))
    return result.rowcount or 0
