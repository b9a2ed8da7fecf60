"""Form pieces shared by every feature.

Every form subclasses :class:`FlaskForm` from here (Flask-WTF's, with WTForms' own messages
read once per process). WTForms 3.3 deprecates choices given as tuples (and the test suite
turns warnings into errors): build them with :func:`choices`.
"""

from __future__ import annotations

from collections.abc import Iterable

from babel.support import Translations
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm as _FlaskWTFForm
from markupsafe import Markup, escape
from wtforms import DateField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.widgets.core import clean_key


class _WTFormsMessages:
    """WTForms' own messages ("Not a valid choice.") in the request's language.

    Flask-WTF reads WTForms' catalog file again for every request whose form validates
    (``babel.support.Translations.load``, about 0.7 ms each time); here each language's is
    read once per process. Outside a request the messages stay in English, as Flask-WTF's."""

    def __init__(self) -> None:
        self._catalogs: dict[str, Translations] = {}

    def _catalog(self) -> Translations | None:
        if not has_request_context():
            return None
        locale = get_locale()
        key = str(locale)
        catalog = self._catalogs.get(key)
        if catalog is None:
            catalog = Translations.load(messages_path(), [locale], domain="wtforms")
            self._catalogs[key] = catalog
        return catalog

    def gettext(self, string: str) -> str:
        catalog = self._catalog()
        return string if catalog is None else catalog.ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        catalog = self._catalog()
        if catalog is None:
            return singular if n == 1 else plural
        return catalog.ungettext(singular, plural, n)


WTFORMS_MESSAGES = _WTFormsMessages()


class FlaskForm(_FlaskWTFForm):
    """Flask-WTF's form (CSRF, the request's data), with WTForms' messages from
    :data:`WTFORMS_MESSAGES`."""

    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)  # Flask-WTF's: WTForms' English
            return WTFORMS_MESSAGES


def choices(
    pairs: Iterable[tuple[str, str]], *, placeholder: str | None = None
) -> list[SelectChoice]:
    """``[(value, label), ...]`` as WTForms choices, with an optional empty first option."""
    result = [SelectChoice("", placeholder)] if placeholder is not None else []
    # A lazy label (``_l``, in a form's class body) stays lazy: it is translated when the
    # field is rendered, in the request's language (``str`` here would fix it at import).
    result.extend(SelectChoice(str(value), label if isinstance(label, LazyString) else str(label))
                  for value, label in pairs)
    return result


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a group of checkboxes (rendered as a fieldset by the field macro)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class DateText(DateField):
    """A ``YYYY-MM-DD`` date; a malformed one gets our message, not WTForms' wording."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date like 2026-04-01.")) from None


def html_params(**kwargs) -> Markup:
    """WTForms' ``html_params`` (the attributes of every label, input, select and option),
    writing the same markup: sorted names, ``True`` as a bare name, ``False`` left out,
    values escaped with ``"`` as ``&quot;``. WTForms' own formats each attribute with
    ``Markup.format``, which was about a quarter of a form page's rendering time."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


WTFORMS_HTML_PARAMS = None


def install_html_params() -> None:
    """Put :func:`html_params` where WTForms' widgets and labels look it up."""
    from wtforms.widgets import core

    global WTFORMS_HTML_PARAMS
    if core.html_params is not html_params:  # kept for the test that compares the two
        WTFORMS_HTML_PARAMS = core.html_params
    core.html_params = html_params
    core.Input.html_params = staticmethod(html_params)
    core.Button.html_params = staticmethod(html_params)
    widgets.html_params = html_params
