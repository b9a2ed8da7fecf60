"""Language choice (SHELL-2) and helpers for bilingual content.

Order: ``?lang=`` on any address (remembered in a cookie), the cookie, the signed-in user's
country, the browser's ``Accept-Language``, then the default (Japanese).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any

from flask import Flask, g, request
from flask_babel import Babel, Domain, get_locale, get_translations

LANGUAGES: dict[str, str] = {"ja": "日本語", "en": "English"}
COOKIE = "portal_lang"  # the name over http; see portal.security.cookie_name
COOKIE_MAX_AGE = 365 * 24 * 3600


def _valid(code: str | None) -> str | None:
    if code and code.lower() in LANGUAGES:
        return code.lower()
    return None


def select_locale() -> str:
    from flask import current_app

    chosen = _valid(request.args.get("lang"))
    if chosen:
        return chosen
    chosen = _valid(request.cookies.get(current_app.config.get("LANGUAGE_COOKIE_NAME", COOKIE)))
    if chosen:
        return chosen
    chosen = _valid(g.get("user_language"))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "ja").split("_")[0]


def localized(value: Any, field: str | None = None) -> str:
    """Pick the current language's text from ``{"ja": ..., "en": ...}`` or an object's
    ``<field>_ja`` / ``<field>_en`` attributes, falling back to the other language."""
    lang = current_language()
    order = [lang] + [code for code in LANGUAGES if code != lang]
    for code in order:
        if isinstance(value, dict):
            text = value.get(code)
        else:
            text = getattr(value, f"{field}_{code}", None)
        if text:
            return text
    return ""


def _has_cjk(text: str) -> bool:
    return any(
        "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uff66" <= ch <= "\uff9f"
        for ch in text
    )


def person_name(family: str, given: str, language: str | None = None) -> str:
    """A person's name in the order readers of ``language`` expect: family name first in
    Japanese, and for names written in Japanese script in any language; given name first
    for other names in English."""
    language = language or current_language()
    if language == "ja" or _has_cjk(family + given):
        return f"{family} {given}".strip()
    return f"{given} {family}".strip()


def format_list(items: list[str]) -> str:
    """``["a", "b", "c"]`` joined the way the current language lists things (ja: 、)."""
    from babel.lists import format_list as babel_format_list

    items = [str(item) for item in items]
    if not items:
        return ""
    return babel_format_list(items, style="standard", locale=current_language())


def format_when(moment: datetime | None) -> str:
    """A moment as people read it in the current language, in the portal's time zone, with
    a four-digit year, 24-hour time and no seconds: ``2026/11/22 16:20`` /
    ``Nov 22, 2026 16:20``."""
    if moment is None:
        return ""
    from babel.dates import format_date, format_time
    from flask_babel import to_user_timezone

    local = to_user_timezone(moment)
    language = current_language()
    day = format_date(local, "medium", locale=language)
    return f"{day} {format_time(local, 'HH:mm', locale=language)}"


def _kept_translations(find: Callable[[], Any]):
    """The catalog of the current language, looked up once per request for each language.

    Flask-Babel finds it again for every text it translates (its context, the domain, the
    locale and the cache, a few microseconds each time, hundreds of times on a form page).
    The one ``find()`` gives is kept with the locale it was found for, so a
    ``force_locale`` block (the two halves of an email) gets its own language's catalog
    and the page's comes back after it."""
    ctx = g.get("_flask_babel") if g else None
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:  # the first text of the request: Flask-Babel chooses the language
        return find()
    kept = getattr(ctx, "portal_translations", None)
    if kept is None or kept[0] is not locale:
        kept = (locale, find())
        ctx.portal_translations = kept
    return kept[1]


def page_translations():
    """The templates' catalog (see :func:`_kept_translations`)."""
    return _kept_translations(get_translations)


class RequestDomain(Domain):
    """The messages domain, its catalog kept per request and language: what ``_l`` texts
    (form labels, hints, messages) and ``gettext`` in Python use."""

    def get_translations(self):
        return _kept_translations(super().get_translations)


class PortalBabel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return RequestDomain(domain=self.domain)


def init_app(app: Flask) -> None:
    # The templates' _(), ngettext() and friends (Flask-Babel installed its own, which look
    # the catalog up for every call).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
    )

    @app.after_request
    def _remember_language(response):
        chosen = _valid(request.args.get("lang"))
        name = app.config.get("LANGUAGE_COOKIE_NAME", COOKIE)
        if chosen and request.cookies.get(name) != chosen:
            response.set_cookie(
                name,
                chosen,
                max_age=COOKIE_MAX_AGE,
                samesite="Lax",
                secure=app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
            )
        response.headers.add("Content-Language", current_language())
        return response

    @app.context_processor
    def _language_context():
        return {
            "languages": LANGUAGES,
            "current_language": current_language(),
            "localized": localized,
            "person_name": person_name,
            "format_list": format_list,
            "format_when": format_when,
        }
