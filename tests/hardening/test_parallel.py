"""Writes that race, run truly in parallel: each call in its own thread and database
connection, released together, with the first one held inside its transaction for a moment
so the two overlap. Whatever the order, one wins, the other gets a clear refusal, and nothing
raises an error page's exception (a foreign-key failure at COMMIT, a lost signature)."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services as case_services
from cases.models import PatientCase
from charts import services
from charts.models import DailyNote, Evaluation, Goal, PatientChartCase
from charts.services.common import event_action
from clinic.models import ServiceType
from core.concurrency import VersionConflict
from core.models import AuditEntry
from scheduling import services as scheduling_services
from scheduling.forms import LocationForm
from scheduling.models import Location
from tests.factories import (
    DailyNoteFactory,
    EvaluationFactory,
    GoalFactory,
    PatientCaseFactory,
    PatientFactory,
)
from tests.hardening.helpers import in_parallel, logged_in

# The roles are groups made by a data migration: a transactional test empties the tables
# afterwards, so they are restored for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOLD = 0.4  # seconds the first writer stays inside its transaction


def _slow(monkeypatch, owner, name):
    """Make ``owner.name`` (a function or property) take HOLD seconds, once per thread."""
    original = getattr(owner, name)
    if isinstance(original, property):

        def slow_get(self):
            time.sleep(HOLD)
            return original.fget(self)

        monkeypatch.setattr(owner, name, property(slow_get))
    else:

        def slow_call(*args, **kwargs):
            result = original(*args, **kwargs)
            time.sleep(HOLD)
            return result

        monkeypatch.setattr(owner, name, slow_call)


def _later(call, delay=HOLD / 4):
    def delayed():
        time.sleep(delay)
        return call()

    return delayed


def _outcomes(results):
    """(successes, refusals); anything else is re-raised: it would have been a 500."""
    successes, refusals = [], []
    for result in results:
        if isinstance(result, ValidationError | VersionConflict | case_services.CaseInUseError):
            refusals.append(result)
        elif isinstance(result, Exception):
            raise result
        else:
            successes.append(result)
    return successes, refusals


@pytest.fixture
def note(speech_chart_case, therapist):
    return DailyNoteFactory(chart_case=speech_chart_case, author=therapist)


def test_two_simultaneous_signs_of_one_note_one_wins(monkeypatch, note, therapist):
    _slow(monkeypatch, DailyNote, "has_content")
    sign = lambda: services.note_sign(note=note, by=therapist)  # noqa: E731

    successes, refusals = _outcomes(in_parallel(sign, sign))

    assert (len(successes), len(refusals)) == (1, 1)
    assert services.SIGNED in refusals[0].messages
    assert AuditEntry.objects.filter(action="sign", object_id=str(note.pk)).count() == 1


def test_two_simultaneous_signs_of_one_evaluation_one_wins(
    monkeypatch, speech_chart_case, therapist
):
    evaluation = EvaluationFactory(chart_case=speech_chart_case, author=therapist)
    _slow(monkeypatch, Evaluation, "has_content")
    sign = lambda: services.evaluation_sign(evaluation=evaluation, by=therapist)  # noqa: E731

    successes, refusals = _outcomes(in_parallel(sign, sign))

    assert (len(successes), len(refusals)) == (1, 1)
    assert AuditEntry.objects.filter(action="sign", object_id=str(evaluation.pk)).count() == 1


def test_an_edit_racing_a_signature_never_changes_a_signed_note(monkeypatch, note, therapist):
    _slow(monkeypatch, DailyNote, "has_content")
    sign = lambda: services.note_sign(note=note, by=therapist)  # noqa: E731

    def edit():
        return services.note_update(
            note=note,
            expected_version=note.version,
            date_of_service=note.date_of_service,
            subjective="",
            objective="",
            assessment="Rewritten after the signature?",
            plan="",
            progress=[],
            by=therapist,
        )

    results = in_parallel(sign, _later(edit))
    _outcomes(results)

    note.refresh_from_db()
    assert note.is_signed
    assert isinstance(results[1], ValidationError | VersionConflict)
    assert note.assessment != "Rewritten after the signature?"


def test_two_simultaneous_discharges_one_wins(monkeypatch, speech_chart_case, therapist, today):
    GoalFactory(chart_case=speech_chart_case, created_by=therapist)
    _slow(monkeypatch, services.chart_cases, "_require_active")

    def discharge():
        return services.chart_case_discharge(
            chart_case=speech_chart_case,
            discharged_on=today,
            discharge_evaluation=None,
            by=therapist,
        )

    successes, refusals = _outcomes(in_parallel(discharge, discharge))

    assert (len(successes), len(refusals)) == (1, 1)
    assert AuditEntry.objects.filter(action=event_action("Discharged")).count() == 1


def test_two_saves_of_the_same_goal_version_one_wins(
    monkeypatch, speech_chart_case, therapist, second_speech_therapist
):
    goal = GoalFactory(chart_case=speech_chart_case, created_by=therapist)
    _slow(monkeypatch, services.goals, "_require_active")

    def save(user, text):
        return lambda: services.goal_update(
            goal=goal,
            expected_version=goal.version,
            text=text,
            target_date=goal.target_date,
            status=Goal.Status.ACTIVE,
            note="",
            by=user,
        )

    successes, refusals = _outcomes(
        in_parallel(save(therapist, "First"), save(second_speech_therapist, "Second"))
    )

    assert (len(successes), len(refusals)) == (1, 1)
    assert isinstance(refusals[0], VersionConflict)
    goal.refresh_from_db()
    assert goal.text == successes[0].text
    assert goal.version == 2


def test_a_case_deleted_while_a_therapist_adds_it_to_a_chart(
    monkeypatch, clinic, speech, therapist, administrator, today
):
    case = PatientCaseFactory(
        clinic=clinic, name="Apraxia", service_types=[speech], created_by=administrator
    )
    patient = PatientFactory(clinic=clinic)
    _slow(monkeypatch, services.chart_cases, "_event")
    add = lambda: services.chart_case_add(  # noqa: E731
        patient=patient, case=case, started_on=today, by=therapist
    )
    delete = lambda: case_services.case_delete(case=case, by=administrator)  # noqa: E731

    successes, refusals = _outcomes(in_parallel(add, _later(delete)))

    # The add went first and holds the case: the delete sees it in use.
    assert len(successes) == 1 and len(refusals) == 1
    assert isinstance(refusals[0], case_services.CaseInUseError)
    assert PatientChartCase.objects.filter(case=case).count() == 1


def test_a_case_added_to_a_chart_after_its_deletion_is_a_clear_refusal(
    monkeypatch, clinic, speech, therapist, administrator, today
):
    case = PatientCaseFactory(
        clinic=clinic, name="Apraxia", service_types=[speech], created_by=administrator
    )
    patient = PatientFactory(clinic=clinic)
    case_services.case_delete(case=case, by=administrator)

    with pytest.raises(ValidationError, match="was deleted by someone else"):
        services.chart_case_add(patient=patient, case=case, started_on=today, by=therapist)
    assert not PatientChartCase.objects.exists()


def test_a_service_type_deleted_while_a_case_is_created_with_it(
    monkeypatch, clinic, administrator, second_admin
):
    service = ServiceType.objects.create(clinic=clinic, name="Feeding")
    _slow(monkeypatch, case_services, "_record")
    create = lambda: case_services.case_create(  # noqa: E731
        clinic=clinic, name="Feeding Therapy", service_types=[service], rules=[], by=administrator
    )
    client = logged_in(second_admin)
    delete = lambda: client.post(  # noqa: E731
        reverse("clinic:servicetype_delete", args=[service.pk])
    )

    created, deleted = in_parallel(create, _later(delete))

    assert isinstance(created, PatientCase), created
    assert deleted.status_code == 409
    assert ServiceType.objects.filter(pk=service.pk).exists()


def test_a_case_created_with_a_service_type_deleted_a_moment_before_is_refused(
    clinic, administrator
):
    service = ServiceType.objects.create(clinic=clinic, name="Feeding")
    ServiceType.objects.filter(pk=service.pk).delete()

    with pytest.raises(ValidationError, match="was deleted by someone else"):
        case_services.case_create(
            clinic=clinic,
            name="Feeding Therapy",
            service_types=[service],
            rules=[],
            by=administrator,
        )
    assert not PatientCase.objects.exists()


def test_six_simultaneous_adds_of_one_case_to_one_chart(clinic, speech, administrator, today):
    """Used to fail with "database is locked" on SQLite; now one wins, five are told why."""
    from tests.factories import UserFactory

    case = PatientCaseFactory(
        clinic=clinic, name="Apraxia", service_types=[speech], created_by=administrator
    )
    patient = PatientFactory(clinic=clinic)
    therapists = [
        UserFactory(clinic=clinic, roles=["Therapist"], service_types=[speech]) for _ in range(6)
    ]
    adds = [
        (lambda by=by: services.chart_case_add(patient=patient, case=case, started_on=today, by=by))
        for by in therapists
    ]

    successes, refusals = _outcomes(in_parallel(*adds))

    assert (len(successes), len(refusals)) == (1, 5)
    assert all("already active on this chart" in str(refusal) for refusal in refusals)
    assert PatientChartCase.objects.filter(patient=patient, case=case).count() == 1
    case.refresh_from_db()
    assert case.patient_count == 1


def test_two_administrators_removing_each_other_at_once_leave_one(
    monkeypatch, administrator, second_admin
):
    from django.contrib.auth.models import Group

    from accounts import services as account_services

    _slow(monkeypatch, account_services, "_require_another_administrator")

    def demote(user):
        return lambda: account_services.staff_update(
            user=user,
            expected_version=user.version,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            roles=list(Group.objects.filter(name="Scheduler")),
            service_types=[],
        )

    successes, refusals = _outcomes(
        in_parallel(demote(second_admin), _later(demote(administrator)))
    )

    assert (len(successes), len(refusals)) == (1, 1)
    assert "last active administrator" in str(refusals[0])
    assert Group.objects.get(name="Administrator").user_set.filter(is_active=True).count() == 1


def test_a_reminder_marked_done_twice_at_once_keeps_the_first(
    monkeypatch, speech_chart_case, therapist, second_speech_therapist
):
    from charts.models import Reminder
    from tests.factories import ReminderFactory

    reminder = ReminderFactory(chart_case=speech_chart_case, created_by=therapist)
    _slow(monkeypatch, services.reminders, "_require_active")

    done = lambda by: lambda: services.reminder_done(reminder=reminder, by=by)  # noqa: E731
    _outcomes(in_parallel(done(therapist), _later(done(second_speech_therapist))))

    assert Reminder.objects.get(pk=reminder.pk).done_by == therapist


def test_a_delete_racing_a_signature_never_deletes_a_signed_note(monkeypatch, note, therapist):
    _slow(monkeypatch, DailyNote, "has_content")
    sign = lambda: services.note_sign(note=note, by=therapist)  # noqa: E731
    delete = lambda: services.note_delete(note=note, by=therapist)  # noqa: E731

    results = in_parallel(sign, _later(delete))
    _outcomes(results)

    assert DailyNote.objects.get(pk=note.pk).is_signed
    assert isinstance(results[1], ValidationError)


def test_two_simultaneous_reopens_one_wins(monkeypatch, speech_chart_case, therapist, today):
    PatientChartCase.objects.filter(pk=speech_chart_case.pk).update(
        status=PatientChartCase.Status.DISCHARGED, discharged_on=today
    )
    _slow(monkeypatch, services.chart_cases, "_event")
    reopen = lambda: services.chart_case_reopen(  # noqa: E731
        chart_case=speech_chart_case, reason="Back", by=therapist
    )

    successes, refusals = _outcomes(in_parallel(reopen, _later(reopen)))

    assert (len(successes), len(refusals)) == (1, 1)
    assert AuditEntry.objects.filter(action=event_action("Reopened")).count() == 1


def test_a_staff_member_saved_with_a_service_type_deleted_a_moment_before_is_refused(
    clinic, therapist
):
    from django.contrib.auth.models import Group

    from accounts import services as account_services

    gone = ServiceType.objects.create(clinic=clinic, name="Feeding")
    ServiceType.objects.filter(pk=gone.pk).delete()

    with pytest.raises(ValidationError, match="was deleted by someone else"):
        account_services.staff_update(
            user=therapist,
            expected_version=therapist.version,
            email=therapist.email,
            first_name="Sophie",
            last_name="Speech",
            roles=list(Group.objects.filter(name="Therapist")),
            service_types=[gone],
        )
    therapist.refresh_from_db()
    assert therapist.first_name != "Sophie"


def test_two_saves_of_the_same_location_version_one_wins(
    monkeypatch, location, administrator, second_admin
):
    """Issue 26, item 6: the location's edit claims its version like every versioned row."""
    _slow(monkeypatch, scheduling_services.setup, "_row_words")

    def save(user, name):
        row = Location.objects.get(pk=location.pk)
        form = LocationForm(
            {
                "name": name,
                "address": row.address,
                "time_zone": row.time_zone,
                "is_active": "on",
                "version": str(row.version),
            },
            instance=row,
            clinic=row.clinic,
        )
        assert form.is_valid(), form.errors
        return lambda: scheduling_services.setup_row_save(form=form, by=user)

    successes, refusals = _outcomes(
        in_parallel(save(administrator, "First name"), save(second_admin, "Second name"))
    )

    assert (len(successes), len(refusals)) == (1, 1)
    assert isinstance(refusals[0], VersionConflict)
    location.refresh_from_db()
    assert location.name == successes[0].name
    assert location.version == 2
