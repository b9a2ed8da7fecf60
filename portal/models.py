"""Imports every feature's models so that Alembic and the tests see the whole schema.

A new feature adds its ``models`` module here.
"""

from portal.accounts import models as accounts_models  # noqa: F401
from portal.backoffice import models as backoffice_models  # noqa: F401
from portal.cardmember import models as cardmember_models  # noqa: F401
from portal.db import Base
from portal.enrollment import models as enrollment_models  # noqa: F401
from portal.mail import models as mail_models  # noqa: F401
from portal.reference import models as reference_models  # noqa: F401
from portal.resources import models as resources_models  # noqa: F401
from portal.rewards import models as rewards_models  # noqa: F401
from portal.rewards import program as rewards_program  # noqa: F401
from portal.search import models as search_models  # noqa: F401

metadata = Base.metadata
