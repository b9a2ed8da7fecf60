"""Items and donations through the pages, in both languages: the item page's button, the form
with its postal-code fill, errors next to their fields with what was typed kept, the review,
the confirmation, the order page, the email, the history link, the claim; and the back
office's list, actions and refusals."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.mail.models import OutgoingEmail
from portal.rewards.ledger import check_invariant
from portal.rewards.models import CatalogItem
from portal.rewards.program import Redemption

from .test_office import PASSWORD
from .test_program import rows, run_import
from .test_views import sign_in

ITEM, DONATION = "T200-0001", "T200-0002"


@pytest.fixture
def shop(program, db_session, active_user):
    """A program with 30,000 points, a third party, someone else, an item and a donation."""
    from portal.rewards import programs

    helper = active_user("helper01")
    active_user("someone1")
    account, number = program(on=date(2020, 1, 1), user_id="padmin01")
    programs.designate(db_session, account, helper, None)
    run_import(db_session, rows(number, (date.today().isoformat(), "Shop", 3_000_000,
                                         "purchase")))
    db_session.merge(CatalogItem(item_no=ITEM, category="gifts", points=4_000, in_stock=True,
                                 name_ja="会議用コーヒー", name_en="Meeting coffee",
                                 description_ja="説明", description_en="About it"))
    db_session.merge(CatalogItem(item_no=DONATION, category="social", points=1_000,
                                 in_stock=True, name_ja="植樹への寄付",
                                 name_en="Tree planting donation", description_ja="説明",
                                 description_en="About it"))
    db_session.commit()
    return account


def token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def field_error(html: str, field: str) -> str:
    found = re.search(rf'data-testid="{field}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)) if found else ""


ADDRESS = {"name": "総務部 山田", "postal_code": "1000005", "prefecture": "東京都",
           "city": "千代田区", "street": "丸の内1-1-1", "building": "", "phone": "03-1234-5678"}


def test_order_an_item_from_its_page_to_the_email(client, shop, db_session):
    sign_in(client, "padmin01")
    item_page = client.get(f"/rewards/items/{ITEM}?lang=en").get_data(as_text=True)
    assert 'data-testid="item-order"' in item_page and "Order with points" in item_page
    form = client.get(f"/rewards/items/{ITEM}/order?lang=en").get_data(as_text=True)
    # The postal code fills the prefecture, city and district; the name typed is kept.
    filled = client.post(f"/rewards/items/{ITEM}/order?lang=en", data={
        "csrf_token": token(form), "step": "lookup", "quantity": "2", "name": "総務部 山田",
        "postal_code": "１００－０００５"}).get_data(as_text=True)
    assert 'value="東京都" selected' in filled or 'selected value="東京都"' in filled
    assert 'value="千代田区"' in filled and 'value="丸の内"' in filled
    assert 'value="総務部 山田"' in filled and 'value="100-0005"' in filled
    # Missing phone: said next to the field, the rest kept.
    bad = client.post(f"/rewards/items/{ITEM}/order?lang=en", data={
        "csrf_token": token(form), "step": "review", "quantity": "2",
        **{**ADDRESS, "phone": ""}})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "phone number" in field_error(html, "phone")
    assert 'value="丸の内1-1-1"' in html
    review = client.post(f"/rewards/items/{ITEM}/order?lang=en", data={
        "csrf_token": token(form), "step": "review", "quantity": "2", **ADDRESS})
    html = review.get_data(as_text=True)
    assert review.status_code == 200 and 'data-points="8000"' in html and "8,000 points" in html
    confirm = {"csrf_token": token(html), "step": "confirm", "key": hidden(html, "key"),
               "quantity": "2", **ADDRESS}
    done = client.post(f"/rewards/items/{ITEM}/order", data=confirm)
    assert done.status_code == 303
    again = client.post(f"/rewards/items/{ITEM}/order", data=confirm)  # a double click
    assert again.headers["Location"] == done.headers["Location"]
    page = client.get(done.headers["Location"] + "?lang=ja").get_data(as_text=True)
    assert "会議用コーヒー" in page and 'data-status="ordered"' in page and "注文済み" in page
    assert check_invariant(db_session, shop.id) == 22_000
    email = db_session.scalar(select(OutgoingEmail).where(OutgoingEmail.kind == "rewards.order"))
    assert "会議用コーヒー" in email.text_body and "Meeting coffee" in email.text_body
    history = client.get("/rewards/points/history?lang=en").get_data(as_text=True)
    reference = done.headers["Location"].rsplit("/", 1)[1]
    assert reference in history and "Catalog item ordered" in history
    assert "Meeting coffee × 2" in history  # which item, how many
    csv = client.get("/rewards/points/history.csv?lang=ja").get_data(as_text=True)
    line = next(line for line in csv.splitlines() if reference in line)
    assert "会議用コーヒー × 2" in line and "-8000" in line


def test_a_third_party_donates_and_gets_a_receipt(client, shop, db_session):
    sign_in(client, "helper01")
    form = client.get(f"/rewards/items/{DONATION}/order?lang=ja").get_data(as_text=True)
    assert "寄付" in form and 'name="postal_code"' not in form
    review = client.post(f"/rewards/items/{DONATION}/order?lang=ja", data={
        "csrf_token": token(form), "step": "review", "quantity": "3"}).get_data(as_text=True)
    done = client.post(f"/rewards/items/{DONATION}/order", data={
        "csrf_token": token(review), "step": "confirm", "key": hidden(review, "key"),
        "quantity": "3"})
    receipt = client.get(done.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Donation receipt" in receipt and 'data-points="3000"' in receipt
    assert check_invariant(db_session, shop.id) == 27_000


def test_too_many_points_is_refused_in_both_languages_and_nothing_moves(client, shop,
                                                                       db_session):
    sign_in(client, "padmin01")
    for lang, words in (("en", "the company has 30,000"), ("ja", "30,000")):
        form = client.get(f"/rewards/items/{ITEM}/order?lang={lang}").get_data(as_text=True)
        bad = client.post(f"/rewards/items/{ITEM}/order?lang={lang}", data={
            "csrf_token": token(form), "step": "review", "quantity": "8", **ADDRESS})
        html = bad.get_data(as_text=True)
        assert bad.status_code == 422 and words in field_error(html, "quantity")
    assert db_session.scalar(select(Redemption)) is None
    assert check_invariant(db_session, shop.id) == 30_000


def test_a_sold_out_item_says_so_before_the_form(client, shop, db_session):
    db_session.get(CatalogItem, ITEM).in_stock = False
    db_session.commit()
    sign_in(client, "padmin01")
    html = client.get(f"/rewards/items/{ITEM}/order?lang=ja").get_data(as_text=True)
    assert 'data-testid="order-out-of-stock"' in html and "在庫切れ" in html
    assert 'data-testid="order-form"' not in html  # nothing to fill in for nothing


def test_a_donation_is_taken_or_not_rather_than_in_or_out_of_stock(client, shop, db_session):
    """Results, the item page, the form and the confirmation speak of donations being taken,
    not of stock; an item keeps its stock words."""
    from urllib.parse import quote

    from portal.search import index

    def badge(html: str, item_no: str) -> str:
        found = re.search(rf'data-item-no="{item_no}".*?data-testid="item-stock"[^>]*>([^<]+)<',
                          html, re.S)
        return found.group(1) if found else ""

    sign_in(client, "padmin01")
    words = {"en": ("Donations taken", "Not taking donations now", "In stock",
                    "This donation is not being taken now."),
             "ja": ("寄付を受付中", "寄付の受付を休止中", "在庫あり", "この寄付は現在受け付けていません。")}
    for taken in (True, False):
        db_session.get(CatalogItem, DONATION).in_stock = taken
        index.build(db_session)
        db_session.commit()
        for lang, (open_, closed, in_stock, refused) in words.items():
            name = "植樹への寄付" if lang == "ja" else "Tree planting donation"
            results = client.get(f"/rewards/catalog?lang={lang}&q={quote(name)}").get_data(
                as_text=True)
            assert badge(results, DONATION) == (open_ if taken else closed)
            item_page = client.get(f"/rewards/items/{DONATION}?lang={lang}").get_data(
                as_text=True)
            assert (open_ if taken else closed) in item_page
            coffee = "会議用コーヒー" if lang == "ja" else "Meeting coffee"
            assert badge(client.get(f"/rewards/catalog?lang={lang}&q={quote(coffee)}")
                         .get_data(as_text=True), ITEM) == in_stock
            form = client.get(f"/rewards/items/{DONATION}/order?lang={lang}").get_data(
                as_text=True)
            assert (refused in form) is not taken
            if not taken:
                assert 'data-testid="order-form"' not in form and refused in item_page
    # A donation stopped between the review and the confirmation: the error says so.
    db_session.get(CatalogItem, DONATION).in_stock = True
    db_session.commit()
    form = client.get(f"/rewards/items/{DONATION}/order?lang=en").get_data(as_text=True)
    review = client.post(f"/rewards/items/{DONATION}/order?lang=en", data={
        "csrf_token": token(form), "step": "review", "quantity": "1"}).get_data(as_text=True)
    db_session.get(CatalogItem, DONATION).in_stock = False
    db_session.commit()
    done = client.post(f"/rewards/items/{DONATION}/order?lang=en", data={
        "csrf_token": token(form), "step": "confirm", "quantity": "1",
        "key": hidden(review, "key")})
    assert done.status_code == 422
    assert "This donation is not being taken now. No points were used." in field_error(
        done.get_data(as_text=True), "quantity")
    assert check_invariant(db_session, shop.id) == 30_000


def test_someone_else_is_refused_politely(client, shop):
    sign_in(client, "someone1")
    item_page = client.get(f"/rewards/items/{ITEM}?lang=en").get_data(as_text=True)
    assert 'data-testid="item-order"' not in item_page and "item-order-who" in item_page
    response = client.get(f"/rewards/items/{ITEM}/order?lang=en")
    assert response.status_code == 403
    assert "rewards administrators can redeem" in response.get_data(as_text=True)


def order_one(client):
    """The PA orders one of ITEM through the pages: the review page and the confirm answer."""
    sign_in(client, "padmin01")
    form = client.get(f"/rewards/items/{ITEM}/order?lang=en").get_data(as_text=True)
    review = client.post(f"/rewards/items/{ITEM}/order?lang=en", data={
        "csrf_token": token(form), "step": "review", "quantity": "1", **ADDRESS}
    ).get_data(as_text=True)
    done = client.post(f"/rewards/items/{ITEM}/order", data={
        "csrf_token": token(review), "step": "confirm", "key": hidden(review, "key"),
        "quantity": "1", **ADDRESS})
    return review, done


def test_claim_too_early_is_explained_on_the_order_page(client, shop, db_session):
    review, done = order_one(client)
    page = client.get(done.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert 'data-testid="order-claim"' in page and "You can report it from" in page
    assert 'data-testid="claim-submit"' not in page  # no button before the first day
    assert "Phone: 03" in page  # the delivery phone, as on the review
    reference = done.headers["Location"].rsplit("/", 1)[1]
    response = client.post(f"/rewards/redemptions/{reference}/claim?lang=en",  # forged
                           data={"csrf_token": token(review), "note": "not here"})
    assert response.status_code == 422
    assert "If it has not arrived by then" in response.get_data(as_text=True)
    assert "claim" not in db_session.scalar(select(Redemption)).detail


@pytest.mark.parametrize(("days", "button", "words"), [
    (1, True, "You can report it from"), (30, True, "You can report it from"),
    (31, False, "that period is over"),
])
def test_the_claim_button_shows_only_while_a_report_is_taken(client, shop, db_session,
                                                             monkeypatch, days, button, words):
    from portal.rewards import orders

    review, done = order_one(client)
    order = db_session.scalar(select(Redemption))
    expected = orders.expected_on(order)
    monkeypatch.setattr("portal.rewards.redeem_views.today",
                        lambda: expected + timedelta(days=days))
    page = client.get(done.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert ('data-testid="claim-submit"' in page) is button and words in page


@pytest.fixture
def office(client, staff, db_session):
    db_session.commit()
    page = client.get("/backoffice/login?lang=en").get_data(as_text=True)
    client.post("/backoffice/login", data={"csrf_token": token(page), "login": "suzuki",
                                           "password": PASSWORD})
    return client


def test_staff_ship_and_refund_from_the_back_office(shop, db_session, app, office):
    from portal.rewards import orders
    from portal.rewards.points import Access

    with app.test_request_context("/?lang=en"):
        order, _ = orders.place(db_session, Access(shop, "pa"), shop.pa_user_id, ITEM, "1",
                                orders.Address.of(ADDRESS), "k-office", date.today())
        db_session.commit()
    listing = office.get("/backoffice/orders/?lang=en").get_data(as_text=True)
    assert order.reference in listing
    page = office.get(f"/backoffice/orders/{order.reference}?lang=en").get_data(as_text=True)
    shipped = office.post(f"/backoffice/orders/{order.reference}/ship",
                          data={"csrf_token": token(page)})
    assert shipped.status_code == 303
    page = office.get(f"/backoffice/orders/{order.reference}?lang=ja").get_data(as_text=True)
    assert "発送済み" in page
    no_reason = office.post(f"/backoffice/orders/{order.reference}/refund?lang=en",
                            data={"csrf_token": token(page), "reason": " "})
    html = no_reason.get_data(as_text=True)
    assert no_reason.status_code == 422 and "Say why" in field_error(html, "reason")
    bad_item = office.post(f"/backoffice/orders/{order.reference}/substitute?lang=en",
                           data={"csrf_token": token(page), "substitute": "Z999-0000"})
    assert bad_item.status_code == 422 and "No catalog item" in bad_item.get_data(as_text=True)
    refunded = office.post(f"/backoffice/orders/{order.reference}/refund",
                           data={"csrf_token": token(page), "reason": "Damaged in transit"})
    assert refunded.status_code == 303
    db_session.expire_all()
    assert db_session.get(Redemption, order.id).status == "refunded"
    assert check_invariant(db_session, shop.id) == 30_000
    assert office.post(f"/backoffice/orders/{order.reference}/explode",
                       data={"csrf_token": token(page)}).status_code == 404
