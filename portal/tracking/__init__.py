"""Tracking an application by reference number and email (ENR-6)."""
