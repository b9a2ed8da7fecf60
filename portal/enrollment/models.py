"""Enrollment data: drafts in progress, submitted applications and their documents.

This module is the contract between the wizard (which writes drafts and applications), the
tracking page (ENR-6) and the back office (ENR-7, which reads applications and applies them).

``Draft.data`` and ``Application.data`` are JSON documents of the same shape; a draft may be
incomplete, an application has passed every step's validation. Codes refer to
``catalog_data/`` (country codes upper case, function and role codes as in functions.yaml).

Common keys::

    "applicant": {
        "mode": "self" | "employee"          (new)   -- ENR-3.a who applies
              | "pa" | "other",              (change) -- ENR-4 radio
        "user_id": str | None,     registered portal user ID of the applicant (PA or contact)
        "family_name": str, "given_name": str, "email": str, "phone": str,
        "company": str,
    }
    "approvers": [                         (new, change) ENR-3.f, one or more per country
        {"country": "JP", "user": 0,       index into "users"
         "family_name": str, "given_name": str, "email": str, "phone": str,
         "agreed_at": ISO-8601 UTC str}    consent to the terms of use, with its time
    ]

Kind ``new`` (ENR-3)::

    "users": [
        {"family_name", "given_name", "email",
         "country": "JP",                  main country: sets language and home page
         "birth_day": int, "birth_month": int, "birth_year": int | None,
         "auth_pin": str | None, "auth_word": str | None,
         "program_role": "pa" | "contact" | "user",
         "address": {"postal_code", "prefecture", "city", "street", "building"} | None,
         "access": [
             {"country": "JP", "control_group": "392000000000001" (all digits),
              "functions": [{"function": "OCA", "role": "APPROVER" | None}]}
         ]}
    ]

Kind ``change`` (ENR-4)::

    "users": [
        {"user_id": str,                   a registered user's ID
         "changes": [
             {"country": "JP", "action": "add" | "remove",
              "control_group": "392000000000001" (all digits: prefix + lower 12),
              "functions": [{"function": "REPORTING", "role": None}]}
         ]}
    ]

Kind ``delete`` (ENR-5)::

    "user_id": str,                        the registered user to delete
    "reason": str,                         a code from deletion_reasons.yaml
    "reason_note": str | None              free text, e.g. for "other"

Applying an approved application (back office) creates, changes or disables users; the
auth PIN and word are then replaced by ``true`` in ``data`` so no plain secret is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow

KINDS = ("new", "change", "delete")
# received -> in_review -> completed | rejected (ENR-6 shows these four).
STATUSES = ("received", "in_review", "completed", "rejected")


class Draft(Base):
    """An application being filled in (ENR-1). Found through the opaque ``id`` kept in the
    browser's session; refused and deleted once ``deadline`` has passed."""

    __tablename__ = "enrollment_draft"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # secrets.token_urlsafe(32)
    kind: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5), default="ja")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    step: Mapped[str] = mapped_column(String(30), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    extensions: Mapped[int] = mapped_column(Integer, default=0)

    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="draft", order_by="ApplicationDocument.id"
    )


class Application(Base):
    """A submitted application (ENR-3.h, ENR-4, ENR-5), followed by reference number."""

    __tablename__ = "enrollment_application"
    __table_args__ = (Index("ix_enrollment_application_kind_status", "kind", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Unguessable, e.g. "N-7K3Q-9XWP-2MDA" (first letter: N new, C change, D delete).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="received")
    language: Mapped[str] = mapped_column(String(5), default="ja")
    # The applicant's email as typed and case-folded (tracking compares the folded form).
    applicant_email: Mapped[str] = mapped_column(String(254))
    applicant_email_folded: Mapped[str] = mapped_column(String(254), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The one-time key of the final submit: a repeat returns this application (idempotent).
    submit_key: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # When 5 business days from submission end (portal.workdays.expected_completion).
    expected_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)

    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id"
    )


class ApplicationDocument(Base):
    """A supporting document (ENR-3.d): uploaded to a draft, kept with the application.

    The file lives under ``PORTAL_UPLOAD_DIR`` (outside the static folder) as
    ``storage_name``; ``content_type`` is what its content was checked to be."""

    __tablename__ = "enrollment_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[str | None] = mapped_column(
        ForeignKey("enrollment_draft.id", ondelete="SET NULL"), nullable=True, index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollment_application.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # Which approver or user the document supports, e.g. "approver:JP:0" (free form).
    purpose: Mapped[str] = mapped_column(String(60), default="")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    draft: Mapped[Draft | None] = relationship(back_populates="documents")
    application: Mapped[Application | None] = relationship(back_populates="documents")
