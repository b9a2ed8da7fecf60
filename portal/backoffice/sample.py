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
