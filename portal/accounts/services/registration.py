"""First-login registration (REG): the registration link, the identity check (birthday, or
auth word and PIN), and completing registration with a user ID, password and secret question.

Each public function is a unit of work in its own :func:`write_transaction`; slow argon2 work
is done before the transaction starts.
"""

from __future__ import annotations

import enum
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts import rules
from portal.accounts.models import RegistrationToken, User
from portal.accounts.services import user_ids
from portal.accounts.services.common import (
    AccountError,
    Limits,
    address_blocked,
    current_limits,
    hash_secret,
    record_address_failure,
    token_digest,
    verify_secret,
    write_transaction,
)
from portal.accounts.services.user_ids import UserIdTaken, suggest_user_ids
from portal.db import utcnow
from portal.reference.models import SecretQuestion


class LinkState(enum.Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REPLACED = "replaced"
    LOCKED = "locked"


def registration_link(
    session: Session, token: str, *, now: datetime | None = None
) -> tuple[LinkState, RegistrationToken | None]:
    """Find the link for ``token`` and say whether it can be used now."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return LinkState.UNKNOWN, None
    link = session.scalar(
        select(RegistrationToken).where(RegistrationToken.token_hash == token_digest(token))
    )
    return link_state(link, now), link


def link_state(link: RegistrationToken | None, now: datetime) -> LinkState:
    if link is None or link.user.status == "disabled":
        return LinkState.UNKNOWN
    if link.used_at is not None or link.user.status == "active":
        return LinkState.USED
    if link.revoked_at is not None:
        return LinkState.REPLACED
    if link.expires_at <= now:
        return LinkState.EXPIRED
    if link.locked_until is not None and link.locked_until > now:
        return LinkState.LOCKED
    return LinkState.OK


class VerifyOutcome(enum.Enum):
    OK = "ok"
    MISMATCH = "mismatch"
    LOCKED = "locked"
    ADDRESS_LIMITED = "address_limited"
    UNUSABLE = "unusable"


@dataclass
class VerifyResult:
    outcome: VerifyOutcome
    attempts_left: int = 0
    wait: timedelta = timedelta(0)
    state: LinkState = LinkState.OK


def verify_identity(
    session: Session,
    link_id: int,
    *,
    method: str,
    birth_day: int | None = None,
    birth_month: int | None = None,
    auth_word: str | None = None,
    auth_pin: str | None = None,
    address: str = "",
    limits: Limits | None = None,
    now: datetime | None = None,
) -> VerifyResult:
    """REG-2: check the birthday, or the auth word and PIN, of the link's user.

    A failure never says which part was wrong. Failures count against the link (it locks for
    a while after ``registration_max_attempts``) and against the client address.
    """
    limits = limits or current_limits()
    now = now or utcnow()
    link = session.get(RegistrationToken, link_id, populate_existing=True)
    state = link_state(link, now)
    if state is LinkState.LOCKED:
        return VerifyResult(VerifyOutcome.LOCKED, wait=link.locked_until - now, state=state)
    if state is not LinkState.OK:
        return VerifyResult(VerifyOutcome.UNUSABLE, state=state)
    wait = address_blocked(session, address, limits, now)
    if wait is not None:
        return VerifyResult(VerifyOutcome.ADDRESS_LIMITED, wait=wait)

    user = link.user
    if user.auth_word_hash:
        # Both are checked every time, so the time taken says nothing about which was wrong.
        word_ok = verify_secret(user.auth_word_hash, rules.normalize_auth_word(auth_word or ""))
        pin_ok = verify_secret(user.auth_pin_hash, rules.normalize_pin(auth_pin or ""))
        matched = method == "word" and word_ok and pin_ok
    else:
        matched = (
            method == "birthday"
            and hmac.compare_digest(f"{birth_day}", f"{user.birth_day}")
            and hmac.compare_digest(f"{birth_month}", f"{user.birth_month}")
        )

    with write_transaction(session):
        if matched:
            session.execute(
                update(RegistrationToken)
                .where(RegistrationToken.id == link_id)
                .values(failed_attempts=0)
                .execution_options(synchronize_session=False)
            )
            return VerifyResult(VerifyOutcome.OK)
        failures = session.execute(
            update(RegistrationToken)
            .where(RegistrationToken.id == link_id)
            .values(failed_attempts=RegistrationToken.failed_attempts + 1)
            .returning(RegistrationToken.failed_attempts)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        record_address_failure(session, address, limits, now)
        if failures >= limits.registration_max_attempts:
            session.execute(
                update(RegistrationToken)
                .where(RegistrationToken.id == link_id)
                .values(failed_attempts=0, locked_until=now + limits.registration_lock)
                .execution_options(synchronize_session=False)
            )
            return VerifyResult(VerifyOutcome.LOCKED, wait=limits.registration_lock)
        return VerifyResult(
            VerifyOutcome.MISMATCH, attempts_left=limits.registration_max_attempts - failures
        )


class LinkUnusable(Exception):
    def __init__(self, state: LinkState):
        super().__init__(state.value)
        self.state = state


def complete_registration(
    session: Session,
    link_id: int,
    *,
    user_id: str,
    password: str,
    question_code: str,
    answer: str,
    now: datetime | None = None,
) -> User:
    """REG-3..5: give the link's user their user ID, password and secret question, and use
    up the link. Of two people racing for one user ID exactly one gets it: the unique
    constraint on the case-folded ID decides, and the other gets :class:`UserIdTaken`."""
    from flask_babel import lazy_gettext as _l

    now = now or utcnow()
    user_id = (user_id or "").strip()
    errors: dict[str, str] = {}
    if problem := rules.user_id_problem(user_id):
        errors["user_id"] = problem
    if problem := rules.password_problem(password, user_id):
        errors["password"] = problem
    if problem := rules.answer_problem(answer):
        errors["secret_answer"] = problem
    question = session.get(SecretQuestion, question_code or "")
    if question is None or not question.active:
        errors["secret_question"] = _l("Choose a secret question from the list.")
    if errors:
        raise AccountError(errors)

    password_hash = hash_secret(password)
    answer_hash = hash_secret(rules.normalize_answer(answer))
    folded = rules.fold_user_id(user_id)
    taken_message = _l("This user ID is already in use. Choose another one.")
    try:
        with write_transaction(session):
            link = session.get(RegistrationToken, link_id, populate_existing=True)
            state = link_state(link, now)
            if state not in (LinkState.OK,):
                raise LinkUnusable(state)
            if user_ids.user_id_in_use(session, folded):
                raise UserIdTaken(taken_message, [])
            claimed = session.execute(
                update(User)
                .where(User.id == link.user_id, User.status == "pending")
                .values(
                    user_id=user_id,
                    user_id_folded=folded,
                    password_hash=password_hash,
                    secret_question_code=question.code,
                    secret_answer_hash=answer_hash,
                    status="active",
                    registered_at=now,
                    failed_logins=0,
                    locked_at=None,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            used = session.execute(
                update(RegistrationToken)
                .where(RegistrationToken.id == link_id, RegistrationToken.used_at.is_(None))
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1 or used != 1:
                raise LinkUnusable(LinkState.USED)
            user_pk = link.user_id
    except IntegrityError:
        raise UserIdTaken(taken_message, suggest_user_ids(session, user_id)) from None
    except UserIdTaken:
        raise UserIdTaken(taken_message, suggest_user_ids(session, user_id)) from None
    return session.get(User, user_pk, populate_existing=True)
