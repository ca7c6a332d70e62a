"""The one booking path.

Every way an appointment comes to exist (the + Appointment form, a weekly series, an approved
portal request, an import of future visits) calls ``appointment_book``; an import's visits of
the past call ``history.appointment_record``, which keeps the same overlap rule
(``insert_appointment``) without the rules of booking ahead (hours, availability, a start in
the future). What happens to an appointment afterwards is in ``lifecycle``; the checks both
make are in ``checks``.

Both check what a form would, then rely on the database for overlaps: PostgreSQL's exclusion
constraints refuse a second appointment of the same therapist or patient at the same time even
when two requests race; on SQLite writers are serialised (``transaction_mode=IMMEDIATE``), so
the overlap query run inside the transaction sees every committed booking. Either way a clash
is a ``ValidationError`` with a message for the ``start`` field, never a 500.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from cases.models import PatientCase
from charts.models import Patient, PatientChartCase
from charts.services import chart_case_add
from clinic.models import AppointmentType, Clinic
from core.audit import record
from scheduling import slots
from scheduling.models import Appointment, AppointmentSeries, Location
from scheduling.services.checks import (
    booking_errors,
    clash_error,
    overlap_message,
    require_authorized,
    require_front_desk,
    require_working,
    when_text,
)
from scheduling.signals import appointment_changed

MAX_OCCURRENCES = 52


@dataclass
class _Booking:
    """One visit being booked: what every therapist's row shares."""

    clinic: Clinic
    chart_case: PatientChartCase | None
    patient: Patient
    therapists: list[User]
    location: Location
    appointment_type: AppointmentType
    start: datetime.datetime
    duration_minutes: int
    by: User

    @property
    def end(self) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=self.duration_minutes)


def _chart_case_and_patient(
    chart_case: PatientChartCase | None, patient: Patient | None, case: PatientCase | None
) -> tuple[PatientChartCase | None, Patient]:
    if chart_case is not None:
        # Locked: a discharge running at the same moment waits for this booking, then sees it.
        chart_case = (
            PatientChartCase.objects.select_for_update()
            .select_related("case", "patient")
            .get(pk=chart_case.pk)
        )
        return chart_case, chart_case.patient
    if patient is None or case is None:
        raise ValidationError({"chart_case": "Choose a case."})
    return None, patient


def _require_bookable(booking: _Booking, case: PatientCase | None) -> None:
    """Every therapist's row checked as one form would; all messages raised together."""
    errors = {}
    for each in booking.therapists:
        found = booking_errors(
            clinic=booking.clinic,
            chart_case=booking.chart_case,
            case=case,
            therapist=each,
            location=booking.location,
            appointment_type=booking.appointment_type,
            start=booking.start,
            duration_minutes=booking.duration_minutes,
            now=booking.clinic.now(),
        )
        errors = {**found, **errors}
    if booking.patient.clinic_id != booking.clinic.pk:
        errors["chart_case"] = "Choose a patient of this clinic."
    if len(booking.therapists) > 1 and not set.intersection(
        *(set(t.service_types.values_list("pk", flat=True)) for t in booking.therapists)
    ):
        errors["therapist"] = "Choose therapists of one service type."
    if errors:
        raise ValidationError(errors)


def _outside_hours_reason(booking: _Booking, override_reason: str | None) -> str:
    """The reason to store for a visit outside hours ("" when every therapist is working)."""
    reasons = {
        require_working(
            location=booking.location,
            therapist=each,
            start=booking.start,
            end=booking.end,
            by=booking.by,
            override_reason=override_reason,
        )
        for each in booking.therapists
    }
    return max(reasons, key=len)


def _details(booking: _Booking, therapist: User, *, outside: str, over: str, source: str) -> str:
    return (
        f"{booking.chart_case.case.name} with {therapist} at {booking.location}, "
        f"{when_text(booking.start, booking.location.tzinfo)}, {booking.duration_minutes} min."
        + (f" Outside hours: {outside}" if outside else "")
        + (f" Over the authorization: {over}" if over else "")
        + (f" {source}" if source else "")
    )


def _insert_rows(
    booking: _Booking,
    *,
    series: AppointmentSeries | None,
    outside: str,
    over: str,
    source: str,
) -> list[Appointment]:
    """One row per therapist, sharing the first row's visit, each with its audit entry."""
    appointments = []
    visit = None
    for each in booking.therapists:
        fields = {"visit": visit} if visit else {}
        appointment = insert_appointment(
            clinic=booking.clinic,
            chart_case=booking.chart_case,
            patient=booking.patient,
            therapist=each,
            location=booking.location,
            appointment_type=booking.appointment_type,
            start=booking.start,
            end=booking.end,
            duration_minutes=booking.duration_minutes,
            series=series,
            override_reason=outside,
            authorization_override=over,
            created_by=booking.by,
            **fields,
        )
        visit = appointment.visit
        record(
            clinic_id=booking.clinic.pk,
            actor=booking.by,
            action="book",
            obj=appointment,
            object_type="appointment",
            patient=booking.patient,
            parent=booking.chart_case,
            details=_details(booking, each, outside=outside, over=over, source=source),
        )
        appointment_changed.send(Appointment, appointment=appointment, change="booked")
        appointments.append(appointment)
    return appointments


@transaction.atomic
def appointment_book(
    *,
    clinic: Clinic,
    chart_case: PatientChartCase | None = None,
    therapist: User,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime.datetime,
    duration_minutes: int,
    by: User,
    override_reason: str | None = None,
    patient: Patient | None = None,
    case: PatientCase | None = None,
    co_therapists: Sequence[User] = (),
    series: AppointmentSeries | None = None,
    source: str = "",
    authorization_override: str | None = None,
) -> Appointment:
    """Book one appointment (and one per co-therapist, for the same visit).

    Give ``chart_case``; or ``patient`` and ``case`` to book a case not yet on the patient's
    chart, which is then added to it in the same transaction. Raises ``ValidationError`` with
    messages keyed by field (``chart_case``, ``therapist``, ``location``,
    ``appointment_type``, ``start``, ``duration_minutes``, ``override_reason``,
    ``authorization_override``) and writes
    nothing when anything is wrong; ``PermissionDenied`` unless ``by`` is an administrator or
    scheduler. ``source`` (an import's file and line) goes in the audit entry."""
    require_front_desk(by)
    start = slots.absolute(start)
    chart_case, patient = _chart_case_and_patient(chart_case, patient, case)
    booking = _Booking(
        clinic=clinic,
        chart_case=chart_case,
        patient=patient,
        therapists=[therapist, *[t for t in co_therapists if t.pk != therapist.pk]],
        location=location,
        appointment_type=appointment_type,
        start=start,
        duration_minutes=duration_minutes,
        by=by,
    )
    _require_bookable(booking, case)
    outside = _outside_hours_reason(booking, override_reason)
    over = require_authorized(
        clinic=clinic,
        chart_case=chart_case,
        appointment_type=appointment_type,
        start=start,
        tz=location.tzinfo,
        duration_minutes=duration_minutes,
        override=authorization_override,
    )
    if chart_case is None:
        booking.chart_case = PatientChartCase.objects.filter(
            clinic_id=clinic.pk, patient=patient, case=case
        ).active().first() or chart_case_add(
            patient=patient,
            case=case,
            started_on=start.astimezone(location.tzinfo).date(),
            by=by,
            booking=True,
        )
    rows = _insert_rows(booking, series=series, outside=outside, over=over, source=source)
    return rows[0]


def insert_appointment(
    *,
    clinic: Clinic,
    patient: Patient,
    therapist: User,
    location: Location,
    start: datetime.datetime,
    end: datetime.datetime,
    status: str = Appointment.Status.SCHEDULED,
    then: Callable[[Appointment], object] | None = None,
    **fields,
) -> Appointment:
    """Write one appointment under the no-overlap rule: the friendly check first, then the
    database's own (PostgreSQL's exclusion constraints, in a savepoint), either refusal a
    ``ValidationError`` on ``start``. Every path that adds an appointment comes through here.
    A cancelled appointment holds no time, so it clashes with nothing. ``then(appointment)``
    runs in the same savepoint (the audit entry: the two are written together or not at all)."""
    try:
        # The check inside the savepoint: called outside any transaction (as
        # ``appointment_record`` may be), this is where SQLite takes its write lock, and that
        # lock is all that keeps two writers' check-then-insert apart there.
        with transaction.atomic():
            if status not in Appointment.CANCELLED:
                message = overlap_message(
                    clinic_id=clinic.pk,
                    therapist=therapist,
                    patient=patient,
                    start=start,
                    end=end,
                    tz=location.tzinfo,
                    visit=fields.get("visit"),
                )
                if message:
                    raise ValidationError({"start": message})
            appointment = Appointment.objects.create(
                clinic=clinic,
                patient=patient,
                therapist=therapist,
                location=location,
                start=start,
                end=end,
                status=status,
                **fields,
            )
            appointment.location = location
            if then is not None:
                then(appointment)
    except IntegrityError as error:
        raise clash_error(error, therapist=therapist, patient=patient) from error
    return appointment
