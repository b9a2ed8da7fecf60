"""Reference data for the enrollment forms, cached per process.

Countries, functions and roles change only when ``flask load-data`` runs, yet every wizard
request needs them (the "Add access" swap, the review, the PDF). A frozen snapshot is kept
per process for ``TTL`` seconds, so a request reads them without a query.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.i18n import current_language

TTL = 60.0


@dataclass(frozen=True)
class RoleInfo:
    code: str
    name_ja: str
    name_en: str
    approval: bool

    def name(self, language: str | None = None) -> str:
        return _pick(self.name_ja, self.name_en, language)


@dataclass(frozen=True)
class FunctionInfo:
    code: str
    name_ja: str
    name_en: str
    description_ja: str
    description_en: str
    roles: tuple[RoleInfo, ...]

    @property
    def approval_roles(self) -> tuple[RoleInfo, ...]:
        return tuple(role for role in self.roles if role.approval)

    @property
    def asks_for_role(self) -> bool:
        return bool(self.approval_roles)

    def name(self, language: str | None = None) -> str:
        return _pick(self.name_ja, self.name_en, language)

    def role(self, code: str | None) -> RoleInfo | None:
        return next((role for role in self.roles if role.code == code), None)


@dataclass(frozen=True)
class CountryInfo:
    code: str
    name_ja: str
    name_en: str
    language: str
    cg_prefix: str
    cg_length: int
    access_changes: bool
    oca_approver_documents: bool
    functions: tuple[str, ...]

    @property
    def cg_rest_length(self) -> int:
        return self.cg_length - len(self.cg_prefix)

    def name(self, language: str | None = None) -> str:
        return _pick(self.name_ja, self.name_en, language)


@dataclass(frozen=True)
class Reference:
    countries: tuple[CountryInfo, ...]
    functions: dict[str, FunctionInfo]
    deletion_reasons: tuple[tuple[str, str, str], ...]  # (code, ja, en)

    def country(self, code: str | None) -> CountryInfo | None:
        code = (code or "").upper()
        return next((c for c in self.countries if c.code == code), None)

    def function(self, code: str | None) -> FunctionInfo | None:
        return self.functions.get(code or "")

    def country_functions(self, code: str | None) -> list[FunctionInfo]:
        found = self.country(code)
        if found is None:
            return []
        return [self.functions[f] for f in found.functions if f in self.functions]

    def deletion_reason(self, code: str | None, language: str | None = None) -> str:
        for reason_code, ja, en in self.deletion_reasons:
            if reason_code == code:
                return _pick(ja, en, language)
        return code or ""


def _pick(ja: str, en: str, language: str | None) -> str:
    language = language or current_language()
    return (ja or en) if language == "ja" else (en or ja)


_lock = threading.Lock()
_cache: dict[str, tuple[float, Reference]] = {}


def load(session: Session) -> Reference:
    """The snapshot for the database ``session`` is bound to (at most ``TTL`` seconds old)."""
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    cached = _cache.get(key)
    if cached and now - cached[0] < TTL:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached and now - cached[0] < TTL:
            return cached[1]
        snapshot = _read(session)
        if snapshot.countries:  # never cache an empty database (before load-data)
            _cache[key] = (now, snapshot)
        return snapshot


def clear() -> None:
    _cache.clear()


def _read(session: Session) -> Reference:
    from portal.reference import services

    functions = {
        f.code: FunctionInfo(
            f.code, f.name_ja, f.name_en, f.description_ja, f.description_en,
            tuple(RoleInfo(r.code, r.name_ja, r.name_en, r.approval)
                  for r in f.roles if r.active),
        )
        for f in services.functions(session)
    }
    offered: dict[str, list[str]] = {}
    for function_code, countries in services.countries_by_function(session).items():
        for country in countries:
            offered.setdefault(country.code, []).append(function_code)
    order = {code: position for position, code in enumerate(functions)}
    countries = tuple(
        CountryInfo(
            c.code, c.name_ja, c.name_en, c.language, c.cg_prefix, c.cg_length,
            c.access_changes, c.oca_approver_documents,
            tuple(sorted((f for f in offered.get(c.code, []) if f in functions),
                         key=order.__getitem__)),
        )
        for c in services.countries(session)
    )
    reasons = tuple((r.code, r.text_ja, r.text_en) for r in services.deletion_reasons(session))
    return Reference(countries, functions, reasons)
