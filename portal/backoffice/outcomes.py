"""What deciding an application answers (ENR-7): an :class:`Outcome` when it was done, a
:class:`ProcessingError` (:class:`AlreadyDecided`, :class:`NotApplicable`) when nothing was
changed.

Shared by ``processing.py`` (the decisions) and ``applying.py`` (what an approval does to
the accounts). Imports nothing of the portal but the models it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.enrollment.models import Application


class ProcessingError(Exception):
    """The decision cannot be made; ``errors`` maps a field (or ``""``) to a message for
    staff. Nothing was changed."""

    def __init__(self, errors: Mapping[str, Any]):
        super().__init__(dict(errors))  # lazy messages: turned into text where shown
        self.errors = dict(errors)

    @property
    def message(self) -> str:
        return " ".join(str(value) for value in self.errors.values())


class AlreadyDecided(ProcessingError):
    """Someone (perhaps this person a moment ago) decided the application already."""

    def __init__(self, status: str):
        super().__init__({"": _l("This application has already been decided. Nothing was "
                                 "changed.")})
        self.status = status


class NotApplicable(ProcessingError):
    """The application asks for something that cannot be done (unknown user ID, unknown
    country ...). Nothing was changed; the application stays open."""


@dataclass
class Outcome:
    """What a decision did, for the page that reports it."""

    application: Application
    created: list[User] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    disabled: list[str] = field(default_factory=list)
