"""The points ledger: every change of a program account's balance is one appended entry.

``Ledger`` applies movements to one locked account and returns the entry rows to insert;
``post`` does both for a single movement. The account's ``balance`` always equals the sum of
its entries (``ledger_sum``; the tests check it after every operation) and never goes below
zero: a credit larger than the balance takes what there is and carries the rest
(``carried``), which the next incoming points pay off first (a ``carry`` entry).

Nothing here commits; the caller does, so the entries and the change that caused them are
kept together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.rewards.program import PointsEntry, ProgramAccount

# Kinds whose negative points may exceed the balance (the rest is carried).
CARRYING = frozenset({"credit"})


class LedgerError(ValueError):
    """A movement that would take the balance below zero."""


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # as portal.db.UTCDateTime stores it on SQLite
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows at once (every row with the same keys). On SQLite the driver's own
    executemany is used, which is several times faster than SQLAlchemy's parameter
    processing for the hundreds of thousands of rows of a statement import; values are
    written the way SQLAlchemy writes them (dates as ISO text, UTC datetimes naive)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    getter = itemgetter(*columns)
    dated = [i for i, c in enumerate(columns)
             if any(isinstance(row[c], date) for row in rows[:1])]
    seen: dict[Any, Any] = {}  # rows share a handful of dates: convert each once
    params = []
    for row in rows:
        values = list(getter(row))
        for i in dated:
            value = values[i]
            if value is not None:
                text = seen.get(value)
                if text is None:
                    text = seen[value] = _sqlite_value(value)
                values[i] = text
        params.append(tuple(values))
    connection.exec_driver_sql(sql, params)


def lock_account(session: Session, account_id: int) -> ProgramAccount:
    """The account, locked until the transaction ends (a row lock on PostgreSQL; on SQLite
    open the transaction with ``portal.db.immediate`` first)."""
    return session.scalars(
        select(ProgramAccount).where(ProgramAccount.id == account_id)
        .with_for_update().execution_options(populate_existing=True)
    ).one()


@dataclass
class Ledger:
    """Movements on one locked account; ``finish`` writes the balance change."""

    session: Session
    account: ProgramAccount
    balance: int = field(init=False)
    carried: int = field(init=False)
    now: datetime = field(init=False)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.balance = self.account.balance
        self.carried = self.account.carried
        self.now = utcnow()

    def _row(self, kind: str, points: int, reason: str, booked_on: date,
             **links: Any) -> None:
        self.rows.append(dict(
            account_id=self.account.id, kind=kind, points=points, reason=reason,
            booked_on=booked_on, card_id=links.get("card_id"),
            transaction_id=links.get("transaction_id"), source=links.get("source", ""),
            created_at=links.get("created_at") or self.now,
        ))

    def move(self, kind: str, points: int, reason: str, booked_on: date, **links: Any) -> None:
        if points > 0:
            self._row(kind, points, reason, booked_on, **links)
            self.balance += points
            if self.carried:
                paid = min(self.carried, points)
                self.carried -= paid
                self.balance -= paid
                self._row("carry", -paid, "carried_credit", booked_on, **links)
        elif points < 0:
            wanted = -points
            if wanted > self.balance and kind not in CARRYING:
                raise LedgerError(f"{kind} of {wanted} points exceeds the balance "
                                  f"of {self.balance}")
            taken = min(wanted, self.balance)
            self.carried += wanted - taken
            self.balance -= taken
            self._row(kind, -taken, reason if taken == wanted else f"{reason}_carried",
                      booked_on, **links)

    def finish(self) -> list[dict[str, Any]]:
        """Insert the entries and move the balance; returns the entry rows."""
        bulk_insert(self.session, PointsEntry.__table__, self.rows)
        delta = self.balance - self.account.balance
        carried = self.carried - self.account.carried
        if delta or carried or self.rows:
            self.session.execute(
                update(ProgramAccount).where(ProgramAccount.id == self.account.id)
                .values(balance=ProgramAccount.balance + delta,
                        carried=ProgramAccount.carried + carried,
                        entries=ProgramAccount.entries + len(self.rows))
            )
            self.session.expire(self.account, ["balance", "carried", "entries"])
        rows, self.rows = self.rows, []
        return rows


def post(session: Session, account: ProgramAccount, kind: str, points: int, reason: str,
         booked_on: date, **links: Any) -> list[dict[str, Any]]:
    """Append one movement to a locked ``account`` (see :func:`lock_account`)."""
    ledger = Ledger(session, account)
    ledger.move(kind, points, reason, booked_on, **links)
    return ledger.finish()


def ledger_sum(session: Session, account_id: int) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(PointsEntry.points), 0))
        .where(PointsEntry.account_id == account_id)
    ) or 0


def check_invariant(session: Session, account_id: int) -> int:
    """The balance, after checking that it equals the ledger's sum and is not negative."""
    balance = session.scalar(select(ProgramAccount.balance)
                             .where(ProgramAccount.id == account_id))
    total = ledger_sum(session, account_id)
    if balance != total or balance < 0:
        raise AssertionError(f"account {account_id}: balance {balance}, ledger sum {total}")
    return balance
