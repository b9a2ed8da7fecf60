"""The ledger, statement import, fees and the program's life (CMR-1 to CMR-5).

After every operation the balance must equal the ledger's sum (``check_invariant``).
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.backoffice.models import StaffAction
from portal.rewards import fees, programs
from portal.rewards.ledger import check_invariant, lock_account, post
from portal.rewards.program import CardTransaction, PointsEntry
from portal.rewards.statements import StatementError, import_statement

from .conftest import KEY, card_number

HEADER = "reference,card_number,posted_on,merchant,mcc,amount,kind\n"


def run_import(db_session, text, name="stmt.csv"):
    return import_statement(db_session, io.StringIO(text), name, KEY, 200)


def rows(number, *specs, prefix="R"):
    out = HEADER
    for i, (posted, merchant, amount, kind) in enumerate(specs):
        out += f"{prefix}{i},{number},{posted},{merchant},5812,{amount},{kind}\n"
    return out


def entries(db_session, account):
    return list(db_session.scalars(select(PointsEntry).where(PointsEntry.account_id == account.id)
                                   .order_by(PointsEntry.id)))


def test_creating_a_program_enrols_the_pa_card_and_charges_its_fee(program, db_session):
    account, number = program()
    assert account.status == "active" and account.good_standing
    card = account.cards[0]
    assert card.last5 == number[-5:] and account.pa_card_id == card.id
    assert number not in card.number_hash  # only a keyed hash is kept
    fee = db_session.scalars(select(CardTransaction).where(CardTransaction.card_id == card.id)).one()
    assert (fee.kind, fee.amount, fee.points) == ("annual_fee", 2200, 0)
    assert card.personal_rewards_until == date(2026, 2, 4)  # 30 days to redeem personal points
    assert db_session.scalar(select(func.count()).select_from(StaffAction)
                             .where(StaffAction.action == "program.create")) == 1
    assert check_invariant(db_session, account.id) == 0


def test_import_earns_points_and_the_same_file_twice_changes_nothing(program, db_session):
    account, number = program()
    text = rows(number, ("2026-01-10", "Cafe Sample", 12_345, "purchase"),
                ("2026-01-11", "ENEOS 渋谷", 10_000, "purchase"),
                ("2026-01-12", "ATM", 30_000, "cash_advance"),
                ("2026-01-02", "Before", 10_000, "purchase"))
    result = run_import(db_session, text)
    assert (result.imported, result.skipped, result.points) == (4, 0, 173)
    assert check_invariant(db_session, account.id) == 173
    again = run_import(db_session, text)
    assert (again.imported, again.skipped, again.points) == (0, 4, 0)
    assert check_invariant(db_session, account.id) == 173
    rules = dict(db_session.execute(select(CardTransaction.reference, CardTransaction.points_rule)
                                    .where(CardTransaction.reference.like("R%"))).all())
    assert rules == {"R0": "base", "R1": "designated", "R2": "excluded", "R3": "before_enrolment"}
    assert [e.points for e in entries(db_session, account)] == [123, 50]


@pytest.mark.parametrize(("line", "problem"), [
    ("X1,{n},2026-01-10,Shop,5812,abc,purchase", "whole number"),
    ("X1,{n},2026/01/10,Shop,5812,100,purchase", "YYYY-MM-DD"),
    ("X1,{n},2026-02-30,Shop,5812,100,purchase", "real date"),
    ("X1,{n},2026-01-10,Shop,58,100,purchase", "four digits"),
    ("X1,{n},2026-01-10,Shop,5812,100,gift", "Unknown kind"),
    ("X1,{n},2026-01-10,Shop,5812,100,credit", "negative"),
    ("X1,{n},2026-01-10,Shop,5812,-100,points_credit", "Unknown kind"),
    ("X1,{n},2026-01-10,Shop,5812,-100,purchase", "above zero"),
    ("X1,123,2026-01-10,Shop,5812,100,purchase", "15-digit"),
    ("X1,{other},2026-01-10,Shop,5812,100,purchase", "not enrolled"),
    (",{n},2026-01-10,Shop,5812,100,purchase", "reference"),
    ("X1,{n},2026-01-10,,5812,100,purchase", "merchant"),
])
def test_a_bad_row_stops_the_import_with_line_and_reason(program, db_session, app, line,
                                                         problem):
    account, number = program()
    good = f"G1,{number},2026-01-10,Shop,5812,1000,purchase\n"
    text = HEADER + good + line.format(n=number, other=card_number()) + "\n"
    savepoint = db_session.begin_nested()
    with pytest.raises(StatementError) as caught:
        run_import(db_session, text, "march.csv")
    savepoint.rollback()
    assert caught.value.line == 3 and caught.value.name == "march.csv"
    with app.test_request_context("/?lang=en"):
        assert problem in str(caught.value.reason)
    assert db_session.scalar(select(func.count()).select_from(CardTransaction)
                             .where(CardTransaction.reference == "G1")) == 0
    assert check_invariant(db_session, account.id) == 0


def test_a_missing_column_and_a_repeated_reference_are_refused(program, db_session, app):
    _account, number = program()
    with pytest.raises(StatementError, match="amount"):
        run_import(db_session, "reference,card_number,posted_on,merchant,mcc,kind\n")
    with pytest.raises(StatementError, match="twice"):
        run_import(db_session, HEADER + f"D,{number},2026-01-10,S,,100,purchase\n" * 2)


def test_a_credit_larger_than_the_balance_is_carried_into_future_points(program, db_session):
    account, number = program()
    run_import(db_session, rows(number, ("2026-01-10", "Shop", 5_000, "purchase"),
                                ("2026-01-11", "Shop", -8_000, "credit"), prefix="A"))
    assert check_invariant(db_session, account.id) == 0
    db_session.refresh(account)
    assert account.carried == 30
    run_import(db_session, rows(number, ("2026-01-20", "Shop", 10_000, "purchase"), prefix="B"))
    db_session.refresh(account)
    assert (account.balance, account.carried) == (70, 0)
    kinds = [(e.kind, e.points, e.reason) for e in entries(db_session, account)]
    assert kinds == [("earn", 50, "base"), ("credit", -50, "credit_carried"),
                     ("earn", 100, "base"), ("carry", -30, "carried_credit")]
    assert check_invariant(db_session, account.id) == 70


def test_spending_more_than_the_balance_is_refused(program, db_session):
    from portal.rewards.ledger import LedgerError

    account, _number = program()
    locked = lock_account(db_session, account.id)
    with pytest.raises(LedgerError):
        post(db_session, locked, "redeem", -1, "test", date(2026, 2, 1))
    assert check_invariant(db_session, account.id) == 0


def test_fee_refund_is_pro_rata_by_days_rounded_half_up():
    # 365-day fee year, leaving after 100 days: 265 unused days.
    assert fees.refund_for(2200, date(2026, 1, 1), date(2026, 4, 11)) == round(2200 * 265 / 365)
    assert fees.refund_for(2200, date(2026, 1, 1), date(2026, 1, 1)) == 2200
    assert fees.refund_for(2200, date(2026, 1, 1), date(2026, 12, 31)) == 6  # 6.03 → 6
    assert fees.round_half_up(5, 2) == 3 and fees.round_half_up(7, 4) == 2
    # 29 February: anniversaries fall on 28 February.
    assert fees.anniversary(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert fees.fee_year(date(2026, 1, 5), date(2027, 1, 4)) == 0
    assert fees.fee_year(date(2026, 1, 5), date(2027, 1, 5)) == 1


def test_cards_enrol_leave_and_the_daily_run_charges_anniversaries_once(program, db_session,
                                                                         staff, app):
    account, _number = program(on=date(2026, 1, 5))
    number = card_number()
    card = programs.enrol_card(db_session, account, programs.NewCard(
        number, "corporate", "SATO JIRO"), date(2026, 2, 1), KEY, staff)
    with pytest.raises(programs.ProgramError) as twice:  # a card is in one program only
        programs.enrol_card(db_session, account, programs.NewCard(
            number, "corporate", "X"), date(2026, 2, 1), KEY, staff)
    assert [f for f, _m in twice.value.errors] == ["number"]
    with pytest.raises(programs.ProgramError) as wrong:  # purchasing cards are not eligible
        programs.enrol_card(db_session, account, programs.NewCard(
            card_number(), "purchasing", "X"), date(2026, 2, 1), KEY, staff)
    assert [f for f, _m in wrong.value.errors] == ["product"]
    fees_charged = lambda: db_session.scalar(  # noqa: E731
        select(func.count()).select_from(CardTransaction)
        .where(CardTransaction.kind == "annual_fee", CardTransaction.amount > 0))
    assert fees_charged() == 2
    done = programs.daily(db_session, date(2027, 1, 5))
    assert done["fees"] == 1 and fees_charged() == 3  # the PA card's first anniversary
    assert programs.daily(db_session, date(2027, 1, 5))["fees"] == 0
    programs.daily(db_session, date(2027, 2, 1))
    assert fees_charged() == 4
    refund = programs.remove_card(db_session, account, card, date(2027, 8, 2), staff)
    assert refund == fees.refund_for(2200, date(2026, 2, 1), date(2027, 8, 2)) > 0
    assert programs.daily(db_session, date(2028, 2, 1))["fees"] == 1  # only the PA card's
    check_invariant(db_session, account.id)


def test_the_pa_card_cannot_leave_while_others_remain_and_the_last_card_closes(program,
                                                                              db_session, staff,
                                                                              app):
    account, _number = program()
    other = programs.enrol_card(db_session, account, programs.NewCard(
        card_number(), "corporate", "SATO JIRO"), date(2026, 2, 1), KEY, staff)
    pa_card = next(c for c in account.cards if c.id == account.pa_card_id)
    with pytest.raises(programs.ProgramError):
        programs.remove_card(db_session, account, pa_card, date(2026, 3, 1), staff)
    programs.remove_card(db_session, account, other, date(2026, 3, 1), staff)
    programs.remove_card(db_session, account, pa_card, date(2026, 3, 2), staff)
    assert account.status == "cancelled" and account.cancelled_on == date(2026, 3, 2)


def test_cancellation_opens_a_window_then_the_points_lapse(program, db_session, staff):
    account, number = program()
    run_import(db_session, rows(number, ("2026-01-10", "Shop", 100_000, "purchase")))
    programs.cancel(db_session, account, date(2026, 6, 1), staff, reason="company request")
    assert programs.can_redeem(account, date(2026, 7, 1)).ok  # day 30 still counts
    assert programs.redeem_until(account) == date(2026, 7, 1)
    assert programs.daily(db_session, date(2026, 7, 1))["lapsed"] == 0
    assert check_invariant(db_session, account.id) == 1000
    assert programs.daily(db_session, date(2026, 7, 2))["lapsed"] == 1
    assert check_invariant(db_session, account.id) == 0
    assert programs.daily(db_session, date(2026, 7, 3))["lapsed"] == 0
    assert programs.can_redeem(account, date(2026, 7, 2)).reason == "closed_out"
    assert entries(db_session, account)[-1].kind == "lapse"
    system = db_session.scalars(select(StaffAction).where(StaffAction.action == "program.lapse")).one()
    assert system.staff_id is None


@pytest.mark.parametrize("reason", ["terminated", "insolvent"])
def test_termination_forfeits_at_once(program, db_session, staff, reason):
    account, number = program()
    run_import(db_session, rows(number, ("2026-01-10", "Shop", 100_000, "purchase")))
    assert programs.terminate(db_session, account, date(2026, 3, 1), staff, reason) == 1000
    assert check_invariant(db_session, account.id) == 0
    last = entries(db_session, account)[-1]
    assert (last.kind, last.points, last.reason) == ("forfeit", -1000, reason)
    assert programs.can_redeem(account, date(2026, 3, 1)).reason == "terminated"


def test_not_in_good_standing_cannot_redeem_but_still_earns(program, db_session, staff):
    account, number = program()
    programs.set_standing(db_session, account, False, staff, "overdue")
    assert programs.can_redeem(account, date(2026, 2, 1)).reason == "not_good_standing"
    run_import(db_session, rows(number, ("2026-01-10", "Shop", 10_000, "purchase")))
    assert check_invariant(db_session, account.id) == 100


def test_designated_third_parties_and_a_new_pa(program, db_session, staff, active_user, app):
    helper = active_user("helper01")
    account, _number = program()
    programs.designate(db_session, account, helper, staff)
    with pytest.raises(programs.ProgramError):
        programs.designate(db_session, account, helper, staff)
    card = programs.enrol_card(db_session, account, programs.NewCard(
        card_number(), "corporate", "HELPER", helper.id), date(2026, 2, 1), KEY, staff)
    programs.change_pa(db_session, account, card, staff)
    assert account.pa_user_id == helper.id and account.pa_card_id == card.id
    assert account.delegates == []  # the new PA is no longer listed as a third party
