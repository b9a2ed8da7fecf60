"""The staff audit trail, the create-staff command and the sample staff account."""

from __future__ import annotations

from flask import render_template_string
from sqlalchemy import func, select

from portal.backoffice import audit, services
from portal.backoffice.models import Staff, StaffAction


def test_record_adds_to_the_callers_transaction(db_session, staff):
    entry = audit.record(db_session, staff, "application.approve", "application", 42,
                         {"reason": "documents checked"})
    assert (entry.staff_id, entry.action, entry.target_type, entry.target_id) == (
        staff.id, "application.approve", "application", "42")
    assert entry.at is not None and entry.details == {"reason": "documents checked"}
    db_session.rollback()  # the change it describes did not happen: neither did the record
    assert db_session.scalar(select(func.count()).select_from(StaffAction)) == 0


def test_actions_for_a_target_newest_first(db_session, staff):
    audit.record(db_session, staff, "application.reject", "application", "7", "no approver")
    audit.record(db_session, staff.id, "application.approve", "application", "7")
    audit.record(db_session, staff, "application.approve", "application", "8")
    actions = audit.actions_for(db_session, "application", 7)
    assert [a.action for a in actions] == ["application.approve", "application.reject"]
    assert actions[1].details == "no approver"


def test_record_needs_an_action_and_a_target(db_session, staff):
    import pytest

    with pytest.raises(ValueError):
        audit.record(db_session, staff, "", "application", 1)


def test_the_partial_lists_actions_in_the_page_language(app, db_session, staff):
    audit.record(db_session, staff, "application.reject", "application", "7",
                 {"reason": "承認者の記載がありません", "empty": ""})
    audit.record(db_session, staff, "something.new", "application", "7", "free text")
    actions = audit.actions_for(db_session, "application", "7")
    source = '{% include "backoffice/partials/staff_actions.html" %}'
    with app.test_request_context("/?lang=ja"):
        html = render_template_string(source, actions=actions)
    assert html.count('data-testid="staff-action"') == 2
    assert "申し込みを却下しました" in html and "理由" in html
    assert "承認者の記載がありません" in html and "田中 一郎" in html
    assert "something.new" in html and "free text" in html  # unknown code shown as it is
    assert "empty" not in html
    with app.test_request_context("/?lang=en"):
        html = render_template_string(source, actions=[])
    assert "No staff actions recorded yet." in html


def test_create_staff_with_a_password(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["create-staff", "Suzuki", "--name", "鈴木 花子", "--password", "a long password 1"])
    assert result.exit_code == 0, result.output
    assert "staff account 'Suzuki' created" in result.output
    member = db_session.scalar(select(Staff).where(Staff.login_folded == "suzuki"))
    assert member.display_name == "鈴木 花子" and member.active
    assert services.authenticate(db_session, "suzuki", "a long password 1") is not None


def test_create_staff_prompts_for_the_password(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["create-staff", "kato", "--name", "Kato"],
        input="prompted password\nprompted password\n")
    assert result.exit_code == 0, result.output
    assert "prompted password" not in result.output  # hidden input
    assert services.authenticate(db_session, "kato", "prompted password") is not None


def test_create_staff_refuses_bad_values(app, db_session, staff):
    runner = app.test_cli_runner()
    duplicate = runner.invoke(args=["create-staff", "TANAKA", "--name", "x",
                                    "--password", "another password"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    short = runner.invoke(args=["create-staff", "new", "--name", "x", "--password", "short"])
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    bad = runner.invoke(args=["create-staff", "a b", "--name", "x", "--password", "x" * 12])
    assert bad.exit_code == 1 and "login name" in bad.output
    missing = runner.invoke(args=["create-staff", "someone"])
    assert missing.exit_code == 2 and "--name" in missing.output
    assert db_session.scalar(select(func.count()).select_from(Staff)) == 1


def test_sample_staff_is_created_once(app, db_session):
    from portal.backoffice.sample import SAMPLE_LOGIN, SAMPLE_PASSWORD, seed_staff

    with app.app_context():
        first = seed_staff()
        second = seed_staff()
        assert "created" in first and "exists" in second and SAMPLE_PASSWORD in first
        assert services.authenticate(db_session, SAMPLE_LOGIN, SAMPLE_PASSWORD) is not None
        assert db_session.scalar(select(func.count()).select_from(Staff)) == 1


def test_the_sample_password_is_in_the_readme():
    from pathlib import Path

    from portal.backoffice.sample import SAMPLE_LOGIN, SAMPLE_PASSWORD

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"`{SAMPLE_LOGIN}`" in readme and f"`{SAMPLE_PASSWORD}`" in readme
