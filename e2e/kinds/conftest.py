"""Browser-test fixtures for the change and delete forms: those of the enrollment tests."""

from e2e.enrollment.conftest import enroll_engine, expected_422  # noqa: F401  (fixtures)
