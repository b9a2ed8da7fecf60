"""The table the fuzz suite walks: every form and htmx endpoint, one row each.

To cover a new form, add a row: where its page is (the fields are read from the page's
``name=`` attributes, so a new field is fuzzed without touching this file), where it posts,
who must be signed in (``setup``), and whether it answers htmx. ``extra`` names fields the
page does not show (hidden by script, or added by an htmx swap). Paths may hold ``{id}``,
which the suite fills with forged indexes (0, negative, huge, another's).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    path: str                      # where the input goes
    page: str | None = None        # the page whose form fields are fuzzed (default: path)
    method: str = "POST"
    setup: str = "anonymous"  # anonymous | user | staff | wizard-new | wizard-change | wizard-delete
    htmx: bool = False
    extra: tuple[str, ...] = ()
    multipart: bool = False

    @property
    def form_page(self) -> str:
        return self.page or self.path


TARGETS: tuple[Target, ...] = (
    # Sign-in, password reset, registration (AUTH-*).
    Target("login", "/login"),
    Target("login-htmx", "/login", htmx=True),
    Target("forgot", "/password/forgot"),
    Target("forgot-answer", "/password/forgot/answer", page="/password/forgot",
           extra=("answer",)),
    Target("forgot-new", "/password/forgot/new", page="/password/forgot",
           extra=("password", "confirm")),
    Target("register", "/register/not-a-token", page="/login",
           extra=("family_name", "given_name", "birth_day", "birth_month")),
    Target("register-account", "/register/not-a-token/account", page="/login",
           extra=("user_id", "password", "confirm", "question", "answer")),
    Target("register-user-id", "/register/not-a-token/user-id", method="GET", htmx=True,
           extra=("user_id",)),
    # Tracking (TRK-*).
    Target("track", "/applications/track"),
    Target("track-htmx", "/applications/track", htmx=True),
    # Catalog and resource search (GET forms).
    Target("catalog-search", "/rewards/catalog", method="GET",
           extra=("q", "category", "min", "max", "sort", "page")),
    Target("catalog-search-htmx", "/rewards/catalog", method="GET", htmx=True,
           extra=("q", "category", "min", "max", "sort", "page")),
    Target("resource-search", "/resources/search", method="GET",
           extra=("q", "country", "topic", "page")),
    Target("resource-search-htmx", "/resources/search", method="GET", htmx=True,
           extra=("q", "country", "topic", "page")),
    # Enrollment: the three kinds, every step, the htmx pieces, submit, time, discard.
    Target("new-users", "/enroll/new/step/users", setup="wizard-new",
           extra=("nav", "applicant-mode", "user-0-family_name")),
    Target("new-users-htmx", "/enroll/new/step/users", setup="wizard-new", htmx=True,
           extra=("nav",)),
    Target("new-access", "/enroll/new/step/access", setup="wizard-new",
           extra=("nav", "user-0-access-0-country")),
    Target("new-approvers", "/enroll/new/step/approvers", setup="wizard-new",
           extra=("nav", "doc-JP-0-document"), multipart=True),
    Target("new-review", "/enroll/new/step/review", setup="wizard-new", extra=("nav",)),
    Target("new-add-user", "/enroll/new/step/users/do/add-user", page="/enroll/new/step/users",
           setup="wizard-new", htmx=True, extra=("index",)),
    Target("new-remove-user", "/enroll/new/step/users/do/remove-user",
           page="/enroll/new/step/users", setup="wizard-new", htmx=True, extra=("index",)),
    Target("new-add-access", "/enroll/new/step/access/do/add-access",
           page="/enroll/new/step/access", setup="wizard-new", htmx=True,
           extra=("user", "index")),
    Target("new-submit", "/enroll/new/submit", page="/enroll/new/step/review",
           setup="wizard-new", extra=("agree", "confirm", "submit_key")),
    Target("new-time", "/enroll/new/time", page="/enroll/new/step/users", setup="wizard-new",
           htmx=True),
    Target("change-steps", "/enroll/change/step/users", setup="wizard-change",
           extra=("nav",)),
    Target("change-changes", "/enroll/change/step/changes", setup="wizard-change",
           extra=("nav",)),
    Target("change-approvers", "/enroll/change/step/approvers", setup="wizard-change",
           extra=("nav",), multipart=True),
    Target("change-review", "/enroll/change/step/review", setup="wizard-change",
           extra=("nav",)),
    Target("change-submit", "/enroll/change/submit", page="/enroll/change/step/review",
           setup="wizard-change", extra=("submit_key",)),
    Target("delete-steps", "/enroll/delete/step/user", setup="wizard-delete", extra=("nav",)),
    Target("delete-submit", "/enroll/delete/submit", page="/enroll/delete/step/review",
           setup="wizard-delete", extra=("submit_key",)),
    Target("new-start", "/enroll/new/", extra=("lang",)),
    Target("change-start", "/enroll/change/"),
    Target("delete-start", "/enroll/delete/"),
    Target("new-discard", "/enroll/new/discard", page="/enroll/new/step/users",
           setup="wizard-new"),
    Target("register-complete", "/register/complete", page="/login"),
    Target("delete-approvers", "/enroll/delete/step/approvers", setup="wizard-delete",
           extra=("nav",), multipart=True),
    # Back office (ENR-7).
    Target("staff-login", "/backoffice/login", extra=("next",)),
    Target("staff-applications", "/backoffice/applications", method="GET", setup="staff",
           extra=("q", "status", "kind", "page", "sort")),
    Target("staff-applications-htmx", "/backoffice/applications", method="GET",
           setup="staff", htmx=True, extra=("q", "status", "kind", "page")),
    Target("staff-mail", "/backoffice/mail", method="GET", setup="staff",
           extra=("status", "kind", "q", "page")),
    Target("staff-users", "/backoffice/users", method="GET", setup="staff",
           extra=("q", "page", "status")),
    Target("staff-approve", "/backoffice/applications/{id}/approve",
           page="/backoffice/applications", setup="staff", extra=("note", "reason")),
    Target("staff-reject", "/backoffice/applications/{id}/reject",
           page="/backoffice/applications", setup="staff", extra=("reason", "note")),
    Target("staff-review", "/backoffice/applications/{id}/start-review",
           page="/backoffice/applications", setup="staff"),
    Target("staff-unlock", "/backoffice/users/{id}/unlock", page="/backoffice/users",
           setup="staff"),
    Target("staff-retry", "/backoffice/mail/{id}/retry", page="/backoffice/mail",
           setup="staff", extra=("next",)),
    Target("staff-document", "/backoffice/applications/{id}/documents/{id}", method="GET",
           page="/backoffice/applications", setup="staff"),
    # Rewards: redemption forms (signed-in user) and the program office (staff).
    Target("redeem-savings", "/rewards/redeem/savings", setup="user"),
    Target("redeem-trip", "/rewards/redeem/trip", setup="user"),
    Target("order-item", "/rewards/items/D540-0483/order", setup="user",
           extra=("quantity", "name", "postal_code", "prefecture", "city", "street", "building",
                  "phone", "key", "step")),
    Target("order-donation-htmx", "/rewards/items/A808-2181/order", setup="user", htmx=True,
           extra=("quantity", "key", "step")),
    Target("order-claim", "/rewards/redemptions/R-AAAA-{id}/claim", page="/rewards/",
           setup="user", extra=("note",)),
    # Cardmember online service (issue 12): setup (anonymous), details (signed in).
    Target("cm-setup", "/cardmember/setup", extra=("number", "code")),
    Target("cm-setup-identity", "/cardmember/setup/identity", page="/cardmember/setup",
           extra=("birth_year", "birth_month", "birth_day")),
    Target("cm-setup-account", "/cardmember/setup/account", page="/cardmember/setup",
           extra=("password", "password_confirm", "secret_question", "secret_answer")),
    Target("cm-profile", "/cardmember/profile/phone", page="/cardmember/profile/",
           setup="user", extra=("phone-phone", "phone-csrf_token", "step")),
    # Revolving payment (OS-6): the schedule (GET, and by htmx), the confirmation, the undo.
    Target("cm-revolving-preview", "/cardmember/revolving/", method="GET", setup="user",
           extra=("charge", "monthly")),
    Target("cm-revolving-preview-htmx", "/cardmember/revolving/", method="GET", setup="user",
           htmx=True, extra=("charge", "monthly")),
    Target("cm-revolving-confirm", "/cardmember/revolving/confirm",
           page="/cardmember/revolving/", setup="user", extra=("charge", "monthly", "key")),
    Target("cm-revolving-undo", "/cardmember/revolving/{id}/undo",
           page="/cardmember/revolving/", setup="user"),
    Target("points-history", "/rewards/points/history", method="GET", setup="user",
           extra=("page", "kind", "from", "to", "year", "month")),
    Target("program-new", "/backoffice/programs/new", setup="staff"),
    Target("program-cancel", "/backoffice/programs/{id}/cancel",
           page="/backoffice/programs/new", setup="staff"),
    Target("program-cards", "/backoffice/programs/{id}/cards", page="/backoffice/programs/new",
           setup="staff", extra=("number", "holder", "last4", "user_id")),
    Target("program-card-leave", "/backoffice/programs/{id}/cards/{id}/leave",
           page="/backoffice/programs/new", setup="staff"),
    Target("program-card-status", "/backoffice/programs/{id}/cards/{id}/status",
           page="/backoffice/programs/new", setup="staff", extra=("status",)),
    Target("program-delegates", "/backoffice/programs/{id}/delegates",
           page="/backoffice/programs/new", setup="staff", extra=("user_id",)),
    Target("program-delegate-remove", "/backoffice/programs/{id}/delegates/{id}/remove",
           page="/backoffice/programs/new", setup="staff"),
    Target("program-pa", "/backoffice/programs/{id}/pa", page="/backoffice/programs/new",
           setup="staff", extra=("user_id",)),
    Target("program-standing", "/backoffice/programs/{id}/standing",
           page="/backoffice/programs/new", setup="staff", extra=("standing",)),
    Target("program-statements", "/backoffice/programs/{id}/statements",
           page="/backoffice/programs/new", setup="staff", extra=("month", "file")),
    Target("order-office-act", "/backoffice/orders/R-AAAA-{id}/refund",
           page="/backoffice/orders/", setup="staff", extra=("reason", "substitute")),
    Target("program-terminate", "/backoffice/programs/{id}/terminate",
           page="/backoffice/programs/new", setup="staff", extra=("reason",)),
)
