"""OS-5 pages: the cardmember's details with one form per change (address with its postal
code fill, phone, employer, email by a link sent to the new address, PIN and password with
the current password), and the email link itself. Each change is followed by an email that
says it happened. The rules are in ``portal.cardmember.profile``."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from portal.accounts.current import client_address, login_required
from portal.accounts.models import User
from portal.cardmember import profile
from portal.cardmember.forms import (
    AddressForm,
    EmailForm,
    EmployerForm,
    PasswordForm,
    PhoneForm,
    PinForm,
)
from portal.cardmember.models import Cardmember
from portal.cardmember.statement import holder_of
from portal.extensions import db
from portal.forms import choices
from portal.mail.messages import bilingual
from portal.mail.outbox import queue_email
from portal.reference.postal import PREFECTURES
from portal.templating import render_page

bp = Blueprint("cm_profile", __name__, url_prefix="/cardmember/profile",
               template_folder="templates")
FORMS = {"address": AddressForm, "phone": PhoneForm, "employer": EmployerForm,
         "email": EmailForm, "pin": PinForm, "password": PasswordForm}


def what_label(what: str) -> str:
    return {"address": _("Address"), "phone": _("Phone number"), "employer": _("Employer"),
            "email": _("Email address"), "pin": _("PIN"), "password": _("Password"),
            "revolving": _("Revolving payment"),
            "revolving_undo": _("Revolving payment undone")}.get(what, what)


def _forms(holder: Cardmember, posted: str | None = None, form=None) -> dict:
    found = {}
    for name, cls in FORMS.items():
        if name == posted and form is not None:
            found[name] = form
        else:
            found[name] = cls(formdata=None, prefix=name, obj=holder if name in (
                "address", "phone", "employer") else None)
    found["address"].prefecture.choices = choices([(p, p) for p in PREFECTURES],
                                                  placeholder=_("Choose a prefecture"))
    return found


def _page(holder: Cardmember, status: int = 200, posted: str | None = None, form=None):
    return render_page("cardmember/profile.html", status=status, holder=holder,
                       forms=_forms(holder, posted, form), posted=posted,
                       changes=profile.recent_changes(db.session, holder),
                       what_label=what_label, address_text=profile.address_text(holder))


def _holder_or_page():
    holder = holder_of(db.session, g.user.id)
    if holder is None:
        return None, render_page("cardmember/no_cards.html", status=403)
    return holder, None


@bp.get("/")
@login_required
def index():
    holder, refusal = _holder_or_page()
    return refusal if refusal is not None else _page(holder)


def _notify(holder: Cardmember, what: str, to: str | None = None) -> None:
    brand = current_app.config["BRAND_NAME"]
    user = db.session.get(User, holder.user_id) if holder.user_id else None
    email = bilingual(
        user.language if user else "ja", "cm_changed",
        lambda: _("%(brand)s: a change to your details", brand=brand),
        per_language=lambda: {"what_text": what_label(what)},
        brand=brand, url=_absolute(url_for("cm_profile.index")))
    queue_email(db.session, to=to or holder.email, subject=email.subject, text=email.text,
                html=email.html, kind="cardmember.changed")


def _absolute(path: str) -> str:
    return current_app.config.get("BASE_URL", "").rstrip("/") + path


@bp.post("/<what>")
@login_required
def change(what: str):
    holder, refusal = _holder_or_page()
    if refusal is not None:
        return refusal
    if what not in FORMS:
        return _page(holder, 404)
    form = FORMS[what](prefix=what)
    if what == "address":
        form.prefecture.choices = choices([(p, p) for p in PREFECTURES],
                                          placeholder=_("Choose a prefecture"))
    if not form.validate_on_submit():  # the CSRF token failed: Flask-WTF says so
        return _page(holder, 422, what, form)
    address = client_address()
    try:
        if what == "address":
            values = {name: getattr(form, name).data for name in
                      ("postal_code", "prefecture", "city", "street", "building")}
            if request.form.get("step") == "lookup":
                filled, problem = profile.fill_from_postal_code(values)
                for name, value in filled.items():
                    getattr(form, name).data = value
                if problem:
                    form.postal_code.errors = [problem]
                return _page(holder, 422 if problem else 200, what, form)
            profile.change_address(db.session, holder, values, address)
        elif what == "phone":
            profile.change_phone(db.session, holder, form.phone.data, address)
        elif what == "employer":
            profile.change_employer(db.session, holder, form.employer.data, address)
        elif what == "email":
            new_email, token = profile.request_email_change(db.session, holder, form.email.data)
            _send_link(holder, new_email, token)
            db.session.commit()
            flash(_("We sent a link to %(email)s. Your email address changes when you open it "
                    "(within 24 hours).", email=new_email), "success")
            return redirect(url_for(".index"), 303)
        elif what == "pin":
            profile.change_pin(db.session, holder, form.current_password.data, form.pin.data,
                               form.pin_again.data, address)
        else:
            profile.change_password(db.session, holder, form.current_password.data,
                                    form.password.data, form.password_again.data, address)
    except profile.ProfileError as error:
        db.session.rollback()
        holder = holder_of(db.session, g.user.id)
        for name, message in error.errors.items():
            field = getattr(form, name)
            field.errors = [*field.errors, str(message)]
        return _page(holder, 422, what, form)
    _notify(holder, what)
    db.session.commit()
    if what == "password":
        flash(_("Your password is changed. Please sign in with the new one."), "success")
        return redirect(url_for("auth.login"), 303)
    flash(_("Your %(what)s is changed. We sent you an email about it.",
            what=what_label(what)), "success")
    return redirect(url_for(".index"), 303)


def _send_link(holder: Cardmember, new_email: str, token: str) -> None:
    brand = current_app.config["BRAND_NAME"]
    user = db.session.get(User, holder.user_id) if holder.user_id else None
    email = bilingual(
        user.language if user else "ja", "cm_email_link",
        lambda: _("%(brand)s: confirm your new email address", brand=brand),
        brand=brand, url=_absolute(url_for("cm_profile.confirm_email", token=token)),
        hours=profile.EMAIL_LINK_HOURS)
    queue_email(db.session, to=new_email, subject=email.subject, text=email.text,
                html=email.html, kind="cardmember.email_link")


@bp.get("/email/<token>")
def confirm_email(token: str):
    done = profile.confirm_email_change(db.session, token[:100], client_address())
    if done is None:
        db.session.rollback()
        return render_page("cardmember/email_link.html", status=410, ok=False)
    holder, old = done
    _notify(holder, "email", to=old)  # the old address hears of it too
    db.session.commit()
    return render_page("cardmember/email_link.html", ok=True, email=holder.email)
