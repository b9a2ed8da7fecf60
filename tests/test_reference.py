import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.reference import loader
from portal.reference import services as reference
from portal.reference.loader import DATA_DIR, DataError
from portal.reference.models import Country, Function, SecretQuestion


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog_data"
    shutil.copytree(DATA_DIR, target)
    return target


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_loading_twice_changes_nothing(db_session):
    assert loader.load(db_session) == 0  # the session fixture loaded it already
    assert loader.load(db_session) == 0


def test_japan_has_a_fifteen_digit_group_with_a_fixed_prefix(db_session):
    japan = reference.country(db_session, "jp")
    assert japan.cg_length == 15 and len(japan.cg_prefix) == 3
    assert japan.cg_rest_length == 12
    assert japan.language == "ja" and japan.access_changes
    assert {f.code for f in japan.functions} >= {"OPM", "OCA", "REPORTING", "STATEMENTS"}


def test_india_requires_documents_for_a_new_card_application_approver(db_session):
    assert reference.country(db_session, "IN").oca_approver_documents is True
    assert reference.country(db_session, "JP").oca_approver_documents is False


def test_roles_with_approval_rights(db_session):
    functions = {f.code: f for f in reference.functions(db_session)}
    assert functions["OCA"].asks_for_role
    assert [r.code for r in functions["OCA"].approval_roles] == ["APPROVER"]
    assert not functions["OPM"].asks_for_role
    assert not functions["REPORTING"].asks_for_role  # roles, but none approves
    assert functions["OPM"].holders == ["pa", "contact"]


def test_countries_for_changes_exclude_those_without(db_session):
    codes = [c.code for c in reference.countries(db_session, changes_only=True)]
    assert "JP" in codes and "HK" not in codes
    assert "HK" in [c.code for c in reference.countries(db_session)]


def test_lists_are_loaded_in_file_order(db_session):
    assert len(reference.secret_questions(db_session)) >= 5
    reasons = reference.deletion_reasons(db_session)
    assert reasons[0].code == "LEFT_COMPANY" and reasons[-1].code == "OTHER"
    assert all(r.text_ja and r.text_en for r in reasons)


def test_removed_entries_become_inactive_and_come_back(db_session, data_copy):
    replace(data_copy / "secret_questions.yaml", "- code: FIRST_CAR", "- code: FIRST_BIKE")
    assert loader.load(db_session, data_copy) == 2
    assert db_session.get(SecretQuestion, "FIRST_CAR").active is False
    assert "FIRST_CAR" not in [q.code for q in reference.secret_questions(db_session)]
    loader.load(db_session)
    assert db_session.get(SecretQuestion, "FIRST_CAR").active is True


def test_a_changed_name_is_updated(db_session, data_copy):
    replace(data_copy / "countries.yaml", "en: Singapore", "en: Republic of Singapore")
    assert loader.load(db_session, data_copy) == 1
    assert db_session.get(Country, "SG").name_en == "Republic of Singapore"
    count = db_session.scalar(select(func.count()).select_from(Function))
    assert count == len(loader.parse().functions)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("countries.yaml", 'prefix: "392"', "prefix: 392", r"countries.yaml, line \d+: 'control_group.prefix' must be digits"),
        ("countries.yaml", "length: 15}\n  access_changes: true\n  functions: [OPM, OCA, REPORTING, STATEMENTS, CARD_CONTROLS]",
         "length: 2}\n  access_changes: true\n  functions: [OPM, OCA, REPORTING, STATEMENTS, CARD_CONTROLS]",
         r"countries.yaml, line \d+: 'control_group.length' must be a whole number longer"),
        ("countries.yaml", "functions: [OPM, OCA, REPORTING, STATEMENTS]\n  oca_approver_documents: true",
         "functions: [OPM, PAYROLL]\n  oca_approver_documents: true",
         r"countries.yaml, line \d+: unknown function\(s\) \['PAYROLL'\]"),
        ("countries.yaml", "language: ja", "language: fr", r"line \d+: 'language' must be one of"),
        ("countries.yaml", "access_changes: true", "access_changes: sometimes", r"'access_changes' must be true or false"),
        ("countries.yaml", "code: IN", "code: JP", r"line \d+: code JP is already used on line \d+"),
        ("functions.yaml", "      approval: true\n      default_holders: [pa]\n- code: REPORTING",
         "      approval: true\n      default_holders: [boss]\n- code: REPORTING",
         r"functions.yaml, line \d+: 'default_holders' may only list"),
        ("functions.yaml", "name: {ja: 申請者, en: Requester}", "name: {en: Requester}", r"'name' needs text in ja"),
        ("secret_questions.yaml", "- code: FIRST_PET", "- code: first pet", r"line \d+: 'code' must be upper-case"),
        ("deletion_reasons.yaml", "- code: OTHER", "- code: OTHER\n  colour: red", r"unknown key\(s\): colour"),
        ("deletion_reasons.yaml", "text: {ja: その他, en: Other}", "text: {ja: その他, en: Other", r"deletion_reasons.yaml: not valid YAML"),
    ],
)
def test_mistakes_name_the_file_the_line_and_the_problem(data_copy, file, old, new, message):
    replace(data_copy / file, old, new)
    with pytest.raises(DataError, match=message):
        loader.parse(data_copy)


def test_a_missing_file_is_reported(data_copy):
    (data_copy / "functions.yaml").unlink()
    with pytest.raises(DataError, match="functions.yaml: file is missing"):
        loader.parse(data_copy)


def test_the_cli_reports_a_mistake_without_a_traceback(app, data_copy, monkeypatch):
    replace(data_copy / "countries.yaml", "language: ja", "language: fr")
    monkeypatch.setattr(loader, "DATA_DIR", data_copy)
    result = app.test_cli_runner().invoke(args=["load-data"])
    assert result.exit_code == 1
    assert "'language' must be one of" in result.output and "countries.yaml, line" in result.output
    assert "Traceback" not in result.output


def test_the_line_number_is_the_entry_s_own(data_copy):
    path = data_copy / "countries.yaml"
    replace(path, "code: IN", "code: JP")
    lines = path.read_text(encoding="utf-8").splitlines()
    first, second = [n for n, line in enumerate(lines, 1) if line == "- code: JP"]
    with pytest.raises(DataError) as caught:
        loader.parse(data_copy)
    assert str(caught.value) == (
        f"countries.yaml, line {second}: code JP is already used on line {first}"
    )
