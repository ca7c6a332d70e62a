"""Visits of the past (``appointment_record``): recorded as they went under the no-overlap rule
of every booking, without the rules of booking ahead."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEntry
from scheduling import services
from scheduling.models import Appointment
from tests.factories import LocationFactory, PatientChartCaseFactory
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
