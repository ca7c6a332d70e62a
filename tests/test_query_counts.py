"""List and detail screens whose query count was not pinned elsewhere: each is requested with
few rows and with many, and must take the same, pinned number of queries (an N+1 shows as a
difference). The other screens are pinned beside their own tests: the Basic Setup lists
(tests/clinic/test_setup_lists.py), Staff (tests/accounts/test_staff.py), Patient Cases list
and edit (tests/cases/test_list.py), Patients (tests/charts/test_patients.py) and the chart
(tests/charts/test_chart.py); the scheduling, setup, portal and import screens are pinned in
tests/test_query_counts_screens.py."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charts.models import Addendum
from core.audit import entry, record_many
from core.roles import THERAPIST
from tests.factories import (
    DailyNoteFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    ReminderFactory,
    UserFactory,
)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _pinned(client, url, grow, expected) -> None:
    """Queries with the rows there are, then after ``grow()`` added many more: the same, and
    ``expected``."""
    few = _queries(client, url)
    grow()
    many = _queries(client, url)
    assert (few, many) == (expected, expected)


def _staff(clinic, count):
    return [UserFactory(clinic=clinic, roles=[THERAPIST]) for _ in range(count)]


def test_case_history_takes_a_fixed_number_of_queries(client, administrator, speech_case):
    client.force_login(administrator)
    authors = _staff(speech_case.clinic, 3)

    def add(count):
        record_many(
            entry(
                clinic_id=speech_case.clinic_id,
                actor=authors[n % len(authors)],
                action="update",
                obj=speech_case,
                changes=[["Name", f"Old {n}", f"New {n}"]],
            )
            for n in range(count)
        )

    add(1)
    _pinned(
        client,
        reverse("cases:case_history", args=[speech_case.pk]),
        lambda: add(40),
        expected=9,  # 8, plus the Schedule tab's pending-request count
    )


def test_chart_case_history_takes_a_fixed_number_of_queries(client, therapist, speech_chart_case):
    client.force_login(therapist)
    authors = [therapist, *_staff(speech_chart_case.clinic, 3)]

    def add(count):
        record_many(
            entry(
                clinic_id=speech_chart_case.clinic_id,
                actor=authors[n % len(authors)],
                action="create",
                object_type="goal",
                object_id=n + 1,
                object_repr=f"Goal {n}",
                patient=speech_chart_case.patient,
                parent=speech_chart_case,
            )
            for n in range(count)
        )

    add(1)
    _pinned(
        client,
        reverse("charts:chart_case_history", args=[speech_chart_case.pk]),
        lambda: add(60),
        # 11: the access entry's INSERT (a read of patient records is audited) is one a page.
        expected=11,
    )


def test_a_signed_note_with_its_addenda_takes_a_fixed_number_of_queries(
    client, therapist, speech_chart_case
):
    client.force_login(therapist)
    note = DailyNoteFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)

    def add(count):
        Addendum.objects.bulk_create(
            Addendum(clinic=note.clinic, daily_note=note, text=f"Correction {n}", author=therapist)
            for n in range(count)
        )

    add(1)
    _pinned(
        client,
        reverse("charts:document_detail", args=[speech_chart_case.pk, "notes", note.pk]),
        lambda: add(30),
        expected=12,
    )


def test_the_therapists_home_page_takes_a_fixed_number_of_queries(client, therapist, speech_case):
    """The home page lists the therapist's overdue reminders, across their patients."""
    client.force_login(therapist)
    overdue = speech_case.clinic.today() - datetime.timedelta(days=3)

    def add(count):
        for _ in range(count):
            chart_case = PatientChartCaseFactory(
                case=speech_case, patient=PatientFactory(clinic=speech_case.clinic)
            )
            ReminderFactory(chart_case=chart_case, created_by=therapist, due_on=overdue)

    add(1)
    # 12: the clinical day's dashboard (issue 12) adds four queries a page (unsigned documents,
    # goals past their target date, re-evaluations and plans of care due) and the Today list
    # one (issue 9), none a row.
    _pinned(client, reverse("home"), lambda: add(20), expected=12)


@pytest.mark.parametrize("name", ["charts:patient_update", "charts:patient_detail"])
def test_a_patients_pages_take_a_fixed_number_of_queries(
    name, client, administrator, speech_chart_case, speech
):
    """A patient with one case on the chart, then with seven (one tab each)."""
    client.force_login(administrator)
    patient = speech_chart_case.patient
    # The chart: 10 with the patient's contacts, the tab's diagnoses and discharge summaries
    # and the access entry's INSERT (issues 8 and 12), each one a page whatever the tabs; the
    # patient and its tabs are one statement, the short lists (contacts, services, the tab's
    # evaluations, reminders, diagnoses, discharge summaries) another (issue 13); since issue
    # 20 each short list is its model's queryset (contacts, services, notes, goals,
    # evaluations, reminders, diagnoses, discharge summaries: 11 became 16; no goal has
    # progress here, so no query reads it).
    # Each plus the Schedule tab's pending-request count (an administrator).
    expected = {"charts:patient_update": 7, "charts:patient_detail": 16}[name]

    def add():
        for n in range(6):
            case = PatientCaseFactory(
                clinic=patient.clinic, name=f"Case {n}", service_types=[speech]
            )
            PatientChartCaseFactory(patient=patient, case=case)

    _pinned(client, reverse(name, args=[patient.pk]), add, expected=expected)
