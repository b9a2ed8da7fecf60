"""The earning engine, rule by rule and exclusion by exclusion (CMR-4)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from portal.rewards.earning import CardState, Charge, points_for
from portal.rewards.rules import Promotion, RulesError, parse, program_rules

ENROLLED = CardState(enrolled_on=date(2026, 1, 1))
TAX = 200


def earn(kind="purchase", amount=10_000, posted_on=date(2026, 2, 1), merchant="Cafe Sample",
         mcc="5812", card=ENROLLED, rules=None):
    return points_for(Charge(kind, amount, posted_on, merchant, mcc), card,
                      rules or program_rules(), TAX)


@pytest.mark.parametrize(("kind", "amount", "merchant", "points", "rule"), [
    ("purchase", 10_000, "Cafe Sample", 100, "base"),
    ("purchase", 99, "Cafe Sample", 0, "base"),          # below one point: dropped
    ("purchase", 250, "Cafe Sample", 2, "base"),         # floor per transaction
    ("purchase", 5_000_000, "Cafe Sample", 50_000, "base"),
    ("purchase", 10_000, "ENEOS 渋谷", 50, "designated"),  # 1 point per 200 yen
    ("purchase", 10_000, "ｅｎｅｏｓ新宿", 50, "designated"),  # width and case do not matter
    ("purchase", 399, "東京電力", 1, "designated"),
    ("corporate_tax", 1_000_000, "国税", 5_000, "tax"),
    ("credit", -10_000, "Cafe Sample", -100, "credit"),
    ("credit", -250, "Cafe Sample", -2, "credit"),     # takes back what 250 yen earned
    ("credit", -10_000, "ENEOS 渋谷", -50, "credit"),
    ("unpaid_writeoff", -3_000, "Cafe Sample", -30, "writeoff"),
])
def test_rates_and_rounding(kind, amount, merchant, points, rule):
    got = earn(kind=kind, amount=amount, merchant=merchant)
    assert (got.points, got.rule) == (points, rule)


@pytest.mark.parametrize("kind", ["cash_advance", "travellers_cheque", "late_fee",
                                  "revolving_fee", "annual_fee", "emoney_topup"])
def test_each_excluded_kind_earns_nothing(kind):
    assert (earn(kind=kind).points, earn(kind=kind).rule) == (0, "excluded")


def test_charges_before_enrolment_earn_nothing():
    got = earn(posted_on=date(2025, 12, 31))
    assert (got.points, got.rule) == (0, "before_enrolment")
    assert earn(posted_on=date(2026, 1, 1)).points == 100  # the enrolment day counts


def test_charges_after_the_card_left_earn_nothing():
    card = CardState(date(2026, 1, 1), left_on=date(2026, 3, 1))
    assert earn(posted_on=date(2026, 3, 1), card=card).points == 100
    assert earn(posted_on=date(2026, 3, 2), card=card).rule == "after_leaving"


def test_a_delinquent_card_earns_nothing_but_credits_still_take_back():
    card = CardState(date(2026, 1, 1), status="delinquent")
    assert (earn(card=card).points, earn(card=card).rule) == (0, "delinquent")
    assert earn(kind="credit", amount=-1_000, card=card).points == -10


def test_promotions_multiply_in_their_dates_and_categories():
    spring = date(2026, 3, 15)
    assert earn(posted_on=spring, mcc="7011").points == 200
    assert earn(posted_on=spring, mcc="7011").rule == "promo:SPRING_TRAVEL_2026"
    assert earn(posted_on=spring, mcc="5812").points == 100  # another category
    assert earn(posted_on=date(2026, 5, 1), mcc="7011").points == 100  # after it ended
    rules = program_rules()
    half = Promotion("HALF", "x", "x", date(2026, 1, 1), date(2026, 12, 31), Fraction(3, 2),
                     frozenset())
    boosted = type(rules)(**{**rules.__dict__, "promotions": (half,)})
    assert earn(amount=1_000, rules=boosted).points == 15
    assert earn(amount=150, rules=boosted).points == 2  # 2.25 → 2


def test_the_brochure_example():
    """Employees A and B spend 5,000,000 yen each, C 1,000,000: 110,000 points."""
    total = sum(earn(amount=a).points for a in (5_000_000, 5_000_000, 1_000_000))
    assert total == 110_000


def test_the_rules_file_is_checked_with_its_line():
    text = (program_rules.__wrapped__.__defaults__[0]).read_text(encoding="utf-8")
    assert parse(text).annual_fee_yen == 2200
    with pytest.raises(RulesError, match="annual_fee_yen"):
        parse(text.replace("annual_fee_yen: 2200", "annual_fee_yen: -1"))
    broken = text.replace("eligible: true\n  - code: corporate\n",
                          "eligible: maybe\n  - code: corporate\n", 1)
    with pytest.raises(RulesError, match=r"line \d+: eligible"):
        parse(broken)
    with pytest.raises(RulesError, match="twice"):
        parse(text.replace("code: corporate\n", "code: gold_corporate\n", 1))


def test_only_the_four_products_are_eligible():
    eligible = {p.code for p in program_rules().eligible_products()}
    assert eligible == {"gold_corporate", "corporate", "jr_tokai_gold_corporate",
                        "jr_tokai_corporate"}
