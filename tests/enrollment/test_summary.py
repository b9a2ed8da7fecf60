"""summary.sections() reads every kind of the data contract, in either language."""

from portal.enrollment import summary

NEW = {
    "applicant": {"mode": "employee", "user_id": None, "family_name": "Yamada",
                  "given_name": "Hanako", "email": "pa@example.co.jp", "phone": "0312345678",
                  "company": "Example KK"},
    "users": [{"family_name": "佐藤", "given_name": "一郎", "email": "u@example.co.jp",
               "country": "JP", "birth_day": 3, "birth_month": 4, "birth_year": None,
               "auth_pin": True, "auth_word": True, "program_role": "contact",
               "address": {"postal_code": "100-0005", "prefecture": "東京都", "city": "千代田区",
                           "street": "丸の内1-1", "building": ""},
               "access": [{"country": "JP", "control_group": "392000000000001",
                           "functions": [{"function": "OCA", "role": "APPROVER"},
                                         {"function": "OPM", "role": None}]}]}],
    "approvers": [{"country": "JP", "user": 0, "family_name": "Suzuki", "given_name": "Jiro",
                   "email": "a@example.co.jp", "phone": "0312345678",
                   "agreed_at": "2026-04-01T01:02:03+00:00"}],
}
CHANGE = {
    "applicant": {"mode": "pa", "user_id": "samplepa", "family_name": "Yamada",
                  "given_name": "Hanako", "email": "pa@example.co.jp", "phone": "0312345678",
                  "company": "Example KK"},
    "users": [{"user_id": "tanaka01", "changes": [
        {"country": "JP", "action": "remove", "control_group": "392000000000002",
         "functions": [{"function": "REPORTING", "role": None}]}]}],
    "approvers": [],
}
DELETE = {"applicant": {"family_name": "Yamada", "given_name": "Hanako",
                        "email": "pa@example.co.jp", "phone": "0312345678", "company": "X"},
          "user_id": "tanaka01", "reason": "LEFT_COMPANY", "reason_note": "Retired"}


def flat(sections):
    out = {}
    for section in sections:
        for row in section.rows:
            out[f"{section.key}.{row.key}"] = row.value
        out.update(flat(section.children))
    return out


def test_new_in_english_and_japanese(app, db_session):
    with app.test_request_context("/?lang=en"):
        en = summary.sections(db_session, "new", NEW, "en")
        ja = summary.sections(db_session, "new", NEW, "ja")
    assert [s.key for s in en] == ["applicant", "user-0", "approvers"]
    rows = flat(en)
    assert rows["user-0.country"] == "Japan"
    assert rows["user-0.birthday"] == "April 3"
    assert rows["user-0.auth_pin"] == "Set (no longer shown)"
    assert rows["user-0-access-0.functions"] == (
        "Online Card Application (Approver) and Online Program Management (OPM)")
    assert rows["user-0.address"].startswith("〒100-0005 東京都")
    assert rows["approver-0.consent"].startswith("Agreed on")
    assert en[1].children[0].group == "access" and en[2].group == "approver"
    rows_ja = flat(ja)
    assert rows_ja["user-0.country"] == "日本"
    assert rows_ja["user-0.birthday"] == "4月3日"
    assert "承認者" in rows_ja["user-0-access-0.functions"]


def test_change_and_delete(app, db_session):
    with app.test_request_context("/?lang=en"):
        change = flat(summary.sections(db_session, "change", CHANGE, "en"))
        delete = summary.sections(db_session, "delete", DELETE, "en")
    assert change["user-0.user_id"] == "tanaka01"
    assert change["user-0-change-0.action"] == "Remove"
    assert change["applicant.mode"] == "An existing Program Administrator changing access"
    rows = flat(delete)
    assert rows["deletion.user_id"] == "tanaka01"
    assert rows["deletion.reason"] and rows["deletion.reason"] != "Not entered"
    assert rows["deletion.reason_note"] == "Retired"


def test_an_incomplete_draft_is_summarised_without_failing(app, db_session):
    with app.test_request_context("/?lang=en"):
        sections = summary.sections(db_session, "new", {"users": [{}]}, "en")
    assert flat(sections)["user-0.email"] == "Not entered"
