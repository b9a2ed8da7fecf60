"""Template helpers: htmx-aware rendering and globals every page uses."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for
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
    return cached_url_for(endpoint, **values) if has_endpoint(endpoint) else None


URLS_KEPT = 4096
_urls: dict[tuple, str] = {}


def _plain(value: Any) -> tuple:
    """``value`` with its type, so that 1, True and "1" (equal or alike as keys, different
    in an address) stay apart; a list becomes a tuple. Raises TypeError if unhashable."""
    if isinstance(value, list):
        return (list, tuple(_plain(v) for v in value))
    hash(value)
    return (type(value), value)


def cached_url_for(endpoint: str, **values: Any) -> str:
    """Flask's ``url_for``, remembered per process (the templates' ``url_for``).

    Building an address costs tens of microseconds, and a page holds dozens. The address of
    a request-relative call depends only on the script root, the endpoint and the values
    (query arguments included), so that is the key. Calls whose address depends on more are
    passed through: outside a request, a relative endpoint (``.name``), any ``_external``,
    ``_scheme``, ``_anchor`` or ``_method``, URL defaults functions, host matching, and
    values that cannot be keys. At most ``URLS_KEPT`` addresses; then it starts again.
    """
    app = current_app
    if (endpoint[:1] == "." or not has_request_context() or app.url_map.host_matching
            or any(app.url_default_functions.values())
            or any(name[:1] == "_" for name in values)):
        return url_for(endpoint, **values)
    try:
        # In the given order: query arguments follow it.
        key = (request.script_root, endpoint,
               *[(name, _plain(value)) for name, value in values.items()])
        found = _urls.get(key)
    except TypeError:
        return url_for(endpoint, **values)
    if found is None:
        found = url_for(endpoint, **values)
        if len(_urls) >= URLS_KEPT:
            _urls.clear()
        _urls[key] = found
    return found


def lang_url(code: str) -> str:
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    if request.url_rule is None or request.method != "GET":
        return cached_url_for("shell.home", lang=code)
    return cached_url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        url_for=cached_url_for,
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
