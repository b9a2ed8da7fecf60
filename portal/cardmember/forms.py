"""The cardmember online service's forms (labels through lazy_gettext; the rules are in the
services, so a form only carries what was typed)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, RadioField, SelectField, StringField

from portal.accounts.forms import month_choices
from portal.forms import FlaskForm, choices


class SetupCardForm(FlaskForm):
    number = StringField(_l("Card number (15 digits)"), render_kw={
        "inputmode": "numeric", "autocomplete": "cc-number", "spellcheck": "false",
        "maxlength": "40"})
    code = PasswordField(_l("Security code (4 digits)"), render_kw={
        "inputmode": "numeric", "autocomplete": "cc-csc", "maxlength": "8"})


class IdentityForm(FlaskForm):
    birth_year = StringField(_l("Year"), render_kw={"inputmode": "numeric", "maxlength": "4",
                                                    "autocomplete": "bday-year"})
    birth_month = SelectField(_l("Month"), choices=[], validate_choice=False,
                              render_kw={"autocomplete": "bday-month"})
    birth_day = SelectField(_l("Day"), choices=[], validate_choice=False,
                            render_kw={"autocomplete": "bday-day"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_month.choices = choices(month_choices(), placeholder=str(_l("Month")))
        self.birth_day.choices = choices([(str(d), str(d)) for d in range(1, 32)],
                                         placeholder=str(_l("Day")))


class StatementFilterForm(FlaskForm):
    """The statement's card and month (a GET form: bookmarkable, no CSRF token)."""

    class Meta:
        csrf = False

    card = SelectField(_l("Card"), choices=[], validate_choice=False)
    month = SelectField(_l("Month"), choices=[], validate_choice=False)


class AddressForm(FlaskForm):
    postal_code = StringField(_l("Postal code"), render_kw={
        "inputmode": "numeric", "autocomplete": "postal-code", "maxlength": "10"})
    prefecture = SelectField(_l("Prefecture"), choices=[], validate_choice=False)
    city = StringField(_l("City, ward, town or village"),
                       render_kw={"autocomplete": "address-level2"})
    street = StringField(_l("Street address"), render_kw={"autocomplete": "address-line1"})
    building = StringField(_l("Building and room"), render_kw={"autocomplete": "address-line2"})


class PhoneForm(FlaskForm):
    phone = StringField(_l("Phone number"), render_kw={"type": "tel", "autocomplete": "tel"})


class EmployerForm(FlaskForm):
    employer = StringField(_l("Employer"), render_kw={"autocomplete": "organization"})


class EmailForm(FlaskForm):
    email = StringField(_l("New email address"), render_kw={
        "type": "email", "autocomplete": "email", "inputmode": "email"})


class PinForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     render_kw={"autocomplete": "current-password"})
    pin = PasswordField(_l("New PIN (4 digits)"), render_kw={"inputmode": "numeric",
                                                             "autocomplete": "off",
                                                             "maxlength": "8"})
    pin_again = PasswordField(_l("New PIN again"), render_kw={"inputmode": "numeric",
                                                             "autocomplete": "off",
                                                             "maxlength": "8"})


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(_l("New password again"),
                                   render_kw={"autocomplete": "new-password"})


class RevolvingForm(FlaskForm):
    """OS-6: the charge and the fixed monthly amount. The schedule is a GET of this form
    (bookmarkable, no CSRF token); the confirmation posts ``ConfirmRevolvingForm``."""

    class Meta:
        csrf = False

    charge = RadioField(_l("Charge to pay by revolving payment"), choices=[],
                        validate_choice=False)
    monthly = StringField(_l("Fixed monthly amount (yen)"), render_kw={
        "inputmode": "numeric", "autocomplete": "off", "maxlength": "12"})


class ConfirmRevolvingForm(FlaskForm):
    """The confirmation: what the schedule showed, and its one-time ``key``."""

    charge = HiddenField()
    monthly = HiddenField()
    key = HiddenField()


class UndoRevolvingForm(FlaskForm):
    """Undoing a switch: only the CSRF token (the switch is in the address)."""
