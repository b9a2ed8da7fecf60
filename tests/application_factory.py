"""Applications in the exact shape of the contract in ``portal/enrollment/models.py``, as the
wizard writes them, for the tests of tracking, the back office and approvals."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.enrollment.models import Application, ApplicationDocument

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LETTER = {"new": "N", "change": "C", "delete": "D"}


def new_reference(kind: str = "new") -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3)]
    return "-".join([LETTER[kind], *groups])


def applicant(email: str = "Yamada.Taro@Example.test", mode: str | None = "employee") -> dict:
    return {"mode": mode, "user_id": None, "family_name": "山田", "given_name": "太郎",
            "email": email, "phone": "03-1234-5678", "company": "株式会社サンプル"}


def approvers(count: int = 1) -> list[dict]:
    return [{"country": "JP", "user": index, "family_name": "鈴木", "given_name": "一郎",
             "email": "suzuki@example.test", "phone": "03-0000-0000",
             "agreed_at": "2026-11-20T01:00:00+00:00"} for index in range(count)]


def new_user(n: int = 1, **overrides: Any) -> dict:
    person = {
        "family_name": "佐藤", "given_name": f"花子{n}", "email": f"hanako{n}@example.test",
        "country": "JP", "birth_day": 15, "birth_month": 4, "birth_year": None,
        "auth_pin": None, "auth_word": None, "program_role": "contact",
        "address": {"postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区",
                    "street": "千代田1-1", "building": ""},
        "access": [{"country": "JP", "control_group": "392000000000001",
                    "functions": [{"function": "OPM", "role": None},
                                  {"function": "OCA", "role": "APPROVER"}]}],
    }
    person.update(overrides)
    return person


def new_data(users: list[dict] | None = None, **applicant_overrides: Any) -> dict:
    users = users if users is not None else [new_user(1)]
    return {"applicant": applicant(**applicant_overrides), "users": users,
            "approvers": approvers(len(users))}


def change_data(user_id: str, changes: list[dict] | None = None) -> dict:
    changes = changes if changes is not None else [
        {"country": "JP", "action": "add", "control_group": "392000000000002",
         "functions": [{"function": "REPORTING", "role": "VIEWER"}]}]
    return {"applicant": applicant(mode="other"), "approvers": approvers(),
            "users": [{"user_id": user_id, "changes": changes}]}


def delete_data(user_id: str, reason: str = "LEFT_COMPANY") -> dict:
    return {"applicant": applicant(mode=None), "user_id": user_id, "reason": reason,
            "reason_note": None}


def make_application(session: Session, kind: str = "new", *, data: dict | None = None,
                     status: str = "received", submitted_at: datetime | None = None,
                     reference: str | None = None, language: str = "ja",
                     commit: bool = True, **values: Any) -> Application:
    if data is None:
        data = new_data() if kind == "new" else {"applicant": applicant()}
    submitted_at = submitted_at or utcnow()
    email = data["applicant"]["email"]
    application = Application(
        reference=reference or new_reference(kind), kind=kind, status=status,
        language=language, applicant_email=email, applicant_email_folded=email.casefold(),
        data=data, submit_key=secrets.token_urlsafe(24), submitted_at=submitted_at,
        expected_by=None, **values,
    )
    session.add(application)
    session.flush()
    if commit:
        session.commit()
    return application


def add_document(session: Session, application: Application, upload_dir, *,
                 filename: str = "proof.pdf", content: bytes = b"%PDF-1.4 test\n",
                 content_type: str = "application/pdf") -> ApplicationDocument:
    import hashlib

    storage_name = secrets.token_hex(16) + ".pdf"
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / storage_name).write_bytes(content)
    document = ApplicationDocument(
        application_id=application.id, purpose="approver:JP:0", filename=filename,
        content_type=content_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), storage_name=storage_name,
    )
    session.add(document)
    session.commit()
    return document

