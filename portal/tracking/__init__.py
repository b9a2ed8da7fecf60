"""Tracking an application by reference number and email (ENR-6).

May import: ``portal.accounts``, ``portal.enrollment``, ``portal.workdays`` and the shared
modules.
"""
