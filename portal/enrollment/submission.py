"""Submitting an application: every step is checked again, then the draft is stored as an
application with an unguessable reference number and its expected completion date, in one
transaction. A repeat of the same submit (same one-time key,
:func:`portal.enrollment.drafts.submit_key`) finds the first application.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.enrollment import drafts
from portal.enrollment.engine import Ctx, Errors, ReviewStep, Step
from portal.enrollment.models import Application

# Reference numbers: a kind letter and 12 characters from an alphabet without look-alikes
# (no 0/O, 1/I/L, U): 31**12 ~ 2**59 possibilities, drawn with ``secrets``.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def validate_all(ctx: Ctx) -> tuple[Step, Errors] | None:
    """The first step whose validation fails, with its errors; None when all pass."""
    for step in ctx.kind.steps:
        if isinstance(step, ReviewStep):
            continue
        errors = step.validate(ctx)
        if errors:
            return step, errors
    return None


def new_reference(letter: str) -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"{letter}-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def expected_by(submitted_at: datetime) -> datetime:
    """The end (in Japan) of the fifth business day after submission."""
    from portal.workdays import JAPAN, expected_completion

    day = expected_completion(submitted_at)
    return datetime.combine(day, time(23, 59, 59), tzinfo=JAPAN).astimezone(UTC)


def find_by_submit_key(session: Session, key: str) -> Application | None:
    if not key:
        return None
    return session.scalar(select(Application).where(Application.submit_key == key))


class NotValid(Exception):
    def __init__(self, step: Step, errors: Errors):
        super().__init__(step.key)
        self.step = step
        self.errors = errors


def submit(ctx: Ctx, *, now: datetime | None = None) -> Application:
    """Store the draft as an application (status "received") and delete the draft, in one
    transaction. Raises :class:`NotValid` for the first step that fails. A repeat with the
    same key returns the first application."""
    key = drafts.submit_key(ctx.draft)
    failed = validate_all(ctx)
    if failed:
        raise NotValid(*failed)
    now = now or utcnow()
    data = ctx.kind.finalize(ctx)
    email = ctx.kind.applicant_email(data).strip()
    session = ctx.session
    for _attempt in range(5):
        application = Application(
            reference=new_reference(ctx.kind.letter), kind=ctx.kind.name, status="received",
            language=ctx.language, applicant_email=email,
            applicant_email_folded=email.casefold(), data=data, submit_key=key,
            submitted_at=now, expected_by=expected_by(now),
        )
        try:
            with session.begin_nested():
                session.add(application)
                session.flush()
        except IntegrityError:
            existing = find_by_submit_key(session, key)
            if existing is not None:
                return existing
            continue  # a reference collision: draw another
        for document in list(ctx.draft.documents):
            document.application_id = application.id
        session.flush()
        drafts.remove(session, ctx.draft)
        session.commit()
        return application
    raise RuntimeError("could not draw a free reference number")
