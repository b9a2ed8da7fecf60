"""ENR-6: find an application by its reference number and the applicant's email.

A wrong pair gets one answer whatever was wrong (no such reference, or another email), so
the page tells a stranger nothing. Every lookup counts against the client address in the
shared rate limiter (:mod:`portal.accounts.limiter`); past the limit, lookups pause until
the window has passed.
"""

from __future__ import annotations

import enum
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts import limiter
from portal.accounts.services import write_transaction
from portal.db import utcnow
from portal.enrollment.models import Application
from portal.workdays import expected_completion, japan_date

# Hyphens, dashes, minus signs and the long-vowel mark people type in their place, and spaces.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\uff0d\uff70_.]+")
REFERENCE_MAX = 40


def normalize_reference(value: str | None) -> str:
    """The reference as letters and digits only: full-width characters made half-width,
    upper case, without hyphens or spaces."""
    text = unicodedata.normalize("NFKC", value or "")
    return _SEPARATORS.sub("", text).upper()


def _standard(compact: str) -> str | None:
    """The form the wizard issues, a letter and three groups of four (N-7K3Q-9XWP-2MDA)."""
    if len(compact) == 13 and compact[0] in "NCD":
        return f"{compact[0]}-{compact[1:5]}-{compact[5:9]}-{compact[9:]}"
    return None


def fold_email(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().casefold()


def find(session: Session, reference: str, email: str) -> Application | None:
    """The application with this reference whose applicant used this email, else ``None``."""
    compact = normalize_reference(reference)
    if not compact or len(compact) > REFERENCE_MAX or not compact.isalnum():
        return None
    standard = _standard(compact)
    if standard is not None:  # the unique index answers
        application = session.scalar(select(Application).where(
            Application.reference == standard))
    else:  # any other shape: compare without hyphens (rare; lookups are rate limited)
        application = session.scalar(select(Application).where(
            func.upper(func.replace(Application.reference, "-", "")) == compact))
    wanted = fold_email(email).encode()
    if application is None:
        hmac.compare_digest(wanted, wanted)  # the same work either way
        return None
    if not hmac.compare_digest(fold_email(application.applicant_email_folded).encode(), wanted):
        return None
    return application


class Outcome(enum.Enum):
    FOUND = "found"
    NO_MATCH = "no_match"  # the one answer for an unknown reference and a wrong email
    LIMITED = "limited"


@dataclass
class Status:
    """What the applicant may see about their application."""

    reference: str
    kind: str
    status: str
    submitted_on: date
    expected_on: date
    decided_on: date | None
    reason: str | None

    @property
    def open(self) -> bool:
        return self.status in ("received", "in_review")

    def late(self, today: date) -> bool:
        return self.open and today > self.expected_on


@dataclass
class Result:
    outcome: Outcome
    status: Status | None = None
    wait: timedelta = timedelta(0)


def status_of(application: Application) -> Status:
    return Status(
        reference=application.reference,
        kind=application.kind,
        status=application.status,
        submitted_on=japan_date(application.submitted_at),
        expected_on=expected_completion(application.submitted_at),
        decided_on=japan_date(application.decided_at) if application.decided_at else None,
        reason=application.decision_reason if application.status == "rejected" else None,
    )


def track(session: Session, reference: str, email: str, *, address: str, max_lookups: int,
          window: timedelta, now: datetime | None = None) -> Result:
    """Count the lookup against ``address``, then look the application up."""
    now = now or utcnow()
    key = f"track:{(address or '-')[:60]}"
    with write_transaction(session):
        hits = limiter.hit(session, key, window=window, now=now)
    if hits > max_lookups:
        return Result(Outcome.LIMITED, wait=limiter.retry_after(session, key, window=window,
                                                                now=now))
    application = find(session, reference, email)
    if application is None:
        return Result(Outcome.NO_MATCH)
    return Result(Outcome.FOUND, status_of(application))
