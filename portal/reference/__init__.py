"""Reference data (countries, functions and roles, secret questions) loaded from
``catalog_data/`` into the database, and the lookups other features use.

May import: ``portal.db`` and ``portal.settings`` only; every feature may import it.
"""
