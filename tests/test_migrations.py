"""The Alembic revisions build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal.cli import alembic_config
from portal.extensions import db
from portal.models import metadata
from portal.search.models import UNMANAGED_PREFIXES


def _include_name(name, type_, parent_names):
    return not (name and name.startswith(UNMANAGED_PREFIXES))


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _include_name})
        assert compare_metadata(context, metadata) == []


def test_one_head(app):
    script = ScriptDirectory.from_config(alembic_config(app.config["DATABASE_URL"]))
    assert len(script.get_heads()) == 1
