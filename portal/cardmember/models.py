"""Cardmembers and their charges not yet posted (OS-1 to OS-6).

A ``Cardmember`` is the person a card is issued to, as the issuer knows them (name, birth
date, contact details, employer); their cards are ``portal.rewards.program.Card`` rows
pointing at them, and their posted charges are that module's ``CardTransaction`` rows. Once
they set up online access (OS-1) ``user_id`` names their portal user. ``PendingCharge`` is
a charge authorised but not yet on a statement: it lowers the credit still available and
disappears when a statement posts the same reference. ``RevolvingSwitch`` is a posted
charge switched to revolving payment (OS-6).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class Cardmember(Base):
    __tablename__ = "cardmember"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(20), default="")
    postal_code: Mapped[str] = mapped_column(String(8), default="")
    prefecture: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    street: Mapped[str] = mapped_column(String(100), default="")
    building: Mapped[str] = mapped_column(String(100), default="")
    employer: Mapped[str] = mapped_column(String(100), default="")
    pin_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("portal_user.id"), nullable=True,
                                                unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingCharge(Base):
    __tablename__ = "pending_charge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("program_card.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    used_on: Mapped[date] = mapped_column(Date)
    merchant: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CardmemberChange(Base):
    """OS-5: one change a cardmember made to their details (which, and when; a PIN or a
    password is recorded as changed, never by value)."""

    __tablename__ = "cardmember_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cardmember_id: Mapped[int] = mapped_column(ForeignKey("cardmember.id"), index=True)
    what: Mapped[str] = mapped_column(String(20))
    before: Mapped[str] = mapped_column(String(300), default="")
    after: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(45), default="")  # where the request came from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmailChange(Base):
    """OS-5: a new email address waiting for the link sent to it; it takes effect when the
    link is opened before ``expires_at``."""

    __tablename__ = "cardmember_email_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cardmember_id: Mapped[int] = mapped_column(ForeignKey("cardmember.id"), index=True)
    new_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RevolvingSwitch(Base):
    """OS-6: a posted one-time charge paid back in fixed monthly amounts instead. At most one
    switch of a charge is in force (``undone_at`` empty); ``key`` is the one-time key of the
    confirmation (unique: a repeated submit finds the first switch). ``fee_basis_points`` and
    ``cutoff_on`` are as they were when the switch was made."""

    __tablename__ = "revolving_switch"
    __table_args__ = (
        Index("uq_revolving_switch_in_force", "transaction_id", unique=True,
              sqlite_where=text("undone_at IS NULL"),
              postgresql_where=text("undone_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cardmember_id: Mapped[int] = mapped_column(ForeignKey("cardmember.id"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("program_card.id"), index=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("card_transaction.id"))
    amount: Mapped[int] = mapped_column(Integer)  # the charge, in yen
    monthly_yen: Mapped[int] = mapped_column(Integer)
    fee_basis_points: Mapped[int] = mapped_column(Integer)
    cutoff_on: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
