"""Catalog items and donations (CMR-6.c): an order spends the points in the same transaction
that records it, stock and balance are checked under the lock, a double submit is one order,
staff ship, deliver, substitute and refund (ledger entries with reasons), and a missing item
can be reported only within its window. The invariant holds after every step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.backoffice.models import StaffAction
from portal.reference.postal import lookup
from portal.rewards import orders
from portal.rewards.ledger import check_invariant
from portal.rewards.models import CatalogItem
from portal.rewards.points import Access
from portal.rewards.program import PointsEntry, Redemption
from portal.rewards.redeem import RedeemError
from portal.rewards.rules import program_rules
from portal.workdays import add_business_days

from .test_program import rows, run_import

TODAY = date(2026, 6, 15)  # a Monday
ADDRESS = orders.Address(name="総務部 山田", postal_code="１００ー０００５", prefecture="東京都",
                         city="千代田区", street="丸の内1-1-1", building="サンプルビル 5階",
                         phone="０３－１２３４－５６７８")


@pytest.fixture
def funded(program, db_session):
    """A program with 30,000 points, and two items: one of 4,000 points, one equal."""
    account, number = program(on=date(2025, 1, 1))
    run_import(db_session, rows(number, ("2026-05-03", "Office Supplies", 3_000_000,
                                         "purchase")))
    for no, points, category in (("T100-0001", 4_000, "gifts"), ("T100-0002", 4_000, "gifts"),
                                 ("T100-0003", 3_000, "gifts"), ("T100-0004", 1_000, "social")):
        db_session.merge(CatalogItem(item_no=no, category=category, points=points,
                                     in_stock=True, name_ja=f"品{no}", name_en=f"Item {no}",
                                     description_ja="説明", description_en="About it"))
    db_session.commit()
    assert check_invariant(db_session, account.id) == 30_000
    return account


def problems(error):
    return {field: str(message) for field, message in error.value.errors}


def place(db_session, account, item_no="T100-0001", quantity="2", address=ADDRESS,
          key="k-1", on=TODAY):
    return orders.place(db_session, Access(account, "pa"), account.pa_user_id, item_no,
                        quantity, address, key, on)


@pytest.mark.parametrize(("postal_code", "phone"), [
    ("〒100-0005", "+81 3 1234 5678"), ("100 0005", "03 1234 5678"),
    ("〒１００－０００５", "+81-3-1234-5678"),
])
def test_postal_codes_and_phones_as_people_write_them(postal_code, phone):
    address = orders.Address(**{**ADDRESS.__dict__, "postal_code": postal_code,
                                "phone": phone})
    assert orders.address_problems(address) == []
    assert orders.tidy(address).postal_code == "100-0005"
    assert " " not in orders.tidy(address).phone


def test_postal_code_lookup_fills_the_address():
    found = lookup("100-0005")
    assert (found.prefecture, found.city, found.district) == ("東京都", "千代田区", "丸の内")
    assert lookup("1500000").district == ""  # the code of a whole ward
    assert lookup("999-9999") is None and lookup("12") is None
    filled, problem = orders.filled_from_postal_code(orders.Address(postal_code="１０００００５"))
    assert problem is None
    assert (filled.postal_code, filled.prefecture, filled.city, filled.street) == (
        "100-0005", "東京都", "千代田区", "丸の内")
    kept, _ = orders.filled_from_postal_code(orders.Address(postal_code="100-0005",
                                                            street="1-1"))
    assert kept.street == "1-1"  # what was typed is not overwritten
    _, problem = orders.filled_from_postal_code(orders.Address(postal_code="999-9999"))
    assert "No address has this postal code" in problem


def test_an_order_spends_the_points_with_its_record(funded, db_session, app):
    with app.test_request_context("/?lang=en"):
        order, new = place(db_session, funded)
        again, new_again = place(db_session, funded)  # the same form sent twice
        db_session.commit()
    assert new and not new_again and again.id == order.id
    assert (order.kind, order.status, order.points) == ("item", "ordered", 8_000)
    assert order.detail["address"]["postal_code"] == "100-0005"
    assert order.detail["address"]["phone"] == "03-1234-5678"
    assert orders.expected_on(order) == add_business_days(TODAY, program_rules()
                                                          .delivery_business_days)
    entry = db_session.scalar(select(PointsEntry).where(
        PointsEntry.source == f"redemption:{order.reference}"))
    assert (entry.kind, entry.points, entry.reason) == ("redeem", -8_000, "item")
    assert check_invariant(db_session, funded.id) == 22_000


def test_a_donation_needs_no_address(funded, db_session, app):
    with app.test_request_context("/?lang=en"):
        order, _ = place(db_session, funded, "T100-0004", "3", None)
        db_session.commit()
    assert (order.kind, order.status, order.points) == ("donation", "done", 3_000)
    assert "address" not in order.detail and orders.claim_window(order) is None
    assert check_invariant(db_session, funded.id) == 27_000


@pytest.mark.parametrize(("quantity", "address", "field", "words"), [
    ("0", ADDRESS, "quantity", "from 1 to 10"),
    ("11", ADDRESS, "quantity", "from 1 to 10"),
    ("two", ADDRESS, "quantity", "from 1 to 10"),
    ("8", ADDRESS, "quantity", "32,000 points; the company has 30,000"),
    ("1", orders.Address(), "name", "Enter the name"),
    ("1", orders.Address(), "postal_code", "Enter the postal code"),
    ("1", orders.Address(), "prefecture", "Choose the prefecture"),
    ("1", orders.Address(), "city", "Enter the city"),
    ("1", orders.Address(), "street", "Enter the street"),
    ("1", orders.Address(), "phone", "phone number"),
    ("1", orders.Address(**{**ADDRESS.__dict__, "postal_code": "999-9999"}), "postal_code",
     "No address has this postal code"),
    ("1", orders.Address(**{**ADDRESS.__dict__, "postal_code": "100-005"}), "postal_code",
     "7 digits"),
    ("1", orders.Address(**{**ADDRESS.__dict__, "prefecture": "東京"}), "prefecture",
     "Choose the prefecture"),
    ("1", orders.Address(**{**ADDRESS.__dict__, "street": "x" * 101}), "street",
     "at most 100"),
    ("1", orders.Address(**{**ADDRESS.__dict__, "prefecture": "北海道"}), "prefecture",
     "The postal code 100-0005 is in 東京都"),
])
def test_every_bad_input_says_why_and_nothing_moves(funded, db_session, app, quantity,
                                                      address, field, words):
    with app.test_request_context("/?lang=en"), pytest.raises(RedeemError) as error:
        place(db_session, funded, quantity=quantity, address=address)
    assert words in problems(error)[field]
    db_session.rollback()
    assert db_session.scalar(select(Redemption)) is None
    assert check_invariant(db_session, funded.id) == 30_000


def test_out_of_stock_at_confirmation_is_told_before_any_point_moves(funded, db_session, app):
    with app.test_request_context("/?lang=en"):
        offer = orders.check(db_session, Access(funded, "pa"), "T100-0001", "1", ADDRESS, TODAY)
        assert offer.points == 4_000
        db_session.get(CatalogItem, "T100-0001").in_stock = False  # sold out meanwhile
        db_session.commit()
        with pytest.raises(RedeemError) as error:
            place(db_session, funded, quantity="1")
    assert "out of stock" in problems(error)["quantity"]
    assert "No points were used" in problems(error)["quantity"]
    db_session.rollback()
    assert check_invariant(db_session, funded.id) == 30_000


def test_who_may_order(funded, db_session, app, active_user):
    from portal.rewards import programs

    with app.test_request_context("/?lang=en"):
        with pytest.raises(RedeemError) as error:
            orders.place(db_session, None, 1, "T100-0001", "1", ADDRESS, "k-x", TODAY)
        assert "Only the Program Administrator" in problems(error)["points"]
        programs.set_standing(db_session, funded, False, None, "late payment")
        db_session.commit()
        with pytest.raises(RedeemError) as error:
            place(db_session, funded)
        assert "not in good standing" in problems(error)["points"]
    db_session.rollback()
    assert check_invariant(db_session, funded.id) == 30_000


def test_staff_ship_deliver_and_every_step_is_recorded(funded, db_session, app, staff):
    with app.test_request_context("/?lang=en"):
        order, _ = place(db_session, funded)
        db_session.commit()
        with pytest.raises(RedeemError):  # a refund says why
            orders.act(db_session, order, "refund", staff, TODAY)
        orders.act(db_session, order, "ship", staff, TODAY + timedelta(days=2))
        with pytest.raises(RedeemError) as error:
            orders.act(db_session, order, "ship", staff, TODAY)
        assert "cannot be made “Shipped”" in problems(error)["action"]
        orders.act(db_session, order, "deliver", staff, TODAY + timedelta(days=4))
        db_session.commit()
    assert order.status == "delivered"
    assert [e["status"] for e in order.detail["events"]] == ["ordered", "shipped", "delivered"]
    assert {a.action for a in db_session.scalars(select(StaffAction).where(
        StaffAction.target_type == "redemption"))} == {"order.ship", "order.deliver"}
    assert check_invariant(db_session, funded.id) == 22_000


def test_substitute_only_an_equal_item_in_stock(funded, db_session, app, staff):
    with app.test_request_context("/?lang=en"):
        order, _ = place(db_session, funded)
        db_session.commit()
        for number, words in (("T999-9999", "No catalog item"), ("T100-0001", "different item"),
                              ("T100-0004", "not a donation"), ("T100-0003", "at least 4,000")):
            with pytest.raises(RedeemError) as error:
                orders.act(db_session, order, "substitute", staff, TODAY, substitute=number)
            assert words in problems(error)["substitute"]
        db_session.get(CatalogItem, "T100-0002").in_stock = False
        with pytest.raises(RedeemError) as error:
            orders.act(db_session, order, "substitute", staff, TODAY, substitute="t100-0002")
        assert "out of stock too" in problems(error)["substitute"]
        db_session.get(CatalogItem, "T100-0002").in_stock = True
        orders.act(db_session, order, "substitute", staff, TODAY, substitute=" t100-0002 ")
        db_session.commit()
    assert order.status == "substituted" and order.detail["substitute"]["item_no"] == "T100-0002"
    assert check_invariant(db_session, funded.id) == 22_000  # nothing more charged


def test_refund_gives_the_points_back_with_the_reason(funded, db_session, app, staff):
    with app.test_request_context("/?lang=en"):
        order, _ = place(db_session, funded)
        db_session.commit()
        orders.act(db_session, order, "refund", staff, TODAY, reason="No longer made")
        db_session.commit()
        with pytest.raises(RedeemError):  # not twice
            orders.act(db_session, order, "refund", staff, TODAY, reason="again")
    entry = db_session.scalar(select(PointsEntry).where(PointsEntry.kind == "refund"))
    assert (entry.points, entry.reason, entry.source) == (8_000, "order_refund",
                                                          f"redemption:{order.reference}")
    assert order.detail["events"][-1]["reason"] == "No longer made"
    assert check_invariant(db_session, funded.id) == 30_000


def test_a_missing_item_can_be_claimed_within_30_days_of_its_expected_date(funded, db_session,
                                                                            app):
    with app.test_request_context("/?lang=en"):
        order, _ = place(db_session, funded)
        db_session.commit()
        expected = orders.expected_on(order)
        first, last = orders.claim_window(order)
        assert (first, last) == (expected + timedelta(days=1), expected + timedelta(days=30))
        pa = Access(funded, "pa")
        with pytest.raises(RedeemError) as error:  # not yet due
            orders.claim(db_session, pa, funded.pa_user_id, order, "", expected)
        assert "If it has not arrived by then" in problems(error)["note"]
        with pytest.raises(RedeemError) as error:  # too late
            orders.claim(db_session, pa, funded.pa_user_id, order, "", last + timedelta(days=1))
        assert "can no longer be claimed" in problems(error)["note"]
        orders.claim(db_session, pa, funded.pa_user_id, order, "Nothing came", last)
        db_session.commit()
        with pytest.raises(RedeemError) as error:  # once
            orders.claim(db_session, pa, funded.pa_user_id, order, "", last)
        assert "was reported missing" in problems(error)["note"]
    assert order.detail["claim"] == {"on": last.isoformat(), "note": "Nothing came"}
    assert check_invariant(db_session, funded.id) == 22_000


def test_rules_come_from_the_data_file():
    rules = program_rules()
    assert (rules.order_max_quantity, rules.claim_days) == (10, 30)
    assert rules.donation_categories == ("social",)
    from portal.rewards.rules import RulesError, parse

    text = (program_rules.__wrapped__.__defaults__[0]).read_text(encoding="utf-8")
    with pytest.raises(RulesError, match="claim_days"):
        parse(text.replace("claim_days: 30", "claim_days: -1"))


def test_postal_codes_are_looked_up_from_any_thread():
    """The server answers on several threads; each reads the postal data."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lookup, ["100-0005", "530-0001", "060-0001", "900-0001"] * 3))
    assert [f.prefecture for f in found[:4]] == ["東京都", "大阪府", "北海道", "沖縄県"]
