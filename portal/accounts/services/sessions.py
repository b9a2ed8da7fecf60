"""Sign-in and sessions (AUTH-1, AUTH-3): checking a user ID and password with the lockout
rule, starting, reading and ending a signed-in session, and purging old records.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.accounts import limiter
from portal.accounts.models import AuthSession, User
from portal.accounts.services.common import (
    AttemptResult,
    Limits,
    address_blocked,
    current_limits,
    record_address_failure,
    token_digest,
    verify_secret,
    write_transaction,
)
from portal.accounts.services.user_ids import find_by_user_id
from portal.db import utcnow


class SignIn(enum.Enum):
    OK = "ok"
    INVALID = "invalid"  # wrong user ID or password: the one generic answer
    DISABLED = "disabled"  # the right password for a disabled account
    PENDING = "pending"  # a contact ID whose registration is not finished (AUTH-3)
    ADDRESS_LIMITED = "address_limited"


SignInResult = AttemptResult


def authenticate(
    session: Session,
    identifier: str,
    password: str,
    *,
    address: str = "",
    limits: Limits | None = None,
    now: datetime | None = None,
) -> SignInResult:
    """AUTH-1: check a user ID and password.

    Consecutive wrong passwords lock the account at ``lockout_threshold``. The result says
    nothing about whether a user ID exists or is locked: a locked account answers even the
    right password with the generic failure (otherwise a guesser would learn the password
    is right), and that generic message tells the owner about the lock rule and the help desk.
    """
    limits = limits or current_limits()
    now = now or utcnow()
    wait = address_blocked(session, address, limits, now)
    if wait is not None:
        return SignInResult(SignIn.ADDRESS_LIMITED, wait=wait)
    identifier = (identifier or "").strip()
    user = find_by_user_id(session, identifier)
    if user is not None:
        session.refresh(user)
    password_ok = verify_secret(user.password_hash if user else None, password or "")

    if user is not None and password_ok and user.status != "pending" and user.locked_at is None:
        if user.status == "disabled":
            return SignInResult(SignIn.DISABLED)
        with write_transaction(session):
            session.execute(
                update(User).where(User.id == user.id).values(failed_logins=0)
                .execution_options(synchronize_session=False)
            )
        return SignInResult(SignIn.OK, user=user)

    pending = None
    if user is None and identifier.isdigit() and len(identifier) == 9:
        pending = session.scalar(
            select(User.id).where(User.contact_id == identifier, User.status == "pending")
        )
    with write_transaction(session):
        record_address_failure(session, address, limits, now)
        if user is not None and user.status == "active" and user.locked_at is None:
            failures = session.execute(
                update(User)
                .where(User.id == user.id)
                .values(failed_logins=User.failed_logins + 1)
                .returning(User.failed_logins)
                .execution_options(synchronize_session=False)
            ).scalar_one()
            if failures >= limits.lockout_threshold:
                session.execute(
                    update(User)
                    .where(User.id == user.id, User.locked_at.is_(None))
                    .values(locked_at=now)
                    .execution_options(synchronize_session=False)
                )
    if pending is not None:
        return SignInResult(SignIn.PENDING)
    return SignInResult(SignIn.INVALID)


def start_session(
    session: Session,
    user: User,
    *,
    address: str = "",
    user_agent: str = "",
    now: datetime | None = None,
) -> str:
    """Record a new signed-in session; return the token for the browser's cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with write_transaction(session):
        session.add(
            AuthSession(
                token_hash=token_digest(token),
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
                ip_address=(address or "")[:45],
                user_agent=(user_agent or "")[:200],
            )
        )
    return token


def session_user(
    session: Session,
    token: str,
    *,
    limits: Limits | None = None,
    now: datetime | None = None,
) -> User | None:
    """The active user signed in with ``token``, or ``None`` (ended, idle, too old, or the
    account is no longer usable). Notes the time of use at most once a minute."""
    limits = limits or current_limits()
    now = now or utcnow()
    if not token or len(token) > 100:
        return None
    row = session.execute(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == token_digest(token), AuthSession.ended_at.is_(None))
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        return None
    record, user = row
    expired = (
        record.last_seen_at + limits.session_idle <= now
        or record.created_at + limits.session_max_age <= now
    )
    if expired or user.status != "active" or user.locked_at is not None:
        with write_transaction(session):
            _end_session_record(session, record.id, now)
        return None
    if now - record.last_seen_at > timedelta(minutes=1):
        with write_transaction(session):
            session.execute(
                update(AuthSession).where(AuthSession.id == record.id).values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )
    return user


def _end_session_record(session: Session, record_id: int, now: datetime) -> None:
    session.execute(
        update(AuthSession).where(AuthSession.id == record_id, AuthSession.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False)
    )


def end_user_sessions(session: Session, user_pk: int, now: datetime) -> None:
    session.execute(
        update(AuthSession).where(AuthSession.user_id == user_pk, AuthSession.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False)
    )


def end_session(session: Session, token: str, *, now: datetime | None = None) -> None:
    """Sign-out: the server forgets the session, so a copy of the cookie stops working."""
    now = now or utcnow()
    if not token:
        return
    with write_transaction(session):
        session.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == token_digest(token), AuthSession.ended_at.is_(None))
            .values(ended_at=now)
            .execution_options(synchronize_session=False)
        )


# --- housekeeping -----------------------------------------------------------------------------

def purge_expired(session: Session, *, now: datetime | None = None) -> int:
    """Delete rate-limit counters older than a day and session records ended a week ago."""
    now = now or utcnow()
    with write_transaction(session):
        removed = limiter.purge(session, older_than=timedelta(days=1), now=now)
        removed += session.execute(
            delete(AuthSession).where(AuthSession.ended_at < now - timedelta(days=7))
        ).rowcount or 0
    return removed
