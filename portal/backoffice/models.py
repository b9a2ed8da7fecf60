"""Back-office staff, their sign-in sessions and the audit trail of what they do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow


class Staff(Base):
    """A person who works in the back office (not a portal user)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored as typed; unique and looked up case-insensitively through ``login_folded``.
    login: Mapped[str] = mapped_column(String(40))
    login_folded: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StaffSession(Base):
    """One sign-in. The cookie holds a random token; only its SHA-256 is stored, and
    signing out deletes the row, so a copied cookie stops working."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship()


class StaffAction(Base):
    """Something a staff member did to something: who, what, to which target, why, when."""

    __tablename__ = "staff_action"
    __table_args__ = (Index("ix_staff_action_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None: done by the portal itself (a scheduled run such as ``flask rewards-daily``).
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True,
                                                 nullable=True)
    # A dotted code, e.g. "mail.retry", "application.approve" (labels in audit.py).
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(64))
    # The reason given and any facts worth keeping: a text or a small JSON object.
    details: Mapped[Any] = mapped_column(JSON, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    staff: Mapped[Staff | None] = relationship()
