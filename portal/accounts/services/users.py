"""Users as the back office manages them: creation with a first registration link, a new
link, disabling, unlocking, and the access overview shown on the signed-in home.

These are building blocks called inside the caller's transaction: they flush and never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts import rules
from portal.accounts.models import RegistrationToken, User, UserAccess
from portal.accounts.services.common import current_limits, hash_secret, token_digest
from portal.accounts.services.sessions import end_user_sessions
from portal.db import utcnow
from portal.reference.models import Country, Function, FunctionRole


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
    end_user_sessions(session, user.id, now)
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
