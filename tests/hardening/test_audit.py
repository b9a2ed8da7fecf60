"""The dependency audit's verdicts (scripts/audit.py): a finding fails, an unreachable
service is said plainly and fails only under AUDIT_STRICT."""

from __future__ import annotations

import importlib.util
import json
import subprocess

import pytest

from portal.settings import PROJECT_ROOT

spec = importlib.util.spec_from_file_location("audit", PROJECT_ROOT / "scripts" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

UNREACHABLE_PIP = {"dependencies": [{"name": "flask", "skip_reason": "not found"}], "fixes": []}
VULNERABLE_PIP = {"dependencies": [{"name": "flask", "version": "0.1", "vulns": [
    {"id": "PYSEC-0000-1", "fix_versions": ["9.9"]}]}], "fixes": []}
CLEAN_PIP = {"dependencies": [{"name": "flask", "version": "3.1", "vulns": []}], "fixes": []}
UNREACHABLE_NPM = {"message": "405 Method Not Allowed", "statusCode": 405}
VULNERABLE_NPM = {"vulnerabilities": {"htmx.org": {"severity": "high",
                                                   "via": [{"title": "XSS"}]}}}
CLEAN_NPM = {"vulnerabilities": {}, "metadata": {}}


@pytest.fixture
def answers(monkeypatch, tmp_path):
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "pip-audit").write_text("")
    monkeypatch.setattr(audit, "ROOT", tmp_path)

    def use(pip, npm):
        def run(args, **kwargs):
            report = npm if args[0] == "npm" else pip
            return subprocess.CompletedProcess(args, 0, json.dumps(report), "")
        monkeypatch.setattr(audit.subprocess, "run", run)
    return use


@pytest.mark.parametrize("pip, npm, strict, code", [
    (CLEAN_PIP, CLEAN_NPM, False, 0),
    (VULNERABLE_PIP, CLEAN_NPM, False, 1),
    (CLEAN_PIP, VULNERABLE_NPM, False, 1),
    (UNREACHABLE_PIP, UNREACHABLE_NPM, False, 0),
    (UNREACHABLE_PIP, UNREACHABLE_NPM, True, 1),
    (VULNERABLE_PIP, UNREACHABLE_NPM, False, 1),
])
def test_verdicts(answers, monkeypatch, capsys, pip, npm, strict, code):
    answers(pip, npm)
    monkeypatch.setattr(audit, "STRICT", strict)
    assert audit.main() == code
    out = capsys.readouterr().out
    if pip is UNREACHABLE_PIP:
        assert "NOT AUDITED" in out and "unreachable" in out
    if pip is VULNERABLE_PIP:
        assert "PYSEC-0000-1" in out
