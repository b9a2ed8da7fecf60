"""The back office (ENR-7): staff sign-in, the dashboard, the mail outbox, the applications
queue with approval and rejection, and unlocking users.

- ``blueprint.py`` -- the ``/backoffice`` blueprint; ``views.py`` and ``application_views.py``
  add their routes to it (neither imports the other)
- ``auth.py``, ``services.py``, ``models.py`` -- staff accounts and their sessions
- ``applications.py`` -- the queries behind the queue and the detail page (the users an
  application created or names, the applicant's standing, the data without secrets)
- ``processing.py`` -- starting the review, approving and rejecting, each one unit of work;
  ``applying.py`` -- what approving each kind does to the accounts; ``outcomes.py`` -- the
  outcome and the errors a decision answers with
- ``audit.py`` -- the staff action trail

May import: ``portal.accounts``, ``portal.enrollment``, ``portal.mail``, ``portal.reference``,
``portal.tracking``, ``portal.workdays`` and the shared modules (``db``, ``extensions``,
``forms``, ``i18n``, ``templating``).
"""
