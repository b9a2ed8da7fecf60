"""Routes of first-login registration (``registration``) and sign-in (``auth``).

Forms post with htmx and fall back to plain posts: a correction comes back as 422 with the
form block of the same template, success sends the browser on (``HX-Redirect`` or a 303).
"""

from __future__ import annotations

import math
import time
from datetime import timedelta

import click
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from jinja2_fragments.flask import render_block

from portal.accounts import current, rules, services
from portal.accounts.forms import (
    AccountForm,
    AnswerForm,
    ForgotForm,
    LoginForm,
    NewPasswordForm,
    VerifyForm,
)
from portal.accounts.models import User
from portal.accounts.services import LinkState, Reset, SignIn, VerifyOutcome
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import current_language
from portal.reference import services as reference
from portal.reference.models import SecretQuestion
from portal.templating import is_htmx, render_page, url_if

auth = Blueprint("auth", __name__, template_folder="templates", cli_group=None)
registration = Blueprint("registration", __name__, template_folder="templates")

REGISTERED_KEY = "registered"  # the confirmation page's user, until "Go to @Work"
VERIFIED_KEY = "registration"  # the link whose identity check passed in this browser
RESET_KEY = "password_reset"
CONFIRMATION_SECONDS = 15 * 60
RESET_SECONDS = 15 * 60


@auth.before_app_request
def _load_user():
    current.load_user()


def _go(url: str):
    """Send the browser on after a successful post (htmx or plain)."""
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _minutes(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def _wait_message(wait: timedelta) -> str:
    minutes = _minutes(wait)
    return ngettext(
        "Please wait %(num)d minute and try again.",
        "Please wait %(num)d minutes and try again.",
        minutes,
    )


def _sentences(*parts: str) -> str:
    """Sentences one after another: Japanese puts no space between them."""
    return ("" if current_language() == "ja" else " ").join(parts)


def _address_limited(wait: timedelta) -> str:
    return _sentences(
        _("There have been too many unsuccessful attempts from your network."),
        _wait_message(wait),
    )


# --- first-login registration ----------------------------------------------------------------

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
                return _go(url_for(".account", token=token))
            if result.outcome is VerifyOutcome.UNUSABLE:
                return _link_problem(result.state)
            if result.outcome is VerifyOutcome.LOCKED:
                wait = result.wait
            elif result.outcome is VerifyOutcome.ADDRESS_LIMITED:
                problem = _address_limited(result.wait)
            else:
                problem = _sentences(
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
        locked_minutes=_minutes(wait) if wait is not None else None, steps=_steps(),
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
                return _go(url_for(".complete"))
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
        return _address_limited(result.wait)
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
                return _go(target or url_for("shell.home"))
            problem = _sign_in_problem(result)
    return render_page(
        "accounts/login.html", block="login_form", status=status,
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
            return _go(url_for(".forgot_answer"))
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
                return _go(url_for(".forgot_new"))
            if result.outcome is Reset.LIMITED:
                problem = _sentences(_("There have been too many wrong answers."),
                                     _wait_message(result.wait))
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
                return _go(url_for(".login"))
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
