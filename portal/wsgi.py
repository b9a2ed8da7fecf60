"""WSGI entry point: ``gunicorn portal.wsgi:app``.

Each worker imports this module once: it makes the application, reads what the search keeps
per worker (:func:`portal.search.index.warm`) so that the first search is not the one to
wait for it, and then moves what it made out of the garbage collector's way
(``gc.freeze``: the application's objects live as long as the worker, and a collection of
the oldest generation would otherwise walk all of them).
"""

import gc
import logging

from sqlalchemy.exc import SQLAlchemyError

from portal import create_app
from portal.extensions import db
from portal.search import index

app = create_app()

with app.app_context():
    try:
        index.warm(db.session)
    except SQLAlchemyError:  # a database not migrated yet: the first search reads it
        logging.getLogger(__name__).warning("search not warmed: the index cannot be read yet")
    finally:
        db.session.remove()

gc.collect()
gc.freeze()
