"""OS-2 to OS-4: what a cardmember reads about their cards.

- ``summaries``: each card with its credit limit, the unpaid balance (every posted amount:
  charges less credits, payments and points credits), charges not yet posted, and the amount
  still available = limit − unpaid − pending (never shown below zero), and the points the
  card earned this year for its company's program.
- ``statement``: one card's posted charges of one month, newest first, with the month's
  charges, credits and total, 50 rows a page; the same rows as CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.cardmember.models import Cardmember, PendingCharge
from portal.rewards.points import add_months
from portal.rewards.program import Card, CardTransaction, PointsEntry

PER_PAGE = 50
EARNING = ("earn", "credit", "carry")


def cards_of(session: Session, user_id: int) -> list[Card]:
    """The cards of the cardmember who is portal user ``user_id`` (none for anyone else)."""
    return list(session.scalars(
        select(Card).join(Cardmember, Cardmember.id == Card.cardmember_id)
        .where(Cardmember.user_id == user_id).order_by(Card.id)))


def holder_of(session: Session, user_id: int) -> Cardmember | None:
    return session.scalar(select(Cardmember).where(Cardmember.user_id == user_id))


@dataclass(frozen=True)
class Summary:
    card: Card
    limit: int
    unpaid: int
    pending: int
    available: int
    points_this_year: int


def summaries(session: Session, cards: list[Card], today: date) -> list[Summary]:
    ids = [c.id for c in cards]
    if not ids:
        return []
    unpaid = dict(session.execute(
        select(CardTransaction.card_id, func.sum(CardTransaction.amount))
        .where(CardTransaction.card_id.in_(ids)).group_by(CardTransaction.card_id)).all())
    pending = dict(session.execute(
        select(PendingCharge.card_id, func.sum(PendingCharge.amount))
        .where(PendingCharge.card_id.in_(ids)).group_by(PendingCharge.card_id)).all())
    points = dict(session.execute(
        select(PointsEntry.card_id, func.sum(PointsEntry.points))
        .where(PointsEntry.card_id.in_(ids), PointsEntry.kind.in_(EARNING),
               PointsEntry.booked_on >= today.replace(month=1, day=1))
        .group_by(PointsEntry.card_id)).all())
    found = []
    for card in cards:
        owed, waiting = int(unpaid.get(card.id) or 0), int(pending.get(card.id) or 0)
        found.append(Summary(card, card.credit_limit, owed, waiting,
                             max(card.credit_limit - owed - waiting, 0),
                             int(points.get(card.id) or 0)))
    return found


def months(session: Session, card: Card, today: date, back: int = 12) -> list[date]:
    """The first day of this month and the ``back - 1`` months before it, newest first."""
    first = today.replace(day=1)
    return [add_months(first, -i) for i in range(back)]


def pending_charges(session: Session, card: Card) -> list[PendingCharge]:
    return list(session.scalars(select(PendingCharge).where(PendingCharge.card_id == card.id)
                                .order_by(PendingCharge.used_on.desc(), PendingCharge.id)))


@dataclass
class Statement:
    month: date
    rows: list[CardTransaction]
    charges: int  # the month's amounts above zero
    credits: int  # the month's amounts below zero (a negative number)
    count: int
    page: int
    pages: int

    @property
    def total(self) -> int:
        return self.charges + self.credits


def _month_where(card: Card, month: date):
    return (CardTransaction.card_id == card.id, CardTransaction.posted_on >= month,
            CardTransaction.posted_on < add_months(month, 1))


def statement(session: Session, card: Card, month: date, page: int = 1,
              per_page: int | None = PER_PAGE) -> Statement:
    where = _month_where(card, month)
    charges, credits, count = session.execute(select(
        func.coalesce(func.sum(CardTransaction.amount).filter(CardTransaction.amount > 0), 0),
        func.coalesce(func.sum(CardTransaction.amount).filter(CardTransaction.amount < 0), 0),
        func.count()).where(*where)).one()
    pages = max(1, -(-count // per_page)) if per_page else 1
    page = min(max(page, 1), pages)
    query = (select(CardTransaction).where(*where)
             .order_by(CardTransaction.posted_on.desc(), CardTransaction.id.desc()))
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    return Statement(month, list(session.scalars(query)), int(charges), int(credits),
                     int(count), page, pages)


CSV_COLUMNS = ("posted_on", "merchant", "amount_yen", "kind", "reference")


def statement_csv(session: Session, card: Card, month: date) -> str:
    """The month's posted charges as CSV (UTF-8 with a byte order mark, for spreadsheets)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in statement(session, card, month, per_page=None).rows:
        merchant = row.merchant
        if merchant[:1] in ("=", "+", "-", "@"):  # never a formula in a spreadsheet
            merchant = "'" + merchant
        writer.writerow([row.posted_on.isoformat(), merchant, row.amount, row.kind,
                         row.reference])
    return out.getvalue()
