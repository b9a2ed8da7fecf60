"""Forgotten password (AUTH-2): the secret question to ask, checking the answer within the
attempt limits, and setting a new password (which ends the user's other sessions).
"""

from __future__ import annotations

import enum
import hmac
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts import limiter, rules
from portal.accounts.models import User
from portal.accounts.services.common import (
    AccountError,
    AttemptResult,
    Limits,
    address_blocked,
    current_limits,
    hash_secret,
    record_address_failure,
    verify_secret,
    write_transaction,
)
from portal.accounts.services.registration import LinkState, LinkUnusable
from portal.accounts.services.sessions import end_user_sessions
from portal.accounts.services.user_ids import find_by_user_id
from portal.db import utcnow
from portal.reference.models import SecretQuestion


def reset_question(session: Session, user_id: str, *, secret: str) -> SecretQuestion:
    """The secret question to ask for ``user_id``. A user ID nobody has gets a stable stand-in
    question, so the page looks the same whether or not the ID exists."""
    user = find_by_user_id(session, user_id)
    if user is not None and user.secret_question_code and user.status == "active":
        question = session.get(SecretQuestion, user.secret_question_code)
        if question is not None:
            return question
    questions = list(
        session.scalars(select(SecretQuestion).where(SecretQuestion.active)
                        .order_by(SecretQuestion.position))
    )
    digest = hmac.new(secret.encode(), rules.fold_user_id(user_id).encode(), "sha256").digest()
    return questions[int.from_bytes(digest[:4], "big") % len(questions)]


class Reset(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LIMITED = "limited"
    LOCKED = "locked"


ResetResult = AttemptResult


def check_reset_answer(
    session: Session,
    user_id: str,
    answer: str,
    *,
    address: str = "",
    limits: Limits | None = None,
    now: datetime | None = None,
) -> ResetResult:
    """AUTH-2: check the secret answer (NFKC, case and spaces ignored). Wrong answers count
    per user ID (whether or not it exists) and per client address."""
    limits = limits or current_limits()
    now = now or utcnow()
    folded = rules.fold_user_id(user_id)
    id_key = f"reset:{folded[:40]}"
    wait = address_blocked(session, address, limits, now)
    if wait is None and limiter.count(session, id_key, window=limits.attempt_window, now=now) >= (
        limits.reset_max_attempts
    ):
        wait = limiter.retry_after(session, id_key, window=limits.attempt_window, now=now)
    if wait is not None:
        return ResetResult(Reset.LIMITED, wait=wait)
    user = find_by_user_id(session, user_id)
    usable = user is not None and user.status == "active"
    stored = user.secret_answer_hash if usable else None
    if verify_secret(stored, rules.normalize_answer(answer or "")) and usable:
        session.refresh(user)
        if user.locked_at is not None:
            return ResetResult(Reset.LOCKED, user=user)
        with write_transaction(session):
            limiter.reset(session, id_key)
        return ResetResult(Reset.OK, user=user)
    with write_transaction(session):
        limiter.hit(session, id_key, window=limits.attempt_window, now=now)
        record_address_failure(session, address, limits, now)
    return ResetResult(Reset.WRONG)


def set_password(
    session: Session, user_pk: int, password: str, *, now: datetime | None = None
) -> User:
    """Give a user a new password (after the secret answer) and end their other sessions."""
    now = now or utcnow()
    user = session.get(User, user_pk, populate_existing=True)
    if user is None or user.status != "active":
        raise LinkUnusable(LinkState.UNKNOWN)
    if problem := rules.password_problem(password, user.user_id):
        raise AccountError({"password": problem})
    password_hash = hash_secret(password)
    with write_transaction(session):
        session.execute(
            update(User).where(User.id == user_pk)
            .values(password_hash=password_hash, failed_logins=0)
            .execution_options(synchronize_session=False)
        )
        end_user_sessions(session, user_pk, now)
    return session.get(User, user_pk, populate_existing=True)
