"""Fixtures for the enrollment tests: a registered PA, and a browser-like client that
starts an application and posts its steps with the CSRF token."""

from __future__ import annotations

import io
import re
from itertools import count

import pytest

from portal.accounts.models import User
from portal.accounts.rules import fold_user_id

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
ERROR_LINK = re.compile(r'<li><a href="#([^"]+)">')

_numbers = count(1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def registered_pa(db_session):
    """An active registered Program Administrator, user ID ``testpa01``."""

    def make(user_id="testpa01", role="pa", status="active"):
        user = User(contact_id=str(800000000 + next(_numbers)),
                    family_name="山田", given_name="花子", email=f"{user_id}@example.invalid",
                    country_code="JP", language="ja", birth_day=1, birth_month=1,
                    program_role=role, status=status, user_id=user_id,
                    user_id_folded=fold_user_id(user_id))
        db_session.add(user)
        db_session.commit()
        return user

    return make


def applicant(**overrides):
    data = {"applicant-mode": "employee", "applicant-user_id": "",
            "applicant-family_name": "山田", "applicant-given_name": "花子",
            "applicant-email": "pa@example.co.jp", "applicant-phone": "03-1234-5678",
            "applicant-company": "Example KK"}
    data.update(overrides)
    return data


def user_fields(i=0, **overrides):
    p = f"u{i}-"
    data = {p + "family_name": "佐藤", p + "given_name": "一郎",
            p + "email": f"user{i}@example.co.jp", p + "country": "JP", p + "birth_day": "3",
            p + "birth_month": "4", p + "postal_code": "1000005", p + "prefecture": "東京都",
            p + "city": "千代田区", p + "street": "丸の内1-1"}
    data.update({p + k: v for k, v in overrides.items()})
    return data


def access_fields(i, j, country="JP", functions=("OPM",), rest="000000000001", **roles):
    p = f"u{i}-a{j}-"
    data = {p + "country": country, p + "functions": list(functions), p + "cg_rest": rest,
            f"u{i}-access-present": "1"}
    data.update({f"{p}role_{k}": v for k, v in roles.items()})
    return data


def approver_fields(country, i, n=0, user_id="", agree=True, email=None):
    p = f"ap-{country}-{i}-{n}-"
    data = {p + "family_name": "鈴木", p + "given_name": "次郎",
            p + "email": email or f"approver-{country}-{i}-{n}@example.co.jp",
            p + "phone": "03-9876-5432", p + "user_id": user_id}
    if agree:
        data[p + "agree"] = "y"
    return data


class Wizard:
    def __init__(self, client, lang="en"):
        self.client = client
        self.lang = lang
        self.token = ""

    def _token(self, html: str) -> None:
        match = CSRF_RE.search(html)
        if match:
            self.token = match.group(1) or match.group(2)

    def get(self, path, **kwargs):
        response = self.client.get(path, **kwargs)
        if response.mimetype == "text/html":
            self._token(response.get_data(as_text=True))
        return response

    def post(self, path, data=None, htmx=False, **kwargs):
        if not self.token:
            self.get(f"/enroll/?lang={self.lang}")
        headers = {"X-CSRFToken": self.token}
        if htmx:
            headers["HX-Request"] = "true"
        response = self.client.post(path, data=data or {}, headers=headers, **kwargs)
        if response.mimetype == "text/html":
            self._token(response.get_data(as_text=True))
        return response

    def start(self):
        self.get(f"/enroll/new/?lang={self.lang}")
        response = self.post("/enroll/new/")
        assert response.status_code == 303
        return response

    def step(self, step, data, nav="next", **kwargs):
        return self.post(f"/enroll/new/step/{step}", {"nav": nav, **data}, **kwargs)

    def fetch(self, step, action, query=""):
        """An htmx GET piece (like "Add access")."""
        return self.get(f"/enroll/new/step/{step}/do/{action}{query}",
                        headers={"HX-Request": "true"})

    def action(self, step, action, data=None, query=""):
        return self.post(f"/enroll/new/step/{step}/do/{action}{query}", data or {}, htmx=True)

    @staticmethod
    def errors(response) -> list[str]:
        return ERROR_LINK.findall(response.get_data(as_text=True))

    def fill_all(self, *, india=True):
        """Two users; user 2 a new PA with Online Card Application approval in India."""
        users = {**applicant(**{"applicant-user_id": "testpa01"}), **user_fields(0)}
        users.update(user_fields(1, family_name="Kumar", given_name="Ravi", country="IN",
                                 birth_day="12", birth_month="11", birth_year="1980",
                                 auth_pin="1234", auth_word="mango1", new_role="y",
                                 program_role="pa", postal_code="", prefecture="", city="",
                                 street=""))
        assert self.step("users", users).status_code == 303
        access = {**access_fields(0, 0), **access_fields(1, 0, rest="000000000002")}
        if india:
            access.update(access_fields(1, 1, "IN", ("OCA",), "000000000003", OCA="APPROVER"))
        assert self.step("access", access).status_code == 303
        approvers = {**approver_fields("JP", 0), **approver_fields("JP", 1)}
        if india:
            approvers.update(approver_fields("IN", 1, user_id="testpa01"))
            approvers["doc-IN-1-document"] = (io.BytesIO(PDF), "letter.pdf")
        response = self.step("approvers", approvers, content_type="multipart/form-data")
        assert response.status_code == 303, self.errors(response)
        return response


@pytest.fixture
def wizard(client):
    return Wizard(client)
