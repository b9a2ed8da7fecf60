"""Flexible Savings and Trip Flex through the pages, in both languages: the form, the review
that shows the yen, the confirmation, the receipt, the email, the history, and refusals."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.mail.models import OutgoingEmail
from portal.rewards.ledger import check_invariant
from portal.rewards.program import CardTransaction

from .test_program import rows, run_import
from .test_views import sign_in


@pytest.fixture
def rich(program, db_session, active_user):
    """A program with 110,000 points, a flight and a hotel this month, and a third party."""
    from portal.rewards import programs

    helper = active_user("helper01")
    account, number = program(on=date(2020, 1, 1), user_id="padmin01")
    programs.designate(db_session, account, helper, None)
    today = date.today()
    run_import(db_session, rows(
        number, (today.isoformat(), "Sample Air", 100_000, "purchase"),
        (today.isoformat(), "Big Shop", 10_900_000, "purchase")))
    db_session.execute(CardTransaction.__table__.update()
                       .where(CardTransaction.reference == "R0").values(mcc="4511"))
    db_session.commit()
    assert check_invariant(db_session, account.id) == 110_000
    return account


def token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_flexible_savings_review_confirm_receipt_email_history(client, rich, db_session):
    sign_in(client, "padmin01")
    page = client.get("/rewards/redeem/savings?lang=en").get_data(as_text=True)
    card = re.search(r'<option value="(\d+)"', page).group(1)
    review = client.post("/rewards/redeem/savings?lang=en", data={
        "csrf_token": token(page), "step": "review", "card": card, "points": "１００，０００"})
    html = review.get_data(as_text=True)
    assert review.status_code == 200 and 'data-yen="50000"' in html and "¥50,000" in html
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    confirm = {"csrf_token": token(html), "step": "confirm", "card": card, "points": "100000",
               "key": key}
    done = client.post("/rewards/redeem/savings", data=confirm)
    assert done.status_code == 303
    again = client.post("/rewards/redeem/savings", data=confirm)  # a double click
    assert again.headers["Location"] == done.headers["Location"]
    receipt = client.get(done.headers["Location"] + "?lang=ja").get_data(as_text=True)
    assert "フレキシブル・セービング" in receipt and 'data-yen="50000"' in receipt
    assert check_invariant(db_session, rich.id) == 10_000
    emails = db_session.scalars(select(OutgoingEmail).where(
        OutgoingEmail.kind == "rewards.redemption")).all()
    assert len(emails) == 1 and "100,000" in emails[0].subject
    history = client.get("/rewards/points/history?lang=en").get_data(as_text=True)
    assert 'data-testid="points-redemption-link"' in history
    assert "Flexible Savings: points set against a card&#39;s charges" in history
    reference = done.headers["Location"].rsplit("/", 1)[1]
    csv = client.get("/rewards/points/history.csv?lang=en").get_data(as_text=True)
    line = next(line for line in csv.splitlines() if "-100000" in line)
    assert line.endswith(f",50000,{reference}")  # the yen credited and the reference
    assert "充当先カード" in emails[0].text_body  # the card, in the Japanese half


def test_a_review_reached_again_says_the_same_redemption_was_made(client, rich):
    """The browser's Back from the receipt and a resubmitted review: a fresh review, which
    says the same redemption was just made (its confirmation would be a second one)."""
    sign_in(client, "padmin01")
    page = client.get("/rewards/redeem/savings?lang=en").get_data(as_text=True)
    card = re.search(r'<option value="(\d+)"', page).group(1)
    form = {"csrf_token": token(page), "step": "review", "card": card, "points": "200"}
    first = client.post("/rewards/redeem/savings?lang=en", data=form).get_data(as_text=True)
    assert 'data-testid="redeem-earlier"' not in first
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', first).group(1)
    done = client.post("/rewards/redeem/savings", data={**form, "step": "confirm", "key": key})
    reference = done.headers["Location"].rsplit("/", 1)[1]
    again = client.post("/rewards/redeem/savings?lang=ja", data=form).get_data(as_text=True)
    assert 'data-testid="redeem-earlier"' in again and reference in again
    assert "もう一度交換する場合のみ確定してください" in again
    other = client.post("/rewards/redeem/savings?lang=en", data={**form, "points": "201"})
    assert 'data-testid="redeem-earlier"' not in other.get_data(as_text=True)


@pytest.mark.parametrize(("points", "words"), [
    ("-100", "Enter at least 1 point."), ("－５", "Enter at least 1 point."),
    ("99999999999999999999", "more points than the company has"),
    ("12.5", "whole number"), ("abc", "whole number"),
])
def test_each_wrong_number_of_points_gets_its_own_reason(client, rich, points, words):
    sign_in(client, "padmin01")
    page = client.get("/rewards/redeem/savings?lang=en").get_data(as_text=True)
    card = re.search(r'<option value="(\d+)"', page).group(1)
    answer = client.post("/rewards/redeem/savings?lang=en", data={
        "csrf_token": token(page), "step": "review", "card": card, "points": points})
    assert answer.status_code == 422 and words in answer.get_data(as_text=True)


def test_the_language_links_of_an_answered_form_stay_on_its_page(client, rich):
    sign_in(client, "padmin01")
    page = client.get("/rewards/redeem/savings?lang=en").get_data(as_text=True)
    answer = client.post("/rewards/redeem/savings?lang=en", data={
        "csrf_token": token(page), "step": "review", "points": "abc"}).get_data(as_text=True)
    assert 'href="/rewards/redeem/savings?lang=ja"' in answer
    assert 'href="/?lang=ja"' not in answer


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "at least 1,000 points"), ("ja", "1,000ポイント以上"),
])
def test_trip_flex_below_the_minimum_then_on_a_real_travel_charge(client, rich, db_session,
                                                                  lang, message):
    sign_in(client, "padmin01")
    page = client.get(f"/rewards/redeem/trip?lang={lang}").get_data(as_text=True)
    card = re.search(r'<option value="(\d+)"', page).group(1)
    page = client.get(f"/rewards/redeem/trip?lang={lang}&card={card}").get_data(as_text=True)
    charge = re.search(r'name="charges" id="charge-\d+" value="(\d+)"', page).group(1)
    low = client.post(f"/rewards/redeem/trip?lang={lang}", data={
        "csrf_token": token(page), "step": "review", "card": card, "points": "999",
        "charges": charge})
    assert low.status_code == 422
    html = low.get_data(as_text=True)
    assert message in html and 'value="999"' in html  # said next to the field, kept
    over = client.post(f"/rewards/redeem/trip?lang={lang}", data={
        "csrf_token": token(page), "step": "review", "card": card, "points": "150000",
        "charges": charge})
    assert over.status_code == 422  # each cap that binds is named
    html = over.get_data(as_text=True)
    assert ("110,000" in html) and ("¥100,000" in html or "￥100,000" in html)
    review = client.post(f"/rewards/redeem/trip?lang={lang}", data={
        "csrf_token": token(page), "step": "review", "card": card, "points": "100001",
        "charges": charge}).get_data(as_text=True)
    assert 'data-yen="70001"' in review  # 100,001 × 0.7 = 70,000.7 → 70,001 yen
    assert 'data-testid="redeem-charges-used"' in review  # the charge is used up, said
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', review).group(1)
    done = client.post("/rewards/redeem/trip", data={
        "csrf_token": token(review), "step": "confirm", "card": card, "points": "100001",
        "charges": charge, "key": key})
    assert done.status_code == 303
    assert check_invariant(db_session, rich.id) == 110_000 - 100_001


def test_trip_flex_on_a_card_without_travel_charges_says_so(client, rich, db_session):
    from portal.rewards.program import CardTransaction

    db_session.execute(CardTransaction.__table__.update().values(mcc="5411"))  # groceries
    db_session.commit()
    sign_in(client, "padmin01")
    page = client.get("/rewards/redeem/trip?lang=ja").get_data(as_text=True)
    card = re.search(r'<option value="(\d+)"', page).group(1)
    answer = client.post("/rewards/redeem/trip?lang=ja", data={
        "csrf_token": token(page), "step": "review", "card": card, "points": "1000"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "ポイントを充当できる旅行関連のご利用がありません" in html
    assert "1件以上選んでください" not in html
    assert '<span class="visually-hidden">エラー：</span>' in html


def test_a_third_party_redeems_and_someone_else_cannot(client, rich, active_user, db_session):
    sign_in(client, "helper01")
    page = client.get("/rewards/redeem/savings?lang=en")
    assert page.status_code == 200
    client.get("/logout")
    active_user("someone01")
    client2 = client.application.test_client()
    sign_in(client2, "someone01")
    refused = client2.get("/rewards/redeem/savings?lang=en")
    assert refused.status_code == 403
    assert "Program Administrator" in refused.get_data(as_text=True)
