"""Visits that already happened: an import of another system's history records them as they
went (completed, no-show, cancelled) under the same no-overlap rule as every booking
(``booking.insert_appointment``) and the same checks of who and what
(``checks.booking_errors``), without the rules of booking ahead: clinic hours, availability,
notice, a start in the future."""

import datetime

from django.core.exceptions import ValidationError

from accounts.models import User
from charts.models import PatientChartCase
from clinic.models import AppointmentType, Clinic
from core.audit import record
from scheduling import slots
from scheduling.models import Appointment, Location
from scheduling.services.booking import insert_appointment
from scheduling.services.checks import booking_errors, require_front_desk, when_text

# What a visit of the past may have become (``appointment_record``).
PAST_STATUSES = (
    Appointment.Status.COMPLETED,
    Appointment.Status.NO_SHOW,
    Appointment.Status.PATIENT_CANCELLED,
    Appointment.Status.CLINIC_CANCELLED,
)


def appointment_record(
    *,
    clinic: Clinic,
    chart_case: PatientChartCase,
    therapist: User,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime.datetime,
    duration_minutes: int,
    status: str,
    by: User,
    cancel_reason: str = "",
    source: str = "",
) -> Appointment:
    """Record a visit that already happened (an import of another system's history): it was
    completed, a no-show or cancelled. Checks what history needs and nothing about the time it
    was booked: the chart case, appointment type, location and therapist are the clinic's
    (inactive ones too: a location since closed, a therapist who left), the therapist could take
    the case (``booking_errors``, as booking), and the no-overlap rule (``insert_appointment``,
    as booking); not clinic hours, availability, notice or a discharged chart case. A start not
    in the past goes to ``appointment_book``. ``source`` (the file and line) goes in the audit
    entry. Raises ``ValidationError`` keyed by field and writes nothing when anything is wrong;
    ``PermissionDenied`` unless ``by`` is an administrator or scheduler.

    One transaction, as every service, but its only writes (the appointment and its audit entry)
    are ``insert_appointment``'s savepoint: the checks before it only read, so no savepoint of
    its own (an import calls this for every visit). ``chart_case`` is used as given, with its
    case and patient (an import loads them once per chunk): a visit of the past takes no lock,
    since a discharge does not stop it."""
    require_front_desk(by)
    start = slots.absolute(start)
    visit = {
        "clinic": clinic,
        "chart_case": chart_case,
        "therapist": therapist,
        "location": location,
        "appointment_type": appointment_type,
        "start": start,
        "duration_minutes": duration_minutes,
    }
    _require_recordable(visit, status)

    def audit(appointment: Appointment) -> None:
        record(
            clinic_id=clinic.pk,
            actor=by,
            action="import",
            obj=appointment,
            object_type="appointment",
            patient=chart_case.patient,
            parent=chart_case,
            details=(
                f"{chart_case.case.name} with {therapist} at {location}, "
                f"{when_text(start, location.tzinfo)}, {duration_minutes} min, "
                f"{appointment.get_status_display().lower()}." + (f" {source}" if source else "")
            ),
        )

    return insert_appointment(
        **visit,
        patient=chart_case.patient,
        end=start + datetime.timedelta(minutes=duration_minutes),
        status=status,
        cancel_reason=cancel_reason[:300] if status in Appointment.CANCELLED else "",
        created_by=by,
        then=audit,
    )


def _require_recordable(visit: dict, status: str) -> None:
    """``booking_errors`` for a visit of the past, the patient's clinic and how it went."""
    clinic = visit["clinic"]
    errors = booking_errors(**visit, case=None, now=clinic.now(), history=True)
    if visit["chart_case"].patient.clinic_id != clinic.pk:
        errors["chart_case"] = "Choose a patient of this clinic."
    if status not in PAST_STATUSES:
        errors["status"] = (
            "A past appointment is recorded as completed, no-show or cancelled: say how it went."
        )
    if errors:
        raise ValidationError(errors)
