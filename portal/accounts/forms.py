"""Forms of first-login registration, sign-in and password reset.

The rules themselves are in :mod:`portal.accounts.rules`; these forms apply them to fields.
Passwords typed at registration are sent back with the page when another field needs a
correction (nothing already entered is lost); the sign-in form never sends a password back.
"""

from __future__ import annotations

from babel.dates import get_month_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import InputRequired
from wtforms.widgets import PasswordInput

from portal.accounts import rules
from portal.forms import FlaskForm, choices
from portal.i18n import localized

_SHOWN_PASSWORD = PasswordInput(hide_value=False)
_MISMATCH = _l("The two passwords do not match. Type the same password twice.")


def _rule(check):
    def validator(form, field):
        problem = check(field.data)
        if problem:
            raise ValidationError(problem)

    return validator


def month_choices():
    names = get_month_names("wide", locale=get_locale())
    return [(str(number), names[number]) for number in range(1, 13)]


class VerifyForm(FlaskForm):
    """REG-2: birthday (day and month), or auth word and auth PIN."""

    birth_day = SelectField(_l("Day"), validate_choice=False)
    birth_month = SelectField(_l("Month"), validate_choice=False)
    auth_word = StringField(_l("Auth word"))
    auth_pin = PasswordField(_l("Auth PIN"), widget=_SHOWN_PASSWORD)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []
        self.birth_day.choices = choices(
            [(str(d), str(d)) for d in range(1, 32)], placeholder=str(_l("Day"))
        )
        self.birth_month.choices = choices(month_choices(), placeholder=str(_l("Month")))

    def validate(self, extra_validators=None) -> bool:
        self.problems = []  # about the four fields together, not about one of them
        valid = super().validate(extra_validators)
        for f in (self.birth_day, self.birth_month):
            if f.data and f.data not in {c.value for c in f.choices}:
                f.errors.append(str(_l("Choose a value from the list.")))
                valid = False
        if not valid:
            return False
        method, problems = rules.verification_method(
            self.birth_day.data, self.birth_month.data, self.auth_word.data, self.auth_pin.data
        )
        for name, message in problems.items():
            if name == "form":
                self.problems.append(message)
            else:
                getattr(self, name).errors.append(message)
        self.method = method
        return method is not None


class AccountForm(FlaskForm):
    """REG-3..5: user ID, password, secret question and answer."""

    user_id = StringField(
        _l("User ID"),
        validators=[InputRequired(_l("Enter a user ID.")), _rule(rules.user_id_problem)],
    )
    password = PasswordField(
        _l("Password"), widget=_SHOWN_PASSWORD,
        validators=[InputRequired(_l("Enter a password."))],
    )
    password_confirm = PasswordField(
        _l("Password again"), widget=_SHOWN_PASSWORD,
        validators=[InputRequired(_l("Enter the password again."))],
    )
    secret_question = SelectField(
        _l("Secret question"), validators=[InputRequired(_l("Choose a secret question."))],
        validate_choice=False,
    )
    secret_answer = StringField(
        _l("Answer"),
        validators=[InputRequired(_l("Enter the answer to your secret question.")),
                    _rule(rules.answer_problem)],
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.secret_question.choices = choices(
            [(q.code, localized(q, "text")) for q in questions],
            placeholder=str(_l("Choose a question")),
        )

    def validate_password(self, field):
        problem = rules.password_problem(field.data, self.user_id.data)
        if problem:
            raise ValidationError(problem)

    def validate_password_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError(_MISMATCH)

    def validate_secret_question(self, field):
        if field.data not in {c.value for c in field.choices if c.value}:
            raise ValidationError(_l("Choose a secret question from the list."))


class LoginForm(FlaskForm):
    user_id = StringField(_l("User ID"), validators=[InputRequired(_l("Enter your user ID."))])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))])

    def validate_password(self, field):
        """A password has half-width characters only: one typed in full width (an IME left
        on) cannot be right, so say so next to it, and count no failed attempt. The message
        is about the input alone, whatever the user ID."""
        if rules.has_full_width(field.data or ""):
            raise ValidationError(rules.half_width_message())


class ForgotForm(FlaskForm):
    user_id = StringField(_l("User ID"), validators=[InputRequired(_l("Enter your user ID."))])


class AnswerForm(FlaskForm):
    secret_answer = StringField(
        _l("Answer"), validators=[InputRequired(_l("Enter the answer to your secret question."))]
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), widget=_SHOWN_PASSWORD,
        validators=[InputRequired(_l("Enter a password."))],
    )
    password_confirm = PasswordField(
        _l("New password again"), widget=_SHOWN_PASSWORD,
        validators=[InputRequired(_l("Enter the password again."))],
    )

    def __init__(self, *args, user_id: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user_id = user_id

    def validate_password(self, field):
        problem = rules.password_problem(field.data, self._user_id)
        if problem:
            raise ValidationError(problem)

    def validate_password_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError(_MISMATCH)
