"""An appointment's life after booking: moved (``appointment_reschedule``), cancelled
(``appointment_cancel``), checked in, completed or missed (``appointment_set_status``). Each locks
the row, refuses a screen someone else's change made stale (``StaleAppointment``, a 409) and
writes the audit trail in the same transaction."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from core.audit import diff, record
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role
from scheduling import slots
from scheduling.models import Appointment, AppointmentRequest, Location
from scheduling.services.checks import (
    booking_errors,
    clash_error,
    overlap_message,
    require_authorized,
    require_front_desk,
    require_working,
    when_text,
)
from scheduling.services.request_audit import audit_request
from scheduling.signals import appointment_changed


def lock_appointment(appointment: Appointment) -> Appointment:
    """The appointment as it is now, locked for the rest of the transaction. The row is locked
    alone, then read with its related rows: when another transaction changed it meanwhile,
    PostgreSQL re-checks the locked row against the rows it first joined it to, so a visit
    just moved to another therapist would match nothing (``DoesNotExist``, a 500)."""
    Appointment.objects.select_for_update().filter(pk=appointment.pk).values_list("pk").get()
    return Appointment.objects.select_related(
        "location", "patient", "therapist", "chart_case__case"
    ).get(pk=appointment.pk)


class StaleAppointment(ValidationError):
    """The appointment was changed after the screen was opened (views answer 409)."""


def check_version(appointment: Appointment, expected_version: int | None) -> None:
    if expected_version is not None and appointment.version != expected_version:
        raise StaleAppointment(
            "Someone else changed this appointment after you opened it. Look at it again "
            "and repeat your change."
        )


def require_unsettled(appointment: Appointment) -> None:
    if appointment.is_settled:
        raise ValidationError(
            f"This appointment is {appointment.get_status_display().lower()}: its date, "
            "time, patient and location no longer change."
        )


def _require_movable(
    appointment: Appointment,
    *,
    start: datetime.datetime,
    duration_minutes: int,
    location: Location,
    therapist: User,
    reason: str,
) -> None:
    clinic = appointment.clinic
    errors = booking_errors(
        clinic=clinic,
        chart_case=appointment.chart_case,
        case=None,
        therapist=therapist,
        location=location,
        appointment_type=appointment.appointment_type,
        start=start,
        duration_minutes=duration_minutes,
        now=clinic.now(),
    )
    if not reason.strip():
        errors["reason"] = "Say why the appointment is moved."
    if errors:
        raise ValidationError(errors)


def _require_free(
    appointment: Appointment,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    location: Location,
    therapist: User,
) -> None:
    message = overlap_message(
        clinic_id=appointment.clinic_id,
        therapist=therapist,
        patient=appointment.patient,
        start=start,
        end=end,
        tz=location.tzinfo,
        exclude=[appointment.pk],
        visit=appointment.visit,
    )
    if message:
        raise ValidationError({"start": message})


def _save_moved(appointment: Appointment, therapist: User) -> None:
    appointment.version = F("version") + 1
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        raise clash_error(error, therapist=therapist, patient=appointment.patient) from error
    appointment.refresh_from_db(fields=["version"])


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime.datetime,
    duration_minutes: int,
    location: Location | None = None,
    therapist: User | None = None,
    reason: str,
    by: User,
    override_reason: str | None = None,
    expected_version: int | None = None,
    authorization_override: str | None = None,
    requested: bool = False,
) -> Appointment:
    """Move a visit to another time, and optionally another location or therapist, under
    every rule of booking (the visit's own time does not clash with itself). ``requested``:
    the family asked for it (their request's answer tells them; ``appointment_changed`` says
    so to its listeners)."""
    require_front_desk(by)
    start = slots.absolute(start)
    appointment = lock_appointment(appointment)
    check_version(appointment, expected_version)
    require_unsettled(appointment)
    location = location or appointment.location
    therapist = therapist or appointment.therapist
    where = {"start": start, "location": location, "therapist": therapist}
    _require_movable(appointment, duration_minutes=duration_minutes, reason=reason, **where)
    end = start + datetime.timedelta(minutes=duration_minutes)
    override = require_working(end=end, by=by, override_reason=override_reason, **where)
    over = require_authorized(
        clinic=appointment.clinic,
        chart_case=appointment.chart_case,
        appointment_type=appointment.appointment_type,
        start=start,
        tz=location.tzinfo,
        duration_minutes=duration_minutes,
        override=authorization_override,
        exclude_visit=appointment.visit,
    )
    _require_free(appointment, end=end, **where)
    before = describe(appointment)
    appointment.start, appointment.end = start, end
    appointment.duration_minutes = duration_minutes
    appointment.location, appointment.therapist = location, therapist
    appointment.override_reason = override
    # A confirmation was for the old time.
    appointment.patient_confirmed_at = None
    appointment.authorization_override = over
    _save_moved(appointment, therapist)
    record(
        clinic_id=appointment.clinic_id,
        actor=by,
        action="reschedule",
        obj=appointment,
        object_type="appointment",
        patient=appointment.patient,
        parent=appointment.chart_case,
        changes=diff(before, describe(appointment)),
        details=reason.strip() + (f" Over the authorization: {over}" if over else ""),
    )
    appointment_changed.send(
        Appointment, appointment=appointment, change="moved", requested=requested
    )
    return appointment


def write_status(
    appointment: Appointment,
    *,
    status: str,
    actor,
    action: str,
    cancel_reason: str | None = None,
    details: str = "",
) -> Appointment:
    """Set a locked appointment's status (and its cancel reason), one version on, with its
    audit entry: what every cancel and status change writes."""
    before = describe(appointment)
    appointment.status = status
    fields = ["status", "version"]
    if cancel_reason is not None:
        appointment.cancel_reason = cancel_reason
        fields.append("cancel_reason")
    appointment.version = F("version") + 1
    appointment.save(update_fields=fields)
    appointment.refresh_from_db(fields=["version"])
    _close_move_requests(appointment, actor=actor)
    record(
        clinic_id=appointment.clinic_id,
        actor=actor,
        action=action,
        obj=appointment,
        object_type="appointment",
        patient=appointment.patient,
        parent=appointment.chart_case,
        changes=diff(before, describe(appointment)),
        details=details,
    )
    return appointment


# What happened to a visit, in the words of the reason a family reads on its request to move.
_WHAT_HAPPENED = {
    Appointment.Status.CHECKED_IN: "has begun",
    Appointment.Status.COMPLETED: "took place",
    Appointment.Status.NO_SHOW: "was missed",
    Appointment.Status.PATIENT_CANCELLED: "was cancelled",
    Appointment.Status.CLINIC_CANCELLED: "was cancelled by the clinic",
}


def _close_move_requests(appointment: Appointment, *, actor) -> None:
    """A visit that is no longer booked (cancelled, checked in, completed, missed) cannot move:
    its pending requests to move are closed with it, so that the queue does not offer to
    approve them. Cancelled when the family cancelled the visit; otherwise declined, with the
    reason the family reads in the portal (the visit's own notice tells them of the change, so
    no second e-mail)."""
    if appointment.status == Appointment.Status.SCHEDULED:
        return
    by_family = appointment.status == Appointment.Status.PATIENT_CANCELLED
    reason = f"The visit {_WHAT_HAPPENED[appointment.status]}, so it will not move."
    pending = (
        AppointmentRequest.objects.pending()
        .filter(move_of=appointment)
        # A request an approval holds right now is skipped, not waited for: the approval holds
        # it and waits for this visit's lock, so waiting here would deadlock. That approval
        # finds the visit no longer booked and is refused, and the request stays pending.
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("location", "patient", "appointment_type")
    )
    for request in pending:
        request.status = (
            AppointmentRequest.Status.CANCELLED if by_family else AppointmentRequest.Status.DECLINED
        )
        if not by_family:
            request.decline_reason = reason
            request.decided_by = actor
            request.decided_at = timezone.now()
        request.version += 1
        request.save(
            update_fields=["status", "decline_reason", "decided_by", "decided_at", "version"]
        )
        audit_request(
            request,
            actor=actor,
            action="cancel" if by_family else "decline",
            details=reason,
        )


def describe(appointment: Appointment) -> dict[str, str]:
    tz = appointment.location.tzinfo
    return {
        "Start": when_text(appointment.start, tz),
        "Duration": f"{appointment.duration_minutes} min",
        "Location": str(appointment.location),
        "Therapist": str(appointment.therapist),
        "Status": appointment.get_status_display(),
    }


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    status: str,
    reason: str,
    by: User,
    expected_version: int | None = None,
) -> Appointment:
    require_front_desk(by)
    appointment = lock_appointment(appointment)
    check_version(appointment, expected_version)
    if status not in Appointment.CANCELLED:
        raise ValidationError({"status": "Choose who cancelled."})
    require_unsettled(appointment)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the appointment is cancelled."})
    cancel_reason = reason.strip()[:300]
    write_status(
        appointment,
        status=status,
        actor=by,
        action="cancel",
        cancel_reason=cancel_reason,
        details=cancel_reason,
    )
    appointment_changed.send(Appointment, appointment=appointment, change="cancelled")
    return appointment


# The statuses each status may move to with ``appointment_set_status`` (cancelling has its own
# service, with a reason).
TRANSITIONS = {
    Appointment.Status.SCHEDULED: {
        Appointment.Status.CHECKED_IN,
        Appointment.Status.COMPLETED,
        Appointment.Status.NO_SHOW,
    },
    Appointment.Status.CHECKED_IN: {Appointment.Status.COMPLETED},
}
THERAPIST_MAY_SET = {Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED}


def may_set_status(user: User, appointment: Appointment, status: str) -> bool:
    if has_role(user, ADMINISTRATOR, SCHEDULER):
        return True
    return (
        has_role(user, THERAPIST)
        and appointment.therapist_id == user.pk
        and status in THERAPIST_MAY_SET
    )


@transaction.atomic
def appointment_set_status(
    *, appointment: Appointment, status: str, by: User, expected_version: int | None = None
) -> Appointment:
    """Check in, complete or mark a no-show. Therapists may check in and complete their own."""
    appointment = lock_appointment(appointment)
    if not may_set_status(by, appointment, status):
        raise PermissionDenied
    check_version(appointment, expected_version)
    if status not in TRANSITIONS.get(appointment.status, set()):
        raise ValidationError(
            {
                "status": f"A {appointment.get_status_display().lower()} appointment cannot "
                f"become {Appointment.Status(status).label.lower()}."
                if status in Appointment.Status.values
                else "Choose a status."
            }
        )
    return write_status(appointment, status=status, actor=by, action="status")
