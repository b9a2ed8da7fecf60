"""Add new user (ENR-3): user information, access, approvers, review.

Data shape: ``Draft.data`` of kind ``new`` in :mod:`portal.enrollment.models`. Field ids are
made from row indexes by the server (``u0-family_name``, ``u0-a1-country``,
``ap-JP-0-0-email``); a removal renumbers the rows and re-renders them.

The first two steps have modules of their own: ``new_user_users.py`` (who applies and the
users) and ``new_user_access.py`` (their access entries, reused by the change kind); the
approvers step is the shared one of :mod:`portal.enrollment.approvers`. This module puts
them together into the kind and registers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.enrollment import rules
from portal.enrollment.approvers import ApproversStep
from portal.enrollment.engine import Ctx, Kind, ReviewStep, register
from portal.enrollment.kinds.new_user_access import AccessStep
from portal.enrollment.kinds.new_user_users import UsersStep, user_label

# --- step 3: approvers (the shared step, on the users' access entries) -----------------------

class NewApprovers(ApproversStep):
    def user_label(self, user: Mapping[str, Any], index: int) -> str:
        return user_label(user, index)


# --- the kind ---------------------------------------------------------------------------------

class NewUser(Kind):
    name = "new"
    letter = "N"
    title = _l("Add a new user")
    intro = _l("Apply for portal access for one or more people: their details, the access "
               "they need in each country, and who approves it.")
    steps = (
        UsersStep(), AccessStep(), NewApprovers(),
        ReviewStep(back=(("approvers", _l("Return to approver details")),
                         ("users", _l("Back to user information")))),
    )
    section_steps = {"applicant": "users", "user": "users", "access": "access",
                     "approver": "approvers", "documents": "approvers"}
    done_notes = "enrollment/kinds/new_done_notes.html"

    def initial_data(self, language: str) -> dict[str, Any]:
        return {"applicant": {"mode": "employee"}, "users": [{"access": []}], "approvers": []}

    def finalize(self, ctx: Ctx) -> dict[str, Any]:
        data = ctx.data
        applicant = data.get("applicant") or {}
        users = []
        for i, user in enumerate(data.get("users") or []):
            address = user.get("address") if UsersStep.needs_address(data, i) else None
            if address:
                address = {**address,
                           "postal_code": rules.normalize_postal_code(address.get("postal_code"))}
            users.append({
                "family_name": user["family_name"].strip(),
                "given_name": user["given_name"].strip(),
                "email": user["email"].strip(),
                "country": user["country"],
                "birth_day": int(user["birth_day"]), "birth_month": int(user["birth_month"]),
                "birth_year": int(user["birth_year"]) if user.get("birth_year") else None,
                "auth_pin": user.get("auth_pin") or None,
                "auth_word": user.get("auth_word") or None,
                "program_role": user.get("program_role") or "user",
                "address": address,
                "access": [{"country": e["country"], "control_group": e["control_group"],
                            "functions": [{"function": f["function"], "role": f.get("role")}
                                          for f in e["functions"]]}
                           for e in user.get("access") or []],
            })
        live = set(self.steps[2].pairs(ctx))
        approvers = [
            {"country": a["country"], "user": a["user"], "family_name": a["family_name"],
             "given_name": a["given_name"], "email": a["email"], "phone": a["phone"],
             "user_id": a.get("user_id") or None, "agreed_at": a["agreed_at"]}
            for a in data.get("approvers") or [] if (a.get("country"), a.get("user")) in live
        ]
        return {
            "applicant": {
                "mode": applicant.get("mode"), "user_id": applicant.get("user_id") or None,
                "family_name": applicant.get("family_name", ""),
                "given_name": applicant.get("given_name", ""),
                "email": applicant.get("email", ""), "phone": applicant.get("phone", ""),
                "company": applicant.get("company", ""),
            },
            "users": users,
            "approvers": approvers,
        }


register(NewUser())
