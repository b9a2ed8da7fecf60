"""What approving an application does to the accounts (ENR-7), one function per kind:

- :func:`apply_new` creates the users with their access and queues their two emails
  (MAIL-1, MAIL-2);
- :func:`apply_change` adds and removes access entries of registered users;
- :func:`apply_delete` removes a user's access and disables the user.

Each works on the application's data inside the unit of work that ``processing.approve``
opened: it commits nothing, raises :class:`~portal.backoffice.outcomes.NotApplicable` when
the application asks for something that cannot be done (the whole decision is then rolled
back) and returns the details for the audit record.

May import: ``portal.accounts``, ``portal.mail``, ``portal.reference`` and the back
office's ``outcomes``; nothing that reads the Flask request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from portal.accounts import services as accounts
from portal.accounts.models import User, UserAccess
from portal.backoffice.outcomes import NotApplicable, Outcome
from portal.reference.models import Country, Function, FunctionRole


def _person(data: Mapping[str, Any], index: int) -> str:
    name = f"{data.get('family_name') or ''} {data.get('given_name') or ''}".strip()
    return name or str(index + 1)


def _check_codes(session: Session, country: str | None, functions: list[str]) -> None:
    if not country or session.get(Country, country) is None:
        raise NotApplicable({"": _l("The country %(code)s is not known to the portal.",
                                    code=country or "-")})
    for code in functions:
        if session.get(Function, code) is None:
            raise NotApplicable({"": _l("The function %(code)s is not known to the portal.",
                                        code=code)})


def _access_rows(session: Session, entries: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The access entries of the contract as rows for ``create_user``, duplicates removed."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for entry in entries or []:
        country = str(entry.get("country") or "").upper()
        control_group = str(entry.get("control_group") or "")
        functions = [str(item.get("function") or "") for item in entry.get("functions") or []]
        _check_codes(session, country, functions)
        if not control_group.isdigit():
            raise NotApplicable({"": _l("The control group number %(number)s is not valid.",
                                        number=control_group or "-")})
        for item in entry.get("functions") or []:
            function = str(item.get("function"))
            rows[(country, function, control_group)] = {
                "country_code": country, "function_code": function,
                "control_group": control_group, "role_code": item.get("role") or None,
            }
    return list(rows.values())


def apply_new(session: Session, data: dict[str, Any], outcome: Outcome, *, now: datetime,
              base_url: str, link_hours: int) -> dict[str, Any]:
    from portal.mail.messages import queue_new_user_emails

    people = data.get("users") or []
    if not people:
        raise NotApplicable({"": _l("The application names no users.")})
    contact_ids = []
    for index, person in enumerate(people):
        if person.get("contact_id"):
            raise NotApplicable({"": _l("The users of this application exist already.")})
        access = _access_rows(session, person.get("access") or [])
        try:
            user, token = accounts.create_user(
                session,
                family_name=str(person.get("family_name") or ""),
                given_name=str(person.get("given_name") or ""),
                email=str(person.get("email") or ""),
                country_code=str(person.get("country") or ""),
                birth_day=int(person.get("birth_day") or 0),
                birth_month=int(person.get("birth_month") or 0),
                birth_year=person.get("birth_year") or None,
                auth_pin=person.get("auth_pin") or None,
                auth_word=person.get("auth_word") or None,
                program_role=str(person.get("program_role") or "user"),
                access=access,
                link_hours=link_hours,
                now=now,
            )
        except (ValueError, TypeError) as exc:
            raise NotApplicable({"": _l("User %(person)s cannot be created: %(problem)s",
                                        person=_person(person, index), problem=str(exc))}
                                ) from exc
        queue_new_user_emails(
            session, user_like=user, registration_url=f"{base_url}/register/{token}",
            link_expires_at=now + timedelta(hours=link_hours),
        )
        person["contact_id"] = user.contact_id
        outcome.created.append(user)
        contact_ids.append(user.contact_id)
    return {"contact_ids": ", ".join(contact_ids)}


def _registered_user(session: Session, user_id: str | None) -> User:
    user = accounts.find_by_user_id(session, user_id or "")
    if user is None:
        raise NotApplicable({"": _l("No portal user has the user ID %(user_id)s. Check the "
                                    "application, or reject it.", user_id=user_id or "-")})
    return user


def _find_access(session: Session, user: User, country: str, function: str,
                 control_group: str) -> UserAccess | None:
    return session.scalar(select(UserAccess).where(and_(
        UserAccess.user_id == user.id, UserAccess.country_code == country,
        UserAccess.function_code == function, UserAccess.control_group == control_group,
    )))


def _change_entry(session: Session, user: User, action: str, outcome: Outcome, *,
                  country: str, function: str, control_group: str, role: str | None,
                  now: datetime) -> None:
    """Add (or give another role to) or remove one access entry, counted in ``outcome``."""
    existing = _find_access(session, user, country, function, control_group)
    if action == "add":
        if existing is None:
            session.add(UserAccess(user_id=user.id, country_code=country,
                                   function_code=function, role_code=role,
                                   control_group=control_group, created_at=now))
            outcome.added += 1
        elif existing.role_code != role:
            existing.role_code = role
            outcome.added += 1
        else:
            outcome.unchanged += 1
    elif existing is not None:
        session.delete(existing)
        outcome.removed += 1
    else:
        outcome.unchanged += 1
    session.flush()


def apply_change(session: Session, data: dict[str, Any], outcome: Outcome, *,
                 now: datetime) -> dict[str, Any]:
    people = data.get("users") or []
    if not people:
        raise NotApplicable({"": _l("The application names no users.")})
    user_ids = []
    for person in people:
        user = _registered_user(session, person.get("user_id"))
        if user.status == "disabled":
            raise NotApplicable({"": _l("The user ID %(user_id)s has been deleted; its access "
                                        "cannot be changed.", user_id=person.get("user_id"))})
        user_ids.append(user.user_id or "")
        for change in person.get("changes") or []:
            country = str(change.get("country") or "").upper()
            control_group = str(change.get("control_group") or "")
            action = change.get("action")
            functions = [str(item.get("function") or "")
                         for item in change.get("functions") or []]
            _check_codes(session, country, functions)
            if action not in ("add", "remove") or not control_group.isdigit():
                raise NotApplicable({"": _l("A change in this application is not complete.")})
            for item in change.get("functions") or []:
                function = str(item.get("function"))
                role = item.get("role") or None
                if role is not None and session.scalar(select(FunctionRole.id).where(
                        FunctionRole.function_code == function,
                        FunctionRole.code == role)) is None:
                    raise NotApplicable({"": _l("The role %(code)s is not known to the "
                                                "portal.", code=role)})
                _change_entry(session, user, action, outcome, country=country,
                              function=function, control_group=control_group, role=role,
                              now=now)
    return {"user_ids": ", ".join(user_ids), "added": outcome.added,
            "removed": outcome.removed, "unchanged": outcome.unchanged}


def apply_delete(session: Session, data: dict[str, Any], outcome: Outcome, *,
                 now: datetime) -> dict[str, Any]:
    user = _registered_user(session, data.get("user_id"))
    removed = 0
    for entry in list(user.access):
        session.delete(entry)
        removed += 1
    accounts.disable_user(session, user, now=now)
    outcome.removed = removed
    outcome.disabled.append(user.user_id or "")
    return {"user_ids": user.user_id, "removed": removed}
