"""Sample data for trying the portal (``flask --app portal seed-sample``).

Each feature adds a step to ``STEPS``; every step is idempotent and returns a line that
says what it made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

STEPS: list[Callable[[], str]] = []


def seed() -> Iterator[str]:
    for step in STEPS:
        yield step()


from portal.accounts.sample import seed_accounts  # noqa: E402

STEPS.append(seed_accounts)

# Back office: a staff account ``staff`` (password printed and in the README).
from portal.backoffice.sample import seed_staff  # noqa: E402

STEPS.append(seed_staff)

# Back office: one sample application of each kind waiting for review.
from portal.backoffice.sample import seed_applications  # noqa: E402

STEPS.append(seed_applications)

# Corporate rewards: the brochure's example company with 110,000 points.
from portal.rewards.sample import seed_program  # noqa: E402

STEPS.append(seed_program)

# Cardmember online service: a cardmember with two cards, not yet set up.
from portal.cardmember.sample import seed_cardmember  # noqa: E402

STEPS.append(seed_cardmember)
