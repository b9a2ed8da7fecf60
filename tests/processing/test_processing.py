"""ENR-7: deciding applications. Approving applies each kind in one transaction with the
status change, the audit record and (for new users) the two emails."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.accounts import services as accounts
from portal.accounts.models import AuthSession, User, UserAccess
from portal.backoffice import applications, outcomes, processing
from portal.backoffice.models import Staff, StaffAction
from portal.db import utcnow
from portal.enrollment.models import Application
from portal.extensions import db
from portal.mail.messages import KIND_CONTACT_ID, KIND_WELCOME
from portal.mail.models import OutgoingEmail
from tests.application_factory import (
    change_data,
    delete_data,
    make_application,
    new_data,
    new_user,
)


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def actions(session, application, action=None):
    query = select(StaffAction).where(StaffAction.target_type == "application",
                                      StaffAction.target_id == str(application.id))
    if action:
        query = query.where(StaffAction.action == action)
    return list(session.scalars(query))


def access_of(session, user):
    return {(a.country_code, a.function_code, a.control_group, a.role_code)
            for a in session.scalars(select(UserAccess).where(UserAccess.user_id == user.id))}


# --- new users ------------------------------------------------------------------------------

def test_approving_new_users_creates_them_with_access_and_queues_both_emails(db_session, staff):
    data = new_data([new_user(1, auth_pin="4321", auth_word="sakura"),
                     new_user(2, program_role="pa", country="JP")])
    application = make_application(db_session, "new", data=data)
    now = utcnow()

    outcome = processing.approve(db_session, application, staff, now=now,
                                 base_url="https://portal.example/", link_hours=48)

    done = db_session.get(Application, application.id, populate_existing=True)
    assert done.status == "completed" and done.decided_by_id == staff.id
    assert abs(done.decided_at - now) < timedelta(seconds=1)
    assert len(outcome.created) == 2
    first, second = outcome.created
    for user in outcome.created:
        assert len(user.contact_id) == 9 and user.contact_id.isdigit()
        assert user.status == "pending"
    assert first.contact_id != second.contact_id
    assert first.auth_pin_hash and first.auth_word_hash
    assert accounts.verify_secret(first.auth_word_hash, "sakura")
    assert second.auth_pin_hash is None and second.program_role == "pa"
    assert access_of(db_session, first) == {("JP", "OPM", "392000000000001", None),
                                            ("JP", "OCA", "392000000000001", "APPROVER")}
    # The stored application keeps the contact IDs and no plain secret.
    people = done.data["users"]
    assert [p["contact_id"] for p in people] == [first.contact_id, second.contact_id]
    assert people[0]["auth_pin"] is True and people[0]["auth_word"] is True
    assert people[1]["auth_pin"] is None and people[1]["auth_word"] is None
    assert applications.contact_ids(done) == [first.contact_id, second.contact_id]
    # MAIL-1 and MAIL-2 for each user, in the same transaction.
    emails = list(db_session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))
    assert [(e.to_address, e.kind) for e in emails] == [
        ("hanako1@example.test", KIND_CONTACT_ID), ("hanako1@example.test", KIND_WELCOME),
        ("hanako2@example.test", KIND_CONTACT_ID), ("hanako2@example.test", KIND_WELCOME)]
    assert first.contact_id in emails[0].text_body
    assert "https://portal.example/register/" in emails[1].text_body
    token = emails[1].text_body.split("https://portal.example/register/")[1].split()[0]
    state, link = accounts.registration_link(db_session, token)
    assert state is accounts.LinkState.OK and link.user_id == first.id
    assert link.expires_at - now == timedelta(hours=48)
    # One audit record, with the contact IDs.
    (entry,) = actions(db_session, application)
    assert entry.action == "application.approve" and entry.staff_id == staff.id
    assert first.contact_id in entry.details["contact_ids"]


def test_a_second_approval_changes_nothing(db_session, staff):
    application = make_application(db_session, "new")
    processing.approve(db_session, application, staff)
    with pytest.raises(outcomes.AlreadyDecided) as caught:
        processing.approve(db_session, application, staff)
    assert caught.value.status == "completed"
    assert "already been decided" in caught.value.message
    assert count(db_session, User) == 1
    assert count(db_session, OutgoingEmail) == 2
    assert len(actions(db_session, application)) == 1


def test_an_application_that_cannot_be_applied_stays_open_and_changes_nothing(db_session, staff):
    data = new_data([new_user(1), new_user(2, country="ZZ")])
    application = make_application(db_session, "new", data=data)
    with pytest.raises(outcomes.NotApplicable) as caught:
        processing.approve(db_session, application, staff)
    assert "ZZ" in caught.value.message
    assert db_session.get(Application, application.id, populate_existing=True).status == (
        "received")
    assert count(db_session, User) == 0
    assert count(db_session, OutgoingEmail) == 0
    assert actions(db_session, application) == []


def test_a_bad_birthday_is_reported_with_the_person(db_session, staff):
    application = make_application(db_session, "new",
                                   data=new_data([new_user(1, birth_day=31, birth_month=2)]))
    with pytest.raises(outcomes.NotApplicable) as caught:
        processing.approve(db_session, application, staff)
    assert "佐藤 花子1" in caught.value.message


# --- change ---------------------------------------------------------------------------------

def test_approving_a_change_adds_and_removes_access(db_session, staff, registered):
    user = registered("henkou01", access=[
        {"country_code": "JP", "function_code": "OPM", "control_group": "392000000000001"},
        {"country_code": "JP", "function_code": "STATEMENTS", "control_group": "392000000000001"},
    ])
    data = change_data("HENKOU01", [  # user IDs are found regardless of case
        {"country": "JP", "action": "add", "control_group": "392000000000002",
         "functions": [{"function": "REPORTING", "role": "VIEWER"},
                       {"function": "OPM", "role": None}]},
        {"country": "JP", "action": "remove", "control_group": "392000000000001",
         "functions": [{"function": "STATEMENTS", "role": None}]},
    ])
    application = make_application(db_session, "change", data=data)
    outcome = processing.approve(db_session, application, staff)
    assert (outcome.added, outcome.removed, outcome.unchanged) == (2, 1, 0)
    assert access_of(db_session, user) == {
        ("JP", "OPM", "392000000000001", None),
        ("JP", "REPORTING", "392000000000002", "VIEWER"),
        ("JP", "OPM", "392000000000002", None),
    }
    (entry,) = actions(db_session, application)
    assert entry.details == {"user_ids": "henkou01", "added": 2, "removed": 1, "unchanged": 0}


def test_a_change_already_in_place_is_not_an_error(db_session, staff, registered):
    user = registered("henkou02", access=[
        {"country_code": "JP", "function_code": "REPORTING", "control_group": "392000000000002",
         "role_code": "VIEWER"}])
    data = change_data("henkou02", [
        {"country": "JP", "action": "add", "control_group": "392000000000002",
         "functions": [{"function": "REPORTING", "role": "VIEWER"}]},
        {"country": "JP", "action": "remove", "control_group": "392000000000009",
         "functions": [{"function": "OCA", "role": None}]},
    ])
    application = make_application(db_session, "change", data=data)
    outcome = processing.approve(db_session, application, staff)
    assert (outcome.added, outcome.removed, outcome.unchanged) == (0, 0, 2)
    assert access_of(db_session, user) == {("JP", "REPORTING", "392000000000002", "VIEWER")}


def test_a_change_can_give_another_role(db_session, staff, registered):
    user = registered("henkou03", access=[
        {"country_code": "JP", "function_code": "REPORTING", "control_group": "392000000000002",
         "role_code": "VIEWER"}])
    data = change_data("henkou03", [
        {"country": "JP", "action": "add", "control_group": "392000000000002",
         "functions": [{"function": "REPORTING", "role": "ADMIN"}]}])
    processing.approve(db_session, make_application(db_session, "change", data=data), staff)
    assert access_of(db_session, user) == {("JP", "REPORTING", "392000000000002", "ADMIN")}


@pytest.mark.parametrize("problem", ["unknown", "disabled"])
def test_a_change_for_an_unknown_or_deleted_user_applies_nothing(db_session, staff, registered,
                                                                 problem):
    first = registered("henkou04")
    if problem == "disabled":
        gone = registered("henkou05")
        accounts.disable_user(db_session, gone)
        db_session.commit()
    data = change_data("henkou04")
    data["users"].append({"user_id": "henkou05", "changes": data["users"][0]["changes"]})
    application = make_application(db_session, "change", data=data)
    with pytest.raises(outcomes.NotApplicable) as caught:
        processing.approve(db_session, application, staff)
    assert "henkou05" in caught.value.message
    assert access_of(db_session, first) == set()  # the first user's change was undone too
    assert db_session.get(Application, application.id, populate_existing=True).status == (
        "received")


@pytest.mark.parametrize(("role", "status", "applies"), [
    ("pa", "active", True), ("contact", "active", False), ("pa", "disabled", False),
    (None, None, False)])
def test_a_change_by_a_self_declared_pa_needs_a_registered_pa(db_session, staff, registered,
                                                                role, status, applies):
    target = registered("henkou06")
    if role is not None:
        pa = registered("jikopa01", program_role=role)
        if status == "disabled":
            accounts.disable_user(db_session, pa)
            db_session.commit()
    data = change_data("henkou06")
    data["applicant"].update(mode="pa", user_id="JikoPA01")
    application = make_application(db_session, "change", data=data)
    assert applications.applicant_problem(db_session, application) == (None if applies
                                                                      else "not_pa")
    if applies:
        processing.approve(db_session, application, staff)
        assert access_of(db_session, target) == {
            ("JP", "REPORTING", "392000000000002", "VIEWER")}
    else:
        with pytest.raises(outcomes.NotApplicable) as caught:
            processing.approve(db_session, application, staff)
        assert "JikoPA01" in caught.value.message
        assert access_of(db_session, target) == set()
        assert db_session.get(Application, application.id,
                              populate_existing=True).status == "received"


def test_a_change_through_approvers_needs_no_registered_applicant(db_session, staff, registered):
    registered("henkou07")
    application = make_application(db_session, "change", data=change_data("henkou07"))
    assert applications.applicant_problem(db_session, application) is None


# --- delete ---------------------------------------------------------------------------------

def test_a_deletion_asked_by_someone_who_is_not_a_pa_is_refused(db_session, staff, registered):
    registered("sakujo02")
    registered("notapa01", program_role="contact")
    data = delete_data("sakujo02")
    data["applicant"]["user_id"] = "notapa01"
    application = make_application(db_session, "delete", data=data)
    assert applications.applicant_problem(db_session, application) == "not_pa"
    with pytest.raises(outcomes.NotApplicable):
        processing.approve(db_session, application, staff)
    assert accounts.find_by_user_id(db_session, "sakujo02").status == "active"


def test_approving_a_deletion_disables_the_user_and_removes_their_access(db_session, staff,
                                                                        registered):
    user = registered("sakujo01", access=[
        {"country_code": "JP", "function_code": "OPM", "control_group": "392000000000001"}])
    token = accounts.start_session(db_session, user)
    application = make_application(db_session, "delete", data=delete_data("sakujo01"))
    outcome = processing.approve(db_session, application, staff)
    user = db_session.get(User, user.id, populate_existing=True)
    assert user.status == "disabled" and outcome.disabled == ["sakujo01"]
    assert access_of(db_session, user) == set()
    assert accounts.session_user(db_session, token) is None
    assert count(db_session, AuthSession, AuthSession.user_id == user.id,
                 AuthSession.ended_at.is_(None)) == 0


def test_a_deletion_of_an_unknown_user_id_is_refused(db_session, staff):
    application = make_application(db_session, "delete", data=delete_data("nobody99"))
    with pytest.raises(outcomes.NotApplicable):
        processing.approve(db_session, application, staff)
    assert db_session.get(Application, application.id, populate_existing=True).status == (
        "received")


# --- reject and review ----------------------------------------------------------------------

def test_rejecting_needs_a_reason(db_session, staff):
    application = make_application(db_session, "new")
    for reason in ("", "   ", None):
        with pytest.raises(outcomes.ProcessingError) as caught:
            processing.reject(db_session, application, staff, reason)
        assert set(caught.value.errors) == {"reason"}
    with pytest.raises(outcomes.ProcessingError):
        processing.reject(db_session, application, staff, "x" * 1001)
    assert actions(db_session, application) == []


def test_rejecting_keeps_the_reason_and_drops_the_secrets(db_session, staff):
    data = new_data([new_user(1, auth_pin="1234", auth_word="word")])
    application = make_application(db_session, "new", data=data)
    done = processing.reject(db_session, application, staff, "  承認者の同意が確認できません。 ")
    assert done.status == "rejected" and done.decided_by_id == staff.id
    assert done.decision_reason == "承認者の同意が確認できません。"
    assert done.data["users"][0]["auth_pin"] is True
    assert done.data["users"][0]["auth_word"] is True
    (entry,) = actions(db_session, application)
    assert entry.action == "application.reject"
    assert entry.details == {"reason": "承認者の同意が確認できません。"}
    with pytest.raises(outcomes.AlreadyDecided):
        processing.approve(db_session, application, staff)
    with pytest.raises(outcomes.AlreadyDecided):
        processing.reject(db_session, application, staff, "again")
    assert count(db_session, User) == 0


def test_start_review_then_approve(db_session, staff):
    application = make_application(db_session, "new")
    assert processing.start_review(db_session, application, staff).status == "in_review"
    with pytest.raises(outcomes.ProcessingError) as caught:
        processing.start_review(db_session, application, staff)
    assert not isinstance(caught.value, outcomes.AlreadyDecided)
    processing.approve(db_session, application, staff)
    with pytest.raises(outcomes.AlreadyDecided):
        processing.start_review(db_session, application, staff)
    assert [a.action for a in actions(db_session, application)] == [
        "application.start_review", "application.approve"]


# --- two staff members at once --------------------------------------------------------------

@pytest.mark.parametrize("second", ["approve", "reject"])
def test_simultaneous_decisions_apply_exactly_one(app, second):
    """Two threads with their own connections decide one application at the same moment:
    one wins, the other is told it was decided, and the users and emails exist once."""
    with app.app_context(), Session(db.engine, expire_on_commit=False) as session:
        member = Staff(login=f"race-{second}", login_folded=f"race-{second}",
                       display_name="Race", password_hash="x")
        session.add(member)
        session.flush()
        application = make_application(session, "new", data=new_data(
            [new_user(1, email=f"race-{second}@example.test")]))
        staff_id, application_id = member.id, application.id

    barrier = threading.Barrier(2)
    results, errors = [], []

    def decide(how):
        try:
            with app.app_context(), Session(db.engine, expire_on_commit=False) as session:
                barrier.wait(timeout=10)
                try:
                    if how == "approve":
                        processing.approve(session, application_id, staff_id)
                    else:
                        processing.reject(session, application_id, staff_id, "no")
                    results.append(how)
                except outcomes.AlreadyDecided:
                    results.append("already")
        except BaseException as exc:  # noqa: BLE001 - shown below
            errors.append(exc)

    threads = [threading.Thread(target=decide, args=(how,)) for how in ("approve", second)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        assert len(results) == 2 and results.count("already") == 1
        with Session(db.engine) as session:
            status = session.get(Application, application_id).status
            users = session.scalar(select(func.count()).select_from(User).where(
                User.email == f"race-{second}@example.test"))
            emails = session.scalar(select(func.count()).select_from(OutgoingEmail).where(
                OutgoingEmail.to_address == f"race-{second}@example.test"))
            audits = session.scalar(select(func.count()).select_from(StaffAction).where(
                StaffAction.target_id == str(application_id),
                StaffAction.target_type == "application"))
        winner = "approve" if status == "completed" else "reject"
        assert winner in results
        assert (users, emails) == ((1, 2) if winner == "approve" else (0, 0))
        assert audits == 1
    finally:
        with Session(db.engine) as session:
            session.execute(delete(OutgoingEmail).where(
                OutgoingEmail.to_address == f"race-{second}@example.test"))
            session.execute(delete(User).where(User.email == f"race-{second}@example.test"))
            session.execute(delete(StaffAction).where(StaffAction.staff_id == staff_id))
            session.execute(delete(Application).where(Application.id == application_id))
            session.execute(delete(Staff).where(Staff.id == staff_id))
            session.commit()
