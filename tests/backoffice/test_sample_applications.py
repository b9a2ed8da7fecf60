"""The sample applications of ``seed-sample``: added once, in the contract's shape, and the
back office can decide them as a newcomer would."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.sample import seed_accounts
from portal.backoffice import applications, processing
from portal.backoffice.sample import seed_applications
from portal.enrollment.models import Application


def test_sample_applications_are_added_once_and_can_be_decided(app, db_session, staff):
    with app.test_request_context("/?lang=en"):
        seed_accounts()
        assert seed_applications().startswith("applications: 3 sample applications added")
        assert seed_applications().startswith("applications: 0 sample")
        assert db_session.scalar(select(func.count()).select_from(Application)) == 3
        by_kind = {a.kind: a for a in db_session.scalars(select(Application))}
        assert len(processing.approve(db_session, by_kind["new"], staff).created) == 1
        assert processing.approve(db_session, by_kind["change"], staff).added == 1
        (target,) = applications.target_users(db_session, by_kind["delete"])
        assert target.problem == "unknown"
        processing.reject(db_session, by_kind["delete"], staff, "No such user ID.")
