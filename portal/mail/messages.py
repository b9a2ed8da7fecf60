"""The two emails a new user receives (MAIL-1, MAIL-2), both languages in one email (MAIL-3).

Builders take plain values and return the subject and the text and HTML parts. Each part
is rendered once per language with ``flask_babel.force_locale``: the person's language
first, the other language below. They need an application context (templates and
catalogs) but no request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel import dates as babel_dates
from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.i18n import LANGUAGES
from portal.mail.models import OutgoingEmail
from portal.mail.outbox import queue_email
from portal.workdays import JAPAN

KIND_CONTACT_ID = "new_user.contact_id"
KIND_WELCOME = "new_user.welcome"

# What each kind of email is, for the people who look at the outbox.
KIND_LABELS = {
    KIND_CONTACT_ID: _l("New user: contact ID notice"),
    KIND_WELCOME: _l("New user: welcome and registration link"),
}


def kind_label(code: str) -> str:
    label = KIND_LABELS.get(code)
    return str(label) if label is not None else code


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def languages_for(language: str | None) -> list[str]:
    """The person's language first, then the others (an unknown language counts as ja)."""
    first = language if language in LANGUAGES else "ja"
    return [first] + [code for code in LANGUAGES if code != first]


def japan_date_time(moment: datetime) -> dict[str, str]:
    """``moment`` as a date and a time in Japan, in the current (forced) language."""
    locale = get_locale()
    return {
        "date": babel_dates.format_date(moment.astimezone(JAPAN), "long", locale=locale),
        "time": babel_dates.format_time(moment, "short", tzinfo=JAPAN, locale=locale),
    }


def _bilingual(language: str | None, template: str, subject: Callable[[], str],
               per_language: Callable[[], dict[str, Any]] | None = None,
               **context: Any) -> Email:
    """Render ``mail/<template>.txt|.html`` and ``subject()`` once per language;
    ``per_language()`` adds values that depend on the language (formatted dates)."""
    parts = []
    for code in languages_for(language):
        with force_locale(code):
            if per_language is not None:
                context.update(per_language())
            parts.append({
                "lang": code,
                "subject": subject(),
                "text": render_template(f"mail/{template}.txt", **context).strip(),
                "html": Markup(render_template(f"mail/{template}.html", **context)),
                # i18n: the first line of a two-language email, shown in the language of the
                # lower half; it says that this language's version follows below.
                "follows": _("English version below."),
            })
    subject_line = " / ".join(part["subject"] for part in parts)
    with force_locale(parts[0]["lang"]):  # no request needed to pick a language
        text = render_template("mail/layout.txt", parts=parts).strip() + "\n"
        html = render_template("mail/layout.html", parts=parts, subject=subject_line,
                               lang=parts[0]["lang"], brand=context["brand"])
    return Email(subject_line, text, html)


# Features build their emails (templates ``mail/<name>.txt|.html`` of their own) with this.
bilingual = _bilingual


def contact_id_email(*, family_name: str, given_name: str, language: str | None,
                     contact_id: str, brand: str, support_phone: str | None = None) -> Email:
    """MAIL-1: the 9-digit contact ID and what it is for."""
    return _bilingual(
        language, "contact_id",
        lambda: _("%(brand)s: your contact ID", brand=brand),
        family_name=family_name, given_name=given_name, contact_id=contact_id, brand=brand,
        support_phone=support_phone,
    )


def welcome_email(*, family_name: str, given_name: str, language: str | None,
                  registration_url: str, brand: str,
                  link_expires_at: datetime | None = None) -> Email:
    """MAIL-2: the link to first-login registration ("Click here to register for ...");
    with ``link_expires_at``, until when it works (Japan time)."""
    return _bilingual(
        language, "welcome",
        lambda: _("Register for %(brand)s", brand=brand),
        (lambda: {"expires": japan_date_time(link_expires_at)}) if link_expires_at else None,
        family_name=family_name, given_name=given_name, registration_url=registration_url,
        brand=brand, expires=None,
    )


def queue_new_user_emails(session: Session, *, user_like: Any, registration_url: str,
                          link_expires_at: datetime | None = None,
                          ) -> tuple[OutgoingEmail, OutgoingEmail]:
    """Queue MAIL-1 and MAIL-2 for a new user in ``session``'s transaction (no commit).

    ``user_like`` has ``email``, ``family_name``, ``given_name``, ``language`` and
    ``contact_id`` (a ``portal.accounts.models.User`` does). ``link_expires_at`` is when
    the registration link stops working; by default ``PORTAL_REGISTRATION_LINK_HOURS``
    from now (the link is made in the same transaction). Queueing twice for the same
    contact ID writes nothing new (dedupe keys ``new-user:<contact id>:...``).
    """
    config = current_app.config
    brand = config["BRAND_NAME"]
    language = getattr(user_like, "language", None)
    notice = contact_id_email(
        family_name=user_like.family_name, given_name=user_like.given_name,
        language=language, contact_id=user_like.contact_id, brand=brand,
        support_phone=config.get("SUPPORT_PHONE"),
    )
    welcome = welcome_email(
        family_name=user_like.family_name, given_name=user_like.given_name,
        language=language, registration_url=registration_url, brand=brand,
        link_expires_at=link_expires_at
        or utcnow() + timedelta(hours=config["REGISTRATION_LINK_HOURS"]),
    )
    first = queue_email(
        session, to=user_like.email, subject=notice.subject, text=notice.text,
        html=notice.html, kind=KIND_CONTACT_ID,
        dedupe_key=f"new-user:{user_like.contact_id}:contact-id",
    )
    second = queue_email(
        session, to=user_like.email, subject=welcome.subject, text=welcome.text,
        html=welcome.html, kind=KIND_WELCOME,
        dedupe_key=f"new-user:{user_like.contact_id}:welcome",
    )
    return first, second
