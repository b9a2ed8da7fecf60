"""The data the change and delete wizards store is what the back office applies: each test
submits through the wizard, then approves the stored application with
:func:`portal.backoffice.processing.approve` and checks the users' access."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User, UserAccess
from portal.backoffice import outcomes, processing
from portal.enrollment.models import Application
from tests.enrollment.conftest import approver_fields

from .conftest import change_applicant, change_fields, delete_fields


def access_of(db_session, user) -> set[tuple]:
    db_session.expire_all()
    return {(a.country_code, a.function_code, a.control_group, a.role_code)
            for a in db_session.scalars(select(UserAccess).where(UserAccess.user_id == user.id))}


def submitted(db_session) -> Application:
    db_session.expire_all()
    return db_session.scalars(select(Application)).one()


def test_a_submitted_change_is_applied_by_approval(app, change, db_session, staff, registered):
    target = registered("henkou10", access=[
        {"country_code": "JP", "function_code": "OPM", "control_group": "392000000000001"}])
    other = registered("henkou11")
    pa = registered("kanri01", program_role="pa")
    assert pa.user_id == "kanri01"
    change.start()
    users = {**change_applicant("pa", **{"applicant-user_id": "kanri01"}),
             "u0-user_id": "HENKOU10", "u1-user_id": "henkou11"}
    assert change.step("users", users).status_code == 303
    changes = {**change_fields(0, 0, functions=("REPORTING", "STATEMENTS"), rest="000000000002",
                               STATEMENTS="PAYMENT_APPROVER"),
               **change_fields(0, 1, functions=("OPM",), action="remove"),
               **change_fields(1, 0, "SG", ("OPM",), "000000000005")}
    assert change.step("changes", changes).status_code == 303
    approvers = {**approver_fields("JP", 0), **approver_fields("SG", 1)}
    assert change.step("approvers", approvers).status_code == 303
    assert change.submit().status_code == 303
    application = submitted(db_session)
    with app.test_request_context("/?lang=en"):
        outcome = processing.approve(db_session, application, staff)
    assert (outcome.added, outcome.removed, outcome.unchanged) == (3, 1, 0)
    assert access_of(db_session, target) == {
        ("JP", "REPORTING", "392000000000002", None),
        ("JP", "STATEMENTS", "392000000000002", "PAYMENT_APPROVER"),
    }
    assert access_of(db_session, other) == {("SG", "OPM", "702000000000005", None)}
    assert submitted(db_session).status == "completed"


def test_a_change_for_an_unknown_user_id_is_stopped_at_approval(app, change, db_session, staff):
    change.start()
    users = {**change_applicant("other"), "u0-user_id": "nobody42"}
    assert change.step("users", users).status_code == 303
    assert change.step("changes", change_fields(0, 0)).status_code == 303
    assert change.step("approvers", approver_fields("JP", 0)).status_code == 303
    assert change.submit().status_code == 303
    application = submitted(db_session)
    with app.test_request_context("/?lang=en"):
        try:
            processing.approve(db_session, application, staff)
        except outcomes.NotApplicable as problem:
            assert "nobody42" in problem.message
        else:
            raise AssertionError("an unknown user ID was applied")
    assert submitted(db_session).status == "received"


def test_a_submitted_deletion_disables_the_user_and_removes_access(app, delete, db_session,
                                                                   staff, registered):
    leaver = registered("leaver01", access=[
        {"country_code": "JP", "function_code": "OPM", "control_group": "392000000000001"},
        {"country_code": "SG", "function_code": "REPORTING", "control_group": "702000000000001"},
    ])
    registered("testpa01", program_role="pa")  # the applicant: approval checks they are a PA
    delete.start()
    assert delete.step("user", delete_fields(**{"del-reason": "OTHER",
                                                "del-reason_note": "契約終了"})).status_code == 303
    assert delete.submit().status_code == 303
    application = submitted(db_session)
    assert application.data["reason_note"] == "契約終了"
    with app.test_request_context("/?lang=en"):
        outcome = processing.approve(db_session, application, staff)
    assert outcome.disabled == ["leaver01"] and outcome.removed == 2
    assert access_of(db_session, leaver) == set()
    assert db_session.get(User, leaver.id).status == "disabled"
