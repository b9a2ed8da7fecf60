"""Back-office forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.forms import choices


class LoginForm(FlaskForm):
    login = StringField(
        _l("Login name"),
        validators=[DataRequired(_l("Enter your login name.")), Length(max=40)],
        render_kw={"autocomplete": "username", "autocapitalize": "none",
                   "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class PostForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


def status_choices():
    return choices([
        ("queued", _l("Queued")),
        ("sending", _l("Sending")),
        ("sent", _l("Sent")),
        ("failed", _l("Failed")),
    ], placeholder=_l("All"))


class MailFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=status_choices, validate_choice=False)
