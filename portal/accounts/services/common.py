"""What every accounts unit of work shares: argon2 hashing of secrets, token digests, the
attempt limits read from the settings, the serialized write transaction, the error that
carries field messages, and the per-address failure count.

Secrets (auth PIN and word, password, secret answer) are hashed with argon2id; registration
links and session tokens are random and only their SHA-256 is stored.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, scoped_session

from portal.accounts import limiter
from portal.accounts.models import User
from portal.db import immediate

# argon2id with the library's recommended parameters (RFC 9106, low-memory profile).
hasher = PasswordHasher()
_DUMMY_HASH: str | None = None


def hash_secret(value: str) -> str:
    return hasher.hash(value)


def verify_secret(stored: str | None, value: str) -> bool:
    """Constant work whether or not a hash is stored (an unknown user costs the same)."""
    global _DUMMY_HASH
    if stored is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
        stored, value = _DUMMY_HASH, value + "\x00never"
    try:
        return hasher.verify(stored, value)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Limits:
    """The attempt limits, read from the settings (see README)."""

    lockout_threshold: int = 3
    registration_max_attempts: int = 5
    registration_lock: timedelta = timedelta(minutes=30)
    address_max_failures: int = 20
    attempt_window: timedelta = timedelta(minutes=30)
    reset_max_attempts: int = 5
    user_id_checks_per_minute: int = 30
    session_idle: timedelta = timedelta(minutes=30)
    session_max_age: timedelta = timedelta(hours=12)
    link_hours: int = 168

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(
            lockout_threshold=config["LOCKOUT_THRESHOLD"],
            registration_max_attempts=config["REGISTRATION_MAX_ATTEMPTS"],
            registration_lock=timedelta(minutes=config["REGISTRATION_LOCK_MINUTES"]),
            address_max_failures=config["ADDRESS_MAX_FAILURES"],
            attempt_window=timedelta(minutes=config["ATTEMPT_WINDOW_MINUTES"]),
            reset_max_attempts=config["RESET_MAX_ATTEMPTS"],
            user_id_checks_per_minute=config["USER_ID_CHECKS_PER_MINUTE"],
            session_idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            session_max_age=timedelta(hours=config["SESSION_MAX_HOURS"]),
            link_hours=config["REGISTRATION_LINK_HOURS"],
        )


def current_limits() -> Limits:
    from flask import current_app

    return Limits.from_config(current_app.config)


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """One serialized unit of work that commits (or rolls back) on exit.

    A read the request already started is ended first, so that SQLite begins this one with
    ``BEGIN IMMEDIATE``. Nested uses join the outer unit.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.info.get("portal_write"):
        yield session
        return
    if session.in_transaction():
        session.commit()
    session.info["portal_write"] = True
    try:
        with immediate(session):
            yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop("portal_write", None)


@dataclass
class AttemptResult:
    """What a checked attempt (sign-in, secret answer) came to: the outcome, the user when it
    succeeded, and how long to wait when the attempts are used up."""

    outcome: enum.Enum
    user: User | None = None
    wait: timedelta = timedelta(0)


class AccountError(Exception):
    """A rule was broken; ``errors`` maps form fields to messages for the person."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__(dict(errors))
        self.errors = dict(errors)


def _address_key(address: str) -> str:
    return f"fail:{address or '-'}"


def address_blocked(
    session: Session, address: str, limits: Limits, now: datetime | None = None
) -> timedelta | None:
    """How long ``address`` must wait, when it has used up its failed attempts."""
    key = _address_key(address)
    if limiter.count(session, key, window=limits.attempt_window, now=now) >= (
        limits.address_max_failures
    ):
        return limiter.retry_after(session, key, window=limits.attempt_window, now=now)
    return None


def record_address_failure(session: Session, address: str, limits: Limits, now: datetime):
    limiter.hit(session, _address_key(address), window=limits.attempt_window, now=now)
