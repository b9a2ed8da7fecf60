"""The program's rules as data: ``catalog_data/rewards_program.yaml``.

``program_rules()`` reads and checks the file once per process; a mistake raises
``RulesError`` naming the file, the line and the problem (``flask load-data`` reads it too,
so a bad edit is caught before the portal starts serving).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from portal.settings import PROJECT_ROOT

RULES_FILE = PROJECT_ROOT / "catalog_data" / "rewards_program.yaml"


class RulesError(ValueError):
    """A mistake in the rewards rules file."""


@dataclass(frozen=True)
class Product:
    code: str
    name_ja: str
    name_en: str
    eligible: bool


@dataclass(frozen=True)
class Promotion:
    code: str
    name_ja: str
    name_en: str
    starts: date
    ends: date
    multiplier: Fraction
    mcc: frozenset[str]  # empty: every merchant category

    def applies(self, posted_on: date, mcc: str) -> bool:
        return self.starts <= posted_on <= self.ends and (not self.mcc or mcc in self.mcc)


@dataclass(frozen=True)
class TravelCategory:
    code: str
    name_ja: str
    name_en: str
    ranges: tuple[tuple[int, int], ...]  # merchant category codes, both ends included

    def has(self, mcc: str) -> bool:
        return mcc.isdigit() and any(low <= int(mcc) <= high for low, high in self.ranges)


@dataclass(frozen=True)
class ProgramRules:
    annual_fee_yen: int
    cancellation_window_days: int
    personal_rewards_window_days: int
    yen_per_point: int
    designated_yen_per_point: int
    products: dict[str, Product]
    designated_merchants: tuple[str, ...]  # folded
    promotions: tuple[Promotion, ...]
    savings_yen_per_point: Fraction = Fraction(1, 2)
    trip_yen_per_point: Fraction = Fraction(7, 10)
    trip_min_points: int = 1000
    trip_months: int = 12
    travel_categories: tuple[TravelCategory, ...] = ()
    order_max_quantity: int = 10
    delivery_business_days: int = 10
    claim_days: int = 30
    donation_categories: tuple[str, ...] = ("social",)

    def travel_category(self, mcc: str) -> TravelCategory | None:
        return next((c for c in self.travel_categories if c.has(mcc)), None)

    def is_designated(self, merchant: str) -> bool:
        known = _designated_seen.get((id(self), merchant))
        if known is None:
            folded = fold(merchant)
            known = any(folded.startswith(name) for name in self.designated_merchants)
            if len(_designated_seen) > 100_000:
                _designated_seen.clear()
            _designated_seen[(id(self), merchant)] = known
        return known

    def eligible_products(self) -> list[Product]:
        return [p for p in self.products.values() if p.eligible]


# Merchant names already looked up (statements repeat the same merchants many times).
_designated_seen: dict[tuple[int, str], bool] = {}


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


class _LineLoader(yaml.SafeLoader):
    pass


def _with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _with_line)


def _positive_int(data: dict, key: str, where: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise RulesError(f"{where}: {key} must be a whole number above 0 (got {value!r})")
    return value


def _codes(data: dict, key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RulesError(f"{where}: {key} must be a list of category codes (got {value!r})")
    return tuple(value)


def parse(text: str, name: str = RULES_FILE.name) -> ProgramRules:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        raise RulesError(f"{name}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise RulesError(f"{name}: expected a mapping at the top")
    where = f"{name}, line {data['__line__']}"
    products: dict[str, Product] = {}
    for row in data.get("products") or []:
        here = f"{name}, line {row.get('__line__', '?')}" if isinstance(row, dict) else where
        if not isinstance(row, dict):
            raise RulesError(f"{here}: each product is a mapping")
        for key in ("code", "name_ja", "name_en"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise RulesError(f"{here}: product needs a {key}")
        if not isinstance(row.get("eligible"), bool):
            raise RulesError(f"{here}: eligible must be true or false")
        if row["code"] in products:
            raise RulesError(f"{here}: product {row['code']} is listed twice")
        products[row["code"]] = Product(row["code"], row["name_ja"], row["name_en"],
                                        row["eligible"])
    if not any(p.eligible for p in products.values()):
        raise RulesError(f"{where}: no eligible product")
    merchants = data.get("designated_merchants") or []
    if not all(isinstance(m, str) and m.strip() for m in merchants):
        raise RulesError(f"{where}: designated_merchants must be a list of names")
    promotions = []
    for row in data.get("promotions") or []:
        here = f"{name}, line {row.get('__line__', '?')}" if isinstance(row, dict) else where
        if not isinstance(row, dict):
            raise RulesError(f"{here}: each promotion is a mapping")
        for key in ("code", "name_ja", "name_en"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise RulesError(f"{here}: promotion needs a {key}")
        starts, ends = row.get("starts"), row.get("ends")
        if not isinstance(starts, date) or not isinstance(ends, date) or ends < starts:
            raise RulesError(f"{here}: starts and ends must be dates, ends not before starts")
        try:
            multiplier = Fraction(str(row.get("multiplier")))
        except (ValueError, ZeroDivisionError):
            raise RulesError(f"{here}: multiplier must be a number") from None
        if multiplier < 1:
            raise RulesError(f"{here}: multiplier must be 1 or more")
        mcc = row.get("mcc") or []
        if not all(isinstance(c, str) and len(c) == 4 and c.isdigit() for c in mcc):
            raise RulesError(f"{here}: mcc must be a list of four-digit codes in quotes")
        promotions.append(Promotion(row["code"], row["name_ja"], row["name_en"], starts, ends,
                                    multiplier, frozenset(mcc)))
    categories = []
    for row in data.get("travel_categories") or []:
        here = f"{name}, line {row.get('__line__', '?')}" if isinstance(row, dict) else where
        if not isinstance(row, dict):
            raise RulesError(f"{here}: each travel category is a mapping")
        for key in ("code", "name_ja", "name_en"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise RulesError(f"{here}: travel category needs a {key}")
        ranges = []
        for code in row.get("mcc") or []:
            parts = str(code).split("-")
            if not 1 <= len(parts) <= 2 or not all(p.isdigit() and len(p) == 4 for p in parts):
                raise RulesError(f"{here}: mcc must be four-digit codes or ranges like "
                                 f"\"3000-3350\" (got {code!r})")
            ranges.append((int(parts[0]), int(parts[-1])))
        if not ranges:
            raise RulesError(f"{here}: travel category needs at least one mcc")
        categories.append(TravelCategory(row["code"], row["name_ja"], row["name_en"],
                                         tuple(ranges)))
    rates = {}
    for key in ("flexible_savings_yen_per_point", "trip_flex_yen_per_point"):
        try:
            rates[key] = Fraction(str(data.get(key, "")))
        except (ValueError, ZeroDivisionError):
            raise RulesError(f"{where}: {key} must be a number such as \"1/2\"") from None
        if rates[key] <= 0:
            raise RulesError(f"{where}: {key} must be above 0")
    return ProgramRules(
        savings_yen_per_point=rates["flexible_savings_yen_per_point"],
        trip_yen_per_point=rates["trip_flex_yen_per_point"],
        trip_min_points=_positive_int(data, "trip_flex_min_points", where),
        trip_months=_positive_int(data, "trip_flex_months", where),
        travel_categories=tuple(categories),
        order_max_quantity=_positive_int(data, "order_max_quantity", where),
        delivery_business_days=_positive_int(data, "delivery_business_days", where),
        claim_days=_positive_int(data, "claim_days", where),
        donation_categories=_codes(data, "donation_categories", where),
        annual_fee_yen=_positive_int(data, "annual_fee_yen", where),
        cancellation_window_days=_positive_int(data, "cancellation_window_days", where),
        personal_rewards_window_days=_positive_int(data, "personal_rewards_window_days", where),
        yen_per_point=_positive_int(data, "yen_per_point", where),
        designated_yen_per_point=_positive_int(data, "designated_yen_per_point", where),
        products=products,
        designated_merchants=tuple(fold(m) for m in merchants),
        promotions=tuple(promotions),
    )


@lru_cache(maxsize=1)
def program_rules(path: Path = RULES_FILE) -> ProgramRules:
    return parse(path.read_text(encoding="utf-8"), path.name)
