"""Helpers for writing steps: posted values and repeating rows, error-summary labels that say
whose field it is, the users-step context both user kinds share, and the addresses of a
step's htmx pieces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import url_for

from portal.enrollment.engine import Ctx, Step


def field_value(form: Mapping[str, Any], name: str) -> str:
    """A posted text value, stripped ("" when absent)."""
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def posted_rows(form: Mapping[str, Any], pattern: str) -> int:
    """How many rows were posted: ``pattern`` with {n} = 0, 1, 2 ... while present, e.g.
    ``posted_rows(form, "u{n}-family_name")``. Rows are numbered by the server from 0."""
    n = 0
    while pattern.format(n=n) in form:
        n += 1
    return n


def prefixed_labels(forms, prefix: str) -> dict[str, str]:
    """Error-summary labels that say whose field it is ("User 2: Email address")."""
    from flask_babel import gettext

    return {f.id: gettext("%(where)s: %(label)s", where=prefix, label=f.label.text)
            for form in forms for f in form}


def users_step_context(applicant, user_forms: list) -> dict[str, Any]:
    """What the shared users-step template needs (``enrollment/kinds/_users_step.html``): the
    applicant's form, one form per user, and error-summary labels saying whose field it is."""
    from flask_babel import gettext

    labels = prefixed_labels([applicant], gettext("Applicant"))
    for i, form in enumerate(user_forms):
        labels.update(prefixed_labels([form], gettext("User %(number)d", number=i + 1)))
    return {"applicant_form": applicant, "user_forms": user_forms,
            "forms": [applicant, *user_forms], "labels": labels}


def action_urls(ctx: Ctx, step: Step) -> Callable[..., str]:
    """``build(name, **values)``: the address of one of ``step``'s htmx pieces."""

    def build(name: str, **values: Any) -> str:
        return url_for("enrollment.action", kind=ctx.kind.name, step=step.key, action=name,
                       **values)

    return build
