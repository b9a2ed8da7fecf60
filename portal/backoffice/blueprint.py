"""The back office blueprint (``/backoffice``) and the template globals it offers.

The routes live in :mod:`portal.backoffice.views` (sign-in, dashboard, mail outbox, the
``create-staff`` command) and :mod:`portal.backoffice.application_views` (applications and
unlocking users); both import ``bp`` from here, so neither imports the other.
"""

from __future__ import annotations

from flask import Blueprint

from portal.backoffice import audit
from portal.backoffice.auth import current_staff
from portal.mail.messages import kind_label

bp = Blueprint("backoffice", __name__, template_folder="templates", url_prefix="/backoffice",
               cli_group=None)

# Templates anywhere can show who is signed in and the audit trail partial.
bp.add_app_template_global(current_staff, "current_staff")
bp.add_app_template_global(kind_label, "email_kind_label")
bp.add_app_template_global(audit.action_label, "staff_action_label")
bp.add_app_template_global(audit.detail_label, "staff_detail_label")
