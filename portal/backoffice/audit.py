"""The staff audit trail: ``record`` what staff do, list it per target.

``record`` adds a row to the caller's transaction (never commits), so the action is kept
exactly when the change it describes is.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.backoffice.models import Staff, StaffAction
from portal.db import utcnow

# Labels of the actions the back office knows; an unknown code is shown as it is.
# A feature that records a new action adds its label here.
ACTION_LABELS = {
    "mail.retry": _l("Put a failed email back in the queue"),
    "application.approve": _l("Approved the application"),
    "application.reject": _l("Rejected the application"),
    "application.start_review": _l("Started the review"),
    "user.unlock": _l("Unlocked the user's sign-in"),
}


# Labels of the keys of ``details`` dictionaries; other keys are shown as they are.
DETAIL_LABELS = {
    "reason": _l("Reason"),
    "attempts": _l("Attempts so far"),
    "last_error": _l("Last error"),
    "contact_ids": _l("Contact IDs created"),
    "user_ids": _l("User IDs"),
    "added": _l("Access added"),
    "removed": _l("Access removed"),
    "unchanged": _l("Already as requested"),
    "user_id": _l("User ID"),
    "contact_id": _l("Contact ID"),
    "failed_logins": _l("Wrong passwords before the unlock"),
}


def detail_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def record(session: Session, staff: Staff | int, action: str, target_type: str,
           target_id: Any, details: str | dict[str, Any] | None = None) -> StaffAction:
    """Add ``staff`` did ``action`` to ``target_type`` ``target_id`` (no commit)."""
    if not action or not target_type:
        raise ValueError("an audit record needs an action and a target type")
    staff_id = staff if isinstance(staff, int) else staff.id
    entry = StaffAction(
        staff_id=staff_id, action=action, target_type=target_type,
        target_id=str(target_id), details=details, at=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def actions_for(session: Session, target_type: str, target_id: Any) -> list[StaffAction]:
    """Every recorded action on one target, newest first."""
    return list(session.scalars(
        select(StaffAction)
        .options(joinedload(StaffAction.staff))
        .where(StaffAction.target_type == target_type,
               StaffAction.target_id == str(target_id))
        .order_by(StaffAction.at.desc(), StaffAction.id.desc())
    ))


def recent_actions(session: Session, limit: int = 10) -> list[StaffAction]:
    return list(session.scalars(
        select(StaffAction).options(joinedload(StaffAction.staff))
        .order_by(StaffAction.at.desc(), StaffAction.id.desc()).limit(limit)
    ))
