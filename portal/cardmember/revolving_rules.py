"""OS-6's rules as data: ``catalog_data/revolving.yaml``.

``revolving_rules()`` reads and checks the file once per process; a mistake raises
``RevolvingRulesError`` (a ``portal.reference.loader.DataError``) naming the file, the line
and the problem, and ``flask load-data`` reads it too, so a bad edit is caught before the
portal serves it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from portal.reference.loader import DataError
from portal.rewards.points import add_months
from portal.rewards.program import TRANSACTION_KINDS
from portal.settings import PROJECT_ROOT

RULES_FILE = PROJECT_ROOT / "catalog_data" / "revolving.yaml"
KEYS = ("kinds", "min_charge_yen", "min_monthly_yen", "step_yen", "cutoff_day")


class RevolvingRulesError(DataError):
    """A mistake in the revolving rules file."""


@dataclass(frozen=True)
class RevolvingRules:
    kinds: frozenset[str]
    min_charge_yen: int
    min_monthly_yen: int
    step_yen: int
    cutoff_day: int

    def cutoff(self, posted_on: date) -> date:
        """The last day a charge posted on ``posted_on`` may be switched, or its switch
        undone: ``cutoff_day`` of the next month (its last day when the month is shorter)."""
        following = add_months(posted_on.replace(day=1), 1)
        last = calendar.monthrange(following.year, following.month)[1]
        return following.replace(day=min(self.cutoff_day, last))


class _LineLoader(yaml.SafeLoader):
    pass


def _with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _with_line)


def _line_of(text: str, key: str) -> int:
    return next((n for n, line in enumerate(text.splitlines(), 1)
                 if line.startswith(f"{key}:")), 1)


def parse(text: str, name: str = RULES_FILE.name) -> RevolvingRules:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        raise RevolvingRulesError(f"{name}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise RevolvingRulesError(f"{name}: expected a mapping at the top")

    def fail(key: str, problem: str) -> RevolvingRulesError:
        return RevolvingRulesError(f"{name}, line {_line_of(text, key)}: {key} {problem}")

    unknown = sorted(set(data) - set(KEYS) - {"__line__"})
    if unknown:
        raise RevolvingRulesError(f"{name}: unknown key(s): {', '.join(map(str, unknown))}")
    kinds = data.get("kinds")
    if not isinstance(kinds, list) or not kinds:
        raise fail("kinds", "must be a list of statement kinds")
    wrong = [k for k in kinds if k not in TRANSACTION_KINDS]
    if wrong:
        raise fail("kinds", f"names unknown statement kinds: {wrong}")
    numbers = {}
    for key in ("min_charge_yen", "min_monthly_yen", "step_yen", "cutoff_day"):
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise fail(key, f"must be a whole number above 0 (got {value!r})")
        numbers[key] = value
    if numbers["cutoff_day"] > 31:
        raise fail("cutoff_day", "must be a day of the month (1 to 31)")
    if numbers["min_monthly_yen"] % numbers["step_yen"]:
        raise fail("min_monthly_yen", "must be a whole number of steps (step_yen)")
    if numbers["min_charge_yen"] < numbers["min_monthly_yen"]:
        raise fail("min_charge_yen", "must not be below min_monthly_yen")
    return RevolvingRules(kinds=frozenset(kinds), **numbers)


@lru_cache(maxsize=1)
def revolving_rules(path: Path = RULES_FILE) -> RevolvingRules:
    if not path.exists():
        raise RevolvingRulesError(f"{path.name}: file is missing")
    return parse(path.read_text(encoding="utf-8"), path.name)
