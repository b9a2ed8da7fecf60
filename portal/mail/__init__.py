"""Outgoing mail: the outbox, the sender and the emails to new users.

- ``outbox.py``, ``models.py`` -- queueing an email in the caller's transaction
- ``messages.py``, ``templates/`` -- the emails to new users (MAIL-1, MAIL-2)
- ``sender.py`` -- claiming due emails, delivering them, recording the result, the loop;
  ``transport.py`` -- the MIME message and the SMTP (or local) transport;
  ``config.py`` -- the mail settings
- ``views.py`` -- ``/dev/mail`` and the ``send-mail`` command

What other features call:

- ``queue_email(session, *, to, subject, text, html, kind, dedupe_key=None)``
- ``queue_new_user_emails(session, *, user_like, registration_url)`` (MAIL-1 and MAIL-2)
- ``contact_id_email(...)`` / ``welcome_email(...)`` to build the emails without queueing

May import: ``portal.db``, ``portal.extensions``, ``portal.i18n``, ``portal.workdays``; no
other feature.
"""

from portal.mail.messages import contact_id_email, queue_new_user_emails, welcome_email
from portal.mail.outbox import queue_email

__all__ = ["contact_id_email", "queue_email", "queue_new_user_emails", "welcome_email"]
