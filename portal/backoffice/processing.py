"""Deciding applications in the back office (ENR-7): start the review, approve, reject.

The staff side of an application lives with the back office (it records staff actions in
the audit trail and names the staff member); it calls the applicant side's services
(``portal.enrollment``), which never import back-office code.

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

What approving does for each kind lives in ``applying.py``; the answers (the outcome and
the errors) in ``outcomes.py``; what the detail page reads about an application in
``applications.py``.
"""

from __future__ import annotations

import copy
import unicodedata
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts import services as accounts
from portal.backoffice import audit
from portal.backoffice.applications import applicant_problem, without_secrets
from portal.backoffice.applying import apply_change, apply_delete, apply_new
from portal.backoffice.models import Staff
from portal.backoffice.outcomes import AlreadyDecided, NotApplicable, Outcome, ProcessingError
from portal.db import utcnow
from portal.enrollment.models import Application

TARGET = "application"
OPEN = ("received", "in_review")
DECIDED = ("completed", "rejected")
REASON_MAX = 1000


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
    """Approve an open application and apply it (see the module docstring; what each kind does:
    ``applying.py``).

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
            details = apply_new(session, data, outcome, now=now, base_url=base_url,
                                link_hours=link_hours)
            data = without_secrets(data)
        elif target.kind == "change":
            details = apply_change(session, data, outcome, now=now)
        elif target.kind == "delete":
            details = apply_delete(session, data, outcome, now=now)
        else:
            raise NotApplicable({"": _l("This kind of application cannot be approved.")})
        target.data = data
        session.flush()
        audit.record(session, _staff_id(staff), "application.approve", TARGET, application_id,
                     details)
    outcome.application = _reload(session, application_id)
    return outcome

