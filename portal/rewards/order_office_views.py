"""Back-office pages for item orders and donations (CMR-6.c): the list (by status, the ones
reported missing first) and one order, where staff mark it shipped or delivered, send an
equal item instead, or give its points back. The rules are in ``portal.rewards.orders``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.backoffice import audit
from portal.backoffice.auth import current_staff, staff_required
from portal.db import immediate
from portal.extensions import db
from portal.rewards import orders
from portal.rewards.forms import OrderActionForm
from portal.rewards.points_views import today
from portal.rewards.program import Company, ProgramAccount, Redemption
from portal.rewards.redeem import RedeemError
from portal.templating import render_page

bp = Blueprint("order_office", __name__, url_prefix="/backoffice/orders",
               template_folder="templates")
FILTERS = ("open", "claimed", "all")
DONE = {
    "ship": lambda: _("The order is marked shipped."),
    "deliver": lambda: _("The order is marked delivered."),
    "substitute": lambda: _("The equal item is recorded; it will be shipped instead."),
    "refund": lambda: _("The order's points are given back to the company."),
}


@bp.get("/")
@staff_required
def index():
    shown = request.args.get("show") if request.args.get("show") in FILTERS else "open"
    query = (select(Redemption, Company.name)
             .join(ProgramAccount, ProgramAccount.id == Redemption.account_id)
             .join(Company, Company.id == ProgramAccount.company_id)
             .where(Redemption.kind.in_(("item", "donation")))
             .order_by(Redemption.created_at.desc()).limit(500))
    if shown == "open":
        query = query.where(Redemption.status.in_(("ordered", "shipped", "substituted")))
    rows = db.session.execute(query).all()
    if shown == "claimed":
        rows = [r for r in rows if r[0].detail.get("claim")]
    rows.sort(key=lambda r: not r[0].detail.get("claim"))  # reported missing first
    return render_page("rewards/office/orders.html", rows=rows, shown=shown,
                       status_label=orders.status_label)


def _order(reference: str) -> Redemption:
    found = db.session.scalar(select(Redemption).where(Redemption.reference == reference,
                                                       Redemption.kind.in_(("item",
                                                                            "donation"))))
    return found if found is not None else abort(404)


def _detail(order: Redemption, form: OrderActionForm | None = None, status: int = 200):
    account = db.session.get(ProgramAccount, order.account_id)
    return render_page(
        "rewards/office/order.html", status=status, order=order, account=account,
        detail=order.detail or {}, events=orders.events(order), form=form or OrderActionForm(),
        by=db.session.get(User, order.user_id), status_label=orders.status_label,
        expected_on=orders.expected_on(order), next_actions={
            name: order.status in allowed for name, (_t, allowed) in orders.NEXT.items()
        } if order.kind == "item" else {},
        actions=audit.actions_for(db.session, "redemption", order.id))


@bp.get("/<reference>")
@staff_required
def detail(reference: str):
    return _detail(_order(reference))


@bp.post("/<reference>/<action>")
@staff_required
def act(reference: str, action: str):
    if action not in orders.NEXT:
        abort(404)
    order = _order(reference)
    form = OrderActionForm()
    if not form.validate_on_submit():
        return _detail(order, form, 422)
    db.session.rollback()  # SQLite: the change starts with BEGIN IMMEDIATE (see redeem)
    try:
        with immediate(db.session):
            order = _order(reference)
            orders.act(db.session, order, action, current_staff(), today(),
                       reason=form.reason.data or "", substitute=form.substitute.data or "")
            db.session.commit()
    except RedeemError as error:
        db.session.rollback()
        for name, message in error.errors:
            field = getattr(form, name, None)
            if field is None:
                flash(str(message), "error")
            else:
                field.errors = [*field.errors, str(message)]
        return _detail(_order(reference), form, 422)
    flash(DONE[action](), "success")
    return redirect(url_for("order_office.detail", reference=reference), 303)
