"""Visits of the past (``appointment_record``): recorded as they went under the no-overlap rule
of every booking, without the rules of booking ahead."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django_scopes import scope

from core.models import AuditEntry
from core.roles import THERAPIST
from scheduling import services
from scheduling.models import Appointment
from tests.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.fixtures.scheduling import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic, speech_chart_case, therapist, location, treatment, scheduler):
    """Keyword arguments of a completed visit last month at 07:00, before the location opens."""
    day = clinic.today() - datetime.timedelta(days=30)
    return dict(
        clinic=clinic,
        chart_case=speech_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, day, 7),
        duration_minutes=45,
        status=Appointment.Status.COMPLETED,
        by=scheduler,
        source="Imported from “old.csv”, line 7.",
    )


def test_a_past_visit_outside_hours_is_recorded_with_its_audit_entry(visit):
    appointment = services.appointment_record(**visit)
    assert appointment.status == Appointment.Status.COMPLETED
    assert appointment.start == visit["start"]
    entry = AuditEntry.objects.get(object_type="appointment", object_id=str(appointment.pk))
    assert entry.action == "import"
    assert entry.details.endswith("completed. Imported from “old.csv”, line 7.")


def test_a_clash_is_refused_and_nothing_is_written(visit, clinic):
    services.appointment_record(**visit)
    other = PatientChartCaseFactory(clinic=clinic, case=visit["chart_case"].case)
    later = visit["start"] + datetime.timedelta(minutes=30)
    with pytest.raises(ValidationError) as error:
        services.appointment_record(**{**visit, "chart_case": other, "start": later})
    assert "already has an appointment from" in error.value.message_dict["start"][0]
    assert Appointment.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="appointment").count() == 1
    # A cancelled visit holds no time.
    cancelled = services.appointment_record(
        **{**visit, "chart_case": other, "start": later, "status": "patient_cancelled"},
        cancel_reason="Ill",
    )
    assert cancelled.cancel_reason == "Ill"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": Appointment.Status.SCHEDULED}, "status"),
        ({"start": None}, "start"),
        ({"duration_minutes": 7}, "duration_minutes"),
    ],
)
def test_refusals(visit, clinic, change, field):
    if change.get("start", 1) is None:
        change = {"start": clinic.now() + datetime.timedelta(hours=1)}
    with pytest.raises(ValidationError) as error:
        services.appointment_record(**{**visit, **change})
    assert field in error.value.message_dict
    assert not Appointment.objects.exists()


def test_the_therapist_must_fit_the_case(visit, ot_therapist):
    with pytest.raises(ValidationError) as error:
        services.appointment_record(**{**visit, "therapist": ot_therapist})
    assert "is not a case of" in error.value.message_dict["chart_case"][0]


def test_history_may_name_what_is_no_longer_active(visit, clinic, therapist):
    """A location since closed, a therapist who has left: the visit still happened."""
    closed = LocationFactory(clinic=clinic, name="Old Annex", is_active=False)
    therapist.is_active = False
    therapist.save()
    appointment = services.appointment_record(**{**visit, "location": closed})
    assert appointment.location == closed and appointment.therapist == therapist


def test_only_the_front_desk_records(visit, therapist):
    with pytest.raises(PermissionDenied):
        services.appointment_record(**{**visit, "by": therapist})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_records_of_one_slot_keep_exactly_one(visit, clinic):
    """Visits of one therapist at one time recorded at the same moment, each on its own
    connection and outside any transaction of the caller: one is kept, the others refused.
    On SQLite only the write lock keeps them apart, so the overlap check must run under it."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL or a SQLite file")
    chart_cases = [
        PatientChartCaseFactory(clinic=clinic, case=visit["chart_case"].case) for _ in range(6)
    ]
    barrier = threading.Barrier(len(chart_cases))
    outcomes, errors = [], []

    def record(chart_case):
        try:
            with scope(clinic=clinic.pk):  # as a request or the import command runs
                barrier.wait()
                services.appointment_record(**{**visit, "chart_case": chart_case})
            outcomes.append("kept")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(cc,)) for cc in chart_cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(outcomes) == ["kept"] + ["refused"] * (len(chart_cases) - 1)
    assert Appointment.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="appointment").count() == 1


@pytest.mark.parametrize("field", ["location", "appointment_type", "therapist", "chart_case"])
def test_rows_of_another_clinic_are_refused(visit, other_clinic, field):
    occupational = ServiceTypeFactory(clinic=other_clinic)
    theirs = {
        "location": lambda: LocationFactory(clinic=other_clinic),
        "appointment_type": lambda: AppointmentTypeFactory(clinic=other_clinic),
        "therapist": lambda: UserFactory(
            clinic=other_clinic, roles=[THERAPIST], service_types=[occupational]
        ),
        "chart_case": lambda: PatientChartCaseFactory(
            case=PatientCaseFactory(clinic=other_clinic, service_types=[occupational]),
            patient=PatientFactory(clinic=other_clinic),
        ),
    }[field]()
    with pytest.raises(ValidationError) as error:
        services.appointment_record(**{**visit, field: theirs})
    assert field in error.value.message_dict
    assert not Appointment.objects.exists()
    assert not AuditEntry.objects.filter(object_type="appointment").exists()
