"""Queries over the reference data used by pages and forms."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.reference.models import (
    Country,
    CountryFunction,
    DeletionReason,
    Function,
    FunctionRole,
    SecretQuestion,
)


def countries(session: Session, *, changes_only: bool = False) -> list[Country]:
    query = select(Country).where(Country.active).order_by(Country.position)
    if changes_only:
        query = query.where(Country.access_changes)
    return list(session.scalars(query))


def countries_by_function(session: Session) -> dict[str, list[Country]]:
    """For each function code, the active countries that offer it (one query)."""
    query = (
        select(CountryFunction.function_code, Country)
        .join(Country, Country.code == CountryFunction.country_code)
        .where(Country.active)
        .order_by(Country.position)
    )
    offered: dict[str, list[Country]] = {}
    for function_code, found in session.execute(query):
        offered.setdefault(function_code, []).append(found)
    return offered


def country(session: Session, code: str | None) -> Country | None:
    if not code:
        return None
    found = session.get(Country, code.upper())
    return found if found is not None and found.active else None


def functions(session: Session) -> list[Function]:
    query = (
        select(Function)
        .where(Function.active)
        .options(selectinload(Function.roles))
        .order_by(Function.position)
    )
    return list(session.scalars(query))


def role(session: Session, function_code: str, code: str) -> FunctionRole | None:
    return session.scalar(
        select(FunctionRole).where(
            FunctionRole.function_code == function_code,
            FunctionRole.code == code,
            FunctionRole.active,
        )
    )


def secret_questions(session: Session) -> list[SecretQuestion]:
    query = select(SecretQuestion).where(SecretQuestion.active).order_by(SecretQuestion.position)
    return list(session.scalars(query))


def deletion_reasons(session: Session) -> list[DeletionReason]:
    query = select(DeletionReason).where(DeletionReason.active).order_by(DeletionReason.position)
    return list(session.scalars(query))
