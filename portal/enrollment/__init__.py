"""Enrollment: applications to add, change or delete portal users (ENR)."""
