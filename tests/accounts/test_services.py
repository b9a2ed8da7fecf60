"""Services: creating users for the back office, links, identity checks, sign-in, sessions,
password reset and the rate limiter."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts import limiter, services
from portal.accounts.models import AuthSession, RegistrationToken, User
from portal.accounts.services import LinkState, Reset, SignIn, VerifyOutcome, user_ids
from portal.db import utcnow

from .conftest import ANSWER, PASSWORD

LIMITS = services.Limits()


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def test_create_user_gives_a_contact_id_language_and_hashed_secrets(db_session, make_user):
    user, token = make_user(country_code="US", auth_word="Sakura", auth_pin="2468",
                            program_role="pa")
    assert len(user.contact_id) == 9 and user.contact_id.isdigit() and user.contact_id[0] != "0"
    assert user.language == "en" and user.status == "pending"
    assert user.auth_word_hash.startswith("$argon2id$") and "akura" not in user.auth_word_hash
    assert user.auth_pin_hash.startswith("$argon2id$")
    assert user.access[0].function_code == "OPM"
    link = db_session.scalar(select(RegistrationToken).where(RegistrationToken.user_id == user.id))
    assert link.token_hash == services.token_digest(token) and token not in link.token_hash
    hours = (link.expires_at - link.created_at) / timedelta(hours=1)
    assert hours == 168
    japanese, _ = make_user()
    assert japanese.language == "ja" and japanese.contact_id != user.contact_id


def test_create_user_refuses_bad_input(make_user):
    with pytest.raises(ValueError, match="country"):
        make_user(country_code="XX")
    with pytest.raises(ValueError, match="birthday"):
        make_user(birth_day=31, birth_month=2)
    with pytest.raises(ValueError, match="auth PIN"):
        make_user(auth_word="sakura")


def test_contact_ids_are_unique_in_the_database(db_session, make_user):
    first, _ = make_user()
    second, _ = make_user()
    second.contact_id = first.contact_id
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.flush()


def test_link_states(db_session, make_user, register):
    user, token = make_user()
    assert services.registration_link(db_session, token)[0] is LinkState.OK
    assert services.registration_link(db_session, "nope")[0] is LinkState.UNKNOWN
    later = utcnow() + timedelta(hours=169)
    assert services.registration_link(db_session, token, now=later)[0] is LinkState.EXPIRED
    newer = services.issue_registration_link(db_session, user)
    assert services.registration_link(db_session, token)[0] is LinkState.REPLACED
    assert services.registration_link(db_session, newer)[0] is LinkState.OK
    register(user, newer, "linkstate1")
    assert services.registration_link(db_session, newer)[0] is LinkState.USED


def test_birthday_check_and_lock_after_five_failures(db_session, make_user):
    user, token = make_user()
    link = services.registration_link(db_session, token)[1]
    for left in (4, 3, 2, 1):
        result = services.verify_identity(db_session, link.id, method="birthday", birth_day=16,
                                          birth_month=4, limits=LIMITS)
        assert result.outcome is VerifyOutcome.MISMATCH and result.attempts_left == left
    result = services.verify_identity(db_session, link.id, method="birthday", birth_day=15,
                                      birth_month=5, limits=LIMITS)
    assert result.outcome is VerifyOutcome.LOCKED
    right = dict(method="birthday", birth_day=15, birth_month=4, limits=LIMITS)
    assert services.verify_identity(db_session, link.id, **right).outcome is VerifyOutcome.LOCKED
    later = utcnow() + timedelta(minutes=31)
    assert services.verify_identity(db_session, link.id, now=later, **right).outcome is (
        VerifyOutcome.OK)


def test_word_and_pin_users_must_use_word_and_pin(db_session, make_user):
    user, token = make_user(auth_word="sakura", auth_pin="2468")
    link = services.registration_link(db_session, token)[1]

    def check(**kwargs):
        return services.verify_identity(db_session, link.id, limits=LIMITS, **kwargs).outcome

    assert check(method="birthday", birth_day=15, birth_month=4) is VerifyOutcome.MISMATCH
    assert check(method="word", auth_word="sakura", auth_pin="1111") is VerifyOutcome.MISMATCH
    assert check(method="word", auth_word="tulip", auth_pin="2468") is VerifyOutcome.MISMATCH
    assert check(method="word", auth_word="ＳＡＫＵＲＡ", auth_pin="２４６８") is VerifyOutcome.OK


def test_failures_from_one_address_are_limited(db_session, make_user):
    limits = services.Limits(address_max_failures=3)
    user, token = make_user()
    link = services.registration_link(db_session, token)[1]
    wrong = dict(method="birthday", birth_day=1, birth_month=1, address="10.0.0.9", limits=limits)
    for _ in range(3):
        assert services.verify_identity(db_session, link.id, **wrong).outcome is (
            VerifyOutcome.MISMATCH)
    result = services.verify_identity(db_session, link.id, **{**wrong, "birth_day": 15,
                                                                "birth_month": 4})
    assert result.outcome is VerifyOutcome.ADDRESS_LIMITED and result.wait > timedelta(0)
    # The same person from another address is not affected.
    other = {**wrong, "birth_day": 15, "birth_month": 4, "address": "10.0.0.10"}
    assert services.verify_identity(db_session, link.id, **other).outcome is VerifyOutcome.OK


def test_registration_stores_hashes_and_uses_the_link(db_session, make_user, register):
    user, token = make_user()
    done = register(user, token, "TanakaTaro")
    assert done.status == "active" and done.user_id == "TanakaTaro"
    assert done.user_id_folded == "tanakataro"
    assert done.password_hash.startswith("$argon2id$") and PASSWORD not in done.password_hash
    assert services.verify_secret(done.secret_answer_hash, "pochi")
    assert done.registered_at is not None
    with pytest.raises(services.LinkUnusable) as raised:
        register(user, token, "another01")
    assert raised.value.state is LinkState.USED


def test_a_taken_user_id_is_refused_whatever_its_case_with_suggestions(db_session, registered,
                                                                        make_user, register):
    registered("Suzuki01")
    user, token = make_user()
    with pytest.raises(services.UserIdTaken) as raised:
        register(user, token, "SUZUKI01")
    assert len(raised.value.suggestions) == 3
    for suggestion in raised.value.suggestions:
        assert services.user_id_available(db_session, suggestion)
    register(user, token, raised.value.suggestions[0])


def test_the_database_constraint_decides_when_the_check_is_passed(db_session, make_user,
                                                                  register, monkeypatch):
    """Two registrations that both saw the ID free: the unique index refuses the second."""
    first, first_token = make_user()
    second, second_token = make_user()
    register(first, first_token, "racer001")
    monkeypatch.setattr(user_ids, "user_id_in_use", lambda session, folded: False)
    with pytest.raises(services.UserIdTaken):
        register(second, second_token, "RACER001")
    db_session.refresh(second)
    assert second.status == "pending" and second.user_id is None


def test_rules_are_checked_again_by_the_service(db_session, make_user, register):
    user, token = make_user()
    with pytest.raises(services.AccountError) as raised:
        register(user, token, "ab", password="short", answer="")
    assert set(raised.value.errors) == {"user_id", "password", "secret_answer"}
    with pytest.raises(services.AccountError) as raised:
        register(user, token, "validid01", question="NO_SUCH_QUESTION")
    assert set(raised.value.errors) == {"secret_question"}


def test_sign_in_locks_after_three_wrong_passwords(db_session, registered):
    user = registered("lockme01")
    for _ in range(3):
        assert services.authenticate(db_session, "lockme01", "wrong-pass", limits=LIMITS).outcome \
            is SignIn.INVALID
    db_session.refresh(user)
    assert user.locked_at is not None and user.failed_logins == 3
    # Even the right password gets the generic answer: no way to test guesses on a locked account.
    assert services.authenticate(db_session, "LOCKME01", PASSWORD, limits=LIMITS).outcome is (
        SignIn.INVALID)
    assert services.authenticate(db_session, "lockme01", "wrong", limits=LIMITS).outcome is (
        SignIn.INVALID)
    services.unlock(db_session, user)
    db_session.commit()
    assert services.authenticate(db_session, "lockme01", PASSWORD, limits=LIMITS).outcome is (
        SignIn.OK)


def test_a_right_password_resets_the_count(db_session, registered):
    user = registered("count001")
    for password in ("bad1", "bad2", PASSWORD, "bad3", "bad4"):
        services.authenticate(db_session, "count001", password, limits=LIMITS)
    db_session.refresh(user)
    assert user.locked_at is None and user.failed_logins == 2


def test_unknown_user_ids_get_the_same_answer(db_session, registered):
    registered("known001")
    unknown = services.authenticate(db_session, "nobody01", PASSWORD, limits=LIMITS)
    wrong = services.authenticate(db_session, "known001", "not-it", limits=LIMITS)
    assert unknown.outcome is wrong.outcome is SignIn.INVALID


def test_a_pending_user_typing_the_contact_id_is_told_to_register(db_session, make_user):
    user, _ = make_user()
    result = services.authenticate(db_session, user.contact_id, "anything", limits=LIMITS)
    assert result.outcome is SignIn.PENDING
    assert services.authenticate(db_session, "123456789", "x", limits=LIMITS).outcome is (
        SignIn.INVALID)


def test_disabled_users_cannot_sign_in(db_session, registered):
    user = registered("gone0001")
    token = services.start_session(db_session, user)
    services.disable_user(db_session, user)
    db_session.commit()
    assert services.session_user(db_session, token, limits=LIMITS) is None
    assert services.authenticate(db_session, "gone0001", PASSWORD, limits=LIMITS).outcome is (
        SignIn.DISABLED)


def test_sessions_end_on_sign_out_idle_and_age(db_session, registered):
    user = registered("session1")
    token = services.start_session(db_session, user)
    assert services.session_user(db_session, token, limits=LIMITS).id == user.id
    record = db_session.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
    assert record.token_hash == services.token_digest(token)
    idle = utcnow() + timedelta(minutes=31)
    assert services.session_user(db_session, token, limits=LIMITS, now=idle) is None
    assert services.session_user(db_session, token, limits=LIMITS) is None  # ended for good

    token = services.start_session(db_session, user)
    services.end_session(db_session, token)
    assert services.session_user(db_session, token, limits=LIMITS) is None

    token = services.start_session(db_session, user)
    now = utcnow()
    for minutes in range(25, 13 * 60, 25):  # in use all along, but too old after 12 hours
        found = services.session_user(db_session, token, limits=LIMITS,
                                      now=now + timedelta(minutes=minutes))
        if minutes < 12 * 60:
            assert found is not None, minutes
        else:
            assert found is None
            break


def test_a_locked_account_loses_its_sessions(db_session, registered):
    user = registered("session2")
    token = services.start_session(db_session, user)
    for _ in range(3):
        services.authenticate(db_session, "session2", "bad", limits=LIMITS)
    assert services.session_user(db_session, token, limits=LIMITS) is None


def test_password_reset(db_session, registered):
    user = registered("reset001", )
    question = services.reset_question(db_session, "RESET001", secret="k")
    assert question.code == "FIRST_PET"
    assert services.check_reset_answer(db_session, "reset001", "tama", limits=LIMITS).outcome \
        is Reset.WRONG
    result = services.check_reset_answer(db_session, "reset001", "ＰＯＣＨＩ", limits=LIMITS)
    assert result.outcome is Reset.OK and result.user.id == user.id
    token = services.start_session(db_session, user)
    services.set_password(db_session, user.id, "NewPass#99")
    assert services.session_user(db_session, token, limits=LIMITS) is None
    assert services.authenticate(db_session, "reset001", PASSWORD, limits=LIMITS).outcome is (
        SignIn.INVALID)
    assert services.authenticate(db_session, "reset001", "NewPass#99", limits=LIMITS).outcome is (
        SignIn.OK)
    with pytest.raises(services.AccountError):
        services.set_password(db_session, user.id, "ｆｕｌｌｗｉｄｔｈ")


def test_reset_looks_the_same_for_unknown_user_ids(db_session):
    first = services.reset_question(db_session, "nobody01", secret="k")
    assert first == services.reset_question(db_session, "NOBODY01", secret="k")
    assert services.check_reset_answer(db_session, "nobody01", ANSWER, limits=LIMITS).outcome is (
        Reset.WRONG)


def test_reset_attempts_are_limited_per_user_id(db_session, registered):
    registered("reset002")
    for _ in range(5):
        services.check_reset_answer(db_session, "reset002", "wrong", limits=LIMITS)
    result = services.check_reset_answer(db_session, "reset002", ANSWER, limits=LIMITS)
    assert result.outcome is Reset.LIMITED and result.wait > timedelta(0)


def test_reset_of_a_locked_account_tells_the_owner(db_session, registered):
    registered("reset003")
    for _ in range(3):
        services.authenticate(db_session, "reset003", "bad", limits=LIMITS)
    assert services.check_reset_answer(db_session, "reset003", ANSWER, limits=LIMITS).outcome is (
        Reset.LOCKED)


def test_limiter_counts_in_windows(db_session):
    window = timedelta(minutes=10)
    now = utcnow()
    assert [limiter.hit(db_session, "k", window=window, now=now) for _ in range(3)] == [1, 2, 3]
    assert limiter.count(db_session, "k", window=window, now=now) == 3
    assert limiter.count(db_session, "k", window=window, now=now + window) == 0
    assert limiter.hit(db_session, "k", window=window, now=now + window) == 1
    assert limiter.retry_after(db_session, "k", window=window, now=now + window) == window
    limiter.reset(db_session, "k")
    assert limiter.count(db_session, "k", window=window) == 0
    limiter.hit(db_session, "old", window=window, now=now - timedelta(days=2))
    assert limiter.purge(db_session, older_than=timedelta(days=1)) == 1


def test_access_overview_groups_by_country_and_control_group(db_session, registered):
    user = registered("overview", access=[
        {"country_code": "US", "function_code": "OPM", "control_group": "840000000000001"},
        {"country_code": "JP", "function_code": "REPORTING", "role_code": "VIEWER",
         "control_group": "392000000000002"},
        {"country_code": "JP", "function_code": "OPM", "control_group": "392000000000001"},
        {"country_code": "JP", "function_code": "OCA", "role_code": "APPROVER",
         "control_group": "392000000000001"},
    ])
    overview = services.access_overview(db_session, user)
    assert [block.country.code for block in overview] == ["JP", "US"]
    japan = overview[0]
    assert [g.control_group for g in japan.groups] == ["392000000000001", "392000000000002"]
    assert [(line.function.code, line.role and line.role.code) for line in japan.groups[0].lines] \
        == [("OPM", None), ("OCA", "APPROVER")]


def test_unlock_and_disable_flush_without_committing(db_session, registered):
    user = registered("flush001")
    user.locked_at = utcnow()
    user.failed_logins = 3
    services.unlock(db_session, user)
    assert db_session.scalar(select(User.failed_logins).where(User.id == user.id)) == 0
