"""One search module for the rewards catalog and the resource center.

``normalize`` holds the text rules, ``index`` builds the per-language search documents and
answers queries on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm), ``columns`` keeps each
document's short columns per worker on SQLite (counting and ranking without reading rows),
``scan`` is the plain reference implementation the tests hold the index against.
"""
