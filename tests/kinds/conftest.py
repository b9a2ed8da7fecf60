"""Fixtures for the change-user and delete-user tests: the enrollment wizard client aimed at
one kind, and the posted fields of each step."""

from __future__ import annotations

import pytest

from tests.enrollment.conftest import Wizard, registered_pa  # noqa: F401  (fixture)
from tests.processing.conftest import registered, staff  # noqa: F401  (fixtures)


class KindWizard(Wizard):
    """The enrollment test client for ``/enroll/<kind>/``."""

    def __init__(self, client, kind, lang="en"):
        super().__init__(client, lang)
        self.kind = kind

    def start(self):
        self.get(f"/enroll/{self.kind}/?lang={self.lang}")
        response = self.post(f"/enroll/{self.kind}/")
        assert response.status_code == 303
        return response

    def step(self, step, data, nav="next", **kwargs):
        return self.post(f"/enroll/{self.kind}/step/{step}", {"nav": nav, **data}, **kwargs)

    def fetch(self, step, action, query=""):
        return self.get(f"/enroll/{self.kind}/step/{step}/do/{action}{query}",
                        headers={"HX-Request": "true"})

    def action(self, step, action, data=None, query=""):
        return self.post(f"/enroll/{self.kind}/step/{step}/do/{action}{query}", data or {},
                         htmx=True)

    def review_key(self):
        import re

        page = self.get(f"/enroll/{self.kind}/step/review").get_data(as_text=True)
        return re.search(r'name="submit_key" value="([^"]+)"', page).group(1)

    def submit(self):
        return self.post(f"/enroll/{self.kind}/submit", {"submit_key": self.review_key()})


def change_applicant(mode="pa", **overrides):
    data = {"applicant-mode": mode, "applicant-user_id": "testpa01" if mode == "pa" else "",
            "applicant-family_name": "山田", "applicant-given_name": "花子",
            "applicant-email": "pa@example.co.jp", "applicant-phone": "03-1234-5678",
            "applicant-company": "Example KK"}
    data.update(overrides)
    return data


def change_fields(i, j, country="JP", functions=("REPORTING",), rest="000000000001",
                  action="add", **roles):
    p = f"u{i}-a{j}-"
    data = {p + "country": country, p + "functions": list(functions), p + "cg_rest": rest,
            p + "action": action, f"u{i}-access-present": "1"}
    data.update({f"{p}role_{k}": v for k, v in roles.items()})
    return data


def delete_fields(**overrides):
    data = {"del-user_id": "leaver01", "del-reason": "LEFT_COMPANY", "del-reason_note": "",
            "applicant-user_id": "testpa01", "applicant-family_name": "山田",
            "applicant-given_name": "花子", "applicant-email": "pa@example.co.jp",
            "applicant-phone": "03-1234-5678", "applicant-company": "Example KK"}
    data.update(overrides)
    return data


@pytest.fixture
def change(client):
    return KindWizard(client, "change")


@pytest.fixture
def delete(client):
    return KindWizard(client, "delete")
