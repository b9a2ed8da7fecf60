"""The resource center's rules: countries, articles of a country, search."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.content import ARTICLE_CATEGORIES
from portal.reference import services as reference
from portal.reference.models import Country
from portal.resources.models import Article
from portal.search import index
from portal.search.index import Query, Result

MAX_QUERY = 100


def category_labels() -> dict[str, str]:
    return {
        "enrollment": gettext("Applying for access"),
        "first_login": gettext("First login"),
        "access": gettext("Functions, roles and control groups"),
        "account": gettext("Signing in and your account"),
        "rewards": gettext("Rewards and points"),
    }


def category_blurbs() -> dict[str, str]:
    return {
        "enrollment": gettext("Add, change or delete users and follow your applications."),
        "first_login": gettext("Finish registration from the welcome email and sign in."),
        "access": gettext("What each function and role allows, and for which accounts."),
        "account": gettext("Passwords, locked accounts, languages and searching."),
        "rewards": gettext("How the company earns points and how to use them."),
    }


def kind_label(kind: str) -> str:
    return gettext("Video") if kind == "video" else gettext("Guide")


def duration_text(seconds: int | None) -> str:
    if not seconds:
        return ""
    minutes, rest = divmod(seconds, 60)
    return gettext("%(minutes)d min %(seconds)d s", minutes=minutes, seconds=rest)


def duration_iso(seconds: int | None) -> str:
    minutes, rest = divmod(seconds or 0, 60)
    return f"PT{minutes}M{rest}S"


def countries(session: Session) -> list[Country]:
    return reference.countries(session)


def country(session: Session, code: str | None) -> Country | None:
    if not code or len(code) != 2:
        return None
    return reference.country(session, code.upper())


def articles(session: Session, country_code: str) -> list[Article]:
    rows = session.scalars(select(Article).where(Article.active).order_by(Article.position))
    return [a for a in rows if a.listed_in(country_code)]


def article(session: Session, country_code: str, slug: str) -> Article | None:
    found = session.get(Article, slug)
    if found is None or not found.active or not found.listed_in(country_code):
        return None
    return found


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    category: str | None = None
    country: str | None = None
    page: int = 1
    too_long: bool = False

    @classmethod
    def parse(cls, args: Mapping[str, str], known_countries: set[str]) -> SearchParams:
        q = (args.get("q") or "").strip()
        category = args.get("category") or None
        if category not in ARTICLE_CATEGORIES:
            category = None
        code = (args.get("country") or "").upper() or None
        if code not in known_countries:
            code = None
        try:
            page = max(1, min(int(args.get("page") or 1), 10_000))
        except ValueError:
            page = 1
        return cls(q[:MAX_QUERY], category, code, page, len(q) > MAX_QUERY)

    def args(self, **changes) -> dict[str, str | int]:
        if changes and "page" not in changes:
            changes["page"] = 1
        new = replace(self, **changes)
        found: dict[str, str | int] = {}
        if new.q:
            found["q"] = new.q
        if new.category:
            found["category"] = new.category
        if new.country:
            found["country"] = new.country
        if new.page > 1:
            found["page"] = new.page
        return found


@dataclass
class SearchPage:
    params: SearchParams
    result: Result
    articles: list[Article]


def search(session: Session, params: SearchParams, language: str, per_page: int,
           cache_size: int) -> SearchPage:
    query = Query("article", language, params.q, category=params.category, page=params.page,
                  per_page=per_page, country=params.country)
    result = index.search(session, query, cache_size=cache_size)
    found = {}
    if result.refs:
        found = {a.slug: a for a in session.scalars(
            select(Article).where(Article.slug.in_(result.refs)))}
    return SearchPage(params, result, [found[r] for r in result.refs if r in found])
