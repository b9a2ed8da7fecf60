"""Corporate rewards: the program account, its cards, their charges and the points ledger.

- ``Company`` — the customer; one ``ProgramAccount`` each (CMR-1), in yen.
- ``ProgramAccount`` — status ``active`` / ``cancelled`` (with the date; the company may
  redeem for a window after it, then the points lapse) / ``terminated`` (points forfeited
  at once); ``good_standing`` (when false, no redemption; earning goes on). ``balance`` is
  the points that can be spent and always equals the sum of the account's ledger entries;
  ``carried`` is the shortfall of a credit larger than the balance, taken from future points;
  ``entries`` counts the ledger's rows (its version).
  ``pa_user_id`` names the one Program Administrator and ``pa_card_id`` the enrolled card
  they hold (the program's fees are charged to it).
- ``Delegate`` — a designated third party: a portal user who may see and spend the points.
- ``Card`` — a corporate card enrolled in the program (CMR-2). The number is kept only as
  the last five digits and a keyed hash of the whole number (to recognise a typed or
  imported number without storing it).
- ``CardTransaction`` — a posted charge, fee or credit. ``amount`` is signed integer yen
  (charges positive; credits, refunds, payments and points credits negative); a card's
  unpaid balance is the sum of its amounts. ``reference`` is unique, so importing a
  statement twice changes nothing. ``points`` and ``points_rule`` say what it earned and why.
- ``Redemption`` — points spent (CMR-6): Flexible Savings and Trip Flex (a credit on one
  card's statement, ``points_credit``), catalog items and donations. ``key`` is the
  one-time key of the form that asked for it (unique: a repeated submit finds the first).
- ``PointsEntry`` — the append-only ledger: one row per change of the balance (``points``
  signed), with its kind, the rule or reason, and what caused it (a transaction, a staff
  action, a redemption). Rows are never updated or deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow

ACCOUNT_STATUSES = ("active", "cancelled", "terminated")
CARD_STATUSES = ("good", "delinquent", "closed")
TRANSACTION_KINDS = (
    "purchase", "corporate_tax", "cash_advance", "travellers_cheque", "late_fee",
    "revolving_fee", "annual_fee", "emoney_topup", "credit", "unpaid_writeoff", "payment",
    "points_credit",
)
# Kinds of ledger entries. earn/credit/carry follow card transactions; lapse and forfeit
# follow the account's life; redeem and refund belong to redemption; adjust is staff's.
ENTRY_KINDS = ("earn", "credit", "carry", "lapse", "forfeit", "redeem", "refund", "adjust")


class Company(Base):
    __tablename__ = "company"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[ProgramAccount | None] = relationship(back_populates="company",
                                                          uselist=False)


class ProgramAccount(Base):
    __tablename__ = "program_account"
    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        CheckConstraint("carried >= 0", name="carried_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="JPY")
    status: Mapped[str] = mapped_column(String(12), default="active")
    good_standing: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_on: Mapped[date] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    terminated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Set when the balance left for good (lapse after the window, or forfeiture).
    closed_out_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    carried: Mapped[int] = mapped_column(Integer, default=0)
    # How many ledger entries the account has: the ledger's version (pages keep what they
    # computed from the ledger until it changes) and the history's unfiltered count.
    entries: Mapped[int] = mapped_column(Integer, default=0)
    pa_user_id: Mapped[int | None] = mapped_column(ForeignKey("portal_user.id"), nullable=True,
                                                   unique=True)
    # The PA's own enrolled card (the fees are charged to it). No FK: card points back here.
    pa_card_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    company: Mapped[Company] = relationship(back_populates="account")
    cards: Mapped[list[Card]] = relationship(back_populates="account", order_by="Card.id")
    delegates: Mapped[list[Delegate]] = relationship(back_populates="account",
                                                     cascade="all, delete-orphan",
                                                     order_by="Delegate.id")


class Delegate(Base):
    """A designated third party of a program account."""

    __tablename__ = "program_delegate"
    __table_args__ = (UniqueConstraint("account_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("program_account.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[ProgramAccount] = relationship(back_populates="delegates")


class Card(Base):
    __tablename__ = "program_card"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("program_account.id"), index=True)
    number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last5: Mapped[str] = mapped_column(String(5))
    product: Mapped[str] = mapped_column(String(40))
    holder_name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("portal_user.id"), nullable=True,
                                                index=True)
    status: Mapped[str] = mapped_column(String(12), default="good")
    enrolled_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Enrolling ends the card's personal rewards; its holder may redeem those until then.
    personal_rewards_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The card's holder for the cardmember online service (portal.cardmember), its credit
    # limit in yen and a keyed hash of its 4-digit security code (set by the issuer's data).
    cardmember_id: Mapped[int | None] = mapped_column(ForeignKey("cardmember.id"),
                                                      nullable=True, index=True)
    credit_limit: Mapped[int] = mapped_column(Integer, default=0)
    security_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    account: Mapped[ProgramAccount] = relationship(back_populates="cards")

    @property
    def masked(self) -> str:
        """The number as shown everywhere: ``XXXX-XXXXXX-12345``."""
        return f"XXXX-XXXXXX-{self.last5}"

    @property
    def active(self) -> bool:
        return self.left_on is None and self.status != "closed"


class CardTransaction(Base):
    __tablename__ = "card_transaction"
    __table_args__ = (
        Index("ix_card_transaction_card_posted", "card_id", "posted_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("program_card.id"))
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    posted_on: Mapped[date] = mapped_column(Date)
    merchant: Mapped[str] = mapped_column(String(200))
    mcc: Mapped[str] = mapped_column(String(4), default="")
    amount: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    points: Mapped[int] = mapped_column(Integer, default=0)
    points_rule: Mapped[str] = mapped_column(String(30), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PointsEntry(Base):
    __tablename__ = "points_entry"
    __table_args__ = (
        Index("ix_points_entry_account_booked", "account_id", "booked_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("program_account.id"))
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(30))
    # Not indexed on their own: entries are read by account (and day); fewer indexes keep
    # a statement import fast.
    card_id: Mapped[int | None] = mapped_column(ForeignKey("program_card.id"), nullable=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("card_transaction.id"),
                                                       nullable=True)
    # What else caused it: "staff:12", "redemption:R-…", "statement:FILE".
    source: Mapped[str] = mapped_column(String(200), default="")
    # The month the points count for (the charge's posting month, else the entry's day).
    booked_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


REDEMPTION_KINDS = ("savings", "trip", "item", "donation")


class Redemption(Base):
    __tablename__ = "redemption"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("program_account.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int] = mapped_column(Integer)
    yen: Mapped[int | None] = mapped_column(Integer, nullable=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("program_card.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="done")
    # Trip Flex: the travel charges it was set against (ids); items: number, quantity, address.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
