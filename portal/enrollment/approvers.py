"""The approvers step (ENR-3.f, ENR-3.d), shared by the kinds that name approvers.

For every (country, user) pair of the users' entries it asks for one or more approvers with
their consent to the terms of use (recorded with its time), requires a registered Program
Administrator as approver where Online Card Application is involved, and takes supporting
documents where the country asks for them. A kind subclasses :class:`ApproversStep` and
overrides :meth:`~ApproversStep.entries` (which list of a user holds country entries: "access"
for new users, "changes" for changes) and :meth:`~ApproversStep.user_label`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.db import utcnow
from portal.enrollment import documents, drafts, rules, services
from portal.enrollment.engine import Ctx, Errors, Step
from portal.enrollment.forms import ApproverForm, DocumentForm
from portal.enrollment.models import ApplicationDocument
from portal.enrollment.step_helpers import action_urls as _action_url
from portal.enrollment.step_helpers import field_value as _get
from portal.enrollment.step_helpers import posted_rows as _indexes
from portal.enrollment.step_helpers import prefixed_labels as _prefixed

# --- approvers and documents ------------------------------------------------------------

def pairs(ctx: Ctx, entries=lambda user: user.get("access") or []) -> list[tuple[str, int]]:
    """Every (country, user index) of the users' entries, in order of appearance."""
    result: list[tuple[str, int]] = []
    for i, user in enumerate(ctx.data.get("users") or []):
        for entry in entries(user):
            code = entry.get("country")
            if code and (code, i) not in result and ctx.ref.country(code):
                result.append((code, i))
    return result


def pair_has_oca(ctx: Ctx, country: str, i: int,
                 entries=lambda user: user.get("access") or []) -> bool:
    user = (ctx.data.get("users") or [])[i]
    return any(item.get("function") == "OCA"
               for entry in entries(user) if entry.get("country") == country
               for item in entry.get("functions") or [])


def pair_needs_documents(ctx: Ctx, country: str, i: int,
                         entries=lambda user: user.get("access") or []) -> bool:
    """ENR-3.d: a new Program Administrator made Online Card Application approver in a
    country that asks for supporting documents."""
    found = ctx.ref.country(country)
    user = (ctx.data.get("users") or [])[i]
    if found is None or not found.oca_approver_documents or user.get("program_role") != "pa":
        return False
    return any(item.get("function") == "OCA" and item.get("role") == "APPROVER"
               for entry in entries(user) if entry.get("country") == country
               for item in entry.get("functions") or [])


def drop_user(ctx: Ctx, index: int) -> bool:
    """Remove user ``index`` from the draft's data, unless it is the only one, with that
    user's approvers; later users' approvers are renumbered (they point at users by index).
    True when a user was removed."""
    users = ctx.data.get("users") or []
    if not (0 <= index < len(users) and len(users) > 1):
        return False
    users.pop(index)
    approvers = []
    for approver in ctx.data.get("approvers") or []:
        if approver.get("user") == index:
            continue
        if isinstance(approver.get("user"), int) and approver["user"] > index:
            approver["user"] -= 1
        approvers.append(approver)
    ctx.data["approvers"] = approvers
    return True


def remove_posted_user(ctx: Ctx, step: Step,
                       on_removed: Callable[[int], None] | None = None) -> int:
    """The "Remove user" action of a users step: keep what the page posted, remove the user
    whose index was posted (:func:`drop_user`), call ``on_removed(index)`` when one was, and
    save the draft. Returns the posted index (-1 when it was not a number)."""
    from flask import request

    step.parse(ctx, request.form, request.files)
    try:
        index = int(request.form.get("user", ""))
    except ValueError:
        index = -1
    if drop_user(ctx, index) and on_removed is not None:
        on_removed(index)
    drafts.save(ctx.session, ctx.draft, ctx.data)
    ctx.session.commit()
    return index


class ApproversStep(Step):
    key = "approvers"
    label = _l("Approver details")

    def entries(self, user: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The user's country entries that need approving."""
        return user.get("access") or []

    def user_label(self, user: Mapping[str, Any], index: int) -> str:
        return _("User %(number)d", number=index + 1)

    def pairs(self, ctx: Ctx) -> list[tuple[str, int]]:
        return pairs(ctx, self.entries)

    def has_oca(self, ctx: Ctx, country: str, i: int) -> bool:
        return pair_has_oca(ctx, country, i, self.entries)

    def needs_documents(self, ctx: Ctx, country: str, i: int) -> bool:
        return pair_needs_documents(ctx, country, i, self.entries)
    template = "enrollment/kinds/new_approvers.html"
    multipart = True
    actions = {"add-approver": "add_approver", "remove-approver": "remove_approver"}

    @staticmethod
    def prefix(country: str, i: int, n: int) -> str:
        return f"ap-{country}-{i}-{n}-"

    def parse(self, ctx: Ctx, form, files) -> None:
        now = utcnow().isoformat()
        old = {(a.get("country"), a.get("user"), a.get("email", "").casefold()): a
               for a in ctx.data.get("approvers") or []}
        approvers = []
        posted_any = False
        for country, i in self.pairs(ctx):
            count = _indexes(form, f"ap-{country}-{i}-{{n}}-family_name")
            posted_any = posted_any or count > 0
            for n in range(count):
                p = self.prefix(country, i, n)
                approver = {"country": country, "user": i}
                for name in ("family_name", "given_name", "email", "phone"):
                    approver[name] = rules.tidy(name, _get(form, p + name))
                user_id = rules.normalize(_get(form, p + "user_id"))
                approver["user_id"] = user_id or None
                agreed = bool(form.get(p + "agree"))
                previous = old.get((country, i, approver["email"].casefold()))
                if agreed:
                    approver["agreed_at"] = (previous or {}).get("agreed_at") or now
                else:
                    approver["agreed_at"] = None
                approvers.append(approver)
        if posted_any or not self.pairs(ctx):
            ctx.data["approvers"] = approvers
        self.parse_documents(ctx, form, files)

    def parse_documents(self, ctx: Ctx, form, files) -> None:
        problems = ctx.extra.setdefault("document_errors", {})
        action = form.get("stay_action") or ""
        remove = action.split(":", 1)[1] if action.startswith("remove-document:") else ""
        if remove:
            for document in list(ctx.draft.documents):
                if str(document.id) == remove and document.application_id is None:
                    documents.delete_file(document.storage_name)
                    ctx.session.delete(document)
            ctx.session.flush()
            ctx.session.expire(ctx.draft, ["documents"])
        limit = current_app.config["MAX_UPLOAD_BYTES"]
        for country, i in self.pairs(ctx):
            name = f"doc-{country}-{i}-document"
            upload = files.get(name) if files else None
            if upload is None or not upload.filename:
                continue
            content = upload.read(limit + 1)
            try:
                content_type = documents.check(content, limit)
            except documents.DocumentError as problem:
                problems[name] = problem.message
                continue
            storage_name, digest = documents.store(content, content_type)
            ctx.session.add(ApplicationDocument(
                draft_id=ctx.draft.id, purpose=f"pair:{country}:{i}",
                filename=documents.clean_filename(upload.filename), content_type=content_type,
                size=len(content), sha256=digest, storage_name=storage_name,
            ))
            ctx.session.flush()
            ctx.session.expire(ctx.draft, ["documents"])

    def documents_of(self, ctx: Ctx, country: str, i: int) -> list[ApplicationDocument]:
        purpose = f"pair:{country}:{i}"
        return [d for d in ctx.draft.documents if d.purpose == purpose]

    def validate(self, ctx: Ctx) -> Errors:
        errors: Errors = dict(ctx.extra.get("document_errors") or {})
        by_pair: dict[tuple[str, int], list[dict]] = {}
        for approver in ctx.data.get("approvers") or []:
            by_pair.setdefault((approver.get("country"), approver.get("user")), []).append(
                approver)
        for country, i in self.pairs(ctx):
            listed = by_pair.get((country, i)) or []
            if not listed:
                errors[f"ap-{country}-{i}-0-family_name"] = _("Enter the approver's family name.")
                continue
            oca = self.has_oca(ctx, country, i)
            for n, approver in enumerate(listed):
                p = self.prefix(country, i, n)
                for name, which in (("family_name", "family"), ("given_name", "given")):
                    problem = rules.name_problem(approver.get(name), which)
                    if problem:
                        errors[p + name] = problem
                for name, check in (("email", rules.email_problem),
                                    ("phone", rules.phone_problem)):
                    problem = check(approver.get(name))
                    if problem:
                        errors[p + name] = problem
                if oca and n == 0:
                    problem = rules.user_id_format_problem(approver.get("user_id"))
                    if problem:
                        errors[p + "user_id"] = _(
                            "The approver of Online Card Application must be a registered "
                            "Program Administrator: enter their user ID.")
                    elif services.registered_role(ctx.session, approver["user_id"]) != "pa":
                        errors[p + "user_id"] = _(
                            "This user ID is not a registered Program Administrator. The "
                            "approver of Online Card Application must be one.")
                if not approver.get("agreed_at"):
                    errors[p + "agree"] = _(
                        "The approver must agree to the terms of use before you can submit.")
            name = f"doc-{country}-{i}-document"
            if (self.needs_documents(ctx, country, i) and name not in errors
                    and not self.documents_of(ctx, country, i)):
                errors[name] = _("Upload the supporting documents for this country.")
        return errors

    # --- rendering
    def approver_form(self, country: str, i: int, n: int, approver: Mapping[str, Any]):
        values = {name: approver.get(name) or "" for name in
                  ("family_name", "given_name", "email", "phone", "user_id")}
        values["agree"] = bool(approver.get("agreed_at"))
        return ApproverForm(data=values, prefix=self.prefix(country, i, n))

    def pair_blocks(self, ctx: Ctx) -> list[dict[str, Any]]:
        by_pair: dict[tuple[str, int], list[dict]] = {}
        for approver in ctx.data.get("approvers") or []:
            by_pair.setdefault((approver.get("country"), approver.get("user")), []).append(
                approver)
        users = ctx.data.get("users") or []
        blocks = []
        for country, i in self.pairs(ctx):
            listed = by_pair.get((country, i)) or [{}]
            info = ctx.ref.country(country)
            needs_docs = self.needs_documents(ctx, country, i)
            blocks.append({
                "country": info, "i": i, "user_label": self.user_label(users[i], i),
                "oca": self.has_oca(ctx, country, i),
                "forms": [self.approver_form(country, i, n, a) for n, a in enumerate(listed)],
                "needs_documents": needs_docs,
                "document_form": DocumentForm(prefix=f"doc-{country}-{i}-") if needs_docs
                else None,
                "documents": self.documents_of(ctx, country, i),
            })
        return blocks

    def context(self, ctx: Ctx, errors: Errors) -> dict[str, Any]:
        blocks = self.pair_blocks(ctx)
        forms = [form for block in blocks for form in block["forms"]]
        forms += [block["document_form"] for block in blocks if block["document_form"]]
        labels = {}
        for block in blocks:
            where = _("%(country)s, %(user)s", country=block["country"].name(),
                      user=block["user_label"])
            labels.update(_prefixed(block["forms"], where))
            if block["document_form"]:
                labels.update(_prefixed([block["document_form"]], where))
            labels[f"ap-{block['country'].code}-{block['i']}-0-family_name"] = _(
                "%(where)s: %(label)s", where=where, label=_("Family name"))
        return {"blocks": blocks, "forms": forms, "labels": labels}

    def add_approver(self, ctx: Ctx):
        from flask import abort, request

        country = (request.values.get("country") or "").upper()
        try:
            i = int(request.values.get("user", ""))
        except ValueError:
            abort(400)
        if (country, i) not in self.pairs(ctx):
            abort(400)
        n = _indexes(request.form, f"ap-{country}-{i}-{{n}}-family_name")
        form = self.approver_form(country, i, n, {})
        return render_template("enrollment/kinds/_approver.html", form=form, country=country,
                               i=i, n=n, oca=False, errors={}, fresh=True,
                               action_url=_action_url(ctx, self))

    def remove_approver(self, ctx: Ctx):
        from flask import abort, request

        country = (request.values.get("country") or "").upper()
        try:
            i = int(request.values.get("user", ""))
            n = int(request.values.get("n", ""))
        except ValueError:
            abort(400)
        self.parse(ctx, request.form, request.files)
        listed = [a for a in ctx.data.get("approvers") or []
                  if (a.get("country"), a.get("user")) == (country, i)]
        if 0 < n < len(listed):  # the first approver of a pair stays
            ctx.data["approvers"].remove(listed[n])
        drafts.save(ctx.session, ctx.draft, ctx.data)
        ctx.session.commit()
        block = next(b for b in self.pair_blocks(ctx)
                     if b["country"].code == country and b["i"] == i)
        # The button pressed is gone with its approver: the focus goes to the heading of the
        # approver now in its place, or of the one before it (portal.js, data-autofocus).
        return render_template("enrollment/kinds/_approver_list.html", block=block, errors={},
                               action_url=_action_url(ctx, self),
                               focus=max(0, min(n, len(block["forms"]) - 1)))
