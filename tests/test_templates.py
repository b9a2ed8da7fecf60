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


def test_field_escapes_text_and_keeps_markup(app):
    from markupsafe import Markup

    with app.test_request_context("/?lang=en"):
        form = SampleForm(data={"name": '"><b>'})
        html = render_template_string(
            '{% from "macros/forms.html" import field %}'
            "{{ field(form.name, hint=hint, info=info, class_='x<y') }}{{ field(form.agree, "
            "hint=link, info='Read <this>') }}", form=form, hint="<script>", info="a & b",
            link=Markup('<a href="/terms">Terms</a>'))
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b" in html
    assert 'value="&#34;&gt;&lt;b&gt;"' in html and 'class="field x&lt;y"' in html
    assert '<a href="/terms">Terms</a>' in html  # a hint that is markup stays markup
    assert "Read &lt;this&gt;" in html and 'aria-controls="agree-info"' in html
    assert '<label for="agree">I agree</label>' in html


def test_field_prefix_suffix_optional_mark_and_testid(app):
    with app.test_request_context("/?lang=ja"):
        html = render_field("{{ field(form.agree, optional_mark=True) }}{{ field(form.kind, "
                            "optional_mark=True, testid='k') }}{{ field(form.name, "
                            "prefix='〒', suffix='円', testid='n', attrs={'maxlength': 4}) }}")
    assert html.count("任意") == 1  # a checkbox is its own answer: no badge
    assert 'data-testid="k"' in html and 'data-testid="k-a"' in html
    assert '<span class="input-group__prefix" data-testid="n-prefix">〒</span>' in html
    assert '<span class="input-group__suffix">円</span>' in html
    assert 'maxlength="4"' in html and 'data-testid="n"' in html


def test_info_button_and_panel_macros_write_markup(app):
    with app.test_request_context("/?lang=ja"):
        html = render_template_string(
            '{% from "macros/ui.html" import info_button, info_panel %}'
            "{{ info_button('fees', 'Fees') }}{% call info_panel('fees') %}<b>2,200</b>"
            "{% endcall %}")
    assert '<button type="button" class="info-btn"' in html and "&lt;button" not in html
    assert "詳しい説明：Fees" in html
    assert '<div id="fees-info" class="info-panel" hidden data-testid="fees-info"><b>2,200</b>' \
        in html


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
