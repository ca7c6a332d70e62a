"""Every write view, POSTed with valid-looking data by users who may see the row but not change
it (two-role users of another discipline) and by another clinic's administrator: 403 or 404,
and nothing in the database changed.

The single-role matrix (``test_permissions.py``) cannot catch a write view that loads its
chart case without asking for write access: a Scheduler+Therapist sees every chart case (as a
scheduler), and only the write check keeps them off another discipline's documentation.
"""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse

from charts.models import PatientChartCase
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from tests.factories import (
    DailyNoteFactory,
    EvaluationFactory,
    GoalFactory,
    ReminderFactory,
    UserFactory,
)

SKIPPED_MODELS = {"core.auditentry", "sessions.session", "axes.accessattempt", "axes.accesslog"}


def snapshot() -> dict:
    """Every row of the project's own tables (the audit trail aside: reads are recorded)."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIPPED_MODELS or model._meta.app_label not in {
            "accounts",
            "cases",
            "charts",
            "clinic",
            "auth",
        }:
            continue
        state[label] = list(model._base_manager.order_by("pk").values())
    return state


@pytest.fixture
def scheduler_therapist(clinic, occupational):
    return UserFactory(
        clinic=clinic,
        email="sched-ot@riverside.test",
        roles=[SCHEDULER, THERAPIST],
        service_types=[occupational],
    )


@pytest.fixture
def admin_therapist(clinic, occupational):
    return UserFactory(
        clinic=clinic,
        email="admin-ot@riverside.test",
        roles=[ADMINISTRATOR, THERAPIST],
        service_types=[occupational],
    )


@pytest.fixture
def rows(speech_chart_case, therapist, clinic, speech_case, speech_patient):
    today = clinic.today()
    discharged = PatientChartCase.objects.create(
        clinic=clinic,
        patient=speech_patient,
        case=speech_case,
        started_on=today - datetime.timedelta(days=400),
        status=PatientChartCase.Status.DISCHARGED,
        discharged_on=today - datetime.timedelta(days=300),
    )
    cc = speech_chart_case
    return {
        "cc": cc,
        "discharged": discharged,
        "goal": GoalFactory(chart_case=cc, created_by=therapist),
        "note": DailyNoteFactory(chart_case=cc, author=therapist),
        "signed_note": DailyNoteFactory(chart_case=cc, author=therapist, signed_by=therapist),
        "evaluation": EvaluationFactory(chart_case=cc, author=therapist),
        "reminder": ReminderFactory(chart_case=cc, created_by=therapist),
        "today": today,
    }


def _doc(name, kind, key):
    return lambda r: reverse(name, args=[r["cc"].pk, kind, r[key].pk])


WRITES = {
    "discharge": (
        lambda r: reverse("charts:chart_case_discharge", args=[r["cc"].pk]),
        lambda r: {"discharged_on": r["today"].isoformat()},
    ),
    "reopen": (
        lambda r: reverse("charts:chart_case_reopen", args=[r["discharged"].pk]),
        lambda r: {"reason": "Back for more"},
    ),
    "goal_create": (
        lambda r: reverse("charts:goal_create", args=[r["cc"].pk]),
        lambda r: {
            "kind": "long_term",
            "text": "Planted goal",
            "start_date": r["today"].isoformat(),
            "target_date": (r["today"] + datetime.timedelta(days=30)).isoformat(),
        },
    ),
    "goal_update": (
        lambda r: reverse("charts:goal_update", args=[r["cc"].pk, r["goal"].pk]),
        lambda r: {
            "text": "Changed",
            "target_date": r["goal"].target_date.isoformat(),
            "status": "met",
            "note": "",
            "version": r["goal"].version,
        },
    ),
    "note_create": (
        lambda r: reverse("charts:note_create", args=[r["cc"].pk]),
        lambda r: {"date_of_service": r["today"].isoformat(), "subjective": "Planted"},
    ),
    "note_update": (
        lambda r: reverse("charts:note_update", args=[r["cc"].pk, r["note"].pk]),
        lambda r: {
            "date_of_service": r["today"].isoformat(),
            "subjective": "Changed",
            "version": r["note"].version,
        },
    ),
    "evaluation_create": (
        lambda r: reverse("charts:evaluation_create", args=[r["cc"].pk]),
        lambda r: {"kind": "initial", "date": r["today"].isoformat(), "findings": "Planted"},
    ),
    "evaluation_update": (
        lambda r: reverse("charts:evaluation_update", args=[r["cc"].pk, r["evaluation"].pk]),
        lambda r: {
            "kind": "initial",
            "date": r["today"].isoformat(),
            "findings": "Changed",
            "version": r["evaluation"].version,
        },
    ),
    "note_sign": (_doc("charts:document_sign", "notes", "note"), lambda r: {}),
    "note_delete": (_doc("charts:document_delete", "notes", "note"), lambda r: {}),
    "evaluation_sign": (_doc("charts:document_sign", "evaluations", "evaluation"), lambda r: {}),
    "evaluation_delete": (
        _doc("charts:document_delete", "evaluations", "evaluation"),
        lambda r: {},
    ),
    "addendum": (
        _doc("charts:document_addendum", "notes", "signed_note"),
        lambda r: {"text": "Planted addendum"},
    ),
    "reminder_create": (
        lambda r: reverse("charts:reminder_create", args=[r["cc"].pk]),
        lambda r: {"text": "Planted", "due_on": r["today"].isoformat()},
    ),
    "reminder_done": (
        lambda r: reverse("charts:reminder_done", args=[r["cc"].pk, r["reminder"].pk]),
        lambda r: {},
    ),
}

# Who tries, and what they may get: the two-role users see the speech chart case (as
# scheduler or administrator) but are occupational therapists; the other clinic's
# administrator must not learn the rows exist.
INTRUDERS = {
    "scheduler+therapist, other discipline": ("scheduler_therapist", {403, 404}),
    "administrator+therapist, other discipline": ("admin_therapist", {403, 404}),
    "therapist, other discipline": ("ot_therapist", {403, 404}),
    "administrator, other clinic": ("other_admin", {403, 404}),
}


@pytest.mark.parametrize("intruder", INTRUDERS.values(), ids=INTRUDERS)
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES)
def test_a_write_to_a_chart_case_not_theirs_is_refused_and_changes_nothing(
    write, intruder, rows, client, request
):
    url, data = write[0](rows), write[1](rows)
    fixture, allowed = intruder
    client.force_login(request.getfixturevalue(fixture))
    before = snapshot()

    response = client.post(url, data)

    assert response.status_code in allowed
    assert snapshot() == before


SETUP_WRITES = {
    "service type edit": (
        lambda o: reverse("clinic:servicetype_update", args=[o["service"].pk]),
        {"name": "Renamed", "is_active": "on", "version": 1},
    ),
    "service type delete": (
        lambda o: reverse("clinic:servicetype_delete", args=[o["service"].pk]),
        {},
    ),
    "appointment type edit": (
        lambda o: reverse("clinic:appointmenttype_update", args=[o["type"].pk]),
        {"name": "Renamed", "default_duration_minutes": "30", "is_active": "on", "version": 1},
    ),
    "case edit": (lambda o: reverse("cases:case_update", args=[o["case"].pk]), {"name": "X"}),
    "case delete": (lambda o: reverse("cases:case_delete", args=[o["case"].pk]), {}),
    "case archive": (lambda o: reverse("cases:case_archive", args=[o["case"].pk]), {}),
    "staff edit": (
        lambda o: reverse("accounts:staff_update", args=[o["staff"].pk]),
        {"first_name": "X", "last_name": "Y", "email": "x@y.test", "version": 1},
    ),
    "staff deactivate": (
        lambda o: reverse("accounts:staff_deactivate", args=[o["staff"].pk]),
        {},
    ),
    "patient edit": (
        lambda o: reverse("charts:patient_update", args=[o["patient"].pk]),
        {"first_name": "X", "last_name": "Y", "date_of_birth": "2015-01-01", "version": 1},
    ),
}


@pytest.mark.parametrize("write", SETUP_WRITES.values(), ids=SETUP_WRITES)
def test_another_clinics_administrator_cannot_write_our_rows(
    write, client, other_admin, speech, treatment, speech_case, scheduler, speech_patient
):
    rows = {
        "service": speech,
        "type": treatment,
        "case": speech_case,
        "staff": scheduler,
        "patient": speech_patient,
    }
    client.force_login(other_admin)
    before = snapshot()

    response = client.post(write[0](rows), write[1])

    assert response.status_code == 404
    assert snapshot() == before
