"""First-login registration (REG-1 to REG-5): the link from the welcome email, the identity
check, choosing a user ID, password and secret question, and the confirmation page; plus the
``flask registration link`` command.

Forms post as :mod:`portal.accounts.blueprints` describes.
"""

from __future__ import annotations

import time

import click
from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from jinja2_fragments.flask import render_block

from portal.accounts import current, rules, services
from portal.accounts.blueprints import address_limited, go, registration, sentences, wait_minutes
from portal.accounts.forms import (
    AccountForm,
    VerifyForm,
)
from portal.accounts.models import User
from portal.accounts.services import LinkState, VerifyOutcome
from portal.db import utcnow
from portal.extensions import db
from portal.reference import services as reference
from portal.reference.models import SecretQuestion
from portal.templating import render_page

REGISTERED_KEY = "registered"  # the confirmation page's user, until "Go to @Work"
VERIFIED_KEY = "registration"  # the link whose identity check passed in this browser
CONFIRMATION_SECONDS = 15 * 60


def _steps() -> list[str]:
    return [_("Confirm it is you"), _("User ID and password"), _("Done")]


def _link_problem(state: LinkState):
    status = 404 if state is LinkState.UNKNOWN else 410
    return render_template(
        "accounts/link_problem.html", state=state.value,
        hours=current_app.config["REGISTRATION_LINK_HOURS"],
    ), status


def _open_link(token: str):
    """The link of ``token`` and its state; its user's language becomes the page's."""
    state, link = services.registration_link(db.session, token)
    if link is not None and g.get("user") is None:
        g.user_language = link.user.language
    return state, link


def _verified(link) -> bool:
    marker = session.get(VERIFIED_KEY) or {}
    return marker.get("link") == link.id


@registration.route("/register/<token>", methods=["GET", "POST"])
def start(token: str):
    """REG-1, REG-2: the link from the welcome email, then the identity check."""
    state, link = _open_link(token)
    if state not in (LinkState.OK, LinkState.LOCKED):
        return _link_problem(state)
    if state is LinkState.OK and _verified(link):
        return redirect(url_for(".account", token=token))
    form = VerifyForm()
    problem = None
    wait = link.locked_until - utcnow() if state is LinkState.LOCKED else None
    status = 200
    if request.method == "POST":
        status = 422
        if wait is None and form.validate_on_submit():
            result = services.verify_identity(
                db.session, link.id, method=form.method,
                birth_day=int(form.birth_day.data) if form.method == "birthday" else None,
                birth_month=int(form.birth_month.data) if form.method == "birthday" else None,
                auth_word=form.auth_word.data, auth_pin=form.auth_pin.data,
                address=current.client_address(),
            )
            if result.outcome is VerifyOutcome.OK:
                session[VERIFIED_KEY] = {"link": link.id}
                return go(url_for(".account", token=token))
            if result.outcome is VerifyOutcome.UNUSABLE:
                return _link_problem(result.state)
            if result.outcome is VerifyOutcome.LOCKED:
                wait = result.wait
            elif result.outcome is VerifyOutcome.ADDRESS_LIMITED:
                problem = address_limited(result.wait)
            else:
                problem = sentences(
                    _("The details you entered do not match our records. Check them and try "
                      "again."),
                    ngettext(
                        "%(num)d attempt is left before this link locks for a while.",
                        "%(num)d attempts are left before this link locks for a while.",
                        result.attempts_left,
                    ),
                )
    return render_page(
        "accounts/register_verify.html", block="verify_form", status=status,
        form=form, link=link, person=link.user, token=token, problem=problem,
        locked_minutes=wait_minutes(wait) if wait is not None else None, steps=_steps(),
    )


def _user_id_status(value: str, *, check_limit: bool = True) -> dict:
    """What to say about a user ID while it is typed (REG-3)."""
    value = (value or "").strip()
    if not value:
        return {"state": "empty"}
    problem = rules.user_id_problem(value)
    if problem:
        if len(value) < rules.USER_ID_MIN and value.isascii() and value.isalnum():
            # Too short so far: a neutral count, not an error, while the person types.
            return {"state": "typing", "needed": rules.USER_ID_MIN - len(value)}
        return {"state": "invalid", "message": problem}
    if check_limit and not services.user_id_check_allowed(db.session, current.client_address()):
        return {"state": "later"}
    if services.user_id_available(db.session, value):
        return {"state": "available", "value": value}
    return {"state": "taken", "value": value,
            "suggestions": services.suggest_user_ids(db.session, value)}


@registration.route("/register/<token>/account", methods=["GET", "POST"])
def account(token: str):
    """REG-3..5: choose a user ID, a password and a secret question."""
    state, link = _open_link(token)
    if state not in (LinkState.OK, LinkState.LOCKED):
        return _link_problem(state)
    if not _verified(link):
        return redirect(url_for(".start", token=token))
    form = AccountForm(questions=reference.secret_questions(db.session))
    id_status: dict = {"state": "empty"}
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                user = services.complete_registration(
                    db.session, link.id,
                    user_id=form.user_id.data, password=form.password.data,
                    question_code=form.secret_question.data, answer=form.secret_answer.data,
                )
            except services.UserIdTaken as exc:
                form.user_id.errors.append(exc.errors["user_id"])
                id_status = {"state": "taken", "value": form.user_id.data.strip(),
                             "suggestions": exc.suggestions}
            except services.LinkUnusable as exc:
                return _link_problem(exc.state)
            except services.AccountError as exc:
                for name, message in exc.errors.items():
                    getattr(form, name).errors.append(message)
            else:
                session.pop(VERIFIED_KEY, None)
                session[REGISTERED_KEY] = {"user": user.id, "at": int(time.time())}
                return go(url_for(".complete"))
        elif not form.user_id.errors:
            # Say now, not after the next try, when the chosen ID is already someone's.
            id_status = _user_id_status(form.user_id.data, check_limit=False)
            if id_status["state"] == "taken":
                form.user_id.errors.append(_("This user ID is already in use. Choose another one."))
    return render_page(
        "accounts/register_account.html", block="account_form", status=status,
        form=form, token=token, person=link.user, id_status=id_status, steps=_steps(),
    )


@registration.get("/register/<token>/user-id")
def check_user_id(token: str):
    """htmx: is this user ID free? With ``pick``, the field is filled with a suggestion."""
    state, link = _open_link(token)
    if link is None or state is not LinkState.OK or not _verified(link):
        return render_template("accounts/partials/user_id_expired.html")
    value = request.args.get("user_id", "")[:60]
    # Always a fragment: this address exists for htmx only.
    if request.args.get("pick"):
        form = AccountForm(formdata=None, data={"user_id": value})
        return render_block(
            "accounts/register_account.html", "user_id_group",
            form=form, token=token, id_status=_user_id_status(value), picked=True,
        )
    return render_block(
        "accounts/register_account.html", "user_id_status",
        token=token, id_status=_user_id_status(value),
    )


@registration.route("/register/complete", methods=["GET", "POST"])
def complete():
    """REG-6: the confirmation; "Go to @Work" signs the new user in and opens the home."""
    marker = session.get(REGISTERED_KEY) or {}
    user = db.session.get(User, marker["user"]) if marker.get("user") else None
    fresh = marker.get("at", 0) + CONFIRMATION_SECONDS > time.time()
    if user is None or user.status != "active" or not fresh:
        session.pop(REGISTERED_KEY, None)
        return redirect(url_for("auth.login"))
    if g.get("user") is None:
        g.user_language = user.language
    if request.method == "POST":
        current.sign_in(user)
        return redirect(url_for("shell.home"), 303)
    question = db.session.get(SecretQuestion, user.secret_question_code)
    return render_template(
        "accounts/register_complete.html", person=user, question=question, steps=_steps()
    )


@registration.cli.command("link")
@click.argument("contact_id")
def registration_link_command(contact_id: str):
    """Print a new first-login link for a user who has not registered (earlier links stop)."""
    from sqlalchemy import select

    user = db.session.scalar(select(User).where(User.contact_id == contact_id))
    if user is None or user.status != "pending":
        raise click.ClickException(f"no unregistered user has the contact ID {contact_id!r}")
    token = services.issue_registration_link(db.session, user)
    db.session.commit()
    click.echo(current_app.config["BASE_URL"].rstrip("/") + f"/register/{token}")
