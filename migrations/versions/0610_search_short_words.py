"""search: an index for Japanese words of one or two characters

Revision ID: 0610
Revises: 0600
Create Date: 2026-12-02 05:00:00

Words shorter than a trigram (a single kanji, two kana) could only be found by reading every
Japanese document. Outside the models (see portal.search.models):

- SQLite: ``search_fts_chars``, a contentless FTS5 table holding each Japanese document's text
  with a space between every character (``ascii`` tokenizer: every non-ASCII character is a
  token), so that a short word is a phrase of single characters; filled here from the
  existing documents and by every rebuild (``portal.search.index.build``).
- PostgreSQL: ``search_grams(text)``, every distinct one- and two-character piece of a text,
  and a GIN index on it for the Japanese documents (``ix_search_doc_grams``).
"""
from alembic import op


revision = '0610'
down_revision = '0600'
branch_labels = None
depends_on = None

GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION search_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
    SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
    UNION ALL
    SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
  ) AS pieces WHERE position(' ' IN g) = 0
$$
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts_chars USING fts5("
            "text, content='', tokenize='ascii', detail='full')"
        )
        rows = bind.exec_driver_sql("SELECT id, text FROM search_doc WHERE lang = 'ja'").all()
        if rows:
            bind.exec_driver_sql(
                "INSERT INTO search_fts_chars(rowid, text) VALUES (?, ?)",
                [(id_, " ".join(text)) for id_, text in rows],
            )
    elif bind.dialect.name == "postgresql":
        op.execute(GRAMS_FUNCTION)
        op.execute(
            "CREATE INDEX ix_search_doc_grams ON search_doc USING gin (search_grams(text)) "
            "WHERE lang = 'ja'"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts_chars")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_doc_grams")
        op.execute("DROP FUNCTION IF EXISTS search_grams(text)")
