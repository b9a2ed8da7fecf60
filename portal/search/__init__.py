"""One search module for the rewards catalog and the resource center.

``normalize`` holds the text rules, ``documents`` builds the per-language search documents,
``conditions`` writes the SQL that finds a word, ``query`` answers queries on SQLite (FTS5
trigram) and PostgreSQL (pg_trgm), ``columns`` keeps each document's short columns per
worker (counting and ranking without reading rows), ``index`` keeps answers per process,
``scan`` is the plain reference implementation the tests hold the index against.
"""
