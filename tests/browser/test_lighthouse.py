"""Lighthouse (Chromium) scores at least 98 in every category on the staff and portal pages.

The app runs as in production: gunicorn, DEBUG off, static files collected and served
compressed by WhiteNoise, the demo clinic loaded; Lighthouse (the npm package, installed by
``make lighthouse`` into ``.lighthouse/``, not committed) audits each page with its default
mobile emulation and simulated throttling, logged in by the session cookie of a real log-in.

It runs on the SQLite suite only (its server has a database file of its own, so the PostgreSQL
suite would only repeat it) and is skipped when Lighthouse or Node is not installed.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.served import PROJECT, Gunicorn, log_in, manage, python, server_environment

LIGHTHOUSE = Path(
    os.environ.get("LIGHTHOUSE", PROJECT / ".lighthouse" / "node_modules" / ".bin" / "lighthouse")
)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
MINIMUM = 0.98
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
DEMO_PASSWORD = "demo-pass-2026"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not LIGHTHOUSE.exists() or not shutil.which("node"),
        reason=f"Lighthouse is not installed at {LIGHTHOUSE} (make lighthouse)",
    ),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once, with the SQLite suite"),
]

DEMO_PATHS = """
import django, json
django.setup()
from django.urls import reverse
from django_scopes import scopes_disabled
from cases.models import PatientCase
from charts.models import PatientChartCase
with scopes_disabled():
    chart_case = PatientChartCase.objects.get(
        patient__first_name="Liam", case__name="Speech Therapy"
    )
    case = PatientCase.objects.get(name="Feeding Therapy")
    print(json.dumps({
        "portal_patient": reverse("portal:patient_detail", args=[chart_case.patient_id]),
        "chart": reverse("charts:chart_case_detail", args=[chart_case.patient_id, chart_case.pk]),
        "case_edit": reverse("cases:case_update", args=[case.pk]),
    }))
"""

# (who logs in, path or a key of DEMO_PATHS). Screens of other apps join here as they land.
PAGES = [
    ("admin@demo.clinic", "/"),
    ("admin@demo.clinic", "/setup/patient-cases/"),
    ("admin@demo.clinic", "/setup/patient-cases/add/"),
    ("admin@demo.clinic", "case_edit"),
    ("admin@demo.clinic", "/setup/service-types/"),
    ("admin@demo.clinic", "/setup/staff/"),
    ("slp@demo.clinic", "/patients/"),
    ("slp@demo.clinic", "chart"),
    ("parent@demo.clinic", "/portal/"),
    ("parent@demo.clinic", "portal_patient"),
]


def _audit(port: int, path: str, cookies: dict[str, str], output: Path) -> dict:
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    command = [
        str(LIGHTHOUSE),
        f"http://127.0.0.1:{port}{path}",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
        "--output=json",
        f"--output-path={output}",
    ]
    # Two retries: on a machine busy with other work, Chromium now and then fails to start,
    # to answer Lighthouse in time or to record the page load's trace (NO_NAVSTART, which
    # Lighthouse itself says to run again for), none of which says anything about the page.
    for _attempt in range(3):
        result = subprocess.run(
            command,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            timeout=180,
            capture_output=True,
            text=True,
        )
        if result.returncode == 0:
            return json.loads(output.read_text())
    raise AssertionError(f"Lighthouse failed on {path}:\n{result.stderr[-2000:]}")


def test_staff_and_portal_pages_score_at_least_98_in_every_lighthouse_category(
    tmp_path, migrated_database
):
    env = server_environment(
        tmp_path, PLAIN_STATIC_STORAGE="false", STATIC_ROOT=str(tmp_path / "static")
    )
    manage(env, "load_demo", "--force", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    demo_paths = json.loads(python(env, DEMO_PATHS))

    failures = []
    with Gunicorn(env, workers=2) as port:
        sessions = {}
        for email, page in PAGES:
            if email not in sessions:
                sessions[email] = log_in(port, email, DEMO_PASSWORD)
            path = demo_paths.get(page, page)
            report = _audit(port, path, sessions[email], tmp_path / "report.json")
            assert report["finalDisplayedUrl"].endswith(path), "redirected: not logged in?"
            if report["categories"]["performance"]["score"] < MINIMUM:
                # Performance is the one timed category: on a 2-core machine another process
                # can cost a page its blocking-time points. One second look, then it counts.
                report = _audit(port, path, sessions[email], tmp_path / "report.json")
            for category in CATEGORIES:
                score = report["categories"][category]["score"]
                if score is None or score < MINIMUM:
                    below = [
                        f"{audit['id']} ({audit.get('displayValue', '')})"
                        for audit in report["audits"].values()
                        if audit.get("score") is not None
                        and audit["score"] < 1
                        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
                    ]
                    failures.append(f"{path} ({email}): {category} {score}; {', '.join(below)}")

    assert not failures, "\n".join(failures)
