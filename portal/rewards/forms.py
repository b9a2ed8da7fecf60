"""The catalog's search form (a GET form: no CSRF token, nothing is changed)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import Length

from portal.rewards.services import MAX_QUERY


class CatalogSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search the catalog"), validators=[Length(max=MAX_QUERY)])
    sort = SelectField(_l("Sort by"), choices=[], validate_choice=False)
