"""Reading applications for the back office (ENR-7): the filtered list, counts, names, and
what the detail page shows beside the application (the users it created, the users it
names as things stand now, whether its applicant is who they say, the data without its
secrets).

Dates in filters are calendar dates in Japan (the portal's time zone): "submitted from
1 December" means from midnight Japan time.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.backoffice.models import Staff
from portal.enrollment import services
from portal.enrollment.models import KINDS, STATUSES, Application, ApplicationDocument
from portal.workdays import JAPAN

PER_PAGE = 25


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    status: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    # A reference number (hyphens, case and width ignored) or the applicant's whole email.
    query: str | None = None

    def where(self, *, with_status: bool = True) -> list:
        clauses = []
        if self.query:
            from portal.tracking.services import fold_email, normalize_reference

            if "@" in self.query:
                clauses.append(Application.applicant_email_folded == fold_email(self.query))
            else:
                clauses.append(func.upper(func.replace(Application.reference, "-", ""))
                               == normalize_reference(self.query))
        if self.kind in KINDS:
            clauses.append(Application.kind == self.kind)
        if with_status and self.status in STATUSES:
            clauses.append(Application.status == self.status)
        if self.submitted_from is not None:
            clauses.append(Application.submitted_at >= japan_midnight(self.submitted_from))
        if self.submitted_to is not None:
            clauses.append(Application.submitted_at
                           < japan_midnight(self.submitted_to + timedelta(days=1)))
        return clauses


def japan_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=JAPAN)


@dataclass
class Page:
    items: list[Application]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def list_applications(session: Session, filters: Filters, page: int = 1,
                      per_page: int = PER_PAGE) -> Page:
    """Newest first, ``per_page`` at a time; a page past the end shows the last one."""
    where = filters.where()
    total = session.scalar(select(func.count()).select_from(Application).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    items = list(session.scalars(
        select(Application).where(*where)
        .order_by(Application.submitted_at.desc(), Application.id.desc())
        .offset((number - 1) * per_page).limit(per_page)
    ))
    return Page(items, number, pages, total)


def status_counts(session: Session, filters: Filters | None = None) -> dict[str, int]:
    """How many applications are in each status (the status filter itself left out)."""
    where = filters.where(with_status=False) if filters else []
    counts = dict.fromkeys(STATUSES, 0)
    for status, number in session.execute(
            select(Application.status, func.count()).where(*where)
            .group_by(Application.status)):
        counts[status] = number
    return counts


def get_application(session: Session, application_id: int) -> Application | None:
    return session.scalar(
        select(Application).where(Application.id == application_id)
        .options(selectinload(Application.documents))
        .execution_options(populate_existing=True)
    )


def get_document(session: Session, application_id: int,
                 document_id: int) -> ApplicationDocument | None:
    return session.scalar(select(ApplicationDocument).where(
        ApplicationDocument.id == document_id,
        ApplicationDocument.application_id == application_id))


def document_path(upload_dir: str | Path, document: ApplicationDocument) -> Path | None:
    """The stored file of ``document`` inside ``upload_dir``, or ``None`` when it is missing
    or its name would lead outside the folder."""
    root = Path(upload_dir).resolve()
    name = document.storage_name or ""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = (root / name).resolve()
    if path.parent != root or not path.is_file():
        return None
    return path


def decided_by(session: Session, application: Application) -> Staff | None:
    if application.decided_by_id is None:
        return None
    return session.get(Staff, application.decided_by_id)


def without_secrets(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each user's auth PIN and word replaced by ``True`` (set) or ``None``."""
    data = copy.deepcopy(data or {})
    for person in data.get("users") or []:
        if isinstance(person, dict):
            for key in ("auth_pin", "auth_word"):
                if key in person:
                    person[key] = True if person[key] else None
    return data


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
