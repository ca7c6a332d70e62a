"""Two clients book the same slot at the same moment, each on its own database connection:
exactly one booking is accepted, the other is refused with the form's message, never a 500."""

import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from scheduling.models import Appointment
from tests.factories import PatientChartCaseFactory

THREADS = 6
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_bookings_of_one_slot_accept_exactly_one(
    scheduler, therapist, speech_case, location, treatment, tomorrow
):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The in-memory test database is shared between threads with table locks, which fail
        # at once instead of waiting: this test needs a database file. SQLite's case is run
        # by ``bench/booking_race.py`` against a file, through gunicorn.
        pytest.skip("needs PostgreSQL or a SQLite file")
    chart_cases = [PatientChartCaseFactory(case=speech_case) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    statuses, errors = [], []

    def book(chart_case):
        try:
            client = Client()
            client.force_login(scheduler)
            barrier.wait()
            response = client.post(
                reverse("scheduling:appointment_create"),
                {
                    "patient": chart_case.patient_id,
                    "therapists": [therapist.pk],
                    "location": location.pk,
                    "appointment_type": treatment.pk,
                    "date": tomorrow.isoformat(),
                    "time": "10:00",
                    "case": f"chart:{chart_case.pk}",
                },
            )
            statuses.append(response.status_code)
            if response.status_code == 400:
                assert "appointment" in response.content.decode()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(cc,)) for cc in chart_cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(statuses) == [302] + [400] * (THREADS - 1)
    assert Appointment.objects.count() == 1


def test_parallel_bookings_on_a_sqlite_file_through_gunicorn(tmp_path):
    """SQLite's own case, which the in-memory test database cannot show: real processes
    (gunicorn workers) and client threads racing for overlapping slots of one therapist."""
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL case is the test above")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "booking_race.py"),
            "--database-url",
            f"sqlite:///{tmp_path / 'race_bench.sqlite3'}",
            "--clients",
            "8",
            "--attempts",
            "120",
            "--starts",
            "8",
            "--patients",
            "20",
            "--workers",
            "3",
            "--port",
            str(port),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    accepted = int(re.search(r"accepted: (\d+)", out).group(1))
    refused = int(re.search(r"refused: (\d+)", out).group(1))
    assert accepted >= 2
    assert accepted + refused == 120, out
    assert "errors: 0" in out, out
    assert "double bookings found afterwards: 0" in out, out
