"""Redeeming the company's points online (CMR-6.a, CMR-6.b, CMR-6.d): Flexible Savings and
Trip Flex, each a form, a review that shows the yen, and a confirmation; and the receipt of
a redemption. Only the PA and designated third parties (CMR-1)."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.current import login_required
from portal.accounts.models import User
from portal.db import immediate
from portal.errors import render_error
from portal.extensions import db
from portal.forms import choices
from portal.i18n import current_language
from portal.mail.messages import Email, bilingual
from portal.mail.outbox import queue_email
from portal.rewards import points, redeem
from portal.rewards.forms import RedeemForm
from portal.rewards.points_views import today
from portal.rewards.program import Card, CardTransaction, Redemption
from portal.rewards.rules import program_rules
from portal.templating import render_page

bp = Blueprint("redeem", __name__, url_prefix="/rewards", template_folder="templates")
KINDS = ("savings", "trip")


def refusal():
    return render_error(
        403, _("Only the company's rewards administrators can redeem its points"),
        _("Points are redeemed by the Program Administrator and the people they designated. "
          "If you need to, please ask your Program Administrator."))


def _form(access: points.Access, kind: str) -> RedeemForm:
    # A GET (a link, or htmx when the card changes) brings the choices in the address.
    form = RedeemForm(formdata=request.args) if request.method == "GET" else RedeemForm()
    cards = redeem.redeemable_cards(access.account)
    form.card.choices = choices(((str(c.id), f"{c.holder_name} ({c.last5})") for c in cards),
                                placeholder=_("Choose a card"))
    if kind == "trip":
        card = next((c for c in cards if str(c.id) == (form.card.data or "")), None)
        charges = (redeem.travel_charges(db.session, access.account, card, today())
                   if card else [])
        form.charges.choices = choices((str(t.id), "") for t in charges)
        form.charges.rows = charges  # the template shows date, merchant and amount
    return form


def _page(kind: str, access, form, status=200, offer=None, problems=None, earlier=None):
    rules = program_rules()
    balances = {str(c.id): redeem.unpaid_balance(db.session, c.id)
                for c in redeem.redeemable_cards(access.account)}
    return render_page(
        "rewards/redeem.html", "redeem_form", status=status, kind=kind, form=form,
        access=access, offer=offer, balances=balances, rules=rules, problems=problems or [],
        earlier=earlier,
        category=lambda mcc: rules.travel_category(mcc), language=current_language(),
    )


@bp.route("/redeem/<kind>", methods=["GET", "POST"])
@login_required
def start(kind: str):
    if kind not in KINDS:
        abort(404)
    access = points.access_for(db.session, g.user.id)
    if access is None:
        return refusal()
    form = _form(access, kind)
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "POST":  # the CSRF token failed: Flask-WTF says so
            return _page(kind, access, form, 422)
        return _page(kind, access, form)
    try:
        if form.step.data == "confirm":
            redemption = _confirm(access, kind, form)
            return redirect(url_for("redeem.receipt", reference=redemption.reference), 303)
        offer = redeem.quote(db.session, access, kind, form.card.data, form.points.data,
                             form.charges.data, today())
    except redeem.RedeemError as error:
        db.session.rollback()
        access = points.access_for(db.session, g.user.id)
        form = _form(access, kind)
        for name, message in error.errors:
            field = getattr(form, name)
            field.errors = [*field.errors, str(message)]
        form.step.data = ""
        return _page(kind, access, form, 422)
    form.key.data = secrets.token_urlsafe(24)
    form.step.data = "confirm"
    return _page(kind, access, form, offer=offer, earlier=redeem.recent_like(db.session, offer))


def _confirm(access: points.Access, kind: str, form: RedeemForm) -> Redemption:
    """Spend the points of a confirmed form (a repeated submit gets the first redemption).

    The request is checked, and the PA's email written, before this worker's turn to write:
    a refusal comes without waiting, and while one redemption writes, the next renders its
    email. In the turn the spending is checked again and the email queued with it."""
    key = form.key.data or ""
    earlier = redeem.by_key(db.session, key)
    if earlier is not None:
        return earlier
    args = (access, g.user.id, kind, form.card.data, form.points.data, form.charges.data, key,
            today())
    offer = redeem.quote(db.session, access, kind, form.card.data, form.points.data,
                         form.charges.data, today())
    reference = redeem.new_reference()
    email = _email(access, kind, offer.points, offer.yen, reference, offer.card)
    # End the reads of this request first, so that on SQLite the spending starts with BEGIN
    # IMMEDIATE (a read transaction turned writer fails under load).
    db.session.rollback()
    with immediate(db.session):
        redemption, new = redeem.redeem(db.session, *args, reference=reference)
        if new and email is not None:
            to, message = email
            queue_email(db.session, to=to, subject=message.subject, text=message.text,
                        html=message.html, kind="rewards.redemption",
                        dedupe_key=f"redemption:{redemption.reference}")
        db.session.commit()
    return redemption


def _email(access: points.Access, kind: str, points_spent: int, yen: int, reference: str,
           card: Card) -> tuple[str, Email] | None:
    """The PA's address and the confirmation of a redemption, in both languages."""
    pa = db.session.get(User, access.account.pa_user_id)
    if pa is None:
        return None
    brand = current_app.config["BRAND_NAME"]
    email = bilingual(
        pa.language, "redemption",
        lambda: _("%(brand)s: %(points)s points redeemed", brand=brand,
                  points=format_decimal(points_spent)),
        brand=brand, redemption=SimpleNamespace(kind=kind, points=points_spent, yen=yen,
                                                reference=reference),
        card=card, company=access.account.company.name,
        url=current_app.config.get("BASE_URL", "").rstrip("/")
        + url_for("redeem.receipt", reference=reference),
    )
    return pa.email, email


@bp.get("/redemptions/<reference>")
@login_required
def receipt(reference: str):
    return receipt_page(reference)


def receipt_page(reference: str, claim_form=None, status: int = 200):
    """A redemption's page: the receipt of a credit or a donation, or an item order with its
    status (and the form to report it missing, see ``portal.rewards.order_views``)."""
    access = points.access_for(db.session, g.user.id)
    redemption = db.session.scalar(select(Redemption).where(Redemption.reference == reference))
    if redemption is None:
        abort(404)
    if access is None or access.account.id != redemption.account_id:
        return refusal()
    by = db.session.get(User, redemption.user_id)
    if redemption.kind in ("item", "donation"):
        from portal.rewards import orders
        from portal.rewards.forms import ClaimForm

        return render_page("rewards/order.html", status=status, order=redemption, by=by,
                           access=access, detail=redemption.detail or {},
                           expected_on=orders.expected_on(redemption),
                           window=orders.claim_window(redemption),
                           events=orders.events(redemption),
                           claim_form=claim_form or ClaimForm(), today=today(),
                           status_label=orders.status_label)
    card = db.session.get(Card, redemption.card_id) if redemption.card_id else None
    charges = list(db.session.scalars(select(CardTransaction).where(
        CardTransaction.id.in_(redemption.detail.get("charges", [])))))
    return render_page("rewards/redemption.html", status=status, redemption=redemption,
                       card=card, charges=charges, by=by, access=access)
