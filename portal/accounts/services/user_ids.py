"""User IDs: finding a user by ID, whether an ID is free, suggestions, and the limit on
availability checks while a person types (REG-3). The case-folded ID is unique in the
database; the checks here are the friendly early answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import limiter, rules
from portal.accounts.models import User
from portal.accounts.services.common import AccountError, Limits, current_limits, write_transaction


def find_by_user_id(session: Session, user_id: str) -> User | None:
    folded = rules.fold_user_id(user_id or "")
    if not folded:
        return None
    return session.scalar(select(User).where(User.user_id_folded == folded))


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


def user_id_in_use(session: Session, folded: str) -> bool:
    """The friendly early check; the unique constraint is what finally decides."""
    return session.scalar(select(User.id).where(User.user_id_folded == folded)) is not None


class UserIdTaken(AccountError):
    """The user ID went to someone else, perhaps a moment ago; ``suggestions`` are free."""

    def __init__(self, message: str, suggestions: list[str]):
        super().__init__({"user_id": message})
        self.suggestions = suggestions
