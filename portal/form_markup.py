"""The markup of one form field, written in Python: what ``field()`` of
``templates/macros/forms.html`` puts on every form page.

A label, the required or optional badge, a hint, an information button with its panel, the
errors and the input, tied together for screen readers with ``aria-describedby``; a group of
radio buttons or checkboxes in a ``fieldset`` with a ``legend``. The macro was one Jinja call
per part (five or more per field, a few hundred on a wizard step, most of its rendering
time); this writes the same elements in one call. Every text is escaped unless it is
already markup (a hint with a link).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from portal.i18n import page_translations


def _(text: str, **values: Any) -> str:
    translated = page_translations().ugettext(text)
    return translated % values if values else translated


def info_button(field_id: str, label: Any) -> Markup:
    """SHELL-3: the button that opens a field's information panel in place."""
    more = escape(_("More information"))
    named = escape(_("More information: %(label)s", label=label))
    return Markup(f'<button type="button" class="info-btn" aria-expanded="false" '
            f'aria-controls="{field_id}-info"\n        data-testid="{field_id}-info-button" '
            f'title="{more}">\n  <span aria-hidden="true">i</span>'
            f'<span class="visually-hidden">{named}</span>\n</button>')


def info_panel(field_id: str, content: Any) -> Markup:
    return Markup(f'<div id="{field_id}-info" class="info-panel" hidden '
            f'data-testid="{field_id}-info">{escape(content)}</div>')


def _errors(f) -> str:
    if not f.errors:
        return ""
    messages = " ".join(str(escape(message)) for message in f.errors)
    return (f'<p class="field__error" id="{f.id}-error" data-testid="{f.id}-error">\n'
            f'  <span class="visually-hidden">{escape(_("Error:"))}</span>\n'
            f'  {messages}\n</p>\n')


def _label_text(f, optional_mark: bool) -> str:
    text = str(escape(f.label.text))
    if f.flags.required:
        return f'{text} <span class="badge badge--required">{escape(_("Required"))}</span>'
    if optional_mark:
        return f'{text} <span class="badge">{escape(_("Optional"))}</span>'
    return text


def render_field(f, hint=None, info=None, prefix=None, suffix=None, testid=None,
                 optional_mark=False, class_="", attrs=None) -> Markup:
    """One field's markup (the arguments are those of the ``field`` macro)."""
    fid = f.id
    testid = testid or fid
    described = " ".join(part for part, wanted in (
        (f"{fid}-hint", hint), (f"{fid}-info", info), (f"{fid}-error", f.errors)) if wanted)
    input_attrs = {"data-testid": testid}
    if described:
        input_attrs["aria-describedby"] = described
    if f.errors:
        input_attrs["aria-invalid"] = "true"
    input_attrs.update(attrs or {})
    error_class = " field--error" if f.errors else ""
    css = f"{escape(class_)}{error_class}"
    hint_html = f'<p class="field__hint" id="{fid}-hint">{escape(hint)}</p>\n' if hint else ""
    panel = info_panel(fid, info) + "\n" if info else ""
    button = info_button(fid, f.label.text) if info else ""
    parts: list[str]
    if f.type in ("RadioField", "MultiCheckboxField"):
        described_attr = f' aria-describedby="{described}"' if described else ""
        legend_button = f" {button}" if info else ""
        parts = [f'<fieldset class="field field--group {css}" id="{fid}-field"{described_attr}>\n'
                 f'  <legend class="field__label">{_label_text(f, optional_mark)}'
                 f'{legend_button}</legend>\n', hint_html, panel, _errors(f),
                 f'  <div class="choices" data-testid="{escape(testid)}">\n']
        for option in f:
            control = option(**{"data-testid": f"{testid}-{option.data}"})
            parts.append(f'    <div class="choice">\n      {control}\n      <label '
                         f'for="{option.id}">{escape(option.label.text)}</label>\n    </div>\n')
        parts.append("  </div>\n</fieldset>\n")
    elif f.type == "BooleanField":
        parts = [f'<div class="field field--check {css}" id="{fid}-field">\n', _errors(f),
                 f'  <div class="choice">\n    {f(**input_attrs)}\n    <label for="{fid}">'
                 f'{escape(f.label.text)}</label>\n', f"    {button}\n" if info else "",
                 "  </div>\n", hint_html, panel, "</div>\n"]
    else:
        control = str(f(**input_attrs))
        if prefix or suffix:
            before = (f'<span class="input-group__prefix" data-testid="{escape(testid)}-prefix">'
                      f'{escape(prefix)}</span>\n    ' if prefix else "")
            after = (f'\n    <span class="input-group__suffix">{escape(suffix)}</span>'
                     if suffix else "")
            control = f'<div class="input-group">\n    {before}{control}{after}\n  </div>'
        parts = [f'<div class="field {css}" id="{fid}-field">\n  <div class="field__head">\n'
                 f'    <label class="field__label" for="{fid}">{_label_text(f, optional_mark)}'
                 f'</label>\n', f"    {button}\n" if info else "", "  </div>\n", hint_html,
                 panel, _errors(f), f"  {control}\n</div>\n"]
    return Markup("".join(parts))
