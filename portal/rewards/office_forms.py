"""Back-office forms for running rewards programs (labels through lazy_gettext)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import FlaskForm, choices
from portal.rewards.rules import program_rules

_TOO_LONG = _l("Use at most %(max)d characters.")


def eligible_products(language: str):
    return choices(((p.code, p.name_ja if language == "ja" else p.name_en)
                    for p in program_rules().eligible_products()),
                   placeholder=_l("Choose a card product"))


class CardFields(FlaskForm):
    number = StringField(_l("Card number (15 digits)"),
                         validators=[DataRequired(_l("Enter the card's 15-digit number as printed "
                                                     "on it.")),
                                     Length(max=40, message=_TOO_LONG)],
                         render_kw={"autocomplete": "off", "inputmode": "numeric",
                                    "spellcheck": "false"})
    product = SelectField(_l("Card product"), choices=[], validate_choice=False,
                          validators=[DataRequired(_l("Choose a card product."))])
    holder_name = StringField(_l("Name on the card"),
                              validators=[DataRequired(_l("Enter the cardmember's name.")),
                                          Length(max=200, message=_TOO_LONG)],
                              render_kw={"autocomplete": "off"})


class NewProgramForm(CardFields):
    company_name = StringField(_l("Company name"),
                               validators=[DataRequired(_l("Enter the company's name.")),
                                           Length(max=200, message=_TOO_LONG)])
    pa_user_id = StringField(_l("Program Administrator's user ID"),
                             validators=[DataRequired(_l("Enter the user ID of the Program "
                                                         "Administrator.")),
                                         Length(max=20, message=_TOO_LONG)],
                             render_kw={"autocomplete": "off", "spellcheck": "false"})


class EnrolCardForm(CardFields):
    holder_user_id = StringField(_l("Cardmember's portal user ID (if they have one)"),
                                 validators=[Optional(), Length(max=20, message=_TOO_LONG)],
                                 render_kw={"autocomplete": "off", "spellcheck": "false"})


class DelegateForm(FlaskForm):
    user_id = StringField(_l("User ID of the person to designate"),
                          validators=[DataRequired(_l("Enter a user ID.")),
                                      Length(max=20, message=_TOO_LONG)],
                          render_kw={"autocomplete": "off", "spellcheck": "false"})


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"),
                           validators=[DataRequired(_l("Give the reason.")),
                                       Length(max=500, message=_TOO_LONG)])


class TerminateForm(ReasonForm):
    ground = SelectField(_l("Ground"), choices=[], validate_choice=False,
                         validators=[DataRequired(_l("Choose termination or insolvency."))])


class ChangePaForm(FlaskForm):
    card = SelectField(_l("New Program Administrator's card"), choices=[],
                       validate_choice=False,
                       validators=[DataRequired(_l("Choose an enrolled card whose holder uses "
                                                   "the portal."))])


class StatementForm(FlaskForm):
    statement = FileField(_l("Statement file (CSV)"))
