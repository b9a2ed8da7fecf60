"""Alembic environment: the URL comes from the portal's settings (PORTAL_DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from portal.db import make_engine
from portal.models import metadata
from portal.search.models import UNMANAGED_PREFIXES
from portal.settings import load_settings

config = context.config
url = config.attributes.get("database_url") or load_settings()["DATABASE_URL"]


def include_name(name, type_, parent_names) -> bool:
    """Leave out what the models do not describe: the search index's FTS5 tables and its
    pg_trgm index (created by revision 0600 with SQL of their own)."""
    return not (name and name.startswith(UNMANAGED_PREFIXES))


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"), include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
