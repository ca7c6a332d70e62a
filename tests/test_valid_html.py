"""Issue 26, item 4: the HTML as served is valid. Every GET page of the permission matrix that
answers 200 to one of the main roles (administrator, scheduler, therapist, portal user), with a
visit today on the therapist's home page and some entries in the Audit Log, plus the public
pages, is checked by the W3C Nu HTML checker (npm's ``vnu-jar``, installed by ``make vnu`` into
``.vnu/``, run once for all pages on the installed Java): zero errors.

Skipped, saying why, when npm, Java or the checker is missing.
"""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from tests.factories import AppointmentFactory
from tests.routes import ROLE_FIXTURES, all_routes

PROJECT = Path(__file__).resolve().parent.parent
VNU = Path(
    os.environ.get("VNU_JAR", PROJECT / ".vnu" / "node_modules" / "vnu-jar" / "build" / "dist")
)
VNU_JAR = VNU / "vnu.jar" if VNU.is_dir() else VNU
MAIN_ROLES = (ADMINISTRATOR, SCHEDULER, THERAPIST, PATIENT)
PUBLIC = ("accounts:login", "accounts:password_reset", "accounts:password_reset_done")

pytestmark = [
    pytest.mark.skipif(not shutil.which("npm"), reason="npm is missing: make vnu cannot install"),
    pytest.mark.skipif(not shutil.which("java"), reason="Java is missing: vnu.jar cannot run"),
    pytest.mark.skipif(
        not VNU_JAR.exists(), reason=f"the Nu HTML checker is not at {VNU_JAR} (make vnu)"
    ),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once, with the SQLite suite"),
]


def served_pages(request) -> dict[str, str]:
    """{label: html} of every 200 GET page of the matrix for the main roles."""
    routes, _ = all_routes()
    pages = {}
    for route in (route for route in routes if route.method == "get"):
        url = route.url(request)
        for role in sorted(route.allowed & set(MAIN_ROLES)):
            client = Client()
            client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
            response = client.get(url)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                pages[f"{role} {url}"] = response.content.decode()
    for name in PUBLIC:
        pages[f"anonymous {reverse(name)}"] = Client().get(reverse(name)).content.decode()
    return pages


def _check(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    files = {}
    for number, (label, html) in enumerate(pages.items()):
        path = folder / f"page-{number:03d}.html"
        path.write_text(html, encoding="utf-8")
        files[str(path)] = label
    result = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stdout or "{}").get("messages", []):
        # The checker names a file "file:/tmp/.../page-001.html".
        url = message.get("url", "")
        label = files.get(url.removeprefix("file:"), url)
        extract = " ".join(message.get("extract", "").split())[:160]
        errors.setdefault(label, []).append(f"{message['message']} [{extract}]")
    return errors


@pytest.mark.django_db
def test_every_page_the_matrix_serves_is_valid_html(
    request, tmp_path, therapist, location, speech_chart_case, treatment, scheduler, clinic
):
    # A visit today, so the therapist's home shows its check-in button.
    AppointmentFactory(
        chart_case=speech_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=datetime.datetime.combine(clinic.today(), datetime.time(12), tzinfo=clinic.tzinfo),
        created_by=scheduler,
    )

    errors = _check(served_pages(request), tmp_path)

    assert not errors, json.dumps(errors, indent=1)
