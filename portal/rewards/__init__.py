"""Corporate Membership Rewards (CMR): the catalog and its search source, the program
account, cards, transactions and the points ledger (``program.py``, ``ledger.py``), earning
rules (``rules.py``, ``earning.py``), statement import, fees and lifecycle, redemption
(``redeem.py``), the PA's points pages and the back-office program pages.

May import: ``portal.accounts``, ``portal.search``, ``portal.mail``, ``portal.content``,
``portal.workdays``, ``portal.backoffice`` (audit, and staff sign-in for its office pages)
and the shared modules.
"""
