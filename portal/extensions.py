"""Extension objects shared by the whole application."""

from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from portal.db import Database

db = Database()
babel = Babel()
csrf = CSRFProtect()
htmx = Htmx()
