"""Redeeming points against card charges (CMR-6.a Flexible Savings, CMR-6.b Trip Flex).

Both turn points into yen credited to one enrolled card's statement (a ``points_credit``
transaction) and a ``redeem`` ledger entry, recorded as a ``Redemption``:

- Flexible Savings: ``yen = points × flexible_savings_yen_per_point`` (1/2), **rounded half
  up** to the yen (100,000 points = 50,000 yen; 3 points = 2 yen); never more than the card's
  unpaid balance.
- Trip Flex: ``yen = points × trip_flex_yen_per_point`` (7/10), rounded half up; at least
  ``trip_flex_min_points``; against travel charges (merchant categories in
  ``catalog_data/rewards_program.yaml``) posted within ``trip_flex_months`` on that card and
  not used by an earlier Trip Flex; never more than those charges, nor the card's unpaid
  balance. Each cap that binds is named.

Checks that the person and the account may redeem come first (CMR-1, CMR-5). Spending is one
transaction: the card row is locked (``FOR UPDATE``; SQLite: ``BEGIN IMMEDIATE``), the caps
are checked again, and the balance moves by a conditional ``UPDATE … WHERE balance >=
points``, so no race spends a point twice. A form's one-time key is unique: a repeated
submit gets the first redemption back. Nothing here commits.
"""

from __future__ import annotations

import secrets
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from flask_babel import format_currency, format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.rewards import programs
from portal.rewards.fees import round_half_up
from portal.rewards.ledger import bulk_insert
from portal.rewards.points import Access, add_months
from portal.rewards.program import (
    Card,
    CardTransaction,
    PointsEntry,
    ProgramAccount,
    Redemption,
)
from portal.rewards.rules import program_rules


class RedeemError(ValueError):
    def __init__(self, errors: list[tuple[str, object]]):
        super().__init__("; ".join(str(m) for _f, m in errors))
        self.errors = errors


def yen_for(points: int, rate: Fraction) -> int:
    """Points to yen at ``rate`` yen per point, rounded half up."""
    return round_half_up(points * rate.numerator, rate.denominator)


def most_points_for(yen: int, rate: Fraction) -> int:
    """The most points whose yen (rounded half up) stay within ``yen``."""
    if yen <= 0:
        return 0
    points = (2 * yen + 1) * rate.denominator // (2 * rate.numerator)
    while points > 0 and yen_for(points, rate) > yen:
        points -= 1
    while yen_for(points + 1, rate) <= yen:
        points += 1
    return points


def unpaid_balance(session: Session, card_id: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(CardTransaction.amount), 0))
                          .where(CardTransaction.card_id == card_id)) or 0


def redeemable_cards(account: ProgramAccount) -> list[Card]:
    return [card for card in account.cards if card.active]


def _used_charges(session: Session, account_id: int) -> set[int]:
    used: set[int] = set()
    for detail in session.scalars(select(Redemption.detail).where(
            Redemption.account_id == account_id, Redemption.kind == "trip")):
        used.update(detail.get("charges", []))
    return used


def travel_charges(session: Session, account: ProgramAccount, card: Card,
                   today: date) -> list[CardTransaction]:
    """The card's charges that Trip Flex may be set against today."""
    rules = program_rules()
    since = months_before(today, rules.trip_months)
    used = _used_charges(session, account.id)
    found = session.scalars(select(CardTransaction).where(
        CardTransaction.card_id == card.id, CardTransaction.kind == "purchase",
        CardTransaction.amount > 0, CardTransaction.posted_on > since,
        CardTransaction.posted_on <= today).order_by(CardTransaction.posted_on.desc()))
    return [t for t in found if t.id not in used and rules.travel_category(t.mcc) is not None]


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter):
    charges posted after it are "within the last ``months`` months"."""
    first = add_months(day.replace(day=1), -months)
    return first.replace(day=min(day.day, monthrange(first.year, first.month)[1]))


def _yen(amount: int) -> str:
    return format_currency(amount, "JPY")


@dataclass
class Quote:
    kind: str
    card: Card
    points: int
    yen: int
    charges: list[CardTransaction]
    unpaid: int


def _parse_points(raw: str | int | None) -> int:
    if isinstance(raw, int):
        value = raw
    else:
        text = (raw or "").strip().replace(",", "").replace("，", "")
        text = text.translate({ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")})
        text = text.replace("－", "-").replace("−", "-")
        if text.startswith("-") and text[1:].isdigit():
            raise RedeemError([("points", _l("Enter at least 1 point."))])
        if not text.isdigit():
            raise RedeemError([("points", _l("Enter the points as a whole number, such as "
                                             "10000."))])
        if len(text) > 9:  # no account holds a billion points
            raise RedeemError([("points", _l("That is more points than the company has."))])
        value = int(text)
    if value <= 0:
        raise RedeemError([("points", _l("Enter at least 1 point."))])
    return value


def check_access(access: Access | None, today: date) -> ProgramAccount:
    """The account ``access`` may redeem from, or ``RedeemError`` saying why not."""
    if access is None:
        raise RedeemError([("points", _l("Only the Program Administrator and the people they "
                                         "designated can redeem the company's points."))])
    allowed = programs.can_redeem(access.account, today)
    if not allowed.ok:
        message = {
            "not_good_standing": _l("Points cannot be redeemed while the company's account is "
                                    "not in good standing."),
            "terminated": _l("The program has ended and its points were forfeited."),
        }.get(allowed.reason, _l("The period for redeeming this program's points is over."))
        raise RedeemError([("points", message)])
    return access.account


def quote(session: Session, access: Access | None, kind: str, card_id: str | int | None,
          points: str | int | None, charge_ids: list[str] | None, today: date) -> Quote:
    """Check a Flexible Savings (``savings``) or Trip Flex (``trip``) request; the yen it
    gives, or ``RedeemError`` with every problem next to its field."""
    account = check_access(access, today)
    rules = program_rules()
    card = next((c for c in redeemable_cards(account) if str(c.id) == str(card_id or "")), None)
    errors: list[tuple[str, object]] = []
    if card is None:
        errors.append(("card", _l("Choose one of the company's enrolled cards.")))
    try:
        wanted = _parse_points(points)
    except RedeemError as error:
        errors.extend(error.errors)
        wanted = None
    if errors:
        raise RedeemError(errors)
    assert card is not None and wanted is not None
    rate = rules.savings_yen_per_point if kind == "savings" else rules.trip_yen_per_point
    yen = yen_for(wanted, rate)
    unpaid = unpaid_balance(session, card.id)
    chosen: list[CardTransaction] = []
    if wanted > account.balance:
        errors.append(("points", _l("The company has %(balance)s points; enter at most that.",
                                    balance=format_decimal(account.balance))))
    if kind == "trip":
        if wanted < rules.trip_min_points:
            errors.append(("points", _l("Trip Flex takes at least %(min)s points at a time.",
                                        min=format_decimal(rules.trip_min_points))))
        qualifying = {str(t.id): t for t in travel_charges(session, account, card, today)}
        picked = [c for c in (charge_ids or []) if c]
        if not qualifying:
            errors.append(("charges", _l("This card has no travel charges that points can be "
                                         "set against. Please choose another card.")))
        elif not picked:
            errors.append(("charges", _l("Choose at least one travel charge.")))
        elif any(c not in qualifying for c in picked):
            errors.append(("charges", _l("Only travel charges of the last 12 months on this "
                                         "card that no earlier Trip Flex used can be "
                                         "chosen.")))
        else:
            chosen = [qualifying[c] for c in dict.fromkeys(picked)]
            covered = sum(t.amount for t in chosen)
            if yen > covered:
                errors.append(("points", _l(
                    "The chosen travel charges come to %(yen)s; at most %(points)s points "
                    "can be set against them.", yen=_yen(covered),
                    points=format_decimal(most_points_for(covered, rate)))))
    if yen > unpaid:
        errors.append(("points", _l(
            "The card's unpaid balance is %(yen)s; at most %(points)s points can be set "
            "against it.", yen=_yen(max(unpaid, 0)),
            points=format_decimal(most_points_for(max(unpaid, 0), rate)))))
    if errors:
        raise RedeemError(errors)
    return Quote(kind, card, wanted, yen, chosen, unpaid)


def new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "R-" + "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(2))


RECENT = timedelta(minutes=15)


def recent_like(session: Session, offer: Quote) -> Redemption | None:
    """The latest redemption of the last quarter of an hour with the same kind, card and
    points as ``offer``: a review reached again (the browser's Back and a resubmitted form)
    says it was done already, so the person does not redeem twice without meaning to."""
    return session.scalar(select(Redemption).where(
        Redemption.account_id == offer.card.account_id, Redemption.kind == offer.kind,
        Redemption.card_id == offer.card.id, Redemption.points == offer.points,
        Redemption.created_at >= utcnow() - RECENT).order_by(Redemption.id.desc()).limit(1))


def by_key(session: Session, key: str) -> Redemption | None:
    """The redemption a form with this one-time key made, if it was submitted before."""
    if not key or len(key) > 64:
        return None
    return session.scalar(select(Redemption).where(Redemption.key == key))


def redeem(session: Session, access: Access | None, user_id: int, kind: str,
           card_id: str | int | None, points: str | int | None, charge_ids: list[str] | None,
           key: str, today: date, reference: str | None = None) -> tuple[Redemption, bool]:
    """Spend the points (see the module's docstring); returns the redemption and whether it
    is new (False: this form was submitted before). ``reference``: one made beforehand
    (:func:`new_reference`), for an email written before the spending."""
    if not key or len(key) > 64:
        raise RedeemError([("points", _l("This form has expired. Please start again."))])
    earlier = by_key(session, key)
    if earlier is not None:
        return earlier, False
    # Serialise spending per card. On SQLite the transaction holds the database's write
    # lock already (BEGIN IMMEDIATE), and a row lock does not exist there.
    if (access is not None and str(card_id or "").isdigit()
            and session.get_bind().dialect.name != "sqlite"):
        session.scalar(select(Card.id).where(Card.id == int(card_id))
                       .with_for_update())
        earlier = by_key(session, key)
        if earlier is not None:
            return earlier, False
    offer = quote(session, access, kind, card_id, points, charge_ids, today)
    account = offer.card.account
    moved = session.execute(
        update(ProgramAccount)
        .where(ProgramAccount.id == account.id, ProgramAccount.balance >= offer.points)
        .values(balance=ProgramAccount.balance - offer.points,
                entries=ProgramAccount.entries + 1)
    ).rowcount
    if moved != 1:
        raise RedeemError([("points", _l("The company no longer has enough points for this."))])
    session.expire(account, ["balance", "entries"])
    reference = reference or new_reference()
    redemption = Redemption(
        reference=reference, key=key, account_id=account.id, user_id=user_id, kind=kind,
        points=offer.points, yen=offer.yen, card_id=offer.card.id, status="done",
        detail={"charges": [t.id for t in offer.charges]},
    )
    session.add(redemption)
    session.add(CardTransaction(
        card_id=offer.card.id, reference=f"PTS-{reference}", posted_on=today,
        merchant="Points: Flexible Savings" if kind == "savings" else "Points: Trip Flex",
        mcc="", amount=-offer.yen, kind="points_credit", points=0, points_rule="redemption",
        source=f"redemption:{reference}",
    ))
    session.flush()
    bulk_insert(session, PointsEntry.__table__, [dict(
        account_id=account.id, kind="redeem", points=-offer.points, reason=kind,
        card_id=offer.card.id, transaction_id=None, source=f"redemption:{reference}",
        booked_on=today, created_at=redemption.created_at,
    )])
    return redemption, True
