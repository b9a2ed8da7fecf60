"""Sample back-office account for trying the portal (``make run``). Never for production."""

from __future__ import annotations

from portal.backoffice import services
from portal.extensions import db

SAMPLE_LOGIN = "staff"
SAMPLE_PASSWORD = "staff-sample-pass"
SAMPLE_NAME = "Sample Staff"


def seed_staff() -> str:
    """Create the sample staff account once (running it again changes nothing)."""
    where = "/backoffice/login"
    if services.find_staff(db.session, SAMPLE_LOGIN) is None:
        services.create_staff(db.session, login=SAMPLE_LOGIN, display_name=SAMPLE_NAME,
                              password=SAMPLE_PASSWORD)
        db.session.commit()
        return f"back office: sample staff {SAMPLE_LOGIN!r} / {SAMPLE_PASSWORD!r} created ({where})"
    db.session.rollback()
    return f"back office: sample staff {SAMPLE_LOGIN!r} / {SAMPLE_PASSWORD!r} exists ({where})"


SAMPLE_APPLICANT_EMAIL = "applicant@portal.invalid"


def _sample_applications() -> list[dict]:
    applicant = {"mode": "employee", "user_id": None, "family_name": "山田",
                 "given_name": "花子", "email": SAMPLE_APPLICANT_EMAIL,
                 "phone": "03-1234-5678", "company": "株式会社サンプル"}
    approver = {"country": "JP", "user": 0, "family_name": "山田", "given_name": "花子",
                "email": "samplepa@portal.invalid", "phone": "03-1234-5678",
                "agreed_at": "2026-01-05T01:00:00+00:00"}
    return [
        {"reference": "N-SAMP-LE00-0001", "kind": "new", "data": {
            "applicant": applicant, "approvers": [approver],
            "users": [{"family_name": "中村", "given_name": "翔", "email":
                       "sample.newcomer@portal.invalid", "country": "JP", "birth_day": 12,
                       "birth_month": 6, "birth_year": None, "auth_pin": None,
                       "auth_word": None, "program_role": "contact",
                       "address": {"postal_code": "100-0005", "prefecture": "東京都",
                                   "city": "千代田区", "street": "丸の内1-1", "building": ""},
                       "access": [{"country": "JP", "control_group": "392000000000001",
                                   "functions": [{"function": "OPM", "role": None}]}]}]}},
        {"reference": "C-SAMP-LE00-0002", "kind": "change", "data": {
            "applicant": dict(applicant, mode="pa", user_id="samplepa"),
            "approvers": [approver],
            "users": [{"user_id": "samplecontact", "changes": [
                {"country": "JP", "action": "add", "control_group": "392000000000002",
                 "functions": [{"function": "REPORTING", "role": "VIEWER"}]}]}]}},
        {"reference": "D-SAMP-LE00-0003", "kind": "delete", "data": {
            "applicant": dict(applicant, mode=None, user_id="samplepa"),
            "user_id": "former01", "reason": "LEFT_COMPANY", "reason_note": None}},
    ]


def seed_applications() -> str:
    """Three applications waiting in the back office (one per kind); the deletion names a
    user ID nobody has, to show how staff see and reject that."""
    from sqlalchemy import select

    from portal.db import utcnow
    from portal.enrollment.models import Application

    made = 0
    for sample in _sample_applications():
        if db.session.scalar(select(Application.id).where(
                Application.reference == sample["reference"])) is not None:
            continue
        now = utcnow()
        db.session.add(Application(
            reference=sample["reference"], kind=sample["kind"], status="received",
            language="ja", applicant_email=SAMPLE_APPLICANT_EMAIL,
            applicant_email_folded=SAMPLE_APPLICANT_EMAIL.casefold(), data=sample["data"],
            submit_key=f"sample-{sample['reference']}", submitted_at=now,
            expected_by=None,
        ))
        made += 1
    db.session.commit()
    references = ", ".join(s["reference"] for s in _sample_applications())
    return (f"applications: {made} sample applications added ({references}); track them "
            f"at /applications/track with {SAMPLE_APPLICANT_EMAIL}")
