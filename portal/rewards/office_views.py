"""Back-office pages for rewards programs (CMR-1, CMR-2, CMR-5): list, open, and run one.

Its own blueprint under ``/backoffice/programs``; every route needs a signed-in staff member.
An action posts (with CSRF), and either goes back to the program with a message
(Post/Redirect/Get) or shows the program again with the error next to the field and what
was typed kept (422).
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.backoffice import audit
from portal.backoffice.auth import current_staff, staff_required
from portal.backoffice.forms import PostForm
from portal.db import immediate
from portal.extensions import db
from portal.forms import choices
from portal.i18n import current_language
from portal.rewards import programs
from portal.rewards.office_forms import (
    ChangePaForm,
    DelegateForm,
    EnrolCardForm,
    NewProgramForm,
    ReasonForm,
    StatementForm,
    TerminateForm,
    eligible_products,
)
from portal.rewards.points_views import today
from portal.rewards.program import Card, Company, ProgramAccount
from portal.rewards.statements import StatementError, import_statement
from portal.templating import render_page

bp = Blueprint("programs", __name__, url_prefix="/backoffice/programs",
               template_folder="templates")
TARGET = "program"
GROUNDS = (("terminated", _l("Contract terminated")), ("insolvent", _l("Insolvency")))


def _user(user_id: str) -> User | None:
    folded = (user_id or "").strip().casefold()
    return db.session.scalar(select(User).where(User.user_id_folded == folded)) if folded else None


def _account(account_id: int) -> ProgramAccount:
    return db.session.get(ProgramAccount, account_id) or abort(404)


def _apply_errors(form, error: programs.ProgramError, mapping: dict[str, str]) -> None:
    visible = [f for f in form if f.type not in ("CSRFTokenField", "HiddenField")]
    for name, message in error.errors:
        field = getattr(form, mapping.get(name, name), None) or visible[0]
        field.errors = [*field.errors, str(message)]


@bp.get("/")
@staff_required
def index():
    accounts = db.session.execute(
        select(ProgramAccount, Company.name, func.count(Card.id))
        .join(Company, Company.id == ProgramAccount.company_id)
        .outerjoin(Card, (Card.account_id == ProgramAccount.id) & Card.left_on.is_(None))
        .group_by(ProgramAccount.id, Company.name).order_by(Company.name)
    ).all()
    return render_page("rewards/office/programs.html", accounts=accounts)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    form = NewProgramForm()
    form.product.choices = eligible_products(current_language())
    if form.validate_on_submit():
        user = _user(form.pa_user_id.data)
        if user is None:
            form.pa_user_id.errors = [_("No portal user has this user ID.")]
        else:
            db.session.rollback()  # SQLite: BEGIN IMMEDIATE for the change (see redeem)
            try:
                with immediate(db.session):
                    account = programs.create_program(
                        db.session, company_name=form.company_name.data, pa_user=user,
                        pa_card=programs.NewCard(form.number.data, form.product.data,
                                                 form.holder_name.data),
                        on=today(), key=current_app.secret_key, staff=current_staff())
                    db.session.commit()
            except programs.ProgramError as error:
                db.session.rollback()
                _apply_errors(form, error, {"pa_user": "pa_user_id"})
            else:
                flash(_("The program is open. The Program Administrator's card is enrolled "
                        "and its first yearly fee charged."), "success")
                return redirect(url_for("programs.detail", account_id=account.id), 303)
    status = 422 if form.errors else 200
    return render_page("rewards/office/new.html", status=status, form=form)


def _detail(account: ProgramAccount, status: int = 200, **forms: Any):
    language = current_language()
    enrol = forms.get("enrol") or EnrolCardForm(prefix="enrol")
    enrol.product.choices = eligible_products(language)
    terminate = forms.get("terminate") or TerminateForm(prefix="terminate")
    terminate.ground.choices = choices(GROUNDS, placeholder=_("Choose"))
    change = forms.get("change") or ChangePaForm(prefix="change")
    change.card.choices = choices(
        ((str(c.id), f"{c.holder_name} ({c.last5})") for c in programs.active_cards(account)
         if c.user_id is not None and c.id != account.pa_card_id),
        placeholder=_("Choose a card"))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        [account.pa_user_id or 0] + [d.user_id for d in account.delegates]
        + [c.user_id for c in account.cards if c.user_id])))}
    return render_page(
        "rewards/office/detail.html", status=status, account=account, users=users,
        enrol=enrol, delegate=forms.get("delegate") or DelegateForm(prefix="delegate"),
        standing=forms.get("standing") or ReasonForm(prefix="standing"),
        cancel=forms.get("cancel") or ReasonForm(prefix="cancel"), terminate=terminate,
        change=change, statement=forms.get("statement") or StatementForm(prefix="statement"),
        post_form=PostForm(), redeemable=programs.can_redeem(account, today()),
        until=programs.redeem_until(account), products=programs.program_rules().products,
        actions=audit.actions_for(db.session, TARGET, account.id), language=language,
    )


@bp.get("/<int:account_id>")
@staff_required
def detail(account_id: int):
    return _detail(_account(account_id))


def _done(account: ProgramAccount, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("programs.detail", account_id=account.id), 303)


def _run(account: ProgramAccount, form_name: str, form, mapping: dict[str, str], action,
         message: str):
    """Validate ``form``, run ``action()`` in a serialised transaction, and answer."""
    if form.validate_on_submit():
        db.session.rollback()  # SQLite: start the change with BEGIN IMMEDIATE (see redeem)
        try:
            with immediate(db.session):
                action()
                return _done(account, message)
        except programs.ProgramError as error:
            db.session.rollback()
            account = _account(account.id)
            _apply_errors(form, error, mapping)
    return _detail(account, 422, **{form_name: form})


@bp.post("/<int:account_id>/cards")
@staff_required
def enrol(account_id: int):
    account = _account(account_id)
    form = EnrolCardForm(prefix="enrol")
    form.product.choices = eligible_products(current_language())

    def act():
        holder = None
        if form.holder_user_id.data:
            holder = _user(form.holder_user_id.data)
            if holder is None:
                raise programs.ProgramError([("holder_user_id",
                                              _l("No portal user has this user ID."))])
        programs.enrol_card(db.session, account, programs.NewCard(
            form.number.data, form.product.data, form.holder_name.data,
            holder.id if holder else None), today(), current_app.secret_key, current_staff())

    return _run(account, "enrol", form, {"user_id": "holder_user_id"}, act,
                _("The card is enrolled and its yearly fee charged to the Program "
                  "Administrator's card."))


@bp.post("/<int:account_id>/cards/<int:card_id>/leave")
@staff_required
def leave(account_id: int, card_id: int):
    account = _account(account_id)
    card = db.session.get(Card, card_id)
    if card is None or card.account_id != account.id:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    db.session.rollback()  # SQLite: BEGIN IMMEDIATE for the change (see redeem)
    try:
        with immediate(db.session):
            refund = programs.remove_card(db.session, account, card, today(), current_staff())
            return _done(account, _("The card has left the program; %(yen)s of its yearly fee "
                                    "was refunded.", yen=_yen(refund)))
    except programs.ProgramError as error:
        db.session.rollback()
        flash(str(error.errors[0][1]), "error")
        return redirect(url_for("programs.detail", account_id=account_id), 303)


@bp.post("/<int:account_id>/cards/<int:card_id>/status")
@staff_required
def card_status(account_id: int, card_id: int):
    from flask import request

    account = _account(account_id)
    card = db.session.get(Card, card_id)
    if card is None or card.account_id != account.id or not PostForm().validate_on_submit():
        abort(404 if card is None else 400)
    try:
        programs.set_card_status(db.session, account, card, request.form.get("status", ""),
                                 current_staff())
    except programs.ProgramError as error:
        db.session.rollback()
        flash(str(error.errors[0][1]), "error")
        return redirect(url_for("programs.detail", account_id=account_id), 303)
    return _done(account, _("The card's standing is changed."))


def _yen(amount: int) -> str:
    from portal.templating import format_yen

    return format_yen(amount)


@bp.post("/<int:account_id>/delegates")
@staff_required
def add_delegate(account_id: int):
    account = _account(account_id)
    form = DelegateForm(prefix="delegate")

    def act():
        user = _user(form.user_id.data)
        if user is None:
            raise programs.ProgramError([("user_id", _l("No portal user has this user ID."))])
        programs.designate(db.session, account, user, current_staff())

    return _run(account, "delegate", form, {"user": "user_id"}, act,
                _("The person can now see and use the company's points."))


@bp.post("/<int:account_id>/delegates/<int:user_pk>/remove")
@staff_required
def remove_delegate(account_id: int, user_pk: int):
    account = _account(account_id)
    user = db.session.get(User, user_pk) or abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        programs.undesignate(db.session, account, user, current_staff())
    except programs.ProgramError as error:
        db.session.rollback()
        flash(str(error.errors[0][1]), "error")
        return redirect(url_for("programs.detail", account_id=account_id), 303)
    return _done(account, _("The person no longer sees the company's points."))


@bp.post("/<int:account_id>/pa")
@staff_required
def change_pa(account_id: int):
    account = _account(account_id)
    form = ChangePaForm(prefix="change")
    form.card.choices = choices((str(c.id), c.last5) for c in account.cards)

    def act():
        card = next((c for c in account.cards if str(c.id) == form.card.data), None)
        if card is None:
            raise programs.ProgramError([("card", _l("Choose an enrolled card whose holder "
                                                     "uses the portal."))])
        programs.change_pa(db.session, account, card, current_staff())

    return _run(account, "change", form, {}, act, _("The Program Administrator is changed."))


@bp.post("/<int:account_id>/standing")
@staff_required
def standing(account_id: int):
    account = _account(account_id)
    form = ReasonForm(prefix="standing")
    good = not account.good_standing
    return _run(account, "standing", form, {"status": "reason"},
                lambda: programs.set_standing(db.session, account, good, current_staff(),
                                              form.reason.data.strip()),
                _("The account is in good standing again: points can be redeemed.") if good
                else _("The account is marked as not in good standing: redemption is "
                       "stopped, earning goes on."))


@bp.post("/<int:account_id>/cancel")
@staff_required
def cancel(account_id: int):
    account = _account(account_id)
    form = ReasonForm(prefix="cancel")
    return _run(account, "cancel", form, {"status": "reason"},
                lambda: programs.cancel(db.session, account, today(), current_staff(),
                                        form.reason.data.strip()),
                _("The program is cancelled. The company can redeem its points for 30 days; "
                  "the cards' unused fees were refunded."))


@bp.post("/<int:account_id>/terminate")
@staff_required
def terminate(account_id: int):
    account = _account(account_id)
    form = TerminateForm(prefix="terminate")
    form.ground.choices = choices(GROUNDS)
    return _run(account, "terminate", form, {"reason": "ground", "status": "ground"},
                lambda: programs.terminate(db.session, account, today(), current_staff(),
                                           form.ground.data),
                _("The program is terminated and its points forfeited."))


@bp.post("/<int:account_id>/statements")
@staff_required
def upload_statement(account_id: int):
    account = _account(account_id)
    form = StatementForm(prefix="statement")
    if form.validate_on_submit():
        upload = form.statement.data
        if upload is None or not getattr(upload, "filename", ""):
            form.statement.errors = [_("Choose a statement file (CSV).")]
        else:
            name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:120]
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.statement.errors = [_("The file is not UTF-8 text. Save it as CSV "
                                           "(UTF-8) and try again.")]
            else:
                db.session.rollback()  # SQLite: BEGIN IMMEDIATE for the import
                try:
                    with immediate(db.session):
                        result = import_statement(
                            db.session, io.StringIO(text, newline=""), name,
                            current_app.secret_key,
                            current_app.config["CORPORATE_TAX_YEN_PER_POINT"],
                            account_id=account.id)
                        audit.record(db.session, current_staff(), "program.import", TARGET,
                                     account.id, {"file": name, "imported": result.imported,
                                                  "skipped": result.skipped,
                                                  "points": result.points})
                        return _done(account, _(
                            "%(file)s: %(imported)s transactions imported, %(skipped)s "
                            "already there.", file=name, imported=result.imported,
                            skipped=result.skipped))
                except StatementError as error:
                    db.session.rollback()
                    account = _account(account_id)
                    form.statement.errors = [_("%(file)s, line %(line)s: %(reason)s Nothing "
                                               "was imported.", file=error.name,
                                               line=error.line, reason=str(error.reason))]
    return _detail(account, 422, statement=form)
