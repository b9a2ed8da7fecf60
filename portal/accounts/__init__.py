"""Portal users (REG, AUTH): first-login registration, sign-in and sessions, forgotten
password, user IDs, and the signed-in home's access overview.

- ``rules.py`` -- the account rules as plain functions (user IDs, passwords, answers)
- ``services/`` -- the data and transactions, one module per job (see its ``__init__``)
- ``limiter.py`` -- attempt counters in the database; ``current.py`` -- the signed-in user
- ``views.py``, ``forms.py``, ``templates/`` -- the pages; ``housekeeping.py``, ``sample.py``

May import: ``portal.db``, ``portal.extensions``, ``portal.forms``, ``portal.i18n``,
``portal.templating``, ``portal.reference``. Other features call into accounts, never the
other way round.
"""
