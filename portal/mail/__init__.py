"""Outgoing mail: the outbox, the sender and the emails to new users.

What other features call:

- ``queue_email(session, *, to, subject, text, html, kind, dedupe_key=None)``
- ``queue_new_user_emails(session, *, user_like, registration_url)`` (MAIL-1 and MAIL-2)
- ``contact_id_email(...)`` / ``welcome_email(...)`` to build the emails without queueing
"""

from portal.mail.messages import contact_id_email, queue_new_user_emails, welcome_email
from portal.mail.outbox import queue_email

__all__ = ["contact_id_email", "queue_email", "queue_new_user_emails", "welcome_email"]
