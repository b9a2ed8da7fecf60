"""OS-6: switching a posted charge to revolving payment. The rules file, which charges
qualify, the monthly amount, the schedule with its fee rounding (table-driven), and the
pages in ja and en: preview by htmx and without, confirm once with a one-time key, the mark
on the statement, the email, the record, undo before the cut-off and not after it, and
every bad input told next to its field with nothing moved."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.cardmember import revolving
from portal.cardmember.models import CardmemberChange, RevolvingSwitch
from portal.cardmember.revolving_rules import (
    RULES_FILE,
    RevolvingRules,
    RevolvingRulesError,
    parse,
    revolving_rules,
)
from portal.db import utcnow
from portal.mail.models import OutgoingEmail
from portal.rewards import programs
from portal.rewards.program import CardTransaction
from tests.points.conftest import KEY, card_number
from tests.points.test_program import rows, run_import
from tests.points.test_views import sign_in

from .test_statement import set_up

RULES = RevolvingRules(kinds=frozenset({"purchase"}), min_charge_yen=10_000,
                       min_monthly_yen=5_000, step_yen=1_000, cutoff_day=25)
TODAY = date(2026, 6, 10)

# --- the rules file ----------------------------------------------------------------------

GOOD = """kinds: [purchase]
min_charge_yen: 10000
min_monthly_yen: 5000
step_yen: 1000
cutoff_day: 25
"""


def test_the_shipped_file_is_valid():
    rules = revolving_rules(RULES_FILE)
    assert rules.kinds == {"purchase"} and rules.min_monthly_yen % rules.step_yen == 0
    assert parse(GOOD) == RULES


@pytest.mark.parametrize(("text", "words"), [
    (GOOD.replace("[purchase]", "[purchase, lottery]"), "line 1: kinds names unknown"),
    (GOOD.replace("kinds: [purchase]", "kinds: []"), "kinds must be a list"),
    (GOOD.replace("step_yen: 1000", "step_yen: 0"), "line 4: step_yen must be a whole number"),
    (GOOD.replace("step_yen: 1000", "step_yen: 3000"), "min_monthly_yen must be a whole number "
                                                       "of steps"),
    (GOOD.replace("cutoff_day: 25", "cutoff_day: 32"), "line 5: cutoff_day must be a day"),
    (GOOD.replace("min_charge_yen: 10000", "min_charge_yen: 1000"), "must not be below"),
    (GOOD.replace("min_charge_yen: 10000", "min_charge_yen: yes"), "min_charge_yen must be"),
    (GOOD + "max_months: 12\n", "unknown key(s): max_months"),
    ("kinds: [purchase\n", "not valid YAML"),
    ("- purchase\n", "expected a mapping"),
])
def test_a_mistake_in_the_rules_names_the_line(text, words):
    with pytest.raises(RevolvingRulesError) as caught:
        parse(text, "revolving.yaml")
    assert words in str(caught.value) and str(caught.value).startswith("revolving.yaml")


def test_load_data_reports_a_mistake_in_the_rules(app, tmp_path, monkeypatch):
    bad = tmp_path / "revolving.yaml"
    bad.write_text(GOOD.replace("step_yen: 1000", "step_yen: -1"), encoding="utf-8")
    monkeypatch.setattr("portal.cardmember.revolving_rules.RULES_FILE", bad)
    result = app.test_cli_runner().invoke(args=["load-data"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "revolving.yaml, line 4: step_yen must be a whole number above 0" in result.output
    revolving_rules.cache_clear()


@pytest.mark.parametrize(("posted", "day", "cutoff"), [
    (date(2026, 5, 3), 25, date(2026, 6, 25)),
    (date(2026, 12, 31), 25, date(2027, 1, 25)),   # across the year
    (date(2026, 1, 15), 31, date(2026, 2, 28)),    # a short month: its last day
    (date(2028, 1, 15), 30, date(2028, 2, 29)),    # a leap year
])
def test_the_cutoff_is_a_day_of_the_next_month(posted, day, cutoff):
    rules = RevolvingRules(frozenset({"purchase"}), 10_000, 5_000, 1_000, day)
    assert rules.cutoff(posted) == cutoff


# --- the schedule ------------------------------------------------------------------------

@pytest.mark.parametrize(("balance", "bp", "fee"), [
    (30_000, 1500, 375),        # 30,000 × 15 % ÷ 12 = 375 exactly
    (10_001, 1500, 125),        # 125.0125 → 125
    (64_800, 1500, 810),
    (9_599, 1500, 119),         # 119.9875 → 119: always down
    (1_000_000, 1800, 15_000),
    (5_000, 0, 0),              # no fee at 0 %
    (1, 1500, 0),
])
def test_the_monthly_fee_is_rounded_down(balance, bp, fee):
    assert revolving.monthly_fee(balance, bp) == fee


@pytest.mark.parametrize(("amount", "monthly", "bp", "expected"), [
    # (payment, fee, remaining) month by month
    (30_000, 10_000, 1500, [(10_375, 375, 20_000), (10_250, 250, 10_000),
                            (10_125, 125, 0)]),
    (25_000, 10_000, 1500, [(10_312, 312, 15_000), (10_187, 187, 5_000), (5_062, 62, 0)]),
    (12_000, 12_000, 1500, [(12_150, 150, 0)]),          # the whole charge: one payment
    (12_000, 5_000, 0, [(5_000, 0, 7_000), (5_000, 0, 2_000), (2_000, 0, 0)]),
])
def test_the_schedule_month_by_month(amount, monthly, bp, expected):
    planned = revolving.schedule(amount, monthly, bp, date(2026, 7, 1))
    assert [(m.payment, m.fee, m.remaining) for m in planned.months] == expected
    assert planned.total_fee == sum(fee for _p, fee, _r in expected)
    assert planned.total_paid == amount + planned.total_fee == sum(p for p, _f, _r in expected)
    assert [m.month for m in planned.months][:2] == [date(2026, 7, 1), date(2026, 8, 1)][
        :len(expected)]


def test_a_long_schedule_ends_with_nothing_left():
    planned = revolving.schedule(1_000_000, 5_000, 1500)
    assert len(planned.months) == 200 and planned.months[-1].remaining == 0
    months = planned.months
    assert all(a.remaining > b.remaining for a, b in zip(months, months[1:], strict=False))


# --- which charges and amounts qualify -----------------------------------------------------

def charge(kind="purchase", amount=40_000, posted=date(2026, 6, 1)):
    return CardTransaction(kind=kind, amount=amount, posted_on=posted, merchant="Shop",
                           reference="X")


@pytest.mark.parametrize(("made", "switched", "today", "words"), [
    (charge(), False, TODAY, None),
    (charge(amount=10_000), False, TODAY, None),                       # the minimum itself
    (charge(posted=date(2026, 5, 3)), False, date(2026, 6, 25), None),  # the cut-off day
    (charge(posted=date(2026, 5, 3)), False, date(2026, 6, 26), "last day to switch"),
    (charge(amount=9_999), False, TODAY, "10,000 or more"),
    (charge(kind="cash_advance"), False, TODAY, "Only purchases"),
    (charge(kind="annual_fee"), False, TODAY, "Only purchases"),
    (charge(kind="emoney_topup"), False, TODAY, "Only purchases"),
    (charge(kind="corporate_tax"), False, TODAY, "Only purchases"),
    (charge(kind="credit", amount=-40_000), False, TODAY, "Only purchases"),
    (charge(), True, TODAY, "already paid by revolving"),
])
def test_which_charges_qualify(app, made, switched, today, words):
    with app.test_request_context("/?lang=en"):
        found = revolving.problem(made, RULES, today, switched)
    assert found is None if words is None else words in found


@pytest.mark.parametrize(("typed", "amount", "value", "words"), [
    ("10000", 40_000, 10_000, None),
    ("１０，０００", 40_000, 10_000, None),       # full-width, with a comma
    ("¥5,000", 40_000, 5_000, None),
    ("40000円", 40_000, 40_000, None),
    ("40000", 40_500, 40_000, None),
    ("", 40_000, None, "Enter the amount"),
    ("ten", 40_000, None, "whole yen"),
    ("-5000", 40_000, None, "whole yen"),
    ("5000.5", 40_000, None, "whole yen"),
    ("4000", 40_000, None, "from ¥5,000 to ¥40,000"),
    ("41000", 40_000, None, "from ¥5,000 to ¥40,000"),
    ("40500", 40_500, None, "from ¥5,000 to ¥40,000"),
    ("10500", 40_000, None, "steps of ¥1,000"),
    ("9" * 40, 40_000, None, "whole yen"),
])
def test_the_monthly_amount(app, typed, amount, value, words):
    with app.test_request_context("/?lang=en"):
        try:
            assert revolving.parse_monthly(typed, amount, RULES) == value
        except revolving.RevolvingError as error:
            assert words is not None and words in str(error.errors["monthly"])
        else:
            assert words is None


def test_the_monthly_amount_in_japanese(app):
    with app.test_request_context("/?lang=ja"):
        with pytest.raises(revolving.RevolvingError) as e:
            revolving.parse_monthly("10500", 40_000, RULES)
        assert "￥1,000単位" in str(e.value.errors["monthly"])


# --- through the pages ---------------------------------------------------------------------

@pytest.fixture
def signed_in(client, holder, db_session, app, monkeypatch):
    """Signed in on 10 June 2026; a cash advance and a small purchase posted in June too."""
    monkeypatch.setattr("portal.cardmember.views._today", lambda: TODAY)
    _person, card, _other, (number, _n2) = holder
    run_import(db_session, rows(number, ("2026-06-02", "ATM", 50_000, "cash_advance"),
                                ("2026-06-03", "Kiosk", 9_000, "purchase"), prefix="J"),
               name="june.csv")
    db_session.commit()
    set_up(db_session, app, holder[0])
    sign_in(client, "cmtest01", "Takahashi85")
    return client


def tx(db_session, merchant):
    return db_session.scalar(select(CardTransaction).where(CardTransaction.merchant == merchant))


def preview(client, charge_id, monthly, lang="en", **headers):
    return client.get(f"/cardmember/revolving/?charge={charge_id}&monthly={monthly}"
                      f"&lang={lang}", headers=headers)


def confirm_data(html):
    return {name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)
            for name in ("csrf_token", "charge", "monthly", "key")}


def csrf(client):
    """A CSRF token of the session (any form's token is valid for every form)."""
    page = client.get("/?lang=en").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def count(db_session, model):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def test_only_qualifying_charges_are_offered(signed_in, db_session):
    html = signed_in.get("/cardmember/revolving/?lang=en").get_data(as_text=True)
    offered = re.findall(r'name="charge" type="radio" value="(\d+)"', html)
    assert offered == [str(tx(db_session, "June Shop").id), str(tx(db_session, "May Shop").id)]
    assert "ATM" not in html and "Kiosk" not in html and "April Shop" not in html
    assert "15.00%" in html


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_switch_through_the_preview_then_undo(signed_in, db_session, holder, lang):
    june = tx(db_session, "June Shop")
    before = signed_in.get(f"/cardmember/statement?month=2026-06&lang={lang}")
    assert (f'href="/cardmember/revolving/?charge={june.id}" class="small" '
            'data-testid="cm-revolving-offer"') in before.get_data(as_text=True)
    chosen = signed_in.get(f"/cardmember/revolving/?charge={june.id}&lang={lang}")
    assert chosen.status_code == 200
    assert re.search(rf'<input checked[^>]*value="{june.id}"', chosen.get_data(as_text=True))
    page = preview(signed_in, june.id, "10,000", lang)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-months="4"' in html
    # 40,000 at 15 %: fees 500, 375, 250, 125; the first payment in August (cut-off 25 July).
    assert 'data-total-fee="1250"' in html and ("2026年8月" if lang == "ja" else "Aug 2026") in html
    assert re.findall(r'data-fee="(\d+)"', html) == ["500", "375", "250", "125"]
    data = confirm_data(html)
    done = signed_in.post(f"/cardmember/revolving/confirm?lang={lang}", data=data)
    assert done.status_code == 303 and "/cardmember/statement" in done.headers["Location"]
    again = signed_in.post(f"/cardmember/revolving/confirm?lang={lang}", data=data)
    assert again.status_code == 303  # the same key: the first switch, not a second
    made = db_session.scalars(select(RevolvingSwitch)).all()
    assert [(s.transaction_id, s.monthly_yen, s.fee_basis_points, s.cutoff_on) for s in made] \
        == [(june.id, 10_000, 1500, date(2026, 7, 25))]
    statement = signed_in.get(done.headers["Location"]).get_data(as_text=True)
    assert 'data-revolving="10000"' in statement and 'data-testid="cm-revolving-mark"' in statement
    assert ("月々" if lang == "ja" else "a month") in statement
    mails = db_session.scalars(select(OutgoingEmail).where(
        OutgoingEmail.kind == "cardmember.revolving")).all()
    assert len(mails) == 1 and "June Shop" in mails[0].text_body and "¥10,000" in mails[0].text_body
    page = signed_in.get(f"/cardmember/revolving/?lang={lang}").get_data(as_text=True)
    assert f'value="{june.id}"' not in page  # no longer offered
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    undone = signed_in.post(f"/cardmember/revolving/{made[0].id}/undo?lang={lang}",
                            data={"csrf_token": token})
    assert undone.status_code == 303
    db_session.expire_all()
    assert db_session.get(RevolvingSwitch, made[0].id).undone_at is not None
    assert 'data-revolving' not in signed_in.get(done.headers["Location"]).get_data(as_text=True)
    assert [c.what for c in db_session.scalars(select(CardmemberChange))] == [
        "revolving", "revolving_undo"]
    assert count(db_session, OutgoingEmail) >= 2


def test_the_htmx_preview_swaps_the_body_only(signed_in, db_session):
    june = tx(db_session, "June Shop")
    swap = preview(signed_in, june.id, "20000", **{"HX-Request": "true"})
    html = swap.get_data(as_text=True)
    assert swap.status_code == 200 and html.lstrip().startswith('<div id="revolving-body"')
    assert "<html" not in html and 'data-months="2"' in html
    bad = preview(signed_in, june.id, "20500", **{"HX-Request": "true"})
    assert bad.status_code == 422 and 'id="monthly-error"' in bad.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "charge_of", "monthly", "field", "words"), [
    ("en", "June Shop", "4000", "monthly", "from ¥5,000 to ¥40,000"),
    ("ja", "June Shop", "4000", "monthly", "￥5,000から￥40,000"),
    ("en", "June Shop", "10500", "monthly", "steps of ¥1,000"),
    ("en", "June Shop", "", "monthly", "Enter the amount"),
    ("ja", "June Shop", "abc", "monthly", "円単位の整数"),
    ("en", "ATM", "10000", "charge", "Only purchases"),
    ("ja", "ATM", "10000", "charge", "ショッピング"),
    ("en", "Kiosk", "5000", "charge", "10,000 or more"),
    ("en", "April Shop", "5000", "charge", "last day to switch this charge was May 25, 2026"),
    ("ja", "April Shop", "5000", "charge", "2026年5月25日"),
    ("en", None, "5000", "charge", "Choose one of the charges listed"),
    ("en", "other card", "5000", "charge", "Choose one of the charges listed"),
])
def test_bad_input_is_told_next_to_its_field(signed_in, db_session, holder, lang, charge_of,
                                             monthly, field, words, active_user):
    if charge_of == "other card":  # somebody else's purchase
        _person, card, _o, _n = holder
        number = card_number()
        account = db_session.get(type(card), card.id).account
        stranger = programs.enrol_card(db_session, account, programs.NewCard(
            number, "corporate", "SOMEONE ELSE"), date(2026, 1, 5), KEY, None)
        db_session.commit()
        run_import(db_session, rows(number, ("2026-06-04", "Their Shop", 50_000, "purchase"),
                                    prefix="T"), name="t.csv")
        db_session.commit()
        assert stranger.cardmember_id is None
        charge_id = tx(db_session, "Their Shop").id
    else:
        charge_id = tx(db_session, charge_of).id if charge_of else ""
    page = preview(signed_in, charge_id, monthly, lang)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', html, re.S)
    assert error and words in error.group(1), html[:300]
    assert f'value="{monthly}"' in html or not monthly  # what was typed is kept
    # Confirming the same values (with a valid CSRF token and key) moves nothing either.
    data = {"charge": str(charge_id), "monthly": monthly, "key": "k" * 30,
            "csrf_token": csrf(signed_in)}
    refused = signed_in.post(f"/cardmember/revolving/confirm?lang={lang}", data=data)
    assert refused.status_code == 422
    assert words in refused.get_data(as_text=True)
    assert count(db_session, RevolvingSwitch) == 0 and count(db_session, CardmemberChange) == 0


def test_a_confirm_without_csrf_or_key_moves_nothing(signed_in, db_session):
    june = tx(db_session, "June Shop")
    data = confirm_data(preview(signed_in, june.id, "10000").get_data(as_text=True))
    no_token = signed_in.post("/cardmember/revolving/confirm?lang=en",
                              data={**data, "csrf_token": "x"})
    assert no_token.status_code == 400  # the portal's CSRF check, before the view
    no_key = signed_in.post("/cardmember/revolving/confirm?lang=en", data={**data, "key": ""})
    assert no_key.status_code == 422 and "Show the schedule again" in no_key.get_data(
        as_text=True)
    assert count(db_session, RevolvingSwitch) == 0


def test_undo_after_the_cutoff_is_refused_with_the_reason(signed_in, db_session, monkeypatch):
    june = tx(db_session, "June Shop")
    data = confirm_data(preview(signed_in, june.id, "10000").get_data(as_text=True))
    assert signed_in.post("/cardmember/revolving/confirm", data=data).status_code == 303
    made = db_session.scalar(select(RevolvingSwitch))
    monkeypatch.setattr("portal.cardmember.views._today", lambda: date(2026, 7, 26))
    for lang, words in (("en", "last day to undo this switch was July 25, 2026"),
                        ("ja", "2026年7月25日")):
        page = signed_in.get(f"/cardmember/revolving/?lang={lang}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        refused = signed_in.post(f"/cardmember/revolving/{made.id}/undo?lang={lang}",
                                 data={"csrf_token": token})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422
        assert re.search(rf'id="undo-{made.id}-error"[^>]*>.*{words}', html, re.S)
    db_session.expire_all()
    assert db_session.get(RevolvingSwitch, made.id).undone_at is None
    for forged in ("0", "99999999", "-1", "abc", str(made.id) + "0" * 30):
        page = signed_in.get("/cardmember/revolving/?lang=en").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        refused = signed_in.post(f"/cardmember/revolving/{forged}/undo?lang=en",
                                 data={"csrf_token": token})
        assert refused.status_code == 422, forged
        assert "no such revolving payment" in refused.get_data(as_text=True)


def test_someone_without_cards_is_refused(client, active_user):
    active_user("stranger1")
    sign_in(client, "stranger1")
    assert client.get("/cardmember/revolving/?lang=en").status_code == 403
    assert client.post("/cardmember/revolving/confirm", data={
        "csrf_token": csrf(client), "charge": "1", "monthly": "5000", "key": "k"}
    ).status_code == 403


def test_no_charge_and_no_amount_are_both_told(signed_in):
    page = preview(signed_in, "", "")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'id="charge-error"' in html and 'id="monthly-error"' in html
    assert "Choose one of the charges listed" in html and "Enter the amount" in html


def test_the_database_keeps_one_switch_in_force_per_charge(holder, db_session):
    person, card, _other, _numbers = holder
    june = tx(db_session, "June Shop")

    def row(key, undone=None):
        return RevolvingSwitch(cardmember_id=person.id, card_id=card.id, transaction_id=june.id,
                               amount=june.amount, monthly_yen=10_000, fee_basis_points=1500,
                               cutoff_on=date(2026, 7, 25), key=key, undone_at=undone)

    db_session.add_all([row("a", utcnow()), row("b")])  # one undone, one in force: fine
    db_session.commit()
    db_session.add(row("c"))  # a second in force (two tabs at the same moment): refused
    with pytest.raises(IntegrityError):
        db_session.commit()
    db_session.rollback()


@pytest.mark.parametrize(("value", "ok"), [("0", True), ("2000", True), ("2001", False),
                                           ("-1", False)])
def test_the_fee_rate_setting_is_checked(tmp_path, value, ok):
    from portal.settings import load_settings

    environ = {"PORTAL_SECRET_KEY": "k", "PORTAL_INSTANCE_DIR": str(tmp_path),
               "PORTAL_REVOLVING_FEE_BASIS_POINTS": value}
    if ok:
        assert load_settings(environ)["REVOLVING_FEE_BASIS_POINTS"] == int(value)
    else:
        with pytest.raises(ValueError, match="PORTAL_REVOLVING_FEE_BASIS_POINTS"):
            load_settings(environ)


def test_the_schedule_uses_the_rate_setting(signed_in, db_session, app, monkeypatch):
    monkeypatch.setitem(app.config, "REVOLVING_FEE_BASIS_POINTS", 1800)
    html = preview(signed_in, tx(db_session, "June Shop").id, "20000").get_data(as_text=True)
    # 40,000 × 18 % ÷ 12 = 600, then 20,000 → 300
    assert re.findall(r'data-fee="(\d+)"', html) == ["600", "300"] and "18.00%" in html
