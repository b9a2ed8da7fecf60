"""Template helpers: htmx-aware rendering and globals every page uses."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import format_date, format_datetime, format_decimal
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page(template: str, block: str | None = None, status: int = 200, **context: Any):
    """One route, one template, two renderings: the whole page, or ``block`` of it for htmx."""
    from flask import render_template

    if block and is_htmx():
        return render_block(template, block, **context), status
    return render_template(template, **context), status


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def url_if(endpoint: str, **values: Any) -> str | None:
    """The address of ``endpoint`` if that part of the portal is installed."""
    return url_for(endpoint, **values) if has_endpoint(endpoint) else None


def lang_url(code: str) -> str:
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    if request.url_rule is None or request.method != "GET":
        return url_for("shell.home", lang=code)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        has_endpoint=has_endpoint,
        url_if=url_if,
        lang_url=lang_url,
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
    )

    @app.context_processor
    def _brand():
        return {"brand": current_app.config["BRAND_NAME"]}
