"""Load and validate the reference data in ``catalog_data/``.

A mistake stops the load with the file, the line and what is wrong. Loading is an upsert:
running it twice changes nothing, and an entry removed from a file is marked inactive (rows
that applications point at are never deleted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.reference.models import (
    Country,
    CountryFunction,
    DeletionReason,
    Function,
    FunctionRole,
    SecretQuestion,
)
from portal.settings import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "catalog_data"
LANGS = ("ja", "en")
HOLDERS = {"pa", "contact"}
CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")


class DataError(ValueError):
    """A mistake in a reference data file."""


class _LineLoader(yaml.SafeLoader):
    pass


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


@dataclass
class Entry:
    """One entry of a data file, with helpers that report mistakes precisely."""

    path: Path
    data: dict[str, Any]
    known: set[str] = field(default_factory=set)

    @property
    def line(self) -> int:
        return self.data.get("__line__", 0)

    def fail(self, message: str) -> DataError:
        return DataError(f"{self.path.name}, line {self.line}: {message}")

    def get(self, key: str, default: Any = ..., kind: type | tuple[type, ...] = object) -> Any:
        self.known.add(key)
        if key not in self.data:
            if default is ...:
                raise self.fail(f"'{key}' is missing")
            return default
        value = self.data[key]
        if not isinstance(value, kind):
            raise self.fail(f"'{key}' must be {_kind_name(kind)}, got {value!r}")
        return value

    def code(self, key: str = "code") -> str:
        value = self.get(key, kind=str)
        if not CODE.match(value):
            raise self.fail(f"'{key}' must be upper-case letters, digits and _, got {value!r}")
        return value

    def bilingual(self, key: str) -> dict[str, str]:
        value = self.get(key, kind=dict)
        missing = [lang for lang in LANGS if not str(value.get(lang) or "").strip()]
        if missing:
            raise self.fail(f"'{key}' needs text in {', '.join(missing)}")
        extra = set(value) - set(LANGS) - {"__line__"}
        if extra:
            raise self.fail(f"'{key}' has unknown languages: {', '.join(sorted(extra))}")
        return {lang: str(value[lang]).strip() for lang in LANGS}

    def holders(self, key: str = "default_holders") -> str:
        value = self.get(key, [], kind=list)
        wrong = [h for h in value if h not in HOLDERS]
        if wrong:
            raise self.fail(f"'{key}' may only list {sorted(HOLDERS)}, got {wrong}")
        return ",".join(value)

    def check_no_unknown_keys(self) -> None:
        extra = set(self.data) - self.known - {"__line__"}
        if extra:
            raise self.fail(f"unknown key(s): {', '.join(sorted(extra))}")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", bool: "true or false", list: "a list",
             dict: "a mapping"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def read_entries(path: Path) -> list[Entry]:
    if not path.exists():
        raise DataError(f"{path.name}: file is missing")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise DataError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, list):
        raise DataError(f"{path.name}: the file must be a list of entries")
    entries = []
    seen: dict[str, int] = {}
    for item in data:
        if not isinstance(item, dict):
            raise DataError(f"{path.name}: every entry must be a mapping, got {item!r}")
        entry = Entry(path, item)
        code = entry.code()
        if code in seen:
            raise entry.fail(f"code {code} is already used on line {seen[code]}")
        seen[code] = entry.line
        entries.append(entry)
    return entries


@dataclass
class ReferenceData:
    countries: list[dict[str, Any]]
    functions: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    country_functions: list[tuple[str, str]]
    secret_questions: list[dict[str, Any]]
    deletion_reasons: list[dict[str, Any]]


def parse(data_dir: Path | None = None) -> ReferenceData:
    """Read and validate every file; raise :class:`DataError` on the first mistake."""
    data_dir = data_dir or DATA_DIR
    functions, roles = [], []
    for position, entry in enumerate(read_entries(data_dir / "functions.yaml")):
        code = entry.code()
        name = entry.bilingual("name")
        description = entry.bilingual("description")
        functions.append({
            "code": code, "name_ja": name["ja"], "name_en": name["en"],
            "description_ja": description["ja"], "description_en": description["en"],
            "default_holders": entry.holders(), "position": position,
        })
        role_codes: set[str] = set()
        for role_position, raw_role in enumerate(entry.get("roles", [], kind=list)):
            if not isinstance(raw_role, dict):
                raise entry.fail(f"each role must be a mapping, got {raw_role!r}")
            role = Entry(entry.path, raw_role)
            role_code = role.code()
            if role_code in role_codes:
                raise role.fail(f"role {role_code} appears twice in {code}")
            role_codes.add(role_code)
            role_name = role.bilingual("name")
            roles.append({
                "function_code": code, "code": role_code,
                "name_ja": role_name["ja"], "name_en": role_name["en"],
                "approval": role.get("approval", kind=bool),
                "default_holders": role.holders(), "position": role_position,
            })
            role.check_no_unknown_keys()
        entry.check_no_unknown_keys()
    function_codes = {f["code"] for f in functions}

    countries, country_functions = [], []
    for position, entry in enumerate(read_entries(data_dir / "countries.yaml")):
        code = entry.code()
        if len(code) != 2:
            raise entry.fail(f"'code' must be a two-letter ISO country code, got {code!r}")
        name = entry.bilingual("name")
        language = entry.get("language", kind=str)
        if language not in LANGS:
            raise entry.fail(f"'language' must be one of {LANGS}, got {language!r}")
        group = entry.get("control_group", kind=dict)
        prefix, length = group.get("prefix"), group.get("length")
        if not isinstance(prefix, str) or not prefix.isdigit():
            raise entry.fail("'control_group.prefix' must be digits in quotes, e.g. \"392\"")
        if not isinstance(length, int) or isinstance(length, bool) or length <= len(prefix):
            raise entry.fail("'control_group.length' must be a whole number longer than the prefix")
        offered = entry.get("functions", kind=list)
        unknown = [f for f in offered if f not in function_codes]
        if unknown:
            raise entry.fail(f"unknown function(s) {unknown}; see functions.yaml")
        if len(set(offered)) != len(offered):
            raise entry.fail("a function is listed twice")
        countries.append({
            "code": code, "name_ja": name["ja"], "name_en": name["en"], "language": language,
            "cg_prefix": prefix, "cg_length": length,
            "access_changes": entry.get("access_changes", kind=bool),
            "oca_approver_documents": entry.get("oca_approver_documents", False, kind=bool),
            "position": position,
        })
        country_functions.extend((code, f) for f in offered)
        entry.check_no_unknown_keys()

    lists = {}
    for name in ("secret_questions", "deletion_reasons"):
        rows = []
        for position, entry in enumerate(read_entries(data_dir / f"{name}.yaml")):
            text = entry.bilingual("text")
            rows.append({"code": entry.code(), "text_ja": text["ja"], "text_en": text["en"],
                         "position": position})
            entry.check_no_unknown_keys()
        lists[name] = rows

    return ReferenceData(countries, functions, roles, country_functions,
                         lists["secret_questions"], lists["deletion_reasons"])


def _upsert(session: Session, model: type, rows: list[dict[str, Any]], key: tuple[str, ...]) -> int:
    """Insert or update ``rows``; mark rows that are gone inactive. Returns rows changed."""
    changed = 0
    existing = {tuple(getattr(obj, k) for k in key): obj for obj in session.scalars(select(model))}
    for row in rows:
        values = dict(row, active=True)
        obj = existing.pop(tuple(row[k] for k in key), None)
        if obj is None:
            session.add(model(**values))
            changed += 1
            continue
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed += 1
    for obj in existing.values():
        if obj.active:
            obj.active = False
            changed += 1
    return changed


def load(session: Session, data_dir: Path | None = None) -> int:
    """Validate and store the reference data. Returns how many rows changed."""
    data = parse(data_dir)
    changed = _upsert(session, Function, data.functions, ("code",))
    session.flush()
    changed += _upsert(session, FunctionRole, data.roles, ("function_code", "code"))
    changed += _upsert(session, Country, data.countries, ("code",))
    session.flush()
    wanted = set(data.country_functions)
    current = {(cf.country_code, cf.function_code): cf
               for cf in session.scalars(select(CountryFunction))}
    for pair in wanted - set(current):
        session.add(CountryFunction(country_code=pair[0], function_code=pair[1]))
        changed += 1
    for pair in set(current) - wanted:
        session.delete(current[pair])
        changed += 1
    changed += _upsert(session, SecretQuestion, data.secret_questions, ("code",))
    changed += _upsert(session, DeletionReason, data.deletion_reasons, ("code",))
    session.flush()
    return changed
