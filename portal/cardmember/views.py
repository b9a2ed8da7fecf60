"""The cardmember online service's pages: setting up online access with the card (OS-1), the
cards with their limits and points (OS-3, OS-4), and the statement (OS-2) with its CSV.
Rules live in ``setup`` and ``statement``; these views read forms and pick pages."""

from __future__ import annotations

import time
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _

from portal.accounts.current import client_address, login_required
from portal.accounts.forms import AccountForm
from portal.accounts.services.common import AccountError, current_limits
from portal.cardmember import revolving, setup, statement
from portal.cardmember.forms import IdentityForm, SetupCardForm, StatementFilterForm
from portal.cardmember.models import Cardmember
from portal.cardmember.revolving_rules import revolving_rules
from portal.extensions import db
from portal.i18n import current_language
from portal.reference import services as reference
from portal.rewards import points
from portal.rewards.program import Card
from portal.templating import is_htmx, render_page
from portal.workdays import JAPAN

bp = Blueprint("cardmember", __name__, url_prefix="/cardmember", template_folder="templates")
STATE = "cardmember_setup"
STATE_SECONDS = 15 * 60
STEPS = 3


def _today() -> date:
    from datetime import datetime

    return datetime.now(JAPAN).date()


# --- OS-1: setting up online access ------------------------------------------------------

def _state() -> dict | None:
    state = session.get(STATE)
    if not state or time.time() - state.get("at", 0) > STATE_SECONDS:
        session.pop(STATE, None)
        return None
    return state


def _setup_page(template: str, step: int, status: int = 200, **context):
    return render_page(f"cardmember/{template}", status=status, step=step, steps=STEPS,
                       **context)


def _errors_into(form, errors: dict) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None) or next(iter(form))
        field.errors = [*field.errors, str(message)]


@bp.route("/setup", methods=["GET", "POST"])
def setup_card():
    form = SetupCardForm()
    signed_up = False
    if request.method == "POST" and form.validate_on_submit():
        try:
            card = setup.find_card(db.session, form.number.data, form.code.data,
                                   current_app.secret_key, client_address(), current_limits())
        except setup.SetupError as error:
            db.session.commit()  # the failed attempt counts
            _errors_into(form, error.errors)
            signed_up = error.signed_up
        else:
            db.session.commit()
            session[STATE] = {"card": card.id, "at": time.time()}
            return redirect(url_for(".setup_identity"), 303)
    status = 422 if request.method == "POST" else 200
    return _setup_page("setup_card.html", 1, status, form=form, signed_up=signed_up)


@bp.route("/setup/identity", methods=["GET", "POST"])
def setup_identity():
    state = _state()
    card = db.session.get(Card, state["card"]) if state else None
    if card is None:
        return redirect(url_for(".setup_card"), 303)
    form = IdentityForm()
    signed_up = False
    if request.method == "POST" and form.validate_on_submit():
        try:
            holder = setup.check_identity(
                db.session, card, form.birth_year.data, form.birth_month.data,
                form.birth_day.data, client_address(), current_limits())
        except setup.SetupError as error:
            db.session.commit()
            _errors_into(form, error.errors)
            signed_up = error.signed_up
        else:
            login_id = setup.issue_login_id(db.session)
            db.session.commit()
            session[STATE] = {**state, "holder": holder.id, "login_id": login_id,
                              "at": time.time()}
            return redirect(url_for(".setup_account"), 303)
    status = 422 if request.method == "POST" else 200
    return _setup_page("setup_identity.html", 2, status, form=form, card=card,
                       signed_up=signed_up)


@bp.route("/setup/account", methods=["GET", "POST"])
def setup_account():
    state = _state()
    holder = db.session.get(Cardmember, state["holder"]) if state and "holder" in state else None
    if holder is None:
        return redirect(url_for(".setup_card"), 303)
    posted = None
    if request.method == "POST":
        posted = request.form.copy()
        posted["user_id"] = state["login_id"]  # issued, not chosen
    form = AccountForm(formdata=posted, questions=reference.secret_questions(db.session))
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                user = setup.complete(db.session, holder, state["login_id"],
                                      form.password.data, form.secret_question.data,
                                      form.secret_answer.data, current_language())
            except AccountError as error:
                _errors_into(form, {k: v for k, v in error.errors.items() if k != "user_id"}
                             or {"password": _("Please try again.")})
            else:
                session[STATE] = {"done": user.user_id, "at": time.time()}
                return redirect(url_for(".setup_done"), 303)
    return _setup_page("setup_account.html", 3, status, form=form,
                       login_id=state["login_id"], holder=holder)


@bp.get("/setup/done")
def setup_done():
    state = _state()
    if not state or "done" not in state:
        return redirect(url_for(".setup_card"), 303)
    return _setup_page("setup_done.html", 3, login_id=state["done"])


# --- OS-2 to OS-4: cards, limits, points, statement --------------------------------------

def _cards_or_page():
    cards = statement.cards_of(db.session, g.user.id)
    if not cards:
        return None, render_page("cardmember/no_cards.html", status=403)
    return cards, None


@bp.get("/")
@login_required
def home():
    cards, page = _cards_or_page()
    if page is not None:
        return page
    return render_page("cardmember/home.html", summaries=statement.summaries(
        db.session, cards, _today()), access=points.access_for(db.session, g.user.id))


def _chosen(cards: list[Card]) -> tuple[Card, date, int, StatementFilterForm]:
    form = StatementFilterForm(request.args)
    card = next((c for c in cards if str(c.id) == (form.card.data or "")), cards[0])
    months = statement.months(db.session, card, _today())
    month = next((m for m in months if m.strftime("%Y-%m") == form.month.data), months[0])
    form.card.choices = [(str(c.id), f"{c.holder_name} ({c.last5})") for c in cards]
    form.card.data = str(card.id)
    form.month.choices = [(m.strftime("%Y-%m"), format_date(m, "yyyy MMMM")
                           if current_language() == "en" else f"{m.year}年{m.month}月")
                          for m in months]
    form.month.data = month.strftime("%Y-%m")
    try:
        page = max(1, min(int(request.args.get("page") or 1), 10_000))
    except ValueError:
        page = 1
    return card, month, page, form


@bp.get("/statement")
@login_required
def statement_page():
    cards, refusal = _cards_or_page()
    if refusal is not None:
        return refusal
    card, month, page, form = _chosen(cards)
    summary = statement.summaries(db.session, [card], _today())[0]
    found = statement.statement(db.session, card, month, page)
    switchable = {c.id for c in revolving.candidates(db.session, [card], revolving_rules(),
                                                     _today())}
    return render_page("cardmember/statement.html", "statement_body" if is_htmx() else None,
                       form=form, card=card, summary=summary, statement=found,
                       pending=statement.pending_charges(db.session, card),
                       switches=revolving.in_force(db.session, [r.id for r in found.rows]),
                       switchable=switchable)


@bp.get("/statement.csv")
@login_required
def statement_csv():
    cards, refusal = _cards_or_page()
    if refusal is not None:
        abort(403)
    card, month, _page, _form = _chosen(cards)
    body = statement.statement_csv(db.session, card, month)
    name = f"statement-{card.last5}-{month.strftime('%Y-%m')}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
