"""search: one trigram index per language on PostgreSQL

Revision ID: 0760
Revises: 0750
Create Date: 2026-12-08 02:30:00.000000

A search looks in both languages, one statement each; with one trigram index over both,
PostgreSQL found a Latin word's twelve thousand English documents for the Japanese
statement too, only to drop them by language (about 15 ms of a 40 ms search on the
100,000-item bench catalog). One partial index per language (``lang`` written out in the
statements, :func:`portal.search.conditions.in_language`) takes its place. The languages
are those of ``portal.search.documents.LANGS`` when this was written; a language added
later needs a migration of its own. SQLite is unchanged (its FTS5 tables are searched
within each language's run of ids).
"""
from alembic import op


revision = '0760'
down_revision = '0750'
branch_labels = None
depends_on = None

LANGUAGES = ("ja", "en")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for language in LANGUAGES:
        op.execute(f"CREATE INDEX ix_search_doc_text_trgm_{language} ON search_doc "
                   f"USING gin (text gin_trgm_ops) WHERE lang = '{language}'")
    op.execute("DROP INDEX IF EXISTS ix_search_doc_text_trgm")
    op.execute("ANALYZE search_doc")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_search_doc_text_trgm ON search_doc USING gin (text gin_trgm_ops)")
    for language in LANGUAGES:
        op.execute(f"DROP INDEX IF EXISTS ix_search_doc_text_trgm_{language}")
