"""Portal users: the data and the transactions behind accounts. Rules live in
:mod:`portal.accounts.rules`; each module here owns one job:

- :mod:`.common` -- hashing, token digests, limits, :func:`write_transaction`, ``AccountError``
- :mod:`.users` -- creation, registration links, disabling, unlocking (back office; flush only)
- :mod:`.user_ids` -- finding users by ID, availability and suggestions
- :mod:`.registration` -- first-login registration (REG)
- :mod:`.sessions` -- sign-in and sessions (AUTH-1, AUTH-3)
- :mod:`.password_reset` -- forgotten password (AUTH-2)

The names below are the ones other features and the pages use, so that
``from portal.accounts import services`` keeps one front door. May import: ``portal.db``,
``portal.reference.models``, ``portal.accounts`` (models, rules, limiter); nothing from
other features.
"""

from portal.accounts.services.common import (
    AccountError,
    Limits,
    token_digest,
    verify_secret,
    write_transaction,
)
from portal.accounts.services.password_reset import (
    Reset,
    check_reset_answer,
    reset_question,
    set_password,
)
from portal.accounts.services.registration import (
    LinkState,
    LinkUnusable,
    VerifyOutcome,
    complete_registration,
    registration_link,
    verify_identity,
)
from portal.accounts.services.sessions import (
    SignIn,
    SignInResult,
    authenticate,
    end_session,
    purge_expired,
    session_user,
    start_session,
)
from portal.accounts.services.user_ids import (
    UserIdTaken,
    find_by_user_id,
    suggest_user_ids,
    user_id_available,
    user_id_check_allowed,
)
from portal.accounts.services.users import (
    access_overview,
    create_user,
    disable_user,
    issue_registration_link,
    unlock,
)

__all__ = [
    "AccountError", "Limits", "token_digest", "verify_secret",
    "write_transaction",
    "Reset", "check_reset_answer", "reset_question", "set_password",
    "LinkState", "LinkUnusable", "VerifyOutcome", "complete_registration", "registration_link",
    "verify_identity",
    "SignIn", "SignInResult", "authenticate", "end_session", "purge_expired", "session_user",
    "start_session",
    "UserIdTaken", "find_by_user_id", "suggest_user_ids", "user_id_available",
    "user_id_check_allowed",
    "access_overview", "create_user", "disable_user", "issue_registration_link", "unlock",
]
