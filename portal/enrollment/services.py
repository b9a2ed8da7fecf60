"""Enrollment rules that need the database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.accounts.services import find_by_user_id
from portal.enrollment import rules


def registered_role(session: Session, user_id: str | None) -> str | None:
    """"pa", "contact" or "user" for an active registered user ID; None otherwise."""
    value = rules.normalize(user_id)
    if not value:
        return None
    user = find_by_user_id(session, value)
    if user is None or user.status != "active":
        return None
    return user.program_role
