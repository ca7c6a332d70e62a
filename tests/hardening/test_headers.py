"""Content-Security-Policy and Permissions-Policy everywhere; no-store on everything a
logged-in user is shown (any page may show patient data)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.hardening.helpers import logged_in


def _csp(response) -> dict[str, str]:
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }


def test_the_log_in_page_has_a_strict_content_security_policy(client, db):
    policy = _csp(client.get(reverse("accounts:login")))

    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in " ".join(policy.values())
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"


@pytest.mark.parametrize("name", ["charts:patient_list", "home", "clinic:setup_home"])
def test_pages_with_patient_data_are_never_stored(name, administrator):
    response = logged_in(administrator).get(reverse(name))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    assert "Content-Security-Policy" in response
    assert "camera=()" in response["Permissions-Policy"]


def test_the_chart_and_a_refusal_are_not_stored_either(speech_chart_case, therapist, scheduler):
    chart = logged_in(therapist).get(
        reverse(
            "charts:chart_case_detail", args=[speech_chart_case.patient_id, speech_chart_case.pk]
        )
    )
    refused = logged_in(scheduler).get(reverse("clinic:setup_home"))

    assert chart["Cache-Control"] == refused["Cache-Control"] == "no-store, private"


def test_a_visitor_gets_the_permissions_policy(client, db):
    assert "geolocation=()" in client.get(reverse("accounts:login"))["Permissions-Policy"]


def test_no_template_carries_an_inline_script_or_style():
    """The policy refuses them; a script that must be inline carries the request's nonce."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for template in root.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        content = template.read_text()
        for script in re.findall(r"<script\b[^>]*>", content):
            if "src=" not in script and "nonce=" not in script:
                offenders.append(f"{template}: {script}")
        if re.search(r"\sstyle=\"", content) or "<style" in content:
            offenders.append(f"{template}: inline style")
        if re.search(r"\son[a-z]+=\"", content):
            offenders.append(f"{template}: inline event handler")
    assert offenders == []
