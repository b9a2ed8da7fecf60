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
    "program.create": _l("Opened the rewards program"),
    "program.enrol_card": _l("Enrolled a card"),
    "program.card_left": _l("A card left the program"),
    "program.card_status": _l("Changed a card's standing"),
    "program.designate": _l("Designated a third party"),
    "program.undesignate": _l("Removed a designated third party"),
    "program.change_pa": _l("Changed the Program Administrator"),
    "program.standing": _l("Changed the account's standing"),
    "program.cancel": _l("Cancelled the program"),
    "program.terminate": _l("Terminated the program"),
    "program.lapse": _l("The remaining points lapsed"),
    "program.import": _l("Imported a statement"),
    "order.ship": _l("Marked the order shipped"),
    "order.deliver": _l("Marked the order delivered"),
    "order.substitute": _l("Sent an equal item instead"),
    "order.refund": _l("Gave the order's points back"),
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
    "company": _l("Company"),
    "card": _l("Card (last five digits)"),
    "product": _l("Card product"),
    "refund_yen": _l("Fee refunded (yen)"),
    "status": _l("Status"),
    "good_standing": _l("In good standing"),
    "points": _l("Points"),
    "until": _l("Redeemable until"),
    "file": _l("File"),
    "imported": _l("Transactions imported"),
    "skipped": _l("Already imported"),
    "reference": _l("Reference"),
    "item_no": _l("Item no."),
    "name_ja": _l("Item name (Japanese)"),
    "name_en": _l("Item name (English)"),
}


def detail_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def record(session: Session, staff: Staff | int | None, action: str, target_type: str,
           target_id: Any, details: str | dict[str, Any] | None = None) -> StaffAction:
    """Add ``staff`` did ``action`` to ``target_type`` ``target_id`` (no commit). ``staff``
    None records an action of the portal itself (a scheduled run)."""
    if not action or not target_type:
        raise ValueError("an audit record needs an action and a target type")
    staff_id = staff if isinstance(staff, int) or staff is None else staff.id
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
