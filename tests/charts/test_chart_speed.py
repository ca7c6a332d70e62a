"""How long the chart page takes in process against a bare logged-in page, for issue 20's
budget (at most 5x the bare page). Not a test of the suite (no wall-clock assertions): run it
on purpose with ``MEASURE_CHART=1 .venv/bin/python -m pytest -s tests/charts/test_chart_speed.py``
and read the figures it prints. The requests are interleaved in rounds so that a noisy machine
slows every page alike, and the median of each is reported, as the process's CPU time (on a
machine shared with other work, wall-clock times vary twofold from one minute to the next; on
SQLite the database's work is in the process too) and as wall-clock time.

Issue 20, on a 2-core machine shared with other work (medians, CPU time, x the bare page):
the hand-written SQL and HTML strings took 3.3x (administrator) and 3.3x (therapist) on
SQLite, 3.0x and 2.9x on PostgreSQL; the querysets and the template take 8.1x and 10.5x on
SQLite, 8.1x and 10.4x on PostgreSQL. Nearly all of the difference is the ORM building and
compiling queries (the tabs' query: ~7 ms of Python to build, 0.1 ms for SQLite to run) and
Django's template loop over forty goal cards (~1.8 ms; Jinja2 took ~0.7 ms).

Then (2026-12-07 09:10 UTC, the rewrite before and after measured side by side in the same
minutes, SQLite, CPU medians): 7.9x -> 7.2x (administrator), 10.6x -> 8.1x (therapist). Paid:
a therapist's cases read once per request as ids (``case_id IN``, no ``EXISTS`` built three
times), the tab's write access as ``documentable_by``'s condition rather than a subquery, the
unsigned count without GROUP BY/Coalesce, the goal cards and note rows in Jinja2. Left over
5x: in process the tabs' query (~2 ms administrator, ~4.5 ms therapist, most of it the ORM
building the patient's visibility and the unsigned count), the goals (~2.5 ms, two queries),
five short lists (~0.4 ms each) and the rest of the template (~3 ms)."""

import os
import statistics
import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.charts.test_chart import _fill
from tests.factories import PatientContactFactory, ReminderFactory

pytestmark = pytest.mark.skipif(
    not os.environ.get("MEASURE_CHART"), reason="a measurement, run with MEASURE_CHART=1"
)
ROUNDS = int(os.environ.get("MEASURE_ROUNDS", "30"))
PER_ROUND = 5


def _timed(client, url) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    response = client.get(url)
    elapsed = time.process_time() - cpu, time.perf_counter() - wall
    assert response.status_code == 200, url
    return elapsed


def test_the_chart_page_against_the_bare_page(
    settings, administrator, therapist, speech_chart_case, handwriting_chart_case
):
    settings.ROOT_URLCONF = "bench.urls"
    _fill(speech_chart_case, therapist, goals=40, notes=45)
    for n in range(4):
        ReminderFactory(chart_case=speech_chart_case, created_by=therapist, text=f"Call {n}")
        PatientContactFactory(patient=speech_chart_case.patient, name=f"Contact {n}")
    chart = reverse(
        "charts:chart_case_detail", args=[speech_chart_case.patient_id, speech_chart_case.pk]
    )
    clients = {}
    for name, user in (("administrator", administrator), ("therapist", therapist)):
        clients[name] = Client()
        clients[name].force_login(user)
    pages = {
        "bare (logged in)": (clients["therapist"], "/bench/bare/"),
        "chart, administrator": (clients["administrator"], chart),
        "chart, therapist": (clients["therapist"], chart),
    }
    times = {label: [] for label in pages}
    for client, url in pages.values():  # warm up: templates, URL patterns, first queries
        for _ in range(PER_ROUND):
            _timed(client, url)
    for _ in range(ROUNDS):
        for label, (client, url) in pages.items():
            times[label].extend(_timed(client, url) for _ in range(PER_ROUND))
    for index, kind in enumerate(("CPU", "wall")):
        bare = statistics.median(pair[index] for pair in times["bare (logged in)"])
        for label, found in times.items():
            median = statistics.median(pair[index] for pair in found)
            print(f"{kind:4} {label:24} {median * 1000:7.2f} ms  {median / bare:5.1f}x bare")
