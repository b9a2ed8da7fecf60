"""The shell pages everyone sees: home (signed in or not), privacy, contact.

May import: ``portal.accounts`` (who is signed in, their access), ``portal.reference`` and
``portal.extensions``.
"""
