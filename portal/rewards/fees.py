"""The yearly fee per enrolled card (CMR-3), charged to the Program Administrator's card.

Fee year ``n`` of a card runs from its ``n``-th enrolment anniversary (year 0 starts on the
enrolment day) to the next; its fee is charged on its first day as an ``annual_fee``
transaction (which earns no points). A card that leaves, or whose account closes, gets back
the unused part of the current year's fee: ``fee × unused days ÷ days in that fee year``,
rounded half up to the yen (days counted from the leaving day to the next anniversary).
References make both idempotent: ``FEE-<card>-<n>`` and ``FEE-<card>-<n>-REFUND``.
A 29 February enrolment has its anniversaries on 28 February in other years.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.rewards.program import Card, CardTransaction, ProgramAccount
from portal.rewards.rules import program_rules

FEE_MERCHANT = "Corporate rewards program fee"


def anniversary(enrolled_on: date, years: int) -> date:
    try:
        return enrolled_on.replace(year=enrolled_on.year + years)
    except ValueError:  # 29 February
        return enrolled_on.replace(year=enrolled_on.year + years, day=28)


def fee_year(enrolled_on: date, on: date) -> int:
    """Which fee year ``on`` falls in (0 from the enrolment day)."""
    years = on.year - enrolled_on.year
    while years > 0 and anniversary(enrolled_on, years) > on:
        years -= 1
    return max(years, 0)


def round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def refund_for(fee: int, enrolled_on: date, left_on: date) -> int:
    year = fee_year(enrolled_on, left_on)
    start, end = anniversary(enrolled_on, year), anniversary(enrolled_on, year + 1)
    return round_half_up(fee * (end - left_on).days, (end - start).days)


def _exists(session: Session, reference: str) -> bool:
    return session.scalar(select(CardTransaction.id)
                          .where(CardTransaction.reference == reference)) is not None


def charge_due(session: Session, account: ProgramAccount, card: Card, on: date) -> int:
    """Charge every fee of ``card`` due by ``on`` not charged yet; returns how many."""
    if account.pa_card_id is None or not card.active:
        return 0
    fee = program_rules().annual_fee_yen
    charged = 0
    for year in range(fee_year(card.enrolled_on, on) + 1):
        reference = f"FEE-{card.id}-{year}"
        if _exists(session, reference):
            continue
        session.add(CardTransaction(
            card_id=account.pa_card_id, reference=reference,
            posted_on=anniversary(card.enrolled_on, year), merchant=FEE_MERCHANT,
            mcc="", amount=fee, kind="annual_fee", points=0, points_rule="excluded",
            source=f"fee:card:{card.id}",
        ))
        charged += 1
    session.flush()
    return charged


def refund_unused(session: Session, account: ProgramAccount, card: Card, left_on: date) -> int:
    """Give back the unused part of the current year's fee of ``card``; returns the yen."""
    year = fee_year(card.enrolled_on, left_on)
    reference = f"FEE-{card.id}-{year}"
    if account.pa_card_id is None or not _exists(session, reference) \
            or _exists(session, f"{reference}-REFUND"):
        return 0
    amount = refund_for(program_rules().annual_fee_yen, card.enrolled_on, left_on)
    if amount:
        session.add(CardTransaction(
            card_id=account.pa_card_id, reference=f"{reference}-REFUND", posted_on=left_on,
            merchant=FEE_MERCHANT, mcc="", amount=-amount, kind="annual_fee", points=0,
            points_rule="excluded", source=f"fee:card:{card.id}",
        ))
        session.flush()
    return amount
