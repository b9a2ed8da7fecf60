"""OS-6 pages: choose a charge and a fixed monthly amount, see the schedule (an htmx swap
when either changes; the same GET as a whole page without script), confirm, and undo before
the cut-off. Each switch and undo is emailed to the person. The rules are in
``portal.cardmember.revolving``."""

from __future__ import annotations

import secrets
from decimal import Decimal

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_babel import format_date, format_percent
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.current import client_address, login_required
from portal.accounts.models import User
from portal.cardmember import revolving
from portal.cardmember import views as cm_views
from portal.cardmember.forms import ConfirmRevolvingForm, RevolvingForm, UndoRevolvingForm
from portal.cardmember.models import Cardmember, RevolvingSwitch
from portal.cardmember.revolving_rules import revolving_rules
from portal.cardmember.statement import cards_of, holder_of
from portal.extensions import db
from portal.i18n import current_language
from portal.mail.messages import bilingual
from portal.mail.outbox import queue_email
from portal.rewards.program import Card, CardTransaction
from portal.templating import format_yen, render_page

bp = Blueprint("cm_revolving", __name__, url_prefix="/cardmember/revolving",
               template_folder="templates")


def _rate() -> int:
    return int(current_app.config["REVOLVING_FEE_BASIS_POINTS"])


def rate_text(basis_points: int) -> str:
    return format_percent(Decimal(basis_points) / 10_000, "#,##0.00%")


def month_label(month) -> str:
    return (f"{month.year}年{month.month}月" if current_language() == "ja"
            else format_date(month, "MMM y"))


def _label(charge: CardTransaction, cards: dict[int, Card]) -> str:
    card = cards.get(charge.card_id)
    return (f"{format_date(charge.posted_on, 'medium')} · {charge.merchant} · "
            f"{format_yen(charge.amount)} · {card.masked if card else ''}")


def _mine():
    holder = holder_of(db.session, g.user.id)
    cards = cards_of(db.session, g.user.id)
    if holder is None or not cards:
        return None, None, render_page("cardmember/no_cards.html", status=403)
    return holder, cards, None


def _page(holder: Cardmember, cards: list[Card], form: RevolvingForm, status: int = 200,
          preview=None, undo_errors: dict | None = None):
    rules = revolving_rules()
    by_id = {c.id: c for c in cards}
    charges = revolving.candidates(db.session, cards, rules, cm_views._today())
    form.charge.choices = [(str(c.id), _label(c, by_id)) for c in charges]
    confirm = None
    if preview is not None:
        charge, planned = preview
        confirm = ConfirmRevolvingForm(formdata=None, charge=str(charge.id),
                                       monthly=str(planned.monthly),
                                       key=secrets.token_urlsafe(24))
    switches = revolving.switches_of(db.session, holder)
    undo_errors = undo_errors or {}
    listed = {str(s.id) for s, _t in switches}
    return render_page(
        "cardmember/revolving.html", "revolving_body", status=status, form=form,
        charges=charges, preview=preview, confirm=confirm, rules=rules,
        rate=rate_text(_rate()), undo_form=UndoRevolvingForm(), switches=switches,
        undo_errors=undo_errors, month_label=month_label, rate_text=rate_text,
        undo_general=[m for k, m in undo_errors.items() if k not in listed])


def _errors_into(form: RevolvingForm, errors: dict) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None) or form.monthly
        field.errors = [*field.errors, str(message)]


@bp.get("/")
@login_required
def index():
    holder, cards, refusal = _mine()
    if refusal is not None:
        return refusal
    form = RevolvingForm(request.args)
    if "monthly" not in request.args:  # nothing asked yet (a charge may be chosen already)
        return _page(holder, cards, form)
    try:
        preview = revolving.check(db.session, cards, form.charge.data, form.monthly.data,
                                  revolving_rules(), cm_views._today(), _rate())
    except revolving.RevolvingError as error:
        _errors_into(form, error.errors)
        return _page(holder, cards, form, 422)
    return _page(holder, cards, form, preview=preview)


@bp.post("/confirm")
@login_required
def confirm():
    holder, cards, refusal = _mine()
    if refusal is not None:
        return refusal
    posted = ConfirmRevolvingForm()
    form = RevolvingForm(formdata=None, charge=posted.charge.data, monthly=posted.monthly.data)
    if not posted.validate_on_submit():  # the CSRF token failed
        _errors_into(form, {"monthly": _("This form has expired. Show the schedule again, "
                                         "then confirm.")})
        return _page(holder, cards, form, 422)
    key = (posted.key.data or "")[:100]
    try:
        made, new = revolving.switch(db.session, holder, cards, posted.charge.data,
                                     posted.monthly.data, key, revolving_rules(), cm_views._today(),
                                     _rate(), client_address())
        if new:
            _notify(holder, made, undone=False)
        db.session.commit()
    except IntegrityError:  # the same key, or the same charge, switched at the same moment
        db.session.rollback()
        made = db.session.scalar(select(RevolvingSwitch).where(RevolvingSwitch.key == key))
        if made is None or made.cardmember_id != holder.id:
            _errors_into(form, {"charge": _("This charge is already paid by revolving "
                                            "payment.")})
            return _page(holder, cards, form, 422)
    except revolving.RevolvingError as error:
        db.session.rollback()
        holder = holder_of(db.session, g.user.id)
        _errors_into(form, error.errors)
        return _page(holder, cards, form, 422)
    charge = db.session.get(CardTransaction, made.transaction_id)
    flash(_("%(merchant)s is now paid by revolving payment, %(monthly)s a month. We sent you "
            "an email about it.", merchant=charge.merchant,
            monthly=format_yen(made.monthly_yen)), "success")
    return redirect(url_for("cardmember.statement_page", card=made.card_id,
                            month=charge.posted_on.strftime("%Y-%m")), 303)


@bp.post("/<switch_id>/undo")
@login_required
def undo(switch_id: str):
    holder, cards, refusal = _mine()
    if refusal is not None:
        return refusal
    form = RevolvingForm(formdata=None)
    key = switch_id[:20]
    if not UndoRevolvingForm().validate_on_submit():
        return _page(holder, cards, form, 422, undo_errors={key: _(
            "This form has expired. Open the page again, then undo.")})
    try:
        done = revolving.undo(db.session, holder, key, cm_views._today(), client_address())
        _notify(holder, done, undone=True)
        db.session.commit()
    except revolving.RevolvingError as error:
        db.session.rollback()
        holder = holder_of(db.session, g.user.id)
        return _page(holder, cards, form, 422,
                     undo_errors={key: " ".join(str(m) for m in error.errors.values())})
    charge = db.session.get(CardTransaction, done.transaction_id)
    flash(_("%(merchant)s is paid in one go again. We sent you an email about it.",
            merchant=charge.merchant), "success")
    return redirect(url_for(".index"), 303)


def _notify(holder: Cardmember, made: RevolvingSwitch, undone: bool) -> None:
    brand = current_app.config["BRAND_NAME"]
    user = db.session.get(User, holder.user_id) if holder.user_id else None
    charge = db.session.get(CardTransaction, made.transaction_id)
    planned = revolving.schedule(made.amount, made.monthly_yen, made.fee_basis_points)
    email = bilingual(
        user.language if user else "ja", "cm_revolving",
        (lambda: _("%(brand)s: revolving payment undone", brand=brand)) if undone else
        (lambda: _("%(brand)s: a charge switched to revolving payment", brand=brand)),
        per_language=lambda: {
            "posted": format_date(charge.posted_on, "long"),
            "cutoff": format_date(made.cutoff_on, "long"),
            "rate": rate_text(made.fee_basis_points)},
        brand=brand, undone=undone, merchant=charge.merchant, amount=made.amount,
        monthly=made.monthly_yen, months=len(planned.months), total_fee=planned.total_fee,
        url=current_app.config.get("BASE_URL", "").rstrip("/") + url_for(".index"))
    queue_email(db.session, to=holder.email, subject=email.subject, text=email.text,
                html=email.html, kind="cardmember.revolving",
                dedupe_key=f"revolving:{made.id}:{'undo' if undone else 'switch'}")
