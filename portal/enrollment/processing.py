"""Deciding applications in the back office (ENR-7): start the review, approve, reject.

Each decision is one unit of work (:func:`portal.accounts.services.write_transaction`): the
status change, its effect (users created, access changed, a user disabled, the two emails
queued) and the audit record are committed together or not at all.

The status moves with a conditional ``UPDATE ... WHERE status IN (...)``. Of two staff
members (or two clicks) deciding one application at the same time exactly one changes the
row; the other gets :class:`AlreadyDecided` and nothing of theirs is applied. On SQLite the
unit of work starts with ``BEGIN IMMEDIATE``; on PostgreSQL the second ``UPDATE`` waits for
the first transaction and then finds the status changed.

Nothing here reads the Flask request. Functions that queue email need an application
context (templates and settings); ``base_url`` and ``link_hours`` default to the settings.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from portal.accounts import services as accounts
from portal.accounts.models import User, UserAccess
from portal.backoffice import audit
from portal.backoffice.models import Staff
from portal.db import utcnow
from portal.enrollment import services
from portal.enrollment.models import Application
from portal.reference.models import Country, Function, FunctionRole

TARGET = "application"
OPEN = ("received", "in_review")
DECIDED = ("completed", "rejected")
REASON_MAX = 1000


class ProcessingError(Exception):
    """The decision cannot be made; ``errors`` maps a field (or ``""``) to a message for
    staff. Nothing was changed."""

    def __init__(self, errors: Mapping[str, Any]):
        super().__init__(dict(errors))  # lazy messages: turned into text where shown
        self.errors = dict(errors)

    @property
    def message(self) -> str:
        return " ".join(str(value) for value in self.errors.values())


class AlreadyDecided(ProcessingError):
    """Someone (perhaps this person a moment ago) decided the application already."""

    def __init__(self, status: str):
        super().__init__({"": _l("This application has already been decided. Nothing was "
                                 "changed.")})
        self.status = status


class NotApplicable(ProcessingError):
    """The application asks for something that cannot be done (unknown user ID, unknown
    country ...). Nothing was changed; the application stays open."""


@dataclass
class Outcome:
    """What a decision did, for the page that reports it."""

    application: Application
    created: list[User] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    disabled: list[str] = field(default_factory=list)


def _config(name: str, default: Any) -> Any:
    from flask import current_app, has_app_context

    return current_app.config.get(name, default) if has_app_context() else default


def _staff_id(staff: Staff | int) -> int:
    return staff if isinstance(staff, int) else staff.id


def _move(session: Session, application_id: int, *, allowed: tuple[str, ...],
          values: dict[str, Any]) -> bool:
    """Change the status of one application if it is still in ``allowed``."""
    changed = session.execute(
        update(Application)
        .where(Application.id == application_id, Application.status.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed == 1


def _current_status(session: Session, application_id: int) -> str:
    status = session.scalar(select(Application.status).where(Application.id == application_id))
    if status is None:
        raise ProcessingError({"": _l("This application does not exist.")})
    return status


def _reload(session: Session, application_id: int) -> Application:
    return session.get(Application, application_id, populate_existing=True)


def without_secrets(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each user's auth PIN and word replaced by ``True`` (set) or ``None``."""
    data = copy.deepcopy(data or {})
    for person in data.get("users") or []:
        if isinstance(person, dict):
            for key in ("auth_pin", "auth_word"):
                if key in person:
                    person[key] = True if person[key] else None
    return data


# --- start review ---------------------------------------------------------------------------

def start_review(session: Session, application: Application | int, staff: Staff | int, *,
                 now: datetime | None = None) -> Application:
    """received -> in_review, recorded. Starting a review twice is answered with
    :class:`ProcessingError` (it is already in review) and changes nothing."""
    now = now or utcnow()
    application_id = application if isinstance(application, int) else application.id
    with accounts.write_transaction(session):
        if not _move(session, application_id, allowed=("received",),
                     values={"status": "in_review"}):
            status = _current_status(session, application_id)
            if status == "in_review":
                raise ProcessingError({"": _l("The review of this application has already "
                                              "started.")})
            raise AlreadyDecided(status)
        audit.record(session, _staff_id(staff), "application.start_review", TARGET,
                     application_id)
    return _reload(session, application_id)


# --- reject ---------------------------------------------------------------------------------

def clean_reason(reason: str | None) -> str:
    return unicodedata.normalize("NFC", (reason or "").strip())


def reject(session: Session, application: Application | int, staff: Staff | int,
           reason: str | None, *, now: datetime | None = None) -> Application:
    """Reject an open application with a reason the applicant sees when tracking it.
    The auth PIN and word are removed from the stored data (they will never be used)."""
    now = now or utcnow()
    application_id = application if isinstance(application, int) else application.id
    reason = clean_reason(reason)
    if not reason:
        raise ProcessingError({"reason": _l("Enter the reason for rejecting the application. "
                                            "The applicant will see it.")})
    if len(reason) > REASON_MAX:
        raise ProcessingError({"reason": _l("Keep the reason to %(max)d characters or fewer.",
                                            max=REASON_MAX)})
    with accounts.write_transaction(session):
        data = session.scalar(select(Application.data).where(Application.id == application_id))
        if not _move(session, application_id, allowed=OPEN, values={
            "status": "rejected", "decided_at": now, "decided_by_id": _staff_id(staff),
            "decision_reason": reason, "data": without_secrets(data or {}),
        }):
            raise AlreadyDecided(_current_status(session, application_id))
        audit.record(session, _staff_id(staff), "application.reject", TARGET, application_id,
                     {"reason": reason})
    return _reload(session, application_id)


# --- approve --------------------------------------------------------------------------------

def approve(session: Session, application: Application | int, staff: Staff | int, *,
            now: datetime | None = None, base_url: str | None = None,
            link_hours: int | None = None) -> Outcome:
    """Approve an open application and apply it (see the module docstring).

    Raises :class:`AlreadyDecided` when it was decided already and :class:`NotApplicable`
    when it cannot be applied; in both cases nothing is changed.
    """
    now = now or utcnow()
    application_id = application if isinstance(application, int) else application.id
    base_url = (base_url if base_url is not None else _config("BASE_URL", "")).rstrip("/")
    if link_hours is None:
        link_hours = int(_config("REGISTRATION_LINK_HOURS", 168))
    with accounts.write_transaction(session):
        if not _move(session, application_id, allowed=OPEN, values={
            "status": "completed", "decided_at": now, "decided_by_id": _staff_id(staff),
            "decision_reason": None,
        }):
            raise AlreadyDecided(_current_status(session, application_id))
        target = _reload(session, application_id)
        outcome = Outcome(target)
        if applicant_problem(session, target) is not None:
            applicant_id = str(((target.data or {}).get("applicant") or {}).get("user_id") or "-")
            raise NotApplicable({"": _l(
                "The applicant says they are the company's registered Program Administrator, "
                "but %(user_id)s is not an active Program Administrator's user ID. Confirm "
                "with the company; if it is wrong, reject the application with a reason.",
                user_id=applicant_id)})
        data = copy.deepcopy(target.data or {})
        if target.kind == "new":
            details = _apply_new(session, data, outcome, now=now, base_url=base_url,
                                 link_hours=link_hours)
            data = without_secrets(data)
        elif target.kind == "change":
            details = _apply_change(session, data, outcome, now=now)
        elif target.kind == "delete":
            details = _apply_delete(session, data, outcome, now=now)
        else:
            raise NotApplicable({"": _l("This kind of application cannot be approved.")})
        target.data = data
        session.flush()
        audit.record(session, _staff_id(staff), "application.approve", TARGET, application_id,
                     details)
    outcome.application = _reload(session, application_id)
    return outcome


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


def _apply_new(session: Session, data: dict[str, Any], outcome: Outcome, *, now: datetime,
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


def _apply_change(session: Session, data: dict[str, Any], outcome: Outcome, *,
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
    return {"user_ids": ", ".join(user_ids), "added": outcome.added,
            "removed": outcome.removed, "unchanged": outcome.unchanged}


def _apply_delete(session: Session, data: dict[str, Any], outcome: Outcome, *,
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


# --- reading --------------------------------------------------------------------------------

@dataclass
class CreatedUser:
    family_name: str
    given_name: str
    email: str
    contact_id: str


def created_users(application: Application) -> list[CreatedUser]:
    """The users an approved add-user application created, with their contact IDs."""
    return [CreatedUser(str(person.get("family_name") or ""), str(person.get("given_name") or ""),
                        str(person.get("email") or ""), str(person["contact_id"]))
            for person in (application.data or {}).get("users") or []
            if isinstance(person, dict) and person.get("contact_id")]


def contact_ids(application: Application) -> list[str]:
    """The contact IDs of the users an approved add-user application created."""
    return [str(person["contact_id"]) for person in (application.data or {}).get("users") or []
            if isinstance(person, dict) and person.get("contact_id")]


@dataclass
class TargetUser:
    """A registered user an open change or delete application names, as things stand now."""

    user_id: str
    user: User | None

    @property
    def problem(self) -> str | None:
        if self.user is None:
            return "unknown"
        if self.user.status == "disabled":
            return "disabled"
        return None


def applicant_problem(session: Session, application: Application) -> str | None:
    """``"not_pa"`` when the applicant of a change says they are the company's registered
    Program Administrator (ENR-4: then no approver confirms it), or the applicant of a
    deletion gives a user ID (ENR-5), and that ID is not an active PA's; None otherwise."""
    applicant = (application.data or {}).get("applicant") or {}
    says_pa = ((application.kind == "change" and applicant.get("mode") == "pa")
               or (application.kind == "delete" and applicant.get("user_id")))
    if says_pa and services.registered_role(session, applicant.get("user_id")) != "pa":
        return "not_pa"
    return None


def target_users(session: Session, application: Application) -> list[TargetUser]:
    """For a change or delete application: each user ID it names and who has it now, so
    staff see before approving whether it can be applied."""
    data = application.data or {}
    if application.kind == "change":
        ids = [str(person.get("user_id") or "") for person in data.get("users") or []]
    elif application.kind == "delete":
        ids = [str(data.get("user_id") or "")]
    else:
        return []
    return [TargetUser(user_id, accounts.find_by_user_id(session, user_id)) for user_id in ids]
