"""Writing to the outbox and looking at it. Nothing here commits: the caller's transaction
decides, so an email exists exactly when the change that causes it does."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.mail.models import FAILED, QUEUED, SENDING, SENT, STATUSES, OutgoingEmail


def _message_id() -> str:
    sender = current_app.config.get("MAIL_FROM", "") if has_app_context() else ""
    domain = sender.rpartition("@")[2].strip(" >") or "portal.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def _check_header(name: str, value: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"an email needs a {name}")
    if "\r" in value or "\n" in value:
        raise ValueError(f"line break in the {name} of an email")


def _by_dedupe_key(session: Session, key: str) -> OutgoingEmail | None:
    return session.scalar(select(OutgoingEmail).where(OutgoingEmail.dedupe_key == key))


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    kind: str,
    dedupe_key: str | None = None,
) -> OutgoingEmail:
    """Add an email to the outbox in ``session``'s transaction (never commits).

    With a ``dedupe_key``, queueing the same key again returns the email already queued
    instead of writing a second one.
    """
    _check_header("recipient", to)
    _check_header("subject", subject)
    if dedupe_key is not None:
        existing = _by_dedupe_key(session, dedupe_key)
        if existing is not None:
            return existing
    email = OutgoingEmail(
        kind=kind,
        dedupe_key=dedupe_key,
        to_address=to.strip(),
        subject=subject,
        text_body=text,
        html_body=html,
        message_id=_message_id(),
        status=QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    if dedupe_key is None:
        session.add(email)
        session.flush()
        return email
    # Another transaction may queue the same key at the same moment: the unique index
    # decides, and the loser gets the winner's row.
    try:
        with session.begin_nested():
            session.add(email)
    except IntegrityError:
        winner = _by_dedupe_key(session, dedupe_key)
        if winner is None:
            raise
        return winner
    return email


def status_counts(session: Session) -> dict[str, int]:
    """How many emails are in each state (every state present, zero when none)."""
    rows = session.execute(
        select(OutgoingEmail.status, func.count()).group_by(OutgoingEmail.status)
    ).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def list_emails(
    session: Session, *, status: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[OutgoingEmail], bool]:
    """One page of the outbox, newest first, and whether an older page exists."""
    query = select(OutgoingEmail).order_by(OutgoingEmail.id.desc())
    if status in STATUSES:
        query = query.where(OutgoingEmail.status == status)
    # A page number from the address may be anything: the offset must fit a database
    # integer (a larger one overflowed the driver: a 500 found by the fuzz suite). A page
    # past the end is empty, the highest one too.
    page = min(max(page, 1), (2**31 - 1) // per_page)
    rows = list(session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def get_email(session: Session, email_id: int) -> OutgoingEmail | None:
    return session.get(OutgoingEmail, email_id)


class NotRetryable(Exception):
    """Only a failed email can be put back in the queue by hand."""


def retry_now(session: Session, email: OutgoingEmail, now: datetime | None = None) -> int:
    """Put a failed email back in the queue for the next sender run (never commits).

    Returns the number of attempts it had; the count starts again so the email gets the
    full number of attempts.
    """
    if email.status != FAILED:
        raise NotRetryable(email.status)
    previous = email.attempts
    email.status = QUEUED
    email.attempts = 0
    email.next_attempt_at = now or utcnow()
    email.claim_token = None
    email.lease_until = None
    session.flush()
    return previous


__all__ = [
    "FAILED", "QUEUED", "SENDING", "SENT", "NotRetryable", "OutgoingEmail", "get_email",
    "list_emails", "queue_email", "retry_now", "status_counts",
]
