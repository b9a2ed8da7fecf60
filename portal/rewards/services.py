"""The catalog's rules: reading search parameters, searching, finding an item."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from babel.numbers import format_decimal as babel_format_decimal
from flask_babel import get_locale, gettext, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.content import ITEM_CATEGORIES
from portal.rewards.models import CatalogItem
from portal.rewards.rules import program_rules
from portal.search import index
from portal.search.index import BANDS, SORTS, Query, Result
from portal.search.normalize import item_number

MAX_QUERY = 100


def band_code(band: int) -> str:
    low, high = BANDS[band]
    return f"{low}-{high}" if high is not None else f"{low}-"


BAND_CODES = {band_code(number): number for number in range(len(BANDS))}


def category_labels() -> dict[str, str]:
    return {
        "drinks": gettext("Drinks for the office"),
        "gifts": gettext("Gifts"),
        "digital": gettext("Digital"),
        "certificates": gettext("Gift certificates"),
        "social": gettext("Social contribution"),
        "travel": gettext("Travel"),
    }


def band_labels() -> dict[int, str]:
    labels = {}
    for band, (low, high) in enumerate(BANDS):
        if low == 0:
            labels[band] = gettext("Under %(high)s points", high=number(high + 1))
        elif high is None:
            labels[band] = gettext("%(low)s points and more", low=number(low))
        else:
            labels[band] = gettext("%(low)s to %(high)s points", low=number(low),
                                   high=number(high))
    return labels


def sort_labels() -> dict[str, str]:
    return {
        "relevance": gettext("Best match"),
        "points_asc": gettext("Points: fewest first"),
        "points_desc": gettext("Points: most first"),
    }


@lru_cache(maxsize=4096)
def _number(locale: str, value: int) -> str:
    return babel_format_decimal(value, locale=locale)


def number(value: int) -> str:
    """``value`` formatted for the current language (Babel), remembered: a results page
    shows dozens of numbers and Babel's formatting is slow for each."""
    return _number(str(get_locale() or "ja"), value)


def points_text(points: int) -> str:
    return _points_text(str(get_locale() or "ja"), points)


@lru_cache(maxsize=4096)
def _points_text(locale: str, points: int) -> str:
    # The catalogs do not change while the process runs, so one text per locale and value.
    return ngettext("%(count)s point", "%(count)s points", points,
                    count=_number(locale, points))


@dataclass(frozen=True)
class ItemRow:
    """What a results page shows of one item, in one language (worked out once in Python
    rather than piece by piece in the template)."""

    item_no: str
    name: str
    description: str
    category: str
    points: int
    points_text: str
    in_stock: bool
    sample: bool
    donation: bool  # a donation: it is taken or not, rather than in or out of stock


def item_rows(items: list[CatalogItem], language: str, categories: dict[str, str]
              ) -> list[ItemRow]:
    donations = program_rules().donation_categories
    return [
        ItemRow(item.item_no, getattr(item, f"name_{language}"),
                getattr(item, f"description_{language}"), categories[item.category],
                item.points, points_text(item.points), item.in_stock, item.sample,
                item.category in donations)
        for item in items
    ]


@dataclass(frozen=True)
class CatalogParams:
    """The catalog's address parameters, cleaned: unknown values fall back to the default."""

    q: str = ""
    category: str | None = None
    band: int | None = None
    sort: str = "relevance"
    page: int = 1
    too_long: bool = False
    within: bool = False  # "within my balance" asked (``within=1``)
    ceiling: int | None = None  # the balance it means, set by the view for a PA

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> CatalogParams:
        q = (args.get("q") or "").strip()
        too_long = len(q) > MAX_QUERY
        category = args.get("category") or None
        if category not in ITEM_CATEGORIES:
            category = None
        band = BAND_CODES.get(args.get("points") or "")
        sort = args.get("sort") if args.get("sort") in SORTS else "relevance"
        try:
            page = max(1, min(int(args.get("page") or 1), 10_000))
        except ValueError:
            page = 1
        return cls(q[:MAX_QUERY], category, band, sort, page, too_long,
                   args.get("within") == "1")

    def url(self, base: str, **changes) -> str:
        """The catalog's address ``base`` with these settings and ``changes`` (see
        :meth:`args`); cheaper than ``url_for`` for the many links of a results page."""
        from urllib.parse import urlencode

        args = self.args(**changes)
        return base + ("?" + urlencode(args) if args else "")

    def args(self, **changes) -> dict[str, str | int]:
        """The address parameters of these settings with ``changes``; defaults are left out,
        and any change other than the page starts again at page 1."""
        if changes and "page" not in changes:
            changes["page"] = 1
        new = replace(self, **changes)
        found: dict[str, str | int] = {}
        if new.q:
            found["q"] = new.q
        if new.category:
            found["category"] = new.category
        if new.band is not None:
            found["points"] = band_code(new.band)
        if new.sort != "relevance":
            found["sort"] = new.sort
        if new.within:
            found["within"] = "1"
        if new.page > 1:
            found["page"] = new.page
        return found

    @property
    def filtered(self) -> bool:
        return self.category is not None or self.band is not None


def find_item(session: Session, text: str) -> CatalogItem | None:
    """The active item whose number ``text`` is (in any form), else None."""
    number = item_number(text)
    if number is None:
        return None
    item = session.get(CatalogItem, number)
    return item if item is not None and item.active else None


@dataclass
class CatalogPage:
    params: CatalogParams
    result: Result
    items: list[CatalogItem]


def search(session: Session, params: CatalogParams, language: str, per_page: int,
           cache_size: int) -> CatalogPage:
    query = Query("item", language, params.q, category=params.category, band=params.band,
                  sort=params.sort, page=params.page, per_page=per_page,
                  max_points=params.ceiling)
    result = index.search(session, query, cache_size=cache_size)
    items = {}
    if result.refs:
        items = {i.item_no: i for i in session.scalars(
            select(CatalogItem).where(CatalogItem.item_no.in_(result.refs)))}
    return CatalogPage(params, result, [items[r] for r in result.refs if r in items])


def category_counts(session: Session, language: str, cache_size: int) -> dict[str, int]:
    result = index.search(session, Query("item", language, per_page=1), cache_size=cache_size)
    return result.categories
