"""The outbox: every outgoing email is a row, written in the transaction that causes it.

A row moves ``queued`` -> ``sending`` (claimed by one sender, with a lease) -> ``sent``, or
back to ``queued`` with a later ``next_attempt_at`` after a failed attempt, or to ``failed``
after the last allowed attempt or a permanent refusal. Staff can put a failed email back in
the queue from the back office.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STATUSES = (QUEUED, SENDING, SENT, FAILED)

# How a sent email left the portal: over SMTP, or into the local development mailbox.
VIA_SMTP = "smtp"
VIA_LOCAL = "local"


class OutgoingEmail(Base):
    __tablename__ = "outgoing_email"
    __table_args__ = (Index("ix_outgoing_email_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What the email is, for people and for the back office filter: "new_user.contact_id".
    kind: Mapped[str] = mapped_column(String(60))
    # A caller's key that makes queueing idempotent: the same key is queued once.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(500))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # Fixed when queued, so every attempt carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The claim of the sender delivering it right now, and until when that claim holds.
    claim_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_via: Mapped[str | None] = mapped_column(String(10), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
