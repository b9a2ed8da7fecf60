"""Fixtures for the hardening suites: the back-office and accounts fixtures, reused."""

from tests.accounts.conftest import fast_hashing, make_user, register, registered  # noqa: F401
from tests.backoffice.conftest import staff  # noqa: F401
from tests.enrollment.conftest import registered_pa  # noqa: F401


def pytest_terminal_summary(terminalreporter):
    """The number of generated requests the fuzz suite sent (the README's figure)."""
    from tests.hardening.test_fuzz import SENT

    if SENT:
        terminalreporter.write_line(
            f"fuzz: {sum(SENT.values())} requests over {len(SENT)} endpoints, none answered 5xx")
