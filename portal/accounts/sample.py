"""Sample portal users for trying the portal (a step of ``flask --app portal seed-sample``).

- ``samplepa``: a registered Program Administrator with access in Japan (and one US entry);
- ``samplecontact``: a registered contact;
- two people who have not registered yet, one proving identity with a birthday and one with
  an auth word and PIN; each run prints a fresh registration link for them (earlier links
  stop working).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.models import User
from portal.extensions import db

PASSWORDS = {"samplepa": "Sample#pa1", "samplecontact": "Sample#co1"}
SECRET_ANSWER = "pochi"  # the answer to "What was the name of your first pet?"

PA_ACCESS = [
    {"country_code": "JP", "function_code": "OPM", "control_group": "392000000000001"},
    {"country_code": "JP", "function_code": "OCA", "role_code": "APPROVER",
     "control_group": "392000000000001"},
    {"country_code": "JP", "function_code": "REPORTING", "role_code": "ADMIN",
     "control_group": "392000000000001"},
    {"country_code": "JP", "function_code": "STATEMENTS", "role_code": "PAYMENT_APPROVER",
     "control_group": "392000000000001"},
    {"country_code": "JP", "function_code": "REPORTING", "role_code": "VIEWER",
     "control_group": "392000000000002"},
    {"country_code": "US", "function_code": "OPM", "control_group": "840000000000001"},
]
CONTACT_ACCESS = [
    {"country_code": "JP", "function_code": "OPM", "control_group": "392000000000001"},
    {"country_code": "JP", "function_code": "REPORTING", "role_code": "VIEWER",
     "control_group": "392000000000001"},
]

REGISTERED = [
    dict(user_id="samplepa", family_name="山田", given_name="花子",
         email="samplepa@portal.invalid", country_code="JP", birth_day=3, birth_month=3,
         program_role="pa", access=PA_ACCESS),
    dict(user_id="samplecontact", family_name="佐藤", given_name="次郎",
         email="samplecontact@portal.invalid", country_code="JP", birth_day=20, birth_month=8,
         program_role="contact", access=CONTACT_ACCESS),
]
PENDING = [
    dict(family_name="鈴木", given_name="一郎", email="newuser@portal.invalid",
         country_code="JP", birth_day=15, birth_month=4, program_role="contact",
         access=CONTACT_ACCESS[:1]),
    dict(family_name="Smith", given_name="Alex", email="newuser.word@portal.invalid",
         country_code="US", birth_day=1, birth_month=12, auth_word="sakura", auth_pin="2468",
         access=[{"country_code": "US", "function_code": "OPM",
                  "control_group": "840000000000001"}]),
]


def _by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def seed_accounts() -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    lines = ["accounts: sample users"]
    for spec in REGISTERED:
        spec = dict(spec)
        user_id = spec.pop("user_id")
        user = _by_email(spec["email"])
        if user is None:
            user, token = services.create_user(db.session, **spec)
            _state, link = services.registration_link(db.session, token)
            services.complete_registration(
                db.session, link.id, user_id=user_id, password=PASSWORDS[user_id],
                question_code="FIRST_PET", answer=SECRET_ANSWER,
            )
        lines.append(
            f"  {spec['program_role']:8} user ID {user_id!r}, password {PASSWORDS[user_id]!r}, "
            f"secret answer {SECRET_ANSWER!r} (sign in at {base}/login)"
        )
    for spec in PENDING:
        user = _by_email(spec["email"])
        if user is None:
            user, token = services.create_user(db.session, **spec)
        elif user.status == "pending":
            token = services.issue_registration_link(db.session, user)
        else:
            lines.append(f"  {spec['email']} has registered already (user ID {user.user_id!r})")
            continue
        db.session.commit()
        if spec.get("auth_word"):
            proof = f"auth word {spec['auth_word']!r} and auth PIN {spec['auth_pin']!r}"
        else:
            proof = f"birthday day {spec['birth_day']}, month {spec['birth_month']}"
        lines.append(
            f"  not registered yet, contact ID {user.contact_id}, {proof}:\n"
            f"    {base}/register/{token}"
        )
    db.session.commit()
    return "\n".join(lines)
