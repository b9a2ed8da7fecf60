"""Command-line tasks: ``flask --app portal <command>``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy.orm import Session

from portal.extensions import db


def alembic_config(url: str | None = None):
    from alembic.config import Config

    from portal.settings import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = url or current_app.config["DATABASE_URL"]
    return config


def upgrade_database(url: str | None = None) -> None:
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def load_reference_data(session: Session | None = None) -> int:
    """Reference data, the rewards catalog and the resource articles; the search index is
    rebuilt when any of them changed, was never built, or was built under older text rules.
    In its own transaction, or in ``session``'s when given."""
    from portal import content
    from portal.cardmember.revolving_rules import RULES_FILE, revolving_rules
    from portal.reference import loader
    from portal.search import index

    revolving_rules.cache_clear()
    revolving_rules(RULES_FILE)  # a mistake stops the load (a DataError)
    if session is None:
        with db.session.begin():
            return load_reference_data(db.session)
    changed = loader.load(session)
    content_changed = content.load(session)
    if content_changed or index.version(session) == 0 or index.outdated(session):
        index.build(session)
    return changed + content_changed


def init_app(app: Flask) -> None:
    @app.cli.command("migrate")
    def migrate_command():
        """Apply every database migration."""
        upgrade_database()
        click.echo("database is up to date")

    @app.cli.command("load-data")
    def load_data_command():
        """Validate and load catalog_data/ (running it twice changes nothing)."""
        from portal.reference.loader import DataError

        try:
            changed = load_reference_data()
        except DataError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"reference data loaded ({changed} rows changed)")

    @app.cli.command("search-index")
    def search_index_command():
        """Rebuild the search index of the catalog and the resource center."""
        from portal.search import index

        with db.session.begin():
            count = index.build(db.session)
        click.echo(f"search index rebuilt ({count} documents)")

    @app.cli.command("seed-sample")
    def seed_sample_command():
        """Load reference data and the sample data for trying the portal."""
        from portal import sample

        load_reference_data()
        for line in sample.seed():
            click.echo(line)
