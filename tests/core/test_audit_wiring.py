"""Every audited write leaves exactly one entry, in its own transaction: who, what, which
patient, before and after in plain words. A write that fails leaves none."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from accounts import services as staff_services
from cases import services as case_services
from charts import services
from clinic import services as setup_services
from core.models import AuditEntry
from core.roles import SCHEDULER, THERAPIST
from tests.factories import (
    AppointmentTypeFactory,
    DailyNoteFactory,
    EvaluationFactory,
    PatientFactory,
    ServiceTypeFactory,
)

DAY = datetime.timedelta(days=1)


def _changes():
    return AuditEntry.objects.exclude(action="access")


def _one_new_entry(before: int) -> AuditEntry:
    assert _changes().count() == before + 1
    return _changes().order_by("-pk").first()


@pytest.fixture
def chart_case(speech_chart_case):
    return speech_chart_case


def _doc_writes(chart_case, therapist, today):
    """(label, call, action, object_type, expects patient) for charts' writes."""
    patient = chart_case.patient
    return {
        "patient update": (
            lambda: services.patient_update(
                patient=patient,
                first_name=patient.first_name,
                last_name="Renamed",
                date_of_birth=patient.date_of_birth,
                by=therapist,
            ),
            "update",
            "patient",
        ),
        "goal create": (
            lambda: services.goal_create(
                chart_case=chart_case,
                kind="long_term",
                parent=None,
                text="Produce /s/",
                start_date=today,
                target_date=today + 30 * DAY,
                by=therapist,
            ),
            "create",
            "goal",
        ),
        "note create": (
            lambda: services.note_create(
                chart_case=chart_case,
                date_of_service=today,
                subjective="S",
                objective="O",
                assessment="A",
                plan="P",
                progress=[],
                by=therapist,
            ),
            "create",
            "daily note",
        ),
        "evaluation create": (
            lambda: services.evaluation_create(
                chart_case=chart_case,
                kind="initial",
                date=today,
                findings="F",
                recommendations="R",
                by=therapist,
            ),
            "create",
            "evaluation",
        ),
        "reminder create": (
            lambda: services.reminder_create(
                chart_case=chart_case, text="Call parents", due_on=today, by=therapist
            ),
            "create",
            "reminder",
        ),
        "discharge": (
            lambda: services.chart_case_discharge(
                chart_case=chart_case, discharged_on=today, discharge_evaluation=None, by=therapist
            ),
            "discharge",
            "patient chart case",
        ),
    }


WRITES = ["patient update", "goal create", "note create", "evaluation create", "reminder create"]


@pytest.mark.parametrize("label", [*WRITES, "discharge"])
def test_each_chart_write_has_its_entry(label, chart_case, therapist, clinic):
    call, action, object_type = _doc_writes(chart_case, therapist, clinic.today())[label]
    before = _changes().count()

    call()

    entry = _one_new_entry(before)
    assert (entry.action, entry.object_type, entry.actor) == (action, object_type, therapist)
    assert (entry.patient_id, entry.clinic_id) == (chart_case.patient_id, clinic.pk)
    assert entry.changes or entry.details


def test_edits_deletes_signatures_and_addenda_of_documents(chart_case, therapist, speech_goal):
    note = DailyNoteFactory(chart_case=chart_case, author=therapist)
    evaluation = EvaluationFactory(chart_case=chart_case, author=therapist)
    steps = [
        (
            lambda: services.goal_update(
                goal=speech_goal,
                text="New wording",
                target_date=speech_goal.target_date,
                status="met",
                note="",
                by=therapist,
            ),
            ("update", "goal"),
        ),
        (
            lambda: services.note_update(
                note=note,
                date_of_service=note.date_of_service,
                subjective="Changed",
                objective=note.objective,
                assessment=note.assessment,
                plan=note.plan,
                progress=[],
                by=therapist,
            ),
            ("update", "daily note"),
        ),
        (lambda: services.note_sign(note=note, by=therapist), ("sign", "daily note")),
        (
            lambda: services.addendum_add(document=note, text="Late entry", by=therapist),
            ("addendum", "daily note"),
        ),
        (
            lambda: services.evaluation_update(
                evaluation=evaluation,
                kind=evaluation.kind,
                date=evaluation.date,
                findings="Changed",
                recommendations=evaluation.recommendations,
                by=therapist,
            ),
            ("update", "evaluation"),
        ),
        (
            lambda: services.evaluation_delete(evaluation=evaluation, by=therapist),
            ("delete", "evaluation"),
        ),
    ]
    for call, expected in steps:
        before = _changes().count()
        call()
        note.refresh_from_db()
        entry = _one_new_entry(before)
        assert (entry.action, entry.object_type) == expected
        assert entry.parent_id == str(chart_case.pk) and entry.patient_id == chart_case.patient_id
    sign = _changes().get(action="sign")
    assert sign.object_repr == str(note)
    edit = _changes().get(action="update", object_type="daily note")
    assert ["Subjective", "Arrived on time, cooperative.", "Changed"] in edit.changes


def test_deleting_a_draft_note_and_marking_a_reminder_done(chart_case, therapist, speech_reminder):
    note = DailyNoteFactory(chart_case=chart_case, author=therapist)

    services.note_delete(note=note, by=therapist)
    services.reminder_done(reminder=speech_reminder, by=therapist)
    services.reminder_done(reminder=speech_reminder, by=therapist)  # already done: no change

    deleted, done = _changes().order_by("pk")
    assert (deleted.action, deleted.object_type) == ("delete", "daily note")
    assert ["Plan", "Continue twice weekly.", ""] in deleted.changes
    assert (done.action, done.changes) == ("complete", [["Status", "Open", "Done"]])


def test_adding_and_reopening_a_chart_case(clinic, therapist, speech_case, speech_patient):
    today = clinic.today()
    chart_case = services.chart_case_add(
        patient=speech_patient, case=speech_case, started_on=today - DAY, by=therapist
    )
    services.chart_case_discharge(
        chart_case=chart_case, discharged_on=today, discharge_evaluation=None, by=therapist
    )
    services.chart_case_reopen(chart_case=chart_case, reason="Referred back", by=therapist)

    assert list(_changes().order_by("pk").values_list("action", "details")) == [
        ("create", f"Started on {today - DAY:%b %-d, %Y}."),
        (
            "discharge",
            f"Discharged on {today:%b %-d, %Y}; 0 active goals closed, 0 open reminders closed.",
        ),
        ("reopen", "Referred back"),
    ]


def test_patients_cases_and_basic_setup_rows(clinic, administrator, speech):
    patient = services.patient_create(
        clinic=clinic,
        first_name="Ava",
        last_name="Lee",
        date_of_birth=datetime.date(2019, 1, 2),
        by=administrator,
    )
    case = case_services.case_create(
        clinic=clinic, name="Stuttering", service_types=[speech], rules=[], by=administrator
    )
    case_services.case_archive(case=case, by=administrator)
    case_services.case_restore(case=case, by=administrator)
    case_services.case_delete(case=case, by=administrator)
    music = ServiceTypeFactory.build(clinic=clinic, name="Music Therapy")
    setup_services.setup_row_save(row=music, by=administrator)
    music.is_active = False
    setup_services.setup_row_save(row=music, by=administrator)
    setup_services.setup_row_save(row=music, by=administrator)  # no change: no entry
    visit = AppointmentTypeFactory(clinic=clinic, name="Visit", default_duration_minutes=30)
    visit.default_duration_minutes = 45
    setup_services.setup_row_save(row=visit, by=administrator)
    setup_services.setup_row_delete(row=music, by=administrator)

    rows = list(_changes().order_by("pk").values_list("action", "object_type", "changes"))
    assert rows[0] == (
        "create",
        "patient",
        [["First name", "", "Ava"], ["Last name", "", "Lee"], ["Date of birth", "", "Jan 2, 2019"]],
    )
    assert [row[:2] for row in rows[1:]] == [
        ("create", "patient case"),
        ("archive", "patient case"),
        ("restore", "patient case"),
        ("delete", "patient case"),
        ("create", "service type"),
        ("update", "service type"),
        ("update", "appointment type"),
        ("delete", "service type"),
    ]
    assert rows[6][2] == [["Active", "Yes", "No"]]
    assert rows[7][2] == [["Default duration", "30 min", "45 min"]]
    assert _changes().filter(patient_id=patient.pk).count() == 1


def test_staff_create_edit_roles_and_deactivation(clinic, administrator, speech):
    scheduler_role = Group.objects.get(name=SCHEDULER)
    therapist_role = Group.objects.get(name=THERAPIST)
    person = staff_services.staff_create(
        clinic=clinic,
        email="new@riverside.test",
        first_name="Nia",
        last_name="New",
        base_url="http://testserver/",
        roles=[scheduler_role],
        service_types=[],
        by=administrator,
    )
    staff_services.staff_update(
        user=person,
        email=person.email,
        first_name="Nia",
        last_name="New",
        roles=[scheduler_role, therapist_role],
        service_types=[],
        by=administrator,
    )
    staff_services.staff_update(
        user=person,
        email=person.email,
        first_name="Nia",
        last_name="Newer",
        roles=[scheduler_role, therapist_role],
        service_types=[speech],
        by=administrator,
    )
    staff_services.staff_set_active(user=person, active=False, by=administrator)
    staff_services.staff_set_active(user=person, active=True, by=administrator)

    rows = list(_changes().order_by("pk").values_list("action", "changes"))
    assert [action for action, _ in rows] == [
        "create",
        "invite",
        "roles",
        "update",
        "deactivate",
        "reactivate",
    ]
    assert rows[2][1] == [["Roles", "Scheduler", "Scheduler, Therapist"]]
    assert rows[3][1] == [
        ["Last name", "New", "Newer"],
        ["Service types", "none", "Speech Therapy"],
    ]
    assert _changes().filter(object_type="staff member", object_id=str(person.pk)).count() == 6


def test_staff_edits_through_the_screen_name_the_administrator(
    administrator_client, administrator, scheduler
):
    from django.urls import reverse

    response = administrator_client.post(
        reverse("accounts:staff_update", args=[scheduler.pk]),
        {
            "first_name": "Sam",
            "last_name": "Renamed",
            "email": scheduler.email,
            "roles": [Group.objects.get(name=SCHEDULER).pk],
            "service_types": [],
        },
    )

    assert response.status_code == 302
    entry = _changes().get()
    assert (entry.actor, entry.action, entry.object_type) == (
        administrator,
        "update",
        "staff member",
    )


# Failing writes leave nothing ----------------------------------------------------------------


def test_a_write_that_rolls_back_leaves_no_entry(clinic, administrator, speech, speech_case):
    """The service type is used by a case: the delete is refused by the database after the
    entry was written; the transaction takes the entry with it."""
    with pytest.raises(ProtectedError):
        setup_services.setup_row_delete(row=speech, by=administrator)

    assert not _changes().exists()


def test_a_refused_write_leaves_no_entry(chart_case, therapist):
    empty = DailyNoteFactory(
        chart_case=chart_case, author=therapist, subjective="", objective="", assessment="", plan=""
    )
    with pytest.raises(Exception, match="Write the note before signing it"):
        services.note_sign(note=empty, by=therapist)

    assert not _changes().exists()


def test_an_edit_that_changes_nothing_leaves_no_entry(chart_case, therapist):
    patient = chart_case.patient
    services.patient_update(
        patient=patient,
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        by=therapist,
    )

    assert not _changes().exists()


def test_an_audited_write_costs_one_insert_into_the_trail(clinic, administrator):
    patient = PatientFactory(clinic=clinic)

    with CaptureQueriesContext(connection) as queries:
        services.patient_update(
            patient=patient,
            first_name="Changed",
            last_name=patient.last_name,
            date_of_birth=patient.date_of_birth,
            by=administrator,
        )

    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "core_auditentry" in inserts[0]


# Reads -----------------------------------------------------------------------------------------


def test_each_read_of_patient_records_is_one_entry(
    client, therapist, speech_chart_case, signed_note, unsigned_evaluation
):
    from django.urls import reverse

    patient = speech_chart_case.patient
    pages = [
        reverse("charts:patient_detail", args=[patient.pk]),
        reverse("charts:chart_case_detail", args=[patient.pk, speech_chart_case.pk]),
        reverse("charts:document_detail", args=[speech_chart_case.pk, "notes", signed_note.pk]),
        reverse(
            "charts:document_detail",
            args=[speech_chart_case.pk, "evaluations", unsigned_evaluation.pk],
        ),
    ]
    client.force_login(therapist)
    for page in pages:
        assert client.get(page).status_code == 200

    reads = list(
        AuditEntry.objects.filter(action="access")
        .order_by("pk")
        .values_list("actor", "patient_id", "object_type", "details")
    )
    assert reads == [
        (therapist.pk, patient.pk, "patient chart case", "Chart, Speech Therapy documentation"),
        (therapist.pk, patient.pk, "patient chart case", "Chart, Speech Therapy documentation"),
        (therapist.pk, patient.pk, "daily note", str(signed_note)),
        (therapist.pk, patient.pk, "evaluation", str(unsigned_evaluation)),
    ]


def test_a_refused_read_is_not_recorded_as_one(
    client, ot_therapist, speech_chart_case, signed_note
):
    from django.urls import reverse

    url = reverse("charts:document_detail", args=[speech_chart_case.pk, "notes", signed_note.pk])

    client.force_login(ot_therapist)
    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.exists()


# The trail itself ------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement", ["UPDATE core_auditentry SET details = 'x'", "DELETE FROM core_auditentry"]
)
def test_postgresql_refuses_changing_the_trail_even_through_raw_sql(
    statement, clinic, administrator
):
    services.patient_create(
        clinic=clinic,
        first_name="Ava",
        last_name="Lee",
        date_of_birth=datetime.date(2019, 1, 2),
        by=administrator,
    )

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)

    assert AuditEntry.objects.get().details == ""


def test_a_user_of_another_clinic_is_never_the_actor_of_ours(clinic, other_admin):
    """Entries carry the clinic of the row, not of whoever is logged in elsewhere."""
    patient = PatientFactory(clinic=clinic)
    services.patient_update(
        patient=patient,
        first_name="X",
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
    )
    assert _changes().get().clinic_id == clinic.pk
