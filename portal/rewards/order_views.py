"""Ordering a catalog item or making a donation with the company's points (CMR-6.c): the
form (quantity, and for items the delivery address, filled from its postal code), a review,
and a confirmation; and reporting an item that has not arrived. Only the PA and designated
third parties (CMR-1). The rules are in ``portal.rewards.orders``; the order's page is the
redemption receipt (``portal.rewards.redeem_views``)."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.current import login_required
from portal.accounts.models import User
from portal.db import immediate
from portal.extensions import db
from portal.forms import choices
from portal.i18n import current_language
from portal.mail.messages import bilingual
from portal.mail.outbox import queue_email
from portal.reference.postal import PREFECTURES
from portal.rewards import orders, points, services
from portal.rewards.forms import ClaimForm, OrderForm
from portal.rewards.points_views import today
from portal.rewards.program import Redemption
from portal.rewards.redeem import RedeemError
from portal.rewards.redeem_views import receipt_page, refusal
from portal.rewards.rules import program_rules
from portal.templating import is_htmx, render_page

bp = Blueprint("orders", __name__, url_prefix="/rewards", template_folder="templates")


def _form(item) -> OrderForm:
    form = OrderForm()
    most = program_rules().order_max_quantity
    form.quantity.choices = [(str(n), format_decimal(n)) for n in range(1, most + 1)]
    form.prefecture.choices = choices([(p, p) for p in PREFECTURES],
                                      placeholder=_("Choose a prefecture"))
    if request.method == "GET":
        form.quantity.data = "1"
    return form


def _address(form: OrderForm) -> orders.Address:
    return orders.Address.of({name: getattr(form, name).data for name in orders.ADDRESS_FIELDS})


def _page(item, access, form, status=200, offer=None, focus=None):
    block = "order_form" if is_htmx() else None
    return render_page("rewards/order_form.html", block, status=status, item=item,
                       access=access, form=form, offer=offer, focus=focus,
                       donation=orders.is_donation(item),
                       points_text=services.points_text, language=current_language())


def _show_errors(form: OrderForm, errors) -> None:
    for name, message in errors:
        field = getattr(form, name, None) or form.quantity
        field.errors = [*field.errors, str(message)]


@bp.route("/items/<item_no>/order", methods=["GET", "POST"])
@login_required
def order(item_no: str):
    item = services.find_item(db.session, item_no)
    if item is None or item.item_no != item_no:
        abort(404)
    access = points.access_for(db.session, g.user.id)
    if access is None:
        return refusal()
    form = _form(item)
    if request.method == "GET":
        return _page(item, access, form)
    if not form.validate_on_submit():  # the CSRF token failed: Flask-WTF says so
        return _page(item, access, form, 422)
    step = form.step.data
    if step == "edit":  # back from the review to the form, everything kept
        return _page(item, access, form)
    if step == "lookup":  # fill the address from the postal code, keep the rest
        street_typed = bool((form.street.data or "").strip())
        address, problem = orders.filled_from_postal_code(_address(form))
        for name in orders.ADDRESS_FIELDS:
            getattr(form, name).data = getattr(address, name)
        if problem:
            form.postal_code.errors = [problem]
        form.step.data = ""
        # The keyboard goes on where the person has still to type (the button was replaced):
        # the street, which now starts with the district, unless they had typed it.
        focus = None if problem else next(
            (name for name, empty in (("city", not form.city.data),
                                      ("street", not street_typed),
                                      ("phone", not form.phone.data)) if empty), "lookup")
        return _page(item, access, form, 422 if problem else 200, focus=focus)
    try:
        if step == "confirm":
            db.session.rollback()  # SQLite: the spending starts with BEGIN IMMEDIATE
            with immediate(db.session):
                placed, new = orders.place(db.session, access, g.user.id, item.item_no,
                                           form.quantity.data, _address(form),
                                           form.key.data or "", today())
                if new:
                    _queue_email(access, placed)
                db.session.commit()
            return redirect(url_for("redeem.receipt", reference=placed.reference), 303)
        offer = orders.check(db.session, access, item.item_no, form.quantity.data,
                             _address(form), today())
    except RedeemError as error:
        db.session.rollback()
        access = points.access_for(db.session, g.user.id)
        item = services.find_item(db.session, item_no)
        _show_errors(form, error.errors)
        form.step.data = ""
        return _page(item, access, form, 422)
    form.key.data = secrets.token_urlsafe(24)
    form.step.data = "confirm"
    return _page(item, access, form, offer=offer)


def _queue_email(access: points.Access, order: Redemption) -> None:
    pa = db.session.get(User, access.account.pa_user_id)
    if pa is None:
        return
    brand = current_app.config["BRAND_NAME"]
    email = bilingual(
        pa.language, "order",
        lambda: _("%(brand)s: %(points)s points redeemed", brand=brand,
                  points=format_decimal(order.points)),
        per_language=lambda: _mail_values(order),
        brand=brand, order=order, company=access.account.company.name,
        url=current_app.config.get("BASE_URL", "").rstrip("/")
        + url_for("redeem.receipt", reference=order.reference),
    )
    queue_email(db.session, to=pa.email, subject=email.subject, text=email.text,
                html=email.html, kind="rewards.order", dedupe_key=f"order:{order.reference}")


def _mail_values(order: Redemption) -> dict:
    language = str(get_locale() or "ja")
    expected = orders.expected_on(order)
    return {"item_name": order.detail.get(f"name_{language}") or order.detail.get("name_ja"),
            "expected": format_date(expected, "long") if expected else ""}


@bp.post("/redemptions/<reference>/claim")
@login_required
def claim(reference: str):
    order = db.session.scalar(select(Redemption).where(Redemption.reference == reference))
    if order is None:
        abort(404)
    access = points.access_for(db.session, g.user.id)
    if access is None or access.account.id != order.account_id:
        return refusal()
    form = ClaimForm()
    if form.validate_on_submit():
        db.session.rollback()
        try:
            with immediate(db.session):
                order = db.session.scalar(select(Redemption)
                                          .where(Redemption.reference == reference))
                orders.claim(db.session, access, g.user.id, order, form.note.data or "",
                             today())
                db.session.commit()
        except RedeemError as error:
            db.session.rollback()
            form.note.errors = [str(m) for _f, m in error.errors]
        else:
            flash(_("Thank you. The rewards desk will look into the missing item and contact "
                    "you."), "success")
            return redirect(url_for("redeem.receipt", reference=reference), 303)
    return receipt_page(reference, claim_form=form, status=422)

