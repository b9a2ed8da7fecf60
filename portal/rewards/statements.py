"""Statement import: posted card transactions from a CSV file into the ledger (CMR-4).

The file is UTF-8 (a byte-order mark is allowed) with a header row naming these columns,
in any order:

    reference,card_number,posted_on,merchant,mcc,amount,kind

- ``reference``: the transaction's unique reference (at most 64 characters). A reference
  already imported is skipped, so importing the same file twice changes nothing.
- ``card_number``: the card's 15 digits (spaces and hyphens allowed); the card must be
  enrolled in a program.
- ``posted_on``: ``YYYY-MM-DD``. ``merchant``: the merchant's name. ``mcc``: the four-digit
  merchant category code, or empty.
- ``amount``: whole yen; charges positive, ``credit``, ``unpaid_writeoff`` and ``payment``
  negative, ``annual_fee`` either (a refund is negative).
- ``kind``: one of purchase, corporate_tax, cash_advance, travellers_cheque, late_fee,
  revolving_fee, annual_fee, emoney_topup, credit, unpaid_writeoff, payment (the
  cardmember's payment: it lowers the unpaid balance and earns nothing).

Rows are applied in file order. A bad row stops the import with the file, the line and the
reason (``StatementError``); the caller rolls back, so nothing of the file is kept.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.rewards.cards import normalize_number, number_hash
from portal.rewards.earning import CardState, Charge, points_for
from portal.rewards.ledger import Ledger, bulk_insert, lock_account
from portal.rewards.program import TRANSACTION_KINDS, Card, CardTransaction
from portal.rewards.rules import program_rules

COLUMNS = ("reference", "card_number", "posted_on", "merchant", "mcc", "amount", "kind")
CHUNK = 20_000
NEGATIVE = {"credit", "unpaid_writeoff", "payment"}
# Made by the portal itself (redemptions), never imported.
NOT_IMPORTED = {"points_credit"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^-?\d{1,12}$")


class StatementError(ValueError):
    def __init__(self, name: str, line: int, reason):
        super().__init__(f"{name}, line {line}: {reason}")
        self.name, self.line, self.reason = name, line, reason


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    points: int = 0


@dataclass(frozen=True)
class _Card:
    id: int
    account_id: int
    state: CardState


def _cards(session: Session, account_id: int | None) -> dict[str, _Card]:
    query = select(Card.number_hash, Card.id, Card.account_id, Card.enrolled_on, Card.left_on,
                   Card.status)
    if account_id is not None:
        query = query.where(Card.account_id == account_id)
    rows = session.execute(query)
    return {h: _Card(i, a, CardState(e, left, s)) for h, i, a, e, left, s in rows}


def _parse_row(row: list[str], index: dict[str, int], cards: dict[str, _Card], key: str,
               hashes: dict[str, str | None], one_program: bool):
    if len(row) < len(index):
        row = row + [""] * (len(index) - len(row))
    value = {name: row[i].strip() for name, i in index.items()}
    reference = value["reference"]
    if not reference or len(reference) > 64:
        return _l("The reference is missing or longer than 64 characters.")
    raw = value["card_number"]
    if raw not in hashes:
        digits = normalize_number(raw)
        hashes[raw] = number_hash(digits, key) if digits else None
    hashed = hashes[raw]
    if hashed is None:
        return _l("The card number is not a valid 15-digit card number.")
    card = cards.get(hashed)
    if card is None:
        return (_l("This card is not enrolled in this rewards program.") if one_program
                else _l("This card is not enrolled in any rewards program."))
    if not _DATE.match(value["posted_on"]):
        return _l("The posting date must be written YYYY-MM-DD.")
    try:
        posted_on = date.fromisoformat(value["posted_on"])
    except ValueError:
        return _l("The posting date is not a real date.")
    merchant = value["merchant"]
    if not merchant or len(merchant) > 200:
        return _l("The merchant is missing or longer than 200 characters.")
    mcc = value["mcc"]
    if mcc and not (len(mcc) == 4 and mcc.isascii() and mcc.isdigit()):
        return _l("The merchant category code must be four digits.")
    kind = value["kind"]
    if kind not in TRANSACTION_KINDS or kind in NOT_IMPORTED:
        return _l("Unknown kind of transaction: %(kind)s.", kind=kind[:40])
    if not _AMOUNT.match(value["amount"]):
        return _l("The amount must be a whole number of yen.")
    amount = int(value["amount"])
    if kind in NEGATIVE and amount >= 0:
        return _l("A credit, write-off or payment must have a negative amount.")
    if kind not in NEGATIVE and kind != "annual_fee" and amount <= 0:
        return _l("A charge must have an amount above zero.")
    return card, Charge(kind, amount, posted_on, merchant, mcc), reference


def _pending(session: Session) -> set[str]:
    """The references of charges not yet posted (portal.cardmember: a handful at a time)."""
    from portal.cardmember.models import PendingCharge

    return set(session.scalars(select(PendingCharge.reference)))


def _posted(session: Session, pending: set[str], references: list[str]) -> None:
    """Charges now posted are no longer pending."""
    from portal.cardmember.models import PendingCharge

    done = pending.intersection(references)
    if done:
        session.execute(delete(PendingCharge).where(PendingCharge.reference.in_(done)))
        pending.difference_update(done)


def _existing(session: Session, references: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(references), 5000):
        part = references[start:start + 5000]
        found.update(session.scalars(select(CardTransaction.reference)
                                     .where(CardTransaction.reference.in_(part))))
    return found


def _new_ids(session: Session, count: int) -> list[int]:
    """Ids for ``count`` new transactions, taken before inserting them (so that the ledger
    rows can name them without reading them back). PostgreSQL: from the column's sequence.
    SQLite: after the largest id, under the write lock the import holds (``immediate``)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return list(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence('card_transaction', 'id')) "
                 "FROM generate_series(1, :n)"), {"n": count}).scalars())
    start = connection.execute(select(func.coalesce(func.max(CardTransaction.id), 0))).scalar()
    return list(range(start + 1, start + 1 + count))


def import_statement(session: Session, lines: Iterable[str], name: str, key: str,
                     tax_yen_per_point: int, account_id: int | None = None) -> ImportResult:
    """Import a statement (see the module's docstring); the caller commits or rolls back.
    With ``account_id``, only that program's cards are accepted."""
    rules = program_rules()
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise StatementError(name, 1, _l("The file is empty.")) from None
    except csv.Error as error:
        raise StatementError(name, 1, str(error)) from None
    header = [h.lstrip("\ufeff").strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise StatementError(name, 1, _l("Columns missing from the header: %(columns)s.",
                                         columns=", ".join(missing)))
    index = {c: header.index(c) for c in COLUMNS}
    cards, hashes = _cards(session, account_id), {}
    pending = _pending(session)
    ledgers: dict[int, Ledger] = {}
    result, seen = ImportResult(), set()
    chunk: list[tuple[int, _Card, Charge, str]] = []

    def flush() -> None:
        existing = _existing(session, [c[3] for c in chunk])
        fresh = [c for c in chunk if c[3] not in existing]
        result.skipped += len(chunk) - len(fresh)
        if not fresh:
            return
        rows, earned, now = [], [], utcnow()
        for _line, card, charge, reference in fresh:
            got = points_for(charge, card.state, rules, tax_yen_per_point)
            earned.append(got)
            rows.append(dict(card_id=card.id, reference=reference, posted_on=charge.posted_on,
                             merchant=charge.merchant, mcc=charge.mcc, amount=charge.amount,
                             kind=charge.kind, points=got.points, points_rule=got.rule,
                             source=name[:200], created_at=now))
        ids = _new_ids(session, len(rows))
        for row, txn_id in zip(rows, ids, strict=True):
            row["id"] = txn_id
        bulk_insert(session, CardTransaction.__table__, rows)
        _posted(session, pending, [row["reference"] for row in rows])
        for (_line, card, charge, _ref), got, txn_id in zip(fresh, earned, ids, strict=True):
            if got.points == 0:
                continue
            ledger = ledgers.get(card.account_id)
            if ledger is None:
                ledger = ledgers[card.account_id] = Ledger(
                    session, lock_account(session, card.account_id))
            kind = "earn" if got.points > 0 else "credit"
            ledger.move(kind, got.points, got.rule, charge.posted_on, card_id=card.id,
                        transaction_id=txn_id, source=f"statement:{name}"[:200])
            result.points += got.points
        for ledger in ledgers.values():
            ledger.finish()
        result.imported += len(fresh)

    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            raise StatementError(name, reader.line_num, str(error)) from None
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        parsed = _parse_row(row, index, cards, key, hashes, account_id is not None)
        if not isinstance(parsed, tuple):
            raise StatementError(name, line, parsed)
        card, charge, reference = parsed
        if reference in seen:
            raise StatementError(name, line, _l("This reference appears twice in the file."))
        seen.add(reference)
        chunk.append((line, card, charge, reference))
        if len(chunk) >= CHUNK:
            flush()
            chunk = []
    if chunk:
        flush()
    return result
