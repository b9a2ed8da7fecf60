"""Enrollment: applications to add, change or delete portal users (ENR).

- ``engine.py`` -- steps, kinds and the page flow; ``kinds/`` -- the three kinds
- ``rules.py`` -- the applicant and user checks; ``forms.py`` -- the WTForms
- ``drafts.py``, ``documents.py``, ``services.py``, ``summary.py``, ``pdf.py`` -- saving,
  uploads, submission, the review summary and the PDF (staff decisions are in
  ``portal.backoffice.processing``)
- ``views.py``, ``templates/`` -- the pages (``kinds/_users_step.html`` and
  ``_entries_step.html`` serve the add-user and change kinds alike)

May import: ``portal.accounts``, ``portal.mail``, ``portal.reference``, ``portal.workdays`` and
the shared modules; no back-office code (``tests/test_boundaries.py`` checks it).
"""
