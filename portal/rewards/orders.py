"""Ordering catalog items and making donations with the company's points (CMR-6.c).

An order is a ``Redemption`` of kind ``item`` (delivered to an address) or ``donation``
(items of the ``donation_categories`` in ``catalog_data/rewards_program.yaml``: no address, a
receipt). ``check`` reads and checks a request; ``place`` spends the points: the account row
is locked (``FOR UPDATE``; SQLite: ``BEGIN IMMEDIATE``), the item's stock and the balance
are read again under the lock, and the order and its ``redeem`` ledger entry are written in
that one transaction, so an item that went out of stock, or points another order took
first, stop it before any point moves. A form's one-time key is unique: a repeated submit
gets the first order back.

An item order moves through ``ordered`` → ``shipped`` → ``delivered``; staff may send an
equal item instead (``substituted``: in stock, worth at least as many points, nothing more
charged) or give the points back (``refunded``, a ``refund`` entry with the reason). The PA
may report an item that has not arrived from the day after its expected date
(``delivery_business_days`` business days after the order) until ``claim_days`` days after
it. Each change is kept in the order's ``events`` and, for staff, in the audit trail.
Nothing here commits.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from portal.backoffice import audit
from portal.enrollment import rules as text_rules
from portal.reference.postal import PREFECTURES, lookup
from portal.rewards.ledger import LedgerError, lock_account, post
from portal.rewards.models import CatalogItem
from portal.rewards.points import Access
from portal.rewards.program import Redemption
from portal.rewards.redeem import RedeemError, check_access, new_reference
from portal.rewards.rules import program_rules
from portal.workdays import add_business_days

STATUSES = ("ordered", "shipped", "delivered", "substituted", "refunded", "done")
# What staff may do from each status (the target status of each action).
NEXT = {
    "ship": ("shipped", {"ordered", "substituted"}),
    "deliver": ("delivered", {"ordered", "shipped", "substituted"}),
    "substitute": ("substituted", {"ordered", "shipped"}),
    "refund": ("refunded", {"ordered", "shipped", "substituted", "delivered"}),
}
ADDRESS_FIELDS = ("name", "postal_code", "prefecture", "city", "street", "building", "phone")
TEXT_MAX = 100
_PHONE = re.compile(r"^\+?[0-9][0-9\-]{8,14}[0-9]$")


def is_donation(item: CatalogItem) -> bool:
    return item.category in program_rules().donation_categories


@dataclass(frozen=True)
class Address:
    name: str = ""
    postal_code: str = ""
    prefecture: str = ""
    city: str = ""
    street: str = ""
    building: str = ""
    phone: str = ""

    @classmethod
    def of(cls, values: dict | None) -> Address:
        values = values or {}
        return cls(**{f: str(values.get(f) or "").strip() for f in ADDRESS_FIELDS})


def filled_from_postal_code(address: Address) -> tuple[Address, str | None]:
    """``address`` with the prefecture and city (and district, at the start of the street
    when the street is empty) of its postal code; the second value says what went wrong."""
    problem = text_rules.postal_code_problem(address.postal_code)
    if problem:
        return address, problem
    code = text_rules.normalize_postal_code(address.postal_code)
    found = lookup(code)
    if found is None:
        return address, str(_l("No address has this postal code. Check it, or fill in the "
                               "address yourself."))
    return Address(address.name, code, found.prefecture, found.city,
                   address.street or found.district, address.building, address.phone), None


def address_problems(address: Address) -> list[tuple[str, object]]:
    errors: list[tuple[str, object]] = []
    if not address.name:
        errors.append(("name", _l("Enter the name of the person who receives the item.")))
    problem = text_rules.postal_code_problem(address.postal_code)
    found = None if problem else lookup(text_rules.normalize_postal_code(address.postal_code))
    if problem:
        errors.append(("postal_code", problem))
    elif found is None:
        errors.append(("postal_code", _l("No address has this postal code. Check it.")))
    if address.prefecture not in PREFECTURES:
        errors.append(("prefecture", _l("Choose the prefecture.")))
    elif found is not None and found.prefecture != address.prefecture:
        errors.append(("prefecture", _l(
            "The postal code %(code)s is in %(prefecture)s. Check the postal code or the "
            "prefecture.", code=found.postal_code, prefecture=found.prefecture)))
    if not address.city:
        errors.append(("city", _l("Enter the city, ward, town or village.")))
    if not address.street:
        errors.append(("street", _l("Enter the street address.")))
    if not _PHONE.match(text_rules.normalize_number(address.phone).replace(" ", "")):
        errors.append(("phone", _l("Enter a phone number for the delivery, like "
                                   "03-1234-5678.")))
    for name in ("name", "city", "street", "building"):
        if len(getattr(address, name)) > TEXT_MAX and not any(f == name for f, _m in errors):
            errors.append((name, _l("Use at most %(max)d characters.", max=TEXT_MAX)))
    return errors


def tidy(address: Address) -> Address:
    return Address(address.name, text_rules.normalize_postal_code(address.postal_code),
                   address.prefecture, address.city, address.street, address.building,
                   text_rules.normalize_number(address.phone).replace(" ", ""))


@dataclass
class OrderQuote:
    item: CatalogItem
    quantity: int
    points: int
    donation: bool
    address: Address | None
    expected_on: date | None


def _quantity(raw: str | int | None) -> int | None:
    text = text_rules.normalize(str(raw if raw is not None else ""))
    return int(text) if text.isdigit() and len(text) <= 4 else None


def check(session: Session, access: Access | None, item_no: str, quantity: str | int | None,
          address: Address | None, today: date) -> OrderQuote:
    """Check an order of ``quantity`` of item ``item_no``; every problem is raised at once
    (``RedeemError``), next to its field."""
    account = check_access(access, today)
    rules = program_rules()
    item = session.get(CatalogItem, item_no)
    if item is None or not item.active:
        raise RedeemError([("quantity", _l("This item is no longer in the catalog."))])
    donation = is_donation(item)
    errors: list[tuple[str, object]] = []
    wanted = _quantity(quantity)
    if wanted is None or not 1 <= wanted <= rules.order_max_quantity:
        errors.append(("quantity", _l("Choose a quantity from 1 to %(max)s.",
                                      max=rules.order_max_quantity)))
    if not item.in_stock:
        errors.append(("quantity", _l(
            "This donation is not being taken now. No points were used.") if donation else _l(
            "This item is out of stock, so it cannot be ordered now. No points were used.")))
    if not donation:
        errors.extend(address_problems(address or Address()))
    if wanted is not None and not any(f == "quantity" for f, _m in errors):
        if item.points * wanted > account.balance:
            errors.append(("quantity", _l(
                "This comes to %(points)s points; the company has %(balance)s.",
                points=format_decimal(item.points * wanted),
                balance=format_decimal(account.balance))))
    if errors:
        raise RedeemError(errors)
    assert wanted is not None
    expected = None if donation else add_business_days(today, rules.delivery_business_days)
    return OrderQuote(item, wanted, item.points * wanted, donation,
                      None if donation else tidy(address or Address()), expected)


def place(session: Session, access: Access | None, user_id: int, item_no: str,
          quantity: str | int | None, address: Address | None, key: str,
          today: date) -> tuple[Redemption, bool]:
    """Order (see the module's docstring); returns the order and whether it is new."""
    if not key or len(key) > 64:
        raise RedeemError([("quantity", _l("This form has expired. Please start again."))])
    earlier = session.scalar(select(Redemption).where(Redemption.key == key))
    if earlier is not None:
        return earlier, False
    if access is not None:  # serialise spending on this account
        lock_account(session, access.account.id)
        earlier = session.scalar(select(Redemption).where(Redemption.key == key))
        if earlier is not None:
            return earlier, False
        session.expire_all()  # read the item's stock and the balance under the lock
        access = Access(session.get_one(type(access.account), access.account.id), access.role)
    offer = check(session, access, item_no, quantity, address, today)
    assert access is not None
    account = access.account
    reference = new_reference()
    kind = "donation" if offer.donation else "item"
    try:
        post(session, account, "redeem", -offer.points, kind, today,
             source=f"redemption:{reference}")
    except LedgerError:
        raise RedeemError([("quantity", _l("The company no longer has enough points for "
                                           "this."))]) from None
    detail: dict = {
        "item_no": offer.item.item_no, "name_ja": offer.item.name_ja,
        "name_en": offer.item.name_en, "unit_points": offer.item.points,
        "quantity": offer.quantity,
        "events": [{"status": "ordered" if kind == "item" else "done", "on": today.isoformat(),
                    "by": f"user:{user_id}"}],
    }
    if offer.address is not None:
        detail["address"] = asdict(offer.address)
        detail["expected_on"] = offer.expected_on.isoformat() if offer.expected_on else None
    order = Redemption(reference=reference, key=key, account_id=account.id, user_id=user_id,
                       kind=kind, points=offer.points, yen=None, card_id=None,
                       status="ordered" if kind == "item" else "done", detail=detail)
    session.add(order)
    session.flush()
    return order, True


# --- after the order ----------------------------------------------------------------------

def expected_on(order: Redemption) -> date | None:
    value = (order.detail or {}).get("expected_on")
    return date.fromisoformat(value) if value else None


def events(order: Redemption) -> list[dict]:
    """What happened to an order, oldest first, each with its day as a date."""
    return [{**e, "on": date.fromisoformat(e["on"])} for e in (order.detail or {}).get(
        "events", [])]


def claim_window(order: Redemption) -> tuple[date, date] | None:
    """The first and last day a missing item may be reported."""
    expected = expected_on(order)
    if expected is None:
        return None
    return expected + timedelta(days=1), expected + timedelta(days=program_rules().claim_days)


def _event(order: Redemption, status: str, on: date, by: str, **more) -> None:
    detail = dict(order.detail or {})
    detail["events"] = [*detail.get("events", []),
                        {"status": status, "on": on.isoformat(), "by": by, **more}]
    order.detail = detail
    flag_modified(order, "detail")


def claim(session: Session, access: Access | None, user_id: int, order: Redemption,
          note: str, today: date) -> None:
    """The PA (or a designated third party) reports that an item has not arrived."""
    if access is None or access.account.id != order.account_id:
        raise RedeemError([("note", _l("Only the company's rewards administrators can report "
                                       "a missing item."))])
    window = claim_window(order)
    if order.kind != "item" or window is None:
        raise RedeemError([("note", _l("Only an item that is delivered can be reported "
                                       "missing."))])
    if order.status == "refunded":
        raise RedeemError([("note", _l("The points of this order were given back already."))])
    if (order.detail or {}).get("claim"):
        raise RedeemError([("note", _l("This order was reported missing on %(day)s; the "
                                       "rewards desk is looking into it.",
                                       day=format_date(date.fromisoformat(
                                           order.detail["claim"]["on"]), "long")))])
    first, last = window
    if today < first:
        raise RedeemError([("note", _l(
            "The item is expected by %(day)s. If it has not arrived by then, you can report "
            "it from the next day.", day=format_date(first - timedelta(days=1), "long")))])
    if today > last:
        raise RedeemError([("note", _l(
            "A missing item can be reported until %(days)s days after its expected date "
            "(%(day)s); that was %(last)s, so this order can no longer be claimed. Please "
            "contact the rewards desk.", days=program_rules().claim_days,
            day=format_date(first - timedelta(days=1), "long"),
            last=format_date(last, "long")))])
    note = note.strip()
    if len(note) > 500:
        raise RedeemError([("note", _l("Use at most %(max)d characters.", max=500))])
    detail = dict(order.detail)
    detail["claim"] = {"on": today.isoformat(), "note": note}
    order.detail = detail
    _event(order, "claimed", today, f"user:{user_id}")


def act(session: Session, order: Redemption, action: str, staff, today: date,
        reason: str = "", substitute: str = "") -> None:
    """A back-office action on an item order: ``ship``, ``deliver``, ``substitute`` (with the
    number of the equal item) or ``refund`` (with the reason)."""
    if action not in NEXT or order.kind != "item":
        raise RedeemError([("action", _l("This order cannot be changed that way."))])
    target, allowed = NEXT[action]
    if order.status not in allowed:
        raise RedeemError([("action", _l(
            "This order is “%(status)s” and cannot be made “%(target)s”.",
            status=status_label(order.status), target=status_label(target)))])
    more: dict = {}
    if action == "substitute":
        item = session.get(CatalogItem, substitute.strip().upper())
        if item is None or not item.active:
            raise RedeemError([("substitute", _l("No catalog item has this number."))])
        if item.item_no == order.detail.get("item_no") or is_donation(item):
            raise RedeemError([("substitute", _l("Choose a different item, not a donation."))])
        if not item.in_stock:
            raise RedeemError([("substitute", _l("That item is out of stock too."))])
        if item.points < order.detail.get("unit_points", 0):
            raise RedeemError([("substitute", _l(
                "An equal item is worth at least %(points)s points; this one is worth "
                "%(its)s.", points=format_decimal(order.detail.get("unit_points", 0)),
                its=format_decimal(item.points)))])
        more = {"item_no": item.item_no, "name_ja": item.name_ja, "name_en": item.name_en}
        detail = dict(order.detail)
        detail["substitute"] = more
        order.detail = detail
    if action == "refund":
        reason = reason.strip()
        if not reason:
            raise RedeemError([("reason", _l("Say why the points are given back."))])
        account = lock_account(session, order.account_id)
        post(session, account, "refund", order.points, "order_refund", today,
             source=f"redemption:{order.reference}")
        more = {"reason": reason}
    order.status = target
    _event(order, target, today, f"staff:{getattr(staff, 'id', '')}", **more)
    audit.record(session, staff, f"order.{action}", "redemption", order.id,
                 {"reference": order.reference, **more})


def status_label(status: str) -> str:
    return str({
        "ordered": _l("ordered"), "shipped": _l("shipped"), "delivered": _l("delivered"),
        "substituted": _l("substituted"), "refunded": _l("refunded"), "done": _l("done"),
        "claimed": _l("reported missing"),
    }.get(status, status))
