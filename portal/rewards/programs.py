"""Running a program account (CMR-1, CMR-2, CMR-5): what staff do and what the daily run does.

Every function takes plain values and a session, changes what it must inside the caller's
transaction (the caller commits), records the change in the audit trail, and raises
``ProgramError`` with ``(field, message)`` pairs for a bad request. ``staff`` may be None
for the daily run (the audit trail shows it as the system).

Lifecycle: an ``active`` account earns and redeems. ``cancel`` (by staff, or when no active
card is left) ends every card's enrolment (fees refunded pro rata) and opens a window of
``cancellation_window_days`` in which the points can still be redeemed; the daily run then
lapses the balance. ``terminate`` (contract ended or insolvency) forfeits the balance at once.
An account not in good standing cannot redeem; its cards go on earning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.backoffice import audit
from portal.rewards import fees
from portal.rewards.cards import normalize_number, number_hash
from portal.rewards.ledger import lock_account, post
from portal.rewards.program import Card, Company, Delegate, ProgramAccount
from portal.rewards.rules import program_rules


class ProgramError(ValueError):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(str(m) for _, m in errors))
        self.errors = errors


@dataclass(frozen=True)
class NewCard:
    number: str
    product: str
    holder_name: str
    user_id: int | None = None


def _audit(session: Session, staff, action: str, account: ProgramAccount, details=None):
    audit.record(session, staff, f"program.{action}", "program", account.id, details)


def _check_card(session: Session, new: NewCard, key: str) -> tuple[str, str]:
    errors = []
    digits = normalize_number(new.number)
    if digits is None:
        errors.append(("number", _l("Enter the card's 15-digit number as printed on it.")))
    product = program_rules().products.get(new.product)
    if product is None or not product.eligible:
        errors.append(("product", _l("This kind of card cannot join the rewards program.")))
    if not new.holder_name.strip():
        errors.append(("holder_name", _l("Enter the cardmember's name.")))
    elif len(new.holder_name.strip()) > 200:
        errors.append(("holder_name", _l("Use at most %(max)d characters.", max=200)))
    if digits is not None:
        hashed = number_hash(digits, key)
        if session.scalar(select(Card.id).where(Card.number_hash == hashed)) is not None:
            errors.append(("number", _l("This card is already enrolled in a rewards program.")))
    if new.user_id is not None and session.get(User, new.user_id) is None:
        errors.append(("user_id", _l("No portal user has this number.")))
    if errors:
        raise ProgramError(errors)
    return digits, number_hash(digits, key)


def _add_card(session: Session, account: ProgramAccount, new: NewCard, on: date,
              key: str) -> Card:
    digits, hashed = _check_card(session, new, key)
    card = Card(account_id=account.id, number_hash=hashed, last5=digits[-5:],
                product=new.product, holder_name=new.holder_name.strip(),
                user_id=new.user_id, status="good", enrolled_on=on,
                personal_rewards_until=on + timedelta(
                    days=program_rules().personal_rewards_window_days))
    session.add(card)
    session.flush()
    return card


def create_program(session: Session, *, company_name: str, pa_user: User, pa_card: NewCard,
                   on: date, key: str, staff) -> ProgramAccount:
    """A company's program account, its PA and the PA's card (enrolled, first fee charged)."""
    errors = []
    if not company_name.strip():
        errors.append(("company_name", _l("Enter the company's name.")))
    if pa_user.status != "active":
        errors.append(("pa_user", _l("The Program Administrator must have finished "
                                     "registering for the portal.")))
    elif session.scalar(select(ProgramAccount.id)
                        .where(ProgramAccount.pa_user_id == pa_user.id)) is not None:
        errors.append(("pa_user", _l("This person already administers a rewards program.")))
    if errors:
        raise ProgramError(errors)
    company = Company(name=company_name.strip())
    session.add(company)
    session.flush()
    account = ProgramAccount(company_id=company.id, status="active", good_standing=True,
                             opened_on=on, balance=0, carried=0, entries=0,
                             currency="JPY")
    session.add(account)
    session.flush()
    card = _add_card(session, account, NewCard(pa_card.number, pa_card.product,
                                               pa_card.holder_name, pa_user.id), on, key)
    account.pa_user_id, account.pa_card_id = pa_user.id, card.id
    session.flush()
    fees.charge_due(session, account, card, on)
    _audit(session, staff, "create", account, {"company": company.name,
                                               "card": card.last5, "user_id": pa_user.user_id})
    return account


def enrol_card(session: Session, account: ProgramAccount, new: NewCard, on: date, key: str,
               staff) -> Card:
    """Enrol one more card (CMR-2): its personal rewards end, its first fee is charged."""
    if account.status != "active":
        raise ProgramError([("number", _l("Cards can only join an active program."))])
    card = _add_card(session, account, new, on, key)
    fees.charge_due(session, account, card, on)
    _audit(session, staff, "enrol_card", account, {"card": card.last5,
                                                   "product": card.product})
    return card


def active_cards(account: ProgramAccount) -> list[Card]:
    return [card for card in account.cards if card.active]


def remove_card(session: Session, account: ProgramAccount, card: Card, on: date, staff,
                *, closing: bool = False) -> int:
    """The card leaves the program; returns the fee refunded in yen. The PA's card can only
    leave when it is the last one (then the account closes) or the account is closing."""
    if card.account_id != account.id or not card.active:
        raise ProgramError([("card", _l("This card is not enrolled in this program."))])
    others = [c for c in active_cards(account) if c.id != card.id]
    if card.id == account.pa_card_id and others and not closing:
        raise ProgramError([("card", _l("This is the Program Administrator's card. Choose "
                                        "another administrator or card first."))])
    refund = fees.refund_unused(session, account, card, on)
    card.left_on = on
    session.flush()
    _audit(session, staff, "card_left", account, {"card": card.last5, "refund_yen": refund})
    if not others and not closing:
        cancel(session, account, on, staff, reason="no_active_card")
    return refund


def set_card_status(session: Session, account: ProgramAccount, card: Card, status: str,
                    staff) -> None:
    if status not in ("good", "delinquent") or card.account_id != account.id:
        raise ProgramError([("status", _l("Choose good standing or delinquent."))])
    card.status = status
    _audit(session, staff, "card_status", account, {"card": card.last5, "status": status})


def designate(session: Session, account: ProgramAccount, user: User, staff) -> Delegate:
    if user.id == account.pa_user_id:
        raise ProgramError([("user", _l("The Program Administrator already has access."))])
    if any(d.user_id == user.id for d in account.delegates):
        raise ProgramError([("user", _l("This person is already a designated third party."))])
    if user.status != "active":
        raise ProgramError([("user", _l("This person has not finished registering for "
                                        "the portal."))])
    delegate = Delegate(account_id=account.id, user_id=user.id)
    account.delegates.append(delegate)
    session.flush()
    _audit(session, staff, "designate", account, {"user_id": user.user_id})
    return delegate


def undesignate(session: Session, account: ProgramAccount, user: User, staff) -> None:
    for delegate in list(account.delegates):
        if delegate.user_id == user.id:
            account.delegates.remove(delegate)
            session.flush()
            _audit(session, staff, "undesignate", account, {"user_id": user.user_id})
            return
    raise ProgramError([("user", _l("This person is not a designated third party."))])


def change_pa(session: Session, account: ProgramAccount, card: Card, staff) -> None:
    """The holder of ``card`` (an active card of this program) becomes the PA."""
    if card.account_id != account.id or not card.active or card.user_id is None:
        raise ProgramError([("card", _l("Choose an enrolled card whose holder uses the "
                                        "portal."))])
    holder = session.get(User, card.user_id)
    if holder is None or holder.status != "active":
        raise ProgramError([("card", _l("The card's holder has not finished registering for "
                                        "the portal."))])
    other = session.scalar(select(ProgramAccount).where(ProgramAccount.pa_user_id == holder.id,
                                                        ProgramAccount.id != account.id))
    if other is not None:
        raise ProgramError([("card", _l("This person already administers a rewards "
                                        "program."))])
    account.pa_user_id, account.pa_card_id = holder.id, card.id
    for delegate in list(account.delegates):
        if delegate.user_id == holder.id:
            account.delegates.remove(delegate)
    session.flush()
    _audit(session, staff, "change_pa", account, {"user_id": holder.user_id,
                                                  "card": card.last5})


def set_standing(session: Session, account: ProgramAccount, good: bool, staff,
                 reason: str = "") -> None:
    account.good_standing = good
    _audit(session, staff, "standing", account, {"good_standing": good, "reason": reason})


def cancel(session: Session, account: ProgramAccount, on: date, staff, reason: str = "") -> None:
    """Close the account: cards leave (fees refunded), the redemption window opens."""
    if account.status != "active":
        raise ProgramError([("status", _l("This program is already closed."))])
    for card in active_cards(account):
        remove_card(session, account, card, on, staff, closing=True)
    account.status, account.cancelled_on = "cancelled", on
    _audit(session, staff, "cancel", account, {"reason": reason})


def terminate(session: Session, account: ProgramAccount, on: date, staff,
              reason: str = "terminated") -> int:
    """Contract termination or insolvency: the points are forfeited at once."""
    if reason not in ("terminated", "insolvent"):
        raise ProgramError([("reason", _l("Choose termination or insolvency."))])
    if account.status == "terminated":
        raise ProgramError([("status", _l("This program is already terminated."))])
    for card in active_cards(account):
        remove_card(session, account, card, on, staff, closing=True)
    locked = lock_account(session, account.id)
    forfeited = locked.balance
    if forfeited:
        post(session, locked, "forfeit", -forfeited, reason, on, source="program")
    locked.status, locked.terminated_on, locked.closed_out_on = "terminated", on, on
    _audit(session, staff, "terminate", locked, {"reason": reason, "points": forfeited})
    return forfeited


def redeem_until(account: ProgramAccount) -> date | None:
    if account.status == "cancelled" and account.cancelled_on is not None:
        return account.cancelled_on + timedelta(days=program_rules().cancellation_window_days)
    return None


@dataclass(frozen=True)
class Redeemable:
    ok: bool
    reason: str  # "" when ok; else a code: closed_out, terminated, not_good_standing
    until: date | None = None  # the last day of a cancelled account's window


def can_redeem(account: ProgramAccount, today: date) -> Redeemable:
    """Whether the account may redeem today (CMR-5), with the reason when not."""
    if account.status == "terminated":
        return Redeemable(False, "terminated")
    until = redeem_until(account)
    if account.closed_out_on is not None or (until is not None and today > until):
        return Redeemable(False, "closed_out")
    if not account.good_standing:
        return Redeemable(False, "not_good_standing", until)
    return Redeemable(True, "", until)


def daily(session: Session, on: date) -> dict[str, int]:
    """Anniversary fees, closures and lapses due by ``on``; running it twice changes nothing."""
    done = {"fees": 0, "closed": 0, "lapsed": 0}
    for account in session.scalars(select(ProgramAccount).order_by(ProgramAccount.id)):
        if account.status == "active":
            cards = active_cards(account)
            if not cards:
                cancel(session, account, on, None, reason="no_active_card")
                done["closed"] += 1
            for card in cards:
                done["fees"] += fees.charge_due(session, account, card, on)
        until = redeem_until(account)
        if account.status == "cancelled" and account.closed_out_on is None \
                and until is not None and on > until:
            locked = lock_account(session, account.id)
            if locked.balance:
                post(session, locked, "lapse", -locked.balance, "window_ended", on,
                     source="program")
            locked.closed_out_on = on
            _audit(session, None, "lapse", locked, {"until": until.isoformat()})
            done["lapsed"] += 1
    session.flush()
    return done
