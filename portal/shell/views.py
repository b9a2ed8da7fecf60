"""The shell: home and the SHELL-1 menu pages."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from portal.extensions import db
from portal.reference import services as reference
from portal.templating import kept_page

bp = Blueprint("shell", __name__, template_folder="templates")


@bp.get("/")
def home():
    if g.get("user") is not None:  # a signed-in user gets their own home (accounts)
        from portal.accounts.views import home_page

        return home_page()
    return kept_page("shell/home.html")


@bp.get("/privacy")
def privacy():
    return kept_page("shell/privacy.html")


@bp.get("/functions")
def functions():
    return render_template(
        "shell/functions.html",
        functions=reference.functions(db.session),
        offered=reference.countries_by_function(db.session),
    )


@bp.get("/contact")
def contact():
    return kept_page("shell/contact.html")


@bp.get("/healthz")
def healthz():
    """The smallest route: the benchmarks' baseline and a liveness probe."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
