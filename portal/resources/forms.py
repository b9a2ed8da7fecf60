"""The resource center's forms (GET forms: no CSRF token, nothing is changed)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SearchField, SelectField
from wtforms.validators import Length

from portal.forms import FlaskForm
from portal.resources.services import MAX_QUERY


class CountryForm(FlaskForm):
    class Meta:
        csrf = False

    country = SelectField(_l("Country or region"), choices=[], validate_choice=False)


class ResourceSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search guides and videos"), validators=[Length(max=MAX_QUERY)])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    country = HiddenField()
