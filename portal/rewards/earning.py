"""The earning engine (CMR-4): what one posted transaction earns, from plain values.

Rounding: points are whole; each transaction earns ``floor(amount × multiplier ÷ yen per
point)`` — the remainder below one point is dropped per transaction and never pooled
(99 yen earns 0 points, 250 yen earns 2). A credit or an unpaid write-off takes back
``floor(|amount| ÷ yen per point)`` at its merchant's rate, without promotions, so the full
refund of an ordinary purchase takes back exactly what it earned.

Rules, in the order they are checked (the first that applies decides; its code is kept on
the transaction as ``points_rule``):

1. ``before_enrolment`` — posted before the card was enrolled: nothing.
2. ``after_leaving`` — posted after the card left the program: nothing.
3. ``excluded`` — cash advances, traveller's cheques, late fees, revolving fees, annual fees
   (the program's fee too) and e-money top-ups earn nothing.
4. ``credit`` / ``writeoff`` — credits (returns, disputes, tax refunds) and unpaid charges
   written off take points back.
5. ``delinquent`` — a charge on a delinquent card earns nothing.
6. ``tax`` — corporate tax: 1 point per ``tax_yen_per_point`` yen (a setting).
7. ``designated`` — designated merchants: 1 point per ``designated_yen_per_point`` yen.
8. ``base`` — everything else: 1 point per ``yen_per_point`` yen.
   A promotion that applies multiplies 7 or 8 (the highest applying multiplier counts) and
   its code is kept as ``promo:CODE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from portal.rewards.rules import ProgramRules

EXCLUDED_KINDS = frozenset({
    "cash_advance", "travellers_cheque", "late_fee", "revolving_fee", "annual_fee",
    "emoney_topup",
})
TAKE_BACK_KINDS = frozenset({"credit", "unpaid_writeoff"})


@dataclass(frozen=True)
class Charge:
    kind: str
    amount: int  # signed yen: charges positive, credits and write-offs negative
    posted_on: date
    merchant: str = ""
    mcc: str = ""


@dataclass(frozen=True)
class CardState:
    enrolled_on: date
    left_on: date | None = None
    status: str = "good"


@dataclass(frozen=True)
class Earned:
    points: int  # signed
    rule: str


def _floor(amount: int, multiplier: Fraction, yen_per_point: int) -> int:
    if multiplier.denominator == 1:  # whole multipliers stay in integers (the fast path)
        return amount * multiplier.numerator // yen_per_point
    return int(amount * multiplier // yen_per_point)


def points_for(charge: Charge, card: CardState, rules: ProgramRules,
               tax_yen_per_point: int) -> Earned:
    """What ``charge`` earns (or takes back) on ``card`` under ``rules``."""
    if charge.posted_on < card.enrolled_on:
        return Earned(0, "before_enrolment")
    if card.left_on is not None and charge.posted_on > card.left_on:
        return Earned(0, "after_leaving")
    if charge.kind in EXCLUDED_KINDS:
        return Earned(0, "excluded")
    designated = rules.is_designated(charge.merchant)
    rate = rules.designated_yen_per_point if designated else rules.yen_per_point
    if charge.kind in TAKE_BACK_KINDS:
        taken = _floor(abs(charge.amount), Fraction(1), rate)
        return Earned(-taken, "credit" if charge.kind == "credit" else "writeoff")
    if card.status != "good":
        return Earned(0, "delinquent")
    if charge.amount <= 0:
        return Earned(0, "no_amount")
    if charge.kind == "corporate_tax":
        return Earned(_floor(charge.amount, Fraction(1), tax_yen_per_point), "tax")
    multiplier, rule = Fraction(1), "designated" if designated else "base"
    for promotion in rules.promotions:
        if promotion.applies(charge.posted_on, charge.mcc) and promotion.multiplier > multiplier:
            multiplier, rule = promotion.multiplier, f"promo:{promotion.code}"
    return Earned(_floor(charge.amount, multiplier, rate), rule)
