"""The catalog's search form and the points history's filters (GET forms: no CSRF token,
nothing is changed)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Length, Optional

from portal.forms import DateText, FlaskForm, MultiCheckboxField
from portal.rewards.services import MAX_QUERY


class CatalogSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search the catalog"), validators=[Length(max=MAX_QUERY)])
    sort = SelectField(_l("Sort by"), choices=[], validate_choice=False)


class HistoryFilterForm(FlaskForm):
    """The points history's filters, read from the address (bookmarkable); a bad date is
    reported next to its field and left out of the filter."""

    class Meta:
        csrf = False

    card = SelectField(_l("Card"), choices=[], validate_choice=False)
    kind = SelectField(_l("Kind of entry"), choices=[], validate_choice=False)
    start = DateText(_l("Start date"), validators=[Optional()], format="%Y-%m-%d")
    end = DateText(_l("End date"), validators=[Optional()], format="%Y-%m-%d")

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end date must not be before the start date."))


class RedeemForm(FlaskForm):
    """Flexible Savings and Trip Flex: the card, the points and (Trip Flex) the travel
    charges; ``key`` is the one-time key of the confirmation."""

    card = SelectField(_l("Card whose charges the points go against"), choices=[],
                       validate_choice=False)
    points = StringField(_l("Points"), render_kw={"inputmode": "numeric", "autocomplete": "off"})
    charges = MultiCheckboxField(_l("Travel charges"), choices=[], validate_choice=False)
    key = HiddenField()
    step = HiddenField()


class OrderForm(FlaskForm):
    """An item order or a donation: the quantity and (items) where it goes; ``step`` is
    ``lookup`` (fill the address from the postal code), ``review`` or ``confirm``, and
    ``key`` the one-time key of the confirmation. The rules are in portal.rewards.orders."""

    quantity = SelectField(_l("Quantity"), choices=[], validate_choice=False)
    name = StringField(_l("Recipient (person or department)"),
                       render_kw={"autocomplete": "shipping name"})
    postal_code = StringField(_l("Postal code"), render_kw={
        "inputmode": "numeric", "autocomplete": "shipping postal-code", "maxlength": "10"})
    prefecture = SelectField(_l("Prefecture"), choices=[], validate_choice=False)
    city = StringField(_l("City, ward, town or village"),
                       render_kw={"autocomplete": "shipping address-level2"})
    street = StringField(_l("Street address"),
                         render_kw={"autocomplete": "shipping address-line1"})
    building = StringField(_l("Building, floor and company name"),
                           render_kw={"autocomplete": "shipping address-line2"})
    phone = StringField(_l("Phone number for the delivery"),
                        render_kw={"type": "tel", "autocomplete": "shipping tel"})
    key = HiddenField()
    step = HiddenField()


class ClaimForm(FlaskForm):
    note = TextAreaField(_l("What happened"), render_kw={"rows": "3",
                                                                     "maxlength": "500"})


class OrderActionForm(FlaskForm):
    """Back office: the reason of a refund, or the number of the item sent instead."""

    reason = StringField(_l("Why the points are given back"), render_kw={"maxlength": "200"})
    substitute = StringField(_l("Item no. of the equal item"),
                             render_kw={"autocomplete": "off", "spellcheck": "false"})
