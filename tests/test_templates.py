"""Every template compiles, and the shared macros render what they promise."""

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired

from portal.forms import choices


def test_every_template_compiles(app):
    names = app.jinja_env.list_templates(extensions=["html", "txt"])
    assert "base.html" in names and "macros/forms.html" in names
    for name in names:
        app.jinja_env.get_template(name)


class SampleForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Family name", validators=[DataRequired("Enter the family name")])
    kind = RadioField("Kind", choices=choices([("a", "A"), ("b", "B")]))
    agree = BooleanField("I agree")


def render_field(markup: str, **form_data):
    form = SampleForm(data=form_data)
    form.validate()
    return render_template_string(
        '{% from "macros/forms.html" import field, error_summary %}' + markup, form=form
    )


def test_field_links_hint_info_and_error(app):
    with app.test_request_context("/?lang=en"):
        html = render_field(
            "{{ field(form.name, hint='As on the card', info='Latin letters only') }}"
        )
    assert 'for="name"' in html
    assert 'aria-describedby="name-hint name-info name-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="name-error"' in html and "Enter the family name" in html
    assert 'aria-controls="name-info"' in html and 'id="name-info"' in html
    assert "Required" in html


def test_field_without_error_has_no_error_markup(app):
    with app.test_request_context("/?lang=ja"):
        html = render_field("{{ field(form.name) }}", name="Sato")
    assert "aria-invalid" not in html and "name-error" not in html
    assert 'value="Sato"' in html and "必須" in html


def test_radio_group_is_a_fieldset_with_a_legend(app):
    with app.test_request_context("/"):
        html = render_field("{{ field(form.kind) }}")
    assert "<fieldset" in html and "<legend" in html
    assert 'data-testid="kind-a"' in html


def test_error_summary_links_to_each_field(app):
    with app.test_request_context("/?lang=en"):
        html = render_field("{{ error_summary([form]) }}")
    assert 'href="#name"' in html and "Please check the following" in html


def test_step_bar_marks_the_current_step(app):
    with app.test_request_context("/?lang=en"):
        html = render_template_string(
            '{% from "macros/ui.html" import step_bar %}{{ step_bar(["One", "Two", "Three"], 2) }}'
        )
    assert html.count('aria-current="step"') == 1
    assert 'class="step step--current" data-testid="step-2" aria-current="step"' in html
    assert "(completed)" in html and "(current step)" in html
