"""OS-6: a cardmember switches an earlier one-time charge to revolving payment.

A posted charge qualifies (``problem``) when its kind is one of the rules' ``kinds``
(purchases), it is at least ``min_charge_yen``, no switch of it is in force, and today is
not after its cut-off (``RevolvingRules.cutoff``: ``cutoff_day`` of the month after it was
posted). The fixed monthly amount is the principal paid each month: from
``min_monthly_yen`` to the charge, in whole steps of ``step_yen``.

The schedule (``schedule``), month by month:

- fee = floor(remaining principal × annual rate ÷ 12) yen, the rate being
  ``PORTAL_REVOLVING_FEE_BASIS_POINTS`` ÷ 10,000; in integers ``balance × bp // 120_000``,
  so yen below 1 are dropped every month;
- principal = the monthly amount, or what remains when that is less;
- payment = principal + fee; the remaining principal falls by the principal.

The first payment is in the month after the cut-off. ``switch`` makes the switch (the
confirmation's one-time key is unique: a repeated submit gets the first switch back),
``undo`` takes it back until the cut-off. Both record a ``CardmemberChange``; the caller
emails the person. Problems are raised as ``RevolvingError`` with a message per field.
Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.cardmember.models import Cardmember, CardmemberChange, RevolvingSwitch
from portal.cardmember.revolving_rules import RevolvingRules
from portal.db import utcnow
from portal.enrollment import rules as text_rules
from portal.rewards.points import add_months
from portal.rewards.program import Card, CardTransaction

KEY_MAX = 64


class RevolvingError(ValueError):
    def __init__(self, errors: dict[str, object]):
        super().__init__("; ".join(str(m) for m in errors.values()))
        self.errors = errors


# --- the schedule -------------------------------------------------------------------------

def monthly_fee(balance: int, basis_points: int) -> int:
    """floor(balance × (basis_points ÷ 10,000) ÷ 12), in whole yen."""
    return balance * basis_points // 120_000


@dataclass(frozen=True)
class Month:
    number: int
    month: date | None  # the first day of the month the payment is made in
    principal: int
    fee: int
    remaining: int

    @property
    def payment(self) -> int:
        return self.principal + self.fee


@dataclass(frozen=True)
class Schedule:
    amount: int
    monthly: int
    basis_points: int
    months: tuple[Month, ...]

    @property
    def total_fee(self) -> int:
        return sum(m.fee for m in self.months)

    @property
    def total_paid(self) -> int:
        return self.amount + self.total_fee


def schedule(amount: int, monthly: int, basis_points: int,
             first_month: date | None = None) -> Schedule:
    """Pay ``amount`` back ``monthly`` yen of principal a month, the fee on top."""
    if amount <= 0 or monthly <= 0 or basis_points < 0:
        raise ValueError("amount and monthly must be above 0, basis_points not below 0")
    months, balance, number = [], amount, 0
    while balance > 0:
        number += 1
        fee = monthly_fee(balance, basis_points)
        principal = min(monthly, balance)
        balance -= principal
        when = add_months(first_month.replace(day=1), number - 1) if first_month else None
        months.append(Month(number, when, principal, fee, balance))
    return Schedule(amount, monthly, basis_points, tuple(months))


def first_payment_month(rules: RevolvingRules, charge: CardTransaction) -> date:
    return add_months(rules.cutoff(charge.posted_on).replace(day=1), 1)


# --- which charges qualify ------------------------------------------------------------------

def in_force(session: Session, transaction_ids: list[int]) -> dict[int, RevolvingSwitch]:
    """The switches in force of these charges, by charge id."""
    if not transaction_ids:
        return {}
    return {s.transaction_id: s for s in session.scalars(
        select(RevolvingSwitch).where(RevolvingSwitch.transaction_id.in_(transaction_ids),
                                      RevolvingSwitch.undone_at.is_(None)))}


def problem(charge: CardTransaction, rules: RevolvingRules, today: date,
            switched: bool) -> str | None:
    """Why ``charge`` cannot be switched today, or None."""
    if charge.kind not in rules.kinds:
        return str(_l("Only purchases can be switched to revolving payment (not cash "
                      "advances, fees, tax, e-money top-ups, credits or payments)."))
    if switched:
        return str(_l("This charge is already paid by revolving payment."))
    if charge.amount < rules.min_charge_yen:
        from portal.templating import format_yen

        return str(_l("Only charges of %(amount)s or more can be switched.",
                      amount=format_yen(rules.min_charge_yen)))
    cutoff = rules.cutoff(charge.posted_on)
    if today > cutoff:
        return str(_l("The last day to switch this charge was %(date)s.",
                      date=format_date(cutoff, "long")))
    return None


def candidates(session: Session, cards: list[Card], rules: RevolvingRules,
               today: date) -> list[CardTransaction]:
    """The cards' posted charges that can be switched today, newest first."""
    ids = [c.id for c in cards]
    if not ids:
        return []
    earliest = add_months(today.replace(day=1), -2)  # nothing older has a cut-off ahead
    rows = list(session.scalars(
        select(CardTransaction).where(CardTransaction.card_id.in_(ids),
                                      CardTransaction.posted_on >= earliest,
                                      CardTransaction.kind.in_(sorted(rules.kinds)),
                                      CardTransaction.amount >= rules.min_charge_yen)
        .order_by(CardTransaction.posted_on.desc(), CardTransaction.id.desc())))
    switched = in_force(session, [r.id for r in rows])
    return [r for r in rows if problem(r, rules, today, r.id in switched) is None]


def find_charge(session: Session, cards: list[Card], text: str | None) -> CardTransaction:
    """The posted charge ``text`` names on one of ``cards`` (anyone else's is not found)."""
    value = text_rules.normalize(text or "")
    charge = None
    if value.isascii() and value.isdigit() and len(value) <= 12:
        charge = session.get(CardTransaction, int(value))
    if charge is None or charge.card_id not in {c.id for c in cards}:
        raise RevolvingError({"charge": _l("Choose one of the charges listed.")})
    return charge


def parse_monthly(text: str | None, amount: int | None, rules: RevolvingRules) -> int:
    """The monthly amount typed (full-width digits, commas and a yen sign accepted); with
    ``amount`` None (no charge chosen) only its form is checked."""
    from portal.templating import format_yen

    value = text_rules.normalize(text or "").replace(",", "").replace("¥", "").replace(
        "円", "").replace("\\", "").strip()
    if not value:
        raise RevolvingError({"monthly": _l("Enter the amount to pay each month.")})
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise RevolvingError({"monthly": _l("Enter the monthly amount in whole yen, like "
                                            "10000.")})
    monthly, low = int(value), rules.min_monthly_yen
    if amount is None:
        return monthly
    high = max(low, amount // rules.step_yen * rules.step_yen)
    if not low <= monthly <= high:
        raise RevolvingError({"monthly": _l(
            "Choose a monthly amount from %(low)s to %(high)s.", low=format_yen(low),
            high=format_yen(high))})
    if monthly % rules.step_yen:
        raise RevolvingError({"monthly": _l(
            "Choose a monthly amount in steps of %(step)s.", step=format_yen(rules.step_yen))})
    return monthly


def check(session: Session, cards: list[Card], charge_text: str | None,
          monthly_text: str | None, rules: RevolvingRules, today: date,
          basis_points: int) -> tuple[CardTransaction, Schedule]:
    """The chosen charge and the schedule of the monthly amount, or every problem."""
    errors: dict[str, object] = {}
    charge = None
    try:
        charge = find_charge(session, cards, charge_text)
    except RevolvingError as error:
        errors.update(error.errors)
    else:
        reason = problem(charge, rules, today, charge.id in in_force(session, [charge.id]))
        if reason:
            errors["charge"] = reason
    try:
        monthly = parse_monthly(monthly_text, charge.amount if charge else None, rules)
    except RevolvingError as error:
        errors.update(error.errors)
    if errors or charge is None:
        raise RevolvingError(errors)
    return charge, schedule(charge.amount, monthly, basis_points,
                            first_payment_month(rules, charge))


# --- switching and undoing ----------------------------------------------------------------

def _record(session: Session, holder: Cardmember, what: str, text: str, address: str,
            before: str = "") -> None:
    session.add(CardmemberChange(cardmember_id=holder.id, what=what, before=before[:300],
                                 after=text[:300], address=address[:45]))


def switch(session: Session, holder: Cardmember, cards: list[Card], charge_text: str | None,
           monthly_text: str | None, key: str, rules: RevolvingRules, today: date,
           basis_points: int, address: str) -> tuple[RevolvingSwitch, bool]:
    """Switch the charge; ``(switch, True)``, or the earlier switch of the same key and
    False."""
    if not key or len(key) > KEY_MAX:
        raise RevolvingError({"monthly": _l("Show the schedule again, then confirm.")})
    earlier = session.scalar(select(RevolvingSwitch).where(RevolvingSwitch.key == key))
    if earlier is not None:
        if earlier.cardmember_id != holder.id:
            raise RevolvingError({"monthly": _l("Show the schedule again, then confirm.")})
        return earlier, False
    charge, planned = check(session, cards, charge_text, monthly_text, rules, today,
                            basis_points)
    made = RevolvingSwitch(cardmember_id=holder.id, card_id=charge.card_id,
                           transaction_id=charge.id, amount=charge.amount,
                           monthly_yen=planned.monthly, fee_basis_points=basis_points,
                           cutoff_on=rules.cutoff(charge.posted_on), key=key)
    session.add(made)
    session.flush()
    _record(session, holder, "revolving", f"{charge.reference}: {planned.monthly}/month",
            address)
    return made, True


def find_switch(session: Session, holder: Cardmember, text: str | int | None
                ) -> RevolvingSwitch:
    value = str(text or "")
    found = session.get(RevolvingSwitch, int(value)) if value.isdigit() and len(
        value) <= 12 else None
    if found is None or found.cardmember_id != holder.id:
        raise RevolvingError({"undo": _l("There is no such revolving payment on your "
                                         "cards.")})
    return found


def undo(session: Session, holder: Cardmember, switch_id: str | int | None, today: date,
         address: str) -> RevolvingSwitch:
    """Take the switch back: the charge is paid in one go again. Refused after its cut-off."""
    found = find_switch(session, holder, switch_id)
    if found.undone_at is not None:
        raise RevolvingError({"undo": _l("This revolving payment was already undone.")})
    if today > found.cutoff_on:
        raise RevolvingError({"undo": _l(
            "The last day to undo this switch was %(date)s; the charge stays on revolving "
            "payment.", date=format_date(found.cutoff_on, "long"))})
    found.undone_at = utcnow()
    charge = session.get(CardTransaction, found.transaction_id)
    _record(session, holder, "revolving_undo", "", address,
            before=f"{charge.reference if charge else found.transaction_id}: "
                   f"{found.monthly_yen}/month")
    return found


def switches_of(session: Session, holder: Cardmember
                ) -> list[tuple[RevolvingSwitch, CardTransaction]]:
    """The person's switches in force with their charges, newest first."""
    return list(session.execute(
        select(RevolvingSwitch, CardTransaction)
        .join(CardTransaction, CardTransaction.id == RevolvingSwitch.transaction_id)
        .where(RevolvingSwitch.cardmember_id == holder.id, RevolvingSwitch.undone_at.is_(None))
        .order_by(RevolvingSwitch.id.desc())).all())
