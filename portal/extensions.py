"""Extension objects shared by the whole application."""

from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from portal.db import Database
from portal.i18n import PortalBabel

db = Database()
babel = PortalBabel()  # Flask-Babel, its catalog looked up once per request
csrf = CSRFProtect()
htmx = Htmx()
