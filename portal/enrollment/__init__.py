"""Enrollment: applications to add, change or delete portal users (ENR).

- ``engine.py`` -- steps, kinds and their registry; ``kinds/`` -- the three kinds;
  ``step_helpers.py`` -- posted rows, error-summary labels and piece addresses for steps
- ``rules.py`` -- the applicant and user checks (``services.py``: those that need the
  database); ``forms.py`` -- the WTForms
- ``drafts.py``, ``wizard_session.py``, ``documents.py``, ``submission.py``, ``summary.py``,
  ``pdf.py`` -- saving, the browser's drafts and the timer, uploads, submission, the review
  summary and the PDF (staff decisions are in ``portal.backoffice.processing``)
- ``views.py``, ``templates/`` -- the pages (``kinds/_users_step.html`` and
  ``_entries_step.html`` serve the add-user and change kinds alike)

May import: ``portal.accounts``, ``portal.mail``, ``portal.reference``, ``portal.workdays`` and
the shared modules; no back-office code (``tests/test_boundaries.py`` checks it).
"""
