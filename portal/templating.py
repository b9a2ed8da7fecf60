"""Template helpers: htmx-aware rendering and globals every page uses."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session, url_for
from flask_babel import format_currency, format_date, format_datetime, format_decimal
from flask_wtf.csrf import generate_csrf
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from portal import form_markup, security


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page(template: str, block: str | None = None, status: int = 200, *,
                keep: bool = False, **context: Any):
    """One route, one template, two renderings: the whole page, or ``block`` of it for htmx.
    ``keep``: a whole page of status 200 may be one rendered before (:func:`kept_page`)."""
    from flask import render_template

    if block and is_htmx():
        return render_block(template, block, **context), status
    if keep and status == 200:
        return kept_page(template, **context), status
    return render_template(template, **context), status


# --- whole pages shared by signed-out readers ---------------------------------------------
#
# A page a signed-out reader gets (a search's results, say) may be rendered once and handed
# to the next reader asking the same address, but for the two things that belong to one
# response: the CSP nonce and the CSRF token. While such a page is rendered, the templates'
# ``csp_nonce()`` and ``csrf_token()`` give stand-ins (HTML comments, which no escaped text
# can contain), and each response puts its own values in their place.

NONCE_MARK = Markup("<!--csp-nonce-->")
TOKEN_MARK = Markup("<!--csrf-token-->")
_marking: ContextVar[bool] = ContextVar("portal_marking", default=False)


def template_nonce() -> str:
    return NONCE_MARK if _marking.get() else security.csp_nonce()


def template_csrf_token() -> str:
    return TOKEN_MARK if _marking.get() else generate_csrf()


def page_is_shared() -> bool:
    """Whether this response may be a page rendered for somebody else: a whole page (not an
    htmx swap) asked with GET by a signed-out reader with no flashed messages waiting."""
    return (request.method == "GET" and not is_htmx() and g.get("user") is None
            and "_flashes" not in session)


def shared_page(render: Callable[[], str]) -> str | None:
    """``render()``'s page with stand-ins for the nonce and the token, or None if a real one
    was made while rendering (then the page must not be kept)."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    before = ("csp_nonce" in g, field in g)
    marking = _marking.set(True)
    try:
        html = render()
    finally:
        _marking.reset(marking)
    if ("csp_nonce" in g, field in g) != before:
        return None
    return html


def fill_page(html: str) -> str:
    """A shared page with this response's nonce and CSRF token in place of the stand-ins."""
    if NONCE_MARK in html:
        html = html.replace(NONCE_MARK, security.csp_nonce())
    if TOKEN_MARK in html:
        html = html.replace(TOKEN_MARK, generate_csrf())
    return html


PAGES_KEPT = 256


def kept_page(template: str, **context: Any) -> str:
    """``render_template(template, **context)`` for a page whose HTML depends on nothing but
    its address and the language (the shell pages, the sign-in form): for a signed-out
    reader (:func:`page_is_shared`) it is rendered once per process for each template,
    address and language, with stand-ins for the nonce and the CSRF token, and each response
    gets its own. ``context`` must hold nothing of one person or one response. At most
    ``PAGES_KEPT`` pages, then it starts again; nothing is kept while templates reload
    (development). A page in which a real token or nonce shows is never kept."""
    from flask import render_template

    from portal.i18n import current_language

    app = current_app
    if not page_is_shared() or app.debug or app.jinja_env.auto_reload:
        return render_template(template, **context)
    pages = app.extensions.setdefault("portal_kept_pages", {})
    key = (template, request.script_root, request.full_path, current_language())
    html = pages.get(key)
    if html is None:
        html = shared_page(lambda: render_template(template, **context))
        field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        real = [value for value in (g.get("csp_nonce"), g.get(field)) if value]
        if html is None or any(value in html for value in real):
            return render_template(template, **context)
        if len(pages) >= PAGES_KEPT:
            pages.clear()
        pages[key] = html
    return fill_page(html)


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
    """The page in the other language: the same address with ``lang``. A page that answers
    a form (an error, a review) links to its own form page, which a GET shows again (what
    was posted cannot go into a link); an address only a POST reaches, to the home page."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    rule = request.url_rule
    if rule is None or (request.method != "GET" and "GET" not in (rule.methods or ())):
        return cached_url_for("shell.home", lang=code)
    return cached_url_for(request.endpoint, **(request.view_args or {}), **args)


def format_yen(amount: int) -> str:
    """Whole yen in the page's language: ￥1,234 / ¥1,234 (Babel's currency format)."""
    return format_currency(amount, "JPY")


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        csp_nonce=template_nonce,
        csrf_token=template_csrf_token,
        url_for=cached_url_for,
        has_endpoint=has_endpoint,
        url_if=url_if,
        lang_url=lang_url,
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        format_yen=format_yen,
        render_field=form_markup.render_field,
        info_button_html=form_markup.info_button,
        info_panel_html=form_markup.info_panel,
    )

    @app.context_processor
    def _brand():
        # csrf_token: Flask-WTF's context processor puts its own in every page; this one
        # comes later and wins (see shared_page).
        return {"brand": current_app.config["BRAND_NAME"], "csrf_token": template_csrf_token}
