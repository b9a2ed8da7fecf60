"""Portal users: creation, first-login registration, sign-in, sessions and password reset.

Rules live in :mod:`portal.accounts.rules`; this module owns the data and the transactions.

Two kinds of functions:

- **Building blocks for other features** (the back office calls them inside its own
  transaction): :func:`create_user`, :func:`issue_registration_link`, :func:`disable_user`,
  :func:`unlock`. They flush and never commit.
- **Units of work behind the sign-in and registration pages** (:func:`verify_identity`,
  :func:`complete_registration`, :func:`authenticate`, :func:`start_session`, ...). Each runs
  in its own transaction (:func:`write_transaction`), serialized on SQLite with
  ``BEGIN IMMEDIATE``, and commits. Slow argon2 work is done before the transaction starts.

Secrets (auth PIN and word, password, secret answer) are hashed with argon2id; registration
links and session tokens are random and only their SHA-256 is stored.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session

from portal.accounts import limiter, rules
from portal.accounts.models import AuthSession, RegistrationToken, User, UserAccess
from portal.db import immediate, utcnow
from portal.reference.models import Country, Function, FunctionRole, SecretQuestion

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


class AccountError(Exception):
    """A rule was broken; ``errors`` maps form fields to messages for the person."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__(dict(errors))
        self.errors = dict(errors)


# --- users: creation and administration (called by the back office) -------------------------

def _new_contact_id() -> str:
    return str(100_000_000 + secrets.randbelow(900_000_000))


def _access_value(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def create_user(
    session: Session,
    *,
    family_name: str,
    given_name: str,
    email: str,
    country_code: str,
    birth_day: int,
    birth_month: int,
    birth_year: int | None = None,
    auth_pin: str | None = None,
    auth_word: str | None = None,
    program_role: str = "user",
    access: Iterable[Any] = (),
    link_hours: int | None = None,
    now: datetime | None = None,
) -> tuple[User, str]:
    """Create a pending user and their first registration link; return ``(user, token)``.

    The link is ``/register/<token>``. The user gets a unique random 9-digit contact ID and the
    language of their country. ``auth_word`` needs ``auth_pin`` (REG-2 asks for both).
    ``access`` items are mappings or objects with ``country_code``, ``function_code``,
    ``control_group`` and optionally ``role_code``. Flushes; the caller commits.
    """
    from portal.accounts.models import PROGRAM_ROLES

    country = session.get(Country, (country_code or "").upper())
    if country is None:
        raise ValueError(f"unknown country: {country_code!r}")
    if not rules.valid_birthday(int(birth_day), int(birth_month)):
        raise ValueError(f"not a birthday: day {birth_day}, month {birth_month}")
    if program_role not in PROGRAM_ROLES:
        raise ValueError(f"unknown program role: {program_role!r}")
    pin = rules.normalize_pin(auth_pin or "")
    word = rules.normalize_auth_word(auth_word or "")
    if word and not pin:
        raise ValueError("an auth word needs an auth PIN")

    user = User(
        family_name=family_name.strip(),
        given_name=given_name.strip(),
        email=email.strip(),
        country_code=country.code,
        language=country.language,
        birth_day=int(birth_day),
        birth_month=int(birth_month),
        birth_year=birth_year,
        auth_pin_hash=hash_secret(pin) if pin else None,
        auth_word_hash=hash_secret(word) if word else None,
        program_role=program_role,
        status="pending",
        failed_logins=0,
        created_at=now or utcnow(),
    )
    for item in access:
        user.access.append(
            UserAccess(
                country_code=_access_value(item, "country_code"),
                function_code=_access_value(item, "function_code"),
                role_code=_access_value(item, "role_code") or None,
                control_group=_access_value(item, "control_group"),
            )
        )
    for _attempt in range(8):
        contact_id = _new_contact_id()
        if session.scalar(select(User.id).where(User.contact_id == contact_id)) is not None:
            continue
        user.contact_id = contact_id
        try:
            with session.begin_nested():
                session.add(user)
                session.flush()
        except IntegrityError:
            # Another transaction took the same contact ID a moment ago: draw again (the
            # savepoint's rollback has taken the new user out of the session).
            continue
        break
    else:  # pragma: no cover - nine digits make this astronomically unlikely
        raise RuntimeError("could not find a free contact ID")
    token = issue_registration_link(session, user, hours=link_hours, now=now)
    return user, token


def issue_registration_link(
    session: Session, user: User, *, hours: int | None = None, now: datetime | None = None
) -> str:
    """A new single-use registration link for a pending user; earlier unused links stop
    working. Returns the token (the link is ``/register/<token>``). Flushes only."""
    if user.status != "pending":
        raise ValueError("only a user who has not registered yet gets a registration link")
    now = now or utcnow()
    if hours is None:
        hours = current_limits().link_hours
    session.execute(
        update(RegistrationToken)
        .where(
            RegistrationToken.user_id == user.id,
            RegistrationToken.used_at.is_(None),
            RegistrationToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        RegistrationToken(
            user_id=user.id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            failed_attempts=0,
        )
    )
    session.flush()
    return token


def disable_user(session: Session, user: User, *, now: datetime | None = None) -> None:
    """Stop a user from signing in or registering, and end their sessions. Flushes only."""
    now = now or utcnow()
    user.status = "disabled"
    _end_sessions(session, user.id, now)
    session.execute(
        update(RegistrationToken)
        .where(RegistrationToken.user_id == user.id, RegistrationToken.revoked_at.is_(None),
               RegistrationToken.used_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()


def unlock(session: Session, user: User) -> None:
    """Unlock an account locked by wrong passwords (AUTH-1). Flushes only."""
    user.locked_at = None
    user.failed_logins = 0
    session.flush()


def find_by_user_id(session: Session, user_id: str) -> User | None:
    folded = rules.fold_user_id(user_id or "")
    if not folded:
        return None
    return session.scalar(select(User).where(User.user_id_folded == folded))


# --- first-login registration (REG) ----------------------------------------------------------

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


def _record_address_failure(session: Session, address: str, limits: Limits, now: datetime):
    limiter.hit(session, _address_key(address), window=limits.attempt_window, now=now)


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
        _record_address_failure(session, address, limits, now)
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


def taken_user_ids(session: Session, candidates: list[str]) -> set[str]:
    """The case-folded forms among ``candidates`` that belong to someone."""
    folded = [rules.fold_user_id(c) for c in candidates]
    if not folded:
        return set()
    return set(session.scalars(select(User.user_id_folded).where(User.user_id_folded.in_(folded))))


def user_id_available(session: Session, user_id: str) -> bool:
    return not taken_user_ids(session, [user_id])


def suggest_user_ids(session: Session, wanted: str, count: int = 3) -> list[str]:
    return rules.suggest_user_ids(wanted, lambda c: taken_user_ids(session, c), count=count)


def user_id_check_allowed(
    session: Session, address: str, limits: Limits | None = None, now: datetime | None = None
) -> bool:
    """Availability checks while typing are limited per client address (one atomic count)."""
    limits = limits or current_limits()
    with write_transaction(session):
        hits = limiter.hit(session, f"idcheck:{address or '-'}", window=timedelta(minutes=1),
                           now=now)
    return hits <= limits.user_id_checks_per_minute


def _user_id_in_use(session: Session, folded: str) -> bool:
    """The friendly early check; the unique constraint is what finally decides."""
    return session.scalar(select(User.id).where(User.user_id_folded == folded)) is not None


class UserIdTaken(AccountError):
    """The user ID went to someone else, perhaps a moment ago; ``suggestions`` are free."""

    def __init__(self, message: str, suggestions: list[str]):
        super().__init__({"user_id": message})
        self.suggestions = suggestions


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
            if _user_id_in_use(session, folded):
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


# --- sign-in and sessions (AUTH-1, AUTH-3) ---------------------------------------------------

class SignIn(enum.Enum):
    OK = "ok"
    INVALID = "invalid"  # wrong user ID or password: the one generic answer
    DISABLED = "disabled"  # the right password for a disabled account
    PENDING = "pending"  # a contact ID whose registration is not finished (AUTH-3)
    ADDRESS_LIMITED = "address_limited"


@dataclass
class SignInResult:
    outcome: SignIn
    user: User | None = None
    wait: timedelta = timedelta(0)


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
        _record_address_failure(session, address, limits, now)
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


def _end_sessions(session: Session, user_pk: int, now: datetime) -> None:
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


# --- forgotten password (AUTH-2) -------------------------------------------------------------

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


@dataclass
class ResetResult:
    outcome: Reset
    user: User | None = None
    wait: timedelta = timedelta(0)


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
        _record_address_failure(session, address, limits, now)
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
        _end_sessions(session, user_pk, now)
    return session.get(User, user_pk, populate_existing=True)


# --- the signed-in home ---------------------------------------------------------------------

@dataclass
class AccessLine:
    function: Function
    role: FunctionRole | None


@dataclass
class ControlGroupAccess:
    control_group: str
    lines: list[AccessLine]


@dataclass
class CountryAccess:
    country: Country
    groups: list[ControlGroupAccess]


def access_overview(session: Session, user: User) -> list[CountryAccess]:
    """The user's access by country, then control group, with function and role objects."""
    entries = list(
        session.scalars(select(UserAccess).where(UserAccess.user_id == user.id)
                        .order_by(UserAccess.id))
    )
    if not entries:
        return []
    countries = {c.code: c for c in session.scalars(
        select(Country).where(Country.code.in_({e.country_code for e in entries})))}
    functions = {f.code: f for f in session.scalars(
        select(Function).where(Function.code.in_({e.function_code for e in entries})))}
    roles = {(r.function_code, r.code): r for r in session.scalars(
        select(FunctionRole).where(FunctionRole.function_code.in_(set(functions))))}
    result: list[CountryAccess] = []
    by_country: dict[str, CountryAccess] = {}
    for entry in sorted(entries, key=lambda e: (countries[e.country_code].position,
                                                e.control_group,
                                                functions[e.function_code].position)):
        block = by_country.get(entry.country_code)
        if block is None:
            block = by_country[entry.country_code] = CountryAccess(
                countries[entry.country_code], [])
            result.append(block)
        if not block.groups or block.groups[-1].control_group != entry.control_group:
            block.groups.append(ControlGroupAccess(entry.control_group, []))
        block.groups[-1].lines.append(AccessLine(
            functions[entry.function_code],
            roles.get((entry.function_code, entry.role_code)) if entry.role_code else None,
        ))
    return result


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
