"""The tracking form (ENR-6)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.forms import FlaskForm
from portal.tracking.services import REFERENCE_MAX, fold_email, normalize_reference


class TrackForm(FlaskForm):
    reference = StringField(
        _l("Reference number"),
        validators=[DataRequired(_l("Enter the reference number of your application.")),
                    Length(max=60, message=_l("This is too long for a reference number."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "placeholder": "N-XXXX-XXXX-XXXX"},
    )
    email = StringField(
        _l("Your email address"),
        validators=[DataRequired(_l("Enter the email address you gave when you applied.")),
                    Length(max=254, message=_l("This is too long for an email address."))],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false",
                   "type": "email"},
    )

    def validate_reference(self, field):
        compact = normalize_reference(field.data)
        if not compact.isalnum() or len(compact) > REFERENCE_MAX or len(compact) < 4:
            raise ValidationError(_l("A reference number has letters and digits, like "
                                     "N-7K3Q-9XWP-2MDA."))

    def validate_email(self, field):
        folded = fold_email(field.data)
        local, _at, domain = folded.partition("@")
        if not local or not domain or " " in folded:
            raise ValidationError(_l("Enter an email address like name@example.com."))
