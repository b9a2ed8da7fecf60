"""Drafts on the server (ENR-1): create, load, save, extend, discard, purge; the one-time key
of their final submit.

A draft is found through the opaque id the browser's session keeps for its kind. The
deadline lives in the database; every load compares it with the server's clock and deletes
a draft whose time is up, whatever the browser believes. Nothing here reads the request.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.enrollment import documents
from portal.enrollment.models import ApplicationDocument, Draft


class DraftExpired(Exception):
    """The draft's deadline has passed; it has been deleted."""


class DraftMissing(Exception):
    """No draft of this kind in this browser (never started, discarded or submitted)."""


@dataclass(frozen=True)
class Limits:
    seconds: int = 1200
    warning: int = 300
    max_extensions: int = 10

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            seconds=int(config["FORM_TIME_LIMIT"]),
            warning=int(config["FORM_WARNING"]),
            max_extensions=int(config["FORM_MAX_EXTENSIONS"]),
        )


def create(session: Session, kind: str, language: str, limits: Limits,
           *, data: dict[str, Any] | None = None, first_step: str = "",
           now: datetime | None = None) -> Draft:
    now = now or utcnow()
    draft = Draft(
        id=secrets.token_urlsafe(32), kind=kind, language=language, data=data or {},
        step=first_step, started_at=now, updated_at=now,
        deadline=now + timedelta(seconds=limits.seconds), extensions=0,
    )
    session.add(draft)
    session.flush()
    return draft


def load(session: Session, draft_id: str | None, kind: str,
         *, now: datetime | None = None) -> Draft:
    """The live draft ``draft_id`` of ``kind``. A draft past its deadline is deleted (and
    committed) before :class:`DraftExpired` is raised."""
    if not draft_id:
        raise DraftMissing
    draft = session.get(Draft, draft_id)
    if draft is None or draft.kind != kind:
        raise DraftMissing
    if draft.deadline <= (now or utcnow()):
        remove(session, draft)
        session.commit()
        raise DraftExpired
    return draft


def data_of(draft: Draft) -> dict[str, Any]:
    """A deep copy of the draft's data to change; give it back with :func:`save`."""
    return copy.deepcopy(draft.data or {})


def save(session: Session, draft: Draft, data: dict[str, Any], *, step: str | None = None,
         now: datetime | None = None) -> None:
    draft.data = data  # a new object, so the JSON column is written
    if step is not None:
        draft.step = step
    draft.updated_at = now or utcnow()
    session.flush()


def can_extend(draft: Draft, limits: Limits) -> bool:
    return draft.extensions < limits.max_extensions


def extend(session: Session, draft: Draft, limits: Limits, *, now: datetime | None = None) -> bool:
    """Move the deadline to a full time limit from now; False when no extension is left."""
    if not can_extend(draft, limits):
        return False
    now = now or utcnow()
    draft.deadline = max(draft.deadline, now + timedelta(seconds=limits.seconds))
    draft.extensions += 1
    draft.updated_at = now
    session.flush()
    return True


def remove(session: Session, draft: Draft) -> None:
    """Delete the draft and the files uploaded to it (not yet part of an application)."""
    for document in list(draft.documents):
        if document.application_id is None:
            documents.delete_file(document.storage_name)
            session.delete(document)
    session.delete(draft)
    session.flush()


def purge_expired(session: Session, *, now: datetime | None = None) -> int:
    """Delete every draft past its deadline; returns how many. Commits."""
    now = now or utcnow()
    stale = list(session.scalars(select(Draft).where(Draft.deadline <= now)))
    for draft in stale:
        remove(session, draft)
    # Orphans: documents whose draft went away without an application (should not happen).
    orphans = list(session.scalars(select(ApplicationDocument).where(
        ApplicationDocument.draft_id.is_(None), ApplicationDocument.application_id.is_(None))))
    for document in orphans:
        documents.delete_file(document.storage_name)
    if orphans:
        session.execute(delete(ApplicationDocument).where(
            ApplicationDocument.id.in_([d.id for d in orphans])))
    session.commit()
    return len(stale)


def remaining_seconds(draft: Draft, *, now: datetime | None = None) -> int:
    return max(0, int((draft.deadline - (now or utcnow())).total_seconds()))


def submit_key(draft: Draft) -> str:
    """The one-time key of the final submit: derived from the draft's secret id, so a repeat
    (double click, resent form) carries the same key and finds the first application."""
    return hashlib.sha256(f"submit:{draft.id}".encode()).hexdigest()
