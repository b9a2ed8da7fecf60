"""What the Program Administrator and designated third parties read about their points.

``access_for`` says whether a portal user may see a program's points (CMR-1: only its PA and
its designated third parties); ``summary``, ``history`` and ``dashboard`` read the ledger;
``entry_label`` puts each entry's reason in plain words.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from threading import Lock

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.rewards.program import (
    ENTRY_KINDS,
    Card,
    CardTransaction,
    Delegate,
    PointsEntry,
    ProgramAccount,
    Redemption,
)
from portal.rewards.rules import program_rules

KIND_LABELS = {
    "earn": _l("Earned"),
    "credit": _l("Credit"),
    "carry": _l("Towards an earlier credit"),
    "lapse": _l("Lapsed"),
    "forfeit": _l("Forfeited"),
    "redeem": _l("Redeemed"),
    "refund": _l("Given back"),
    "adjust": _l("Adjustment"),
}
REASON_LABELS = {
    "base": _l("Card charge: 1 point per 100 yen"),
    "designated": _l("Designated merchant: 1 point per 200 yen"),
    "tax": _l("Corporate tax paid by card"),
    "credit": _l("Refund or credit: the points it had earned are taken back"),
    "credit_carried": _l("Refund or credit larger than the balance: the rest is taken from "
                         "future points"),
    "writeoff": _l("Unpaid charge: its points are taken back"),
    "writeoff_carried": _l("Unpaid charge larger than the balance: the rest is taken from "
                           "future points"),
    "carried_credit": _l("Settles an earlier credit that was larger than the balance"),
    "window_ended": _l("The program ended and the redemption period is over"),
    "terminated": _l("The contract ended: the points were forfeited"),
    "insolvent": _l("Insolvency: the points were forfeited"),
    "savings": _l("Flexible Savings: points set against a card's charges"),
    "trip": _l("Trip Flex: points set against travel charges"),
    "item": _l("Catalog item ordered"),
    "donation": _l("Donation"),
    "order_refund": _l("An order's points given back"),
}


def entry_label(kind: str, reason: str, language: str = "ja") -> str:
    if reason.startswith("promo:"):
        code = reason.split(":", 1)[1]
        for promotion in program_rules().promotions:
            if promotion.code == code:
                name = promotion.name_ja if language == "ja" else promotion.name_en
                return str(_l("Promotion: %(name)s", name=name))
        return str(_l("Promotion"))
    label = REASON_LABELS.get(reason)
    return str(label if label is not None else KIND_LABELS.get(kind, kind))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class Access:
    account: ProgramAccount
    role: str  # "pa" or "delegate"


def access_for(session: Session, user_id: int | None) -> Access | None:
    """The program whose points ``user_id`` may see, and as what; None for anyone else."""
    if user_id is None:
        return None
    account = session.scalar(select(ProgramAccount).where(ProgramAccount.pa_user_id == user_id))
    if account is not None:
        return Access(account, "pa")
    account = session.scalar(select(ProgramAccount).join(Delegate)
                             .where(Delegate.user_id == user_id).order_by(ProgramAccount.id))
    return Access(account, "delegate") if account is not None else None


EARNING_KINDS = ("earn", "credit", "carry")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class _Kept:
    """Answers computed from one account's ledger, kept per worker until the ledger changes
    (the account's ``entries`` count is part of every key)."""

    def __init__(self, size: int = 512) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), Lock()

    def get(self, key, compute):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = compute()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_kept = _Kept()
kept = _kept.get


def version(account: ProgramAccount) -> tuple:
    """The key of what was computed from ``account``'s ledger: it changes with every entry
    (``created_at`` tells apart accounts that reuse an id, as rolled-back tests do)."""
    return account.id, account.created_at, account.entries


@dataclass
class Summary:
    balance: int
    this_month: int
    latest: list


def summary(session: Session, account: ProgramAccount, today: date, latest: int = 8) -> Summary:
    first = month_start(today)
    this_month = kept(("month", *version(account), first), lambda: session.scalar(
        select(func.coalesce(func.sum(PointsEntry.points), 0))
        .where(PointsEntry.account_id == account.id, PointsEntry.kind.in_(EARNING_KINDS),
               PointsEntry.booked_on >= first)) or 0)
    rows = history(session, account, HistoryFilter(), 1, latest).rows
    return Summary(account.balance, this_month, rows)


@dataclass(frozen=True)
class HistoryFilter:
    card_id: int | None = None
    kind: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass
class HistoryRow:
    id: int
    booked_on: date
    created_at: object
    kind: str
    reason: str
    points: int
    card_last5: str | None
    holder: str | None
    merchant: str | None
    amount: int | None
    reference: str | None
    source: str
    redemption: str | None = None  # the reference of a redemption, for its link
    item: tuple[str, str, int] | None = None  # an order's item (ja, en) and quantity



@dataclass
class HistoryPage:
    rows: list[HistoryRow]
    page: int
    pages: int
    total: int


def _conditions(account: ProgramAccount, wanted: HistoryFilter) -> list:
    where = [PointsEntry.account_id == account.id]
    if wanted.card_id is not None:
        where.append(PointsEntry.card_id == wanted.card_id)
    if wanted.kind in ENTRY_KINDS:
        where.append(PointsEntry.kind == wanted.kind)
    if wanted.start is not None:
        where.append(PointsEntry.booked_on >= wanted.start)
    if wanted.end is not None:
        where.append(PointsEntry.booked_on <= wanted.end)
    return where


def history(session: Session, account: ProgramAccount, wanted: HistoryFilter, page: int,
            per_page: int | None) -> HistoryPage:
    """Entries newest first (by the day they count for); ``per_page`` None: all of them."""
    where = _conditions(account, wanted)
    if wanted == HistoryFilter():
        total = account.entries
    else:
        total = kept(("count", *version(account), wanted), lambda: session.scalar(
            select(func.count()).select_from(PointsEntry).where(*where)) or 0)
    pages = max(1, -(-total // per_page)) if per_page else 1
    page = min(max(page, 1), pages)
    query = (
        select(PointsEntry, Card.last5, Card.holder_name, CardTransaction.merchant,
               CardTransaction.amount, CardTransaction.reference)
        .where(*where)
        .outerjoin(Card, Card.id == PointsEntry.card_id)
        .outerjoin(CardTransaction, CardTransaction.id == PointsEntry.transaction_id)
        .order_by(PointsEntry.booked_on.desc(), PointsEntry.id.desc())
    )
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    rows = [HistoryRow(e.id, e.booked_on, e.created_at, e.kind, e.reason, e.points, last5,
                       holder, merchant, amount, reference, e.source)
            for e, last5, holder, merchant, amount, reference in session.execute(query)]
    spent = {row.source.split(":", 1)[1]: row for row in rows
             if row.source.startswith("redemption:")}
    if spent:  # a redemption's row shows the yen it gave, or its item, and links to it
        for ref, yen, detail in session.execute(
                select(Redemption.reference, Redemption.yen, Redemption.detail)
                .where(Redemption.reference.in_(list(spent)))):
            row = spent[ref]
            row.redemption, row.amount = ref, yen
            if detail and "name_ja" in detail:
                row.item = (detail["name_ja"], detail["name_en"], int(detail.get("quantity", 1)))
    return HistoryPage(rows, page, pages, total)


@dataclass
class Dashboard:
    months: list[date]
    by_month: list[int]
    cards: list[tuple[str, str, int]]  # (last5, holder, points) most first
    total: int


def dashboard(session: Session, account: ProgramAccount, today: date,
              months: int = 12) -> Dashboard:
    """Points earned (net of credits) in the last ``months`` months, by month and by card."""
    first = add_months(month_start(today), -(months - 1))
    return kept(("dashboard", *version(account), first),
                     lambda: _dashboard(session, account, first, months))


def _dashboard(session: Session, account: ProgramAccount, first: date,
               months: int) -> Dashboard:
    where = (PointsEntry.account_id == account.id, PointsEntry.kind.in_(EARNING_KINDS),
             PointsEntry.booked_on >= first)
    per_month: dict[str, int] = {}
    rows = session.execute(select(PointsEntry.booked_on, func.sum(PointsEntry.points))
                           .where(*where).group_by(PointsEntry.booked_on))
    for booked_on, points in rows:
        key_month = booked_on.strftime("%Y-%m")
        per_month[key_month] = per_month.get(key_month, 0) + int(points)
    month_list = [add_months(first, i) for i in range(months)]
    by_month = [per_month.get(m.strftime("%Y-%m"), 0) for m in month_list]
    cards = [(last5, holder, int(points)) for last5, holder, points in session.execute(
        select(Card.last5, Card.holder_name, func.sum(PointsEntry.points))
        .join(Card, Card.id == PointsEntry.card_id).where(*where)
        .group_by(Card.id, Card.last5, Card.holder_name)
        .order_by(func.sum(PointsEntry.points).desc(), Card.last5))]
    return Dashboard(month_list, by_month, cards, sum(by_month))


def bars(values: list[int], width: int = 640, height: int = 200) -> dict:
    """Geometry of a bar chart for the template's SVG: one bar per value, scaled to the
    largest; negative values are drawn as empty bars (the table beside says the figure)."""
    top = max([v for v in values if v > 0], default=0) or 1
    step = width / max(len(values), 1)
    bar = step * 0.7
    shapes = []
    for i, value in enumerate(values):
        h = round(max(value, 0) / top * (height - 20), 1)
        shapes.append({"x": round(i * step + (step - bar) / 2, 1), "y": round(height - h, 1),
                       "w": round(bar, 1), "h": h, "value": value})
    return {"width": width, "height": height, "bars": shapes}
