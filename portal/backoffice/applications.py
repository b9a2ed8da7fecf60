"""Reading applications for the back office (ENR-7): the filtered list, counts, names.

Dates in filters are calendar dates in Japan (the portal's time zone): "submitted from
1 December" means from midnight Japan time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.backoffice.models import Staff
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
