"""Sign-in and sign-out (AUTH-1, AUTH-3), the forgotten password (AUTH-2), the signed-in
home (used by ``shell.home``) and the ``flask unlock-user`` command. The blueprints are in
:mod:`portal.accounts.blueprints`; first login is in :mod:`portal.accounts.registration_views`.

Forms post as :mod:`portal.accounts.blueprints` describes.
"""

from __future__ import annotations

import time

import click
from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.accounts import current, services
from portal.accounts.blueprints import address_limited, auth, go, sentences, wait_message
from portal.accounts.forms import (
    AnswerForm,
    ForgotForm,
    LoginForm,
    NewPasswordForm,
)
from portal.accounts.models import User
from portal.accounts.services import Reset, SignIn
from portal.extensions import db
from portal.templating import render_page, url_if

RESET_KEY = "password_reset"
RESET_SECONDS = 15 * 60


# --- sign-in, sign-out -------------------------------------------------------------------

def _sign_in_problem(result: services.SignInResult) -> str:
    phone = current_app.config["SUPPORT_PHONE"]
    if result.outcome is SignIn.DISABLED:
        return _(
            "This account can no longer be used. If you still need access, please ask your "
            "company's Program Administrator."
        )
    if result.outcome is SignIn.PENDING:
        return _(
            "Your registration is not finished yet. Open the registration link in the welcome "
            "email we sent you to choose your user ID and password, then sign in with them."
        )
    if result.outcome is SignIn.ADDRESS_LIMITED:
        return address_limited(result.wait)
    return _(
        "The user ID or password is not correct. Please check them and try again. After "
        "%(count)d wrong passwords in a row an account is locked for its protection: if you "
        "cannot sign in, call the help desk on %(phone)s.",
        count=current_app.config["LOCKOUT_THRESHOLD"], phone=phone,
    )


@auth.route("/login", methods=["GET", "POST"])
def login():
    """AUTH-1, AUTH-3."""
    target = current.safe_next(request.args.get("next"))
    if g.get("user") is not None and request.method == "GET":
        return redirect(target or url_for("shell.home"))
    form = LoginForm()
    problem = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            result = services.authenticate(
                db.session, form.user_id.data, form.password.data,
                address=current.client_address(),
            )
            if result.outcome is SignIn.OK:
                current.sign_in(result.user)
                return go(target or url_for("shell.home"))
            problem = _sign_in_problem(result)
    return render_page(
        "accounts/login.html", block="login_form", status=status, keep=True,
        form=form, problem=problem, target=target,
        threshold=current_app.config["LOCKOUT_THRESHOLD"],
    )


@auth.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "POST":
        current.sign_out()
        flash(_("You have signed out."), "success")
        return redirect(url_for("auth.login"), 303)
    if g.get("user") is None:
        return redirect(url_for("auth.login"))
    return render_template("accounts/logout.html")


# --- forgotten password (AUTH-2) -------------------------------------------------------------

def _reset_state() -> dict:
    state = session.get(RESET_KEY) or {}
    if state.get("at", 0) + RESET_SECONDS < time.time():
        return {}
    return state


@auth.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            session[RESET_KEY] = {"uid": form.user_id.data.strip()[:40], "at": int(time.time())}
            return go(url_for(".forgot_answer"))
    return render_page("accounts/forgot_start.html", block="forgot_form", status=status,
                       form=form)


@auth.route("/password/forgot/answer", methods=["GET", "POST"])
def forgot_answer():
    state = _reset_state()
    if not state.get("uid"):
        return redirect(url_for(".forgot_password"))
    question = services.reset_question(db.session, state["uid"], secret=current_app.secret_key)
    form = AnswerForm()
    problem = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            result = services.check_reset_answer(
                db.session, state["uid"], form.secret_answer.data,
                address=current.client_address(),
            )
            if result.outcome is Reset.OK:
                session[RESET_KEY] = {"uid": state["uid"], "user": result.user.id,
                                      "at": int(time.time())}
                return go(url_for(".forgot_new"))
            if result.outcome is Reset.LIMITED:
                problem = sentences(_("There have been too many wrong answers."),
                                     wait_message(result.wait))
            elif result.outcome is Reset.LOCKED:
                problem = _(
                    "Your answer is correct, but this account is locked because of too many "
                    "wrong passwords. Please call the help desk on %(phone)s to have it "
                    "unlocked.", phone=current_app.config["SUPPORT_PHONE"],
                )
            else:
                problem = _(
                    "The user ID or the answer is not correct. Please check them and try again."
                )
    return render_page("accounts/forgot_answer.html", block="answer_form", status=status,
                       form=form, problem=problem, question=question, typed_id=state["uid"])


@auth.route("/password/forgot/new", methods=["GET", "POST"])
def forgot_new():
    state = _reset_state()
    user = db.session.get(User, state["user"]) if state.get("user") else None
    if user is None:
        return redirect(url_for(".forgot_password"))
    form = NewPasswordForm(user_id=user.user_id)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.set_password(db.session, user.id, form.password.data)
            except services.AccountError as exc:
                form.password.errors.append(exc.errors["password"])
            except services.LinkUnusable:
                session.pop(RESET_KEY, None)
                return redirect(url_for(".forgot_password"))
            else:
                session.pop(RESET_KEY, None)
                flash(_("Your password has been changed. Please sign in with the new one."),
                      "success")
                return go(url_for(".login"))
    return render_page("accounts/forgot_new.html", block="new_password_form", status=status,
                       form=form)


# --- the signed-in home (used by shell.home) -------------------------------------------------

def home_page():
    """The @Work home of the signed-in user: name, access, and where to go next."""
    user = g.get("user")
    if user is None:
        return redirect(url_for("auth.login"))
    rewards_url = url_if("rewards.home") if user.program_role == "pa" else None
    return render_template(
        "accounts/home.html", person=user,
        overview=services.access_overview(db.session, user),
        rewards_url=rewards_url, resources_url=url_if("resources.home"),
    )


# --- command line ------------------------------------------------------------------------------

@auth.cli.command("unlock-user")
@click.argument("user_id")
def unlock_user_command(user_id: str):
    """Unlock a portal account locked by wrong passwords (until the back office does it)."""
    user = services.find_by_user_id(db.session, user_id)
    if user is None:
        raise click.ClickException(f"no portal user has the user ID {user_id!r}")
    was_locked = user.locked_at is not None
    services.unlock(db.session, user)
    db.session.commit()
    if was_locked:
        click.echo(f"{user.user_id}: unlocked")
    else:
        click.echo(f"{user.user_id}: was not locked (failed sign-ins reset to 0)")
