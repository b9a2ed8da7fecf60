"""Back-office forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import DateText as _Date
from portal.forms import FlaskForm, choices

# Our own words for the length limits (WTForms' built-in Japanese reads stiffly).
_TOO_LONG = _l("Use at most %(max)d characters.")


class LoginForm(FlaskForm):
    login = StringField(
        _l("Login name"),
        validators=[DataRequired(_l("Enter your login name.")), Length(max=40, message=_TOO_LONG)],
        render_kw={"autocomplete": "username", "autocapitalize": "none",
                   "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200, message=_TOO_LONG)],
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


# --- applications (ENR-7) ---------------------------------------------------------------------

def kind_choices():
    return choices([
        ("new", _l("Add new user")),
        ("change", _l("Change user")),
        ("delete", _l("Delete user")),
    ], placeholder=_l("All"))


def application_status_choices():
    return choices([
        ("received", _l("Received")),
        ("in_review", _l("In review")),
        ("completed", _l("Completed")),
        ("rejected", _l("Rejected")),
    ], placeholder=_l("All"))


class ApplicationFilterForm(FlaskForm):
    """The list's filters, read from the address (bookmarkable); a bad date is reported
    next to its field and left out of the filter."""

    class Meta:
        csrf = False

    q = StringField(_l("Reference number or applicant's email"),
                    validators=[Optional(), Length(max=254, message=_TOO_LONG)],
                    render_kw={"autocomplete": "off", "spellcheck": "false", "type": "search"})
    kind = SelectField(_l("Kind"), choices=kind_choices, validate_choice=False)
    status = SelectField(_l("Status"), choices=application_status_choices,
                         validate_choice=False)
    submitted_from = _Date(_l("Submitted from"), validators=[Optional()],
                           format="%Y-%m-%d")
    submitted_to = _Date(_l("Submitted until"), validators=[Optional()],
                         format="%Y-%m-%d")

    def validate_submitted_to(self, field):
        start = self.submitted_from.data
        if start and field.data and field.data < start:
            raise ValidationError(_l("The end date must not be before the start date."))


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for rejecting"),
        validators=[DataRequired(_l("Enter the reason for rejecting the application. The "
                                    "applicant will see it.")),
                    Length(max=1000, message=_l("Keep the reason to %(max)d characters or "
                                                "fewer."))],
        render_kw={"rows": 3, "maxlength": 1000},
    )


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("User ID or contact ID"),
        validators=[DataRequired(_l("Enter a user ID or a 9-digit contact ID.")),
                    Length(max=40, message=_TOO_LONG)],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"},
    )
