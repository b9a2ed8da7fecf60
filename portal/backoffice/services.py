"""Staff accounts and their sign-in sessions. No Flask request in here; the caller commits."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.backoffice.models import Staff, StaffSession
from portal.db import utcnow

LOGIN_RE = re.compile(r"^[A-Za-z0-9._-]{3,40}$")
PASSWORD_MIN = 12
PASSWORD_MAX = 200
LAST_SEEN_STEP = timedelta(seconds=60)

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


class StaffError(ValueError):
    """A staff account could not be created: ``field`` and a message for people."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def fold(login: str) -> str:
    return login.strip().casefold()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def create_staff(session: Session, *, login: str, display_name: str, password: str) -> Staff:
    """Add a staff account (no commit). Raises :class:`StaffError` on a bad value."""
    login = login.strip()
    display_name = display_name.strip()
    if not LOGIN_RE.match(login):
        raise StaffError("login", "The login name must be 3-40 letters, digits, '.', '_' or '-'.")
    if not display_name or len(display_name) > 100:
        raise StaffError("name", "The display name must be 1-100 characters.")
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise StaffError("password", f"The password must be at least {PASSWORD_MIN} characters.")
    if session.scalar(select(Staff.id).where(Staff.login_folded == fold(login))) is not None:
        raise StaffError("login", f"A staff account named {login!r} already exists.")
    staff = Staff(login=login, login_folded=fold(login), display_name=display_name,
                  password_hash=hash_password(password), active=True, failed_logins=0)
    session.add(staff)
    session.flush()
    return staff


def find_staff(session: Session, login: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.login_folded == fold(login)))


def authenticate(session: Session, login: str, password: str, *, now: datetime | None = None,
                 threshold: int = 5, lock_minutes: int = 15) -> Staff | None:
    """The staff member when ``login`` and ``password`` are right and the account may sign
    in; otherwise ``None`` (the reason stays here: callers show one generic message).

    Counts consecutive failures; at ``threshold`` the account pauses for ``lock_minutes``.
    The caller commits in both cases, so failures are counted.
    """
    now = now or utcnow()
    staff = find_staff(session, login) if login else None
    if staff is None or not staff.active:
        _verify(_dummy_hash(), password)  # the same work whether or not the login exists
        return None
    if staff.locked_until is not None and staff.locked_until > now:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(staff.password_hash, password):
        session.execute(
            update(Staff).where(Staff.id == staff.id)
            .values(failed_logins=Staff.failed_logins + 1)
            .execution_options(synchronize_session=False)
        )
        session.refresh(staff)
        if staff.failed_logins >= threshold:
            staff.failed_logins = 0
            staff.locked_until = now + timedelta(minutes=lock_minutes)
        session.flush()
        return None
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    session.flush()
    return staff


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, staff: Staff, *, hours: int,
                  now: datetime | None = None) -> str:
    """Open a sign-in for ``staff``; returns the token for the cookie (no commit)."""
    now = now or utcnow()
    session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id,
                                               StaffSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_token_hash(token), staff_id=staff.id,
                             created_at=now, last_seen_at=now,
                             expires_at=now + timedelta(hours=hours)))
    session.flush()
    return token


def load_session(session: Session, token: str | None, *, idle_minutes: int,
                 now: datetime | None = None) -> tuple[StaffSession | None, bool]:
    """The live sign-in behind ``token`` (or ``None``), and whether anything was written:
    an expired or idle sign-in is ended (deleted), and activity is noted at most once a
    minute. The caller commits when something was written."""
    if not token:
        return None, False
    now = now or utcnow()
    record = session.scalar(select(StaffSession).where(
        StaffSession.token_hash == _token_hash(token)))
    if record is None:
        return None, False
    idle_limit = record.last_seen_at + timedelta(minutes=idle_minutes)
    if record.expires_at <= now or idle_limit <= now or not record.staff.active:
        session.delete(record)
        session.flush()
        return None, True
    if now - record.last_seen_at >= LAST_SEEN_STEP:
        record.last_seen_at = now
        session.flush()
        return record, True
    return record, False


def end_session(session: Session, token: str | None) -> None:
    """Sign out: the token stops working everywhere (no commit)."""
    if token:
        session.execute(delete(StaffSession).where(
            StaffSession.token_hash == _token_hash(token)))
