"""portal.forms.html_params writes what WTForms' own writes, faster."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from portal import forms

CASES = [
    {},
    {"name": "u0-family_name", "id": "u0-family_name", "value": "佐藤"},
    {"required": True, "disabled": False, "type": "text", "value": ""},
    {"data_testid": "u0-email", "aria_describedby": "u0-email-hint", "class_": "wide"},
    {"value": 'a "quoted" <b>&amp; text</b>', "title": "it's"},
    {"value": Markup('already "marked" <i>up</i>'), "for_": "x"},
    {"value": 0, "maxlength": 4, "min": -1, "step": 0.5},
    {"hx_get": "/enroll?a=1&b=2", "hx-vals": '{"user": "1"}'},
]


@pytest.mark.parametrize("params", CASES)
def test_the_same_attributes_as_wtforms(app, params):
    assert forms.WTFORMS_HTML_PARAMS is not None  # the app put ours in its place
    with app.test_request_context("/?lang=ja"):
        ours = forms.html_params(**params)
        theirs = forms.WTFORMS_HTML_PARAMS(**params)
    assert ours == theirs and isinstance(ours, Markup)


def test_every_field_of_the_add_user_form_renders_the_same(app, monkeypatch):
    from wtforms import widgets
    from wtforms.widgets import core

    from portal.enrollment.forms import UserForm

    with app.test_request_context("/?lang=ja"):
        form = UserForm(prefix="u0-", data={"family_name": '佐藤 "一郎"', "country": "JP",
                                            "birth_day": "3"})
        ours = [(str(f()), str(f.label())) for f in form]
        monkeypatch.setattr(core, "html_params", forms.WTFORMS_HTML_PARAMS)
        monkeypatch.setattr(core.Input, "html_params",
                            staticmethod(forms.WTFORMS_HTML_PARAMS))
        monkeypatch.setattr(core.Button, "html_params",
                            staticmethod(forms.WTFORMS_HTML_PARAMS))
        monkeypatch.setattr(widgets, "html_params", forms.WTFORMS_HTML_PARAMS)
        theirs = [(str(f()), str(f.label())) for f in form]
    assert len(ours) > 10 and ours == theirs


def _choice_form():
    from wtforms import SelectField

    class ChoiceForm(forms.FlaskForm):
        class Meta:
            csrf = False

        colour = SelectField(choices=forms.choices([("red", "Red")]))

    return ChoiceForm


def test_wtforms_own_messages_come_in_the_pages_language(app):
    from babel.support import Translations
    from wtforms.i18n import messages_path

    japanese = Translations.load(messages_path(), ["ja"], domain="wtforms")
    expected = japanese.ugettext("Not a valid choice.")
    assert expected != "Not a valid choice."  # WTForms ships a Japanese catalog
    form_class = _choice_form()
    for lang, message in (("ja", expected), ("en", "Not a valid choice."), ("ja", expected)):
        with app.test_request_context(f"/?lang={lang}", method="POST", data={"colour": "blue"}):
            form = form_class()
            assert not form.validate()
            assert form.colour.errors == [message]


def test_wtforms_catalog_is_read_once_per_language(app, monkeypatch):
    from babel import support

    reads = []
    real_load = support.Translations.load

    def counting_load(*args, **kwargs):
        reads.append(args[1] if len(args) > 1 else kwargs.get("locales"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(forms.WTFORMS_MESSAGES, "_catalogs", {})
    monkeypatch.setattr(forms.Translations, "load", counting_load)
    form_class = _choice_form()
    for _ in range(3):
        for lang in ("ja", "en"):
            with app.test_request_context(f"/?lang={lang}", method="POST",
                                          data={"colour": "blue"}):
                form_class().validate()
    assert len(reads) == 2  # one read for each language, then the kept catalogs


def test_kept_option_lists_write_what_wtforms_writes(app):
    """QuickSelect keeps each list of options once written; every selection, escaping, a
    lazy label in each language, repeated values and the lists it does not keep all give
    WTForms' own select."""
    from flask_babel import lazy_gettext
    from wtforms import Form, SelectField
    from wtforms.widgets import Select

    from portal.enrollment import forms as enrollment_forms

    pairs = [("a", 'A "quoted" <b>&</b>'), ("b", "B"), ("b", "B again"), ("", ""),
             ("m", lazy_gettext("Month"))]

    def both(data, placeholder=None, coerce=str):
        class Quick(Form):
            pick = SelectField(choices=forms.choices(pairs, placeholder=placeholder),
                               widget=enrollment_forms.QuickSelect(), coerce=coerce,
                               render_kw={"required": True, "data_testid": "pick"})

        class Plain(Form):
            pick = SelectField(choices=forms.choices(pairs, placeholder=placeholder),
                               widget=Select(), coerce=coerce,
                               render_kw={"required": True, "data_testid": "pick"})

        return str(Quick(data={"pick": data}).pick()), str(Plain(data={"pick": data}).pick())

    enrollment_forms._OPTIONS.clear()
    for lang in ("ja", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for data in ("a", "b", "", "m", "zz", None):
                for placeholder in (None, "Choose"):
                    ours, theirs = both(data, placeholder)
                    assert ours == theirs, (lang, data, placeholder)
            ours, theirs = both("b", coerce=lambda v: v)  # not str: option by option
            assert ours == theirs
    assert 'selected value="b">B again' in ours
    assert len(enrollment_forms._OPTIONS) == 4  # two lists in each language, kept
    with app.test_request_context("/?lang=ja"):
        assert ">月</option>" in both("m")[0]
