"""Flexible Savings and Trip Flex (CMR-6.a, CMR-6.b): rates and rounding, every cap with its
reason, who may redeem, one redemption per form, and the ledger invariant."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from portal.rewards import programs, redeem
from portal.rewards.ledger import check_invariant
from portal.rewards.points import Access
from portal.rewards.program import CardTransaction, ProgramAccount, Redemption

from .test_program import rows, run_import

TODAY = date(2026, 6, 15)


def test_rates_round_half_up():
    half, trip = Fraction(1, 2), Fraction(7, 10)
    assert redeem.yen_for(100_000, half) == 50_000
    assert redeem.yen_for(3, half) == 2  # 1.5 → 2
    assert redeem.yen_for(1_000, trip) == 700
    assert redeem.yen_for(1_001, trip) == 701  # 700.7 → 701
    assert redeem.yen_for(1_005, trip) == 704  # 703.5 → 704
    for yen in (0, 1, 700, 701, 12_345):
        most = redeem.most_points_for(yen, trip)
        assert redeem.yen_for(most, trip) <= yen < redeem.yen_for(most + 1, trip)
    assert redeem.most_points_for(50_000, half) == 100_000


@pytest.fixture
def funded(program, db_session, app):
    """A program with 300,000 points and unpaid charges on its PA card, travel among them."""
    account, number = program(on=date(2025, 1, 1))
    run_import(db_session, rows(
        number, ("2026-05-01", "Sample Airlines", 400_000, "purchase"),
        ("2026-05-02", "Hotel Sample", 60_000, "purchase"),
        ("2025-05-01", "Hotel Too Old", 80_000, "purchase"),
        ("2026-05-03", "Cafe", 29_460_000, "purchase")))
    db_session.execute(CardTransaction.__table__.update()
                       .where(CardTransaction.reference.in_(["R0", "R1", "R2"]))
                       .values(mcc="4511"))
    db_session.execute(CardTransaction.__table__.update()
                       .where(CardTransaction.reference == "R1").values(mcc="7011"))
    db_session.commit()
    assert check_invariant(db_session, account.id) == 300_000
    return account


def access(account):
    return Access(account, "pa")


def problems(error):
    return {field: str(message) for field, message in error.value.errors}


def test_flexible_savings_credits_the_card_and_spends_the_points(funded, db_session, app):
    card = funded.cards[0]
    unpaid = redeem.unpaid_balance(db_session, card.id)
    with app.test_request_context("/?lang=en"):
        offer = redeem.quote(db_session, access(funded), "savings", card.id, "100,000", None, TODAY)
        assert (offer.points, offer.yen) == (100_000, 50_000)
        done, new = redeem.redeem(db_session, access(funded), funded.pa_user_id, "savings",
                                  card.id, "100000", None, "key-1", TODAY)
        again, new_again = redeem.redeem(db_session, access(funded), funded.pa_user_id,
                                         "savings", card.id, "100000", None, "key-1", TODAY)
        db_session.commit()
    assert new and not new_again and again.id == done.id  # a double submit: one redemption
    assert check_invariant(db_session, funded.id) == 200_000
    assert redeem.unpaid_balance(db_session, card.id) == unpaid - 50_000
    credit = db_session.scalar(select(CardTransaction).where(CardTransaction.kind == "points_credit"))
    assert (credit.amount, credit.points) == (-50_000, 0)


def test_every_bad_input_says_why_and_nothing_moves(funded, db_session, app, program):
    other_account, _n = program(on=date(2025, 1, 1))
    other_card = other_account.cards[0].id
    funded = db_session.get(ProgramAccount, funded.id)
    card = funded.cards[0]
    with app.test_request_context("/?lang=en"):
        cases = [
            (("savings", card.id, "abc"), "points", "whole number"),
            (("savings", card.id, "0"), "points", "at least 1"),
            (("savings", card.id, "300001"), "points", "300,000 points"),
            (("savings", other_card, "10"), "card", "enrolled cards"),
            (("trip", card.id, "999"), "points", "at least 1,000"),
        ]
        for (kind, card_id, points), field, text in cases:
            with pytest.raises(redeem.RedeemError) as error:
                redeem.quote(db_session, access(funded), kind, card_id, points, ["1"], TODAY)
            assert text in problems(error).get(field, ""), (points, problems(error))
        with pytest.raises(redeem.RedeemError) as error:
            redeem.quote(db_session, None, "savings", card.id, "10", None, TODAY)
        assert "Program Administrator" in problems(error)["points"]
    assert check_invariant(db_session, funded.id) == 300_000


def test_savings_never_exceed_the_cards_unpaid_balance(program, db_session, app):
    account, number = program(on=date(2025, 1, 1))
    run_import(db_session, rows(number, ("2026-05-01", "Shop", 1_000_000, "purchase"),
                                ("2026-05-10", "Payment", -1_000_000, "payment")))
    db_session.commit()
    unpaid = redeem.unpaid_balance(db_session, account.cards[0].id)  # the fee is unpaid
    with app.test_request_context("/?lang=en"), pytest.raises(redeem.RedeemError) as error:
        redeem.quote(db_session, access(account), "savings", account.cards[0].id, "10000",
                     None, TODAY)
    assert f"at most {redeem.most_points_for(unpaid, Fraction(1, 2)):,} points" in \
        problems(error)["points"]
    assert "unpaid balance" in problems(error)["points"]


def test_trip_flex_only_on_recent_travel_and_capped_by_those_charges(funded, db_session, app):
    card = funded.cards[0]
    charges = {t.merchant: t for t in redeem.travel_charges(db_session, funded, card, TODAY)}
    assert set(charges) == {"Sample Airlines", "Hotel Sample"}  # not too old, not the cafe
    hotel = str(charges["Hotel Sample"].id)
    with app.test_request_context("/?lang=en"):
        with pytest.raises(redeem.RedeemError) as error:  # 60,000 yen of charges caps it
            redeem.quote(db_session, access(funded), "trip", card.id, "100000", [hotel], TODAY)
        message = problems(error)["points"]
        assert "travel charges come to ¥60,000" in message and "85,714 points" in message
        cafe = db_session.scalar(select(CardTransaction.id).where(CardTransaction.merchant == "Cafe"))
        with pytest.raises(redeem.RedeemError) as error:
            redeem.quote(db_session, access(funded), "trip", card.id, "1000", [str(cafe)], TODAY)
        assert "travel charges of the last 12 months" in problems(error)["charges"]
        done, _new = redeem.redeem(db_session, access(funded), funded.pa_user_id, "trip",
                                   card.id, "85714", [hotel], "trip-1", TODAY)
        assert (done.points, done.yen) == (85_714, 60_000)
        db_session.commit()
        funded = db_session.get(ProgramAccount, funded.id)
        with pytest.raises(redeem.RedeemError):  # a charge is used once
            redeem.quote(db_session, access(funded), "trip", card.id, "1000", [hotel], TODAY)
    assert check_invariant(db_session, funded.id) == 300_000 - 85_714


def test_no_redemption_when_the_account_is_not_in_good_standing(funded, db_session, staff, app):
    programs.set_standing(db_session, funded, False, staff)
    db_session.commit()
    with app.test_request_context("/?lang=ja"):
        with pytest.raises(redeem.RedeemError) as error:
            redeem.quote(db_session, access(funded), "savings", funded.cards[0].id, "10", None,
                         TODAY)
        assert "良好な状態" in problems(error)["points"]
    assert db_session.scalar(select(func.count()).select_from(Redemption)) == 0
