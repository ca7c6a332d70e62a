"""Appointment requests from the patient portal: create, cancel, approve, decline, expire.

A request is made at one of the starts ``request_slots`` computes (the pure ``slots`` module
over the location's hours and closures, the availability and appointments of the therapists
of the case's service types, the clinic's notice and horizon). Approval books through
``appointment_book`` in the same transaction as the status change, so two schedulers approving
two requests for one slot cannot both succeed: the booking's conflict rules refuse the second,
and its approval rolls back whole. The portal checks that the user acts for the patient (it
loads the chart case through the user's links) before calling these.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from charts.models import Patient, PatientChartCase
from clinic.models import AppointmentType, Clinic
from core.mail import queue_email, site_url
from scheduling import slots
from scheduling.models import Appointment, AppointmentRequest, Location
from scheduling.services.booking import appointment_book
from scheduling.services.checks import require_front_desk, when_text
from scheduling.services.lifecycle import appointment_reschedule
from scheduling.services.request_audit import audit_request
from scheduling.services.request_rules import (
    allowed_rules,
    case_therapists,
    request_slots,
    request_window,
    requests_open_for,
)

NOT_PENDING = {
    AppointmentRequest.Status.APPROVED: "This request was already approved.",
    AppointmentRequest.Status.DECLINED: "This request was already declined.",
    AppointmentRequest.Status.CANCELLED: "This request was cancelled by the patient.",
    AppointmentRequest.Status.EXPIRED: "This request expired unanswered.",
}


def _rule_for(chart_case: PatientChartCase, appointment_type: AppointmentType):
    """The case's requestable rule for the type; refused when the case is closed to requests
    or the type is not requestable for it."""
    closed = requests_open_for(chart_case)
    if closed:
        raise ValidationError({"chart_case": closed})
    rule = next(
        (r for r in allowed_rules(chart_case) if r.appointment_type_id == appointment_type.pk),
        None,
    )
    if rule is None:
        raise ValidationError(
            {"appointment_type": "This appointment type cannot be requested for this case."}
        )
    return rule


def _check_location_and_note(clinic: Clinic, location: Location, note: str) -> str:
    """The note, trimmed; refused when the location is not open to requests or the note is
    too long."""
    open_to_requests = Location.objects.for_clinic(clinic).available_for_requests()
    if not open_to_requests.filter(pk=location.pk).exists():
        raise ValidationError({"location": "This location does not take requests."})
    note = (note or "").strip()
    if len(note) > AppointmentRequest.NOTE_MAX:
        raise ValidationError(
            {"note": f"Keep the note to {AppointmentRequest.NOTE_MAX} characters or fewer."}
        )
    return note


def _check_pending_limit(clinic: Clinic, chart_case: PatientChartCase) -> None:
    pending = (
        AppointmentRequest.objects.live(clinic).filter(patient_id=chart_case.patient_id).count()
    )
    if pending >= clinic.request_max_pending:
        raise ValidationError(
            {
                "chart_case": (
                    f"{chart_case.patient} already has {pending} pending requests, the most "
                    "the clinic takes at once. Wait for an answer or cancel one."
                )
            }
        )


def _check_window(clinic: Clinic, start: datetime.datetime, now: datetime.datetime) -> None:
    """Refused when ``start`` has passed, is inside the notice or beyond the horizon."""
    earliest, latest = request_window(clinic, now)
    if start.tzinfo is None or start <= now:
        raise ValidationError({"start": "This time has passed. Choose another time."})
    if start < earliest:
        raise ValidationError(
            {
                "start": f"Requests need {clinic.request_min_notice_hours} hours' notice. "
                "Choose a later time."
            }
        )
    if start > latest:
        raise ValidationError(
            {
                "start": f"Requests reach {clinic.request_horizon_days} days ahead. "
                "Choose an earlier time."
            }
        )


def _therapists_for(chart_case: PatientChartCase, preferred_therapist: User | None) -> list:
    """Who may be booked: the preferred therapist, refused unless they may take the case, or
    every therapist who may."""
    therapists = list(case_therapists(chart_case))
    if preferred_therapist is None:
        return therapists
    if preferred_therapist.pk not in {t.pk for t in therapists}:
        raise ValidationError({"therapist": "Choose a therapist of this case."})
    return [preferred_therapist]


def _free_therapist(chart_case, location, rule, start, therapists, now) -> User:
    """The first of ``therapists`` free at ``start``; refused when nobody is."""
    tz = location.tzinfo
    free = request_slots(
        chart_case=chart_case,
        location=location,
        duration_minutes=rule.duration_minutes,
        therapist_ids=[t.pk for t in therapists],
        now=now,
        # Only the requested day: the same grid, a fraction of the work.
        within=slots.day_bounds(start.astimezone(tz).date(), tz),
    )
    therapist = next((t for t in therapists if start in set(free[t.pk])), None)
    if therapist is None:
        raise ValidationError(
            {"start": f"{when_text(start, tz)} is not one of the offered times. Choose another."}
        )
    return therapist


def _check_move(chart_case: PatientChartCase, move_of: Appointment | None, appointment_type):
    """A request to move a visit: the visit is of this chart case and type, still booked and
    to come, and has no other pending move."""
    if move_of is None:
        return
    visit = Appointment.objects.select_for_update().get(pk=move_of.pk)
    if visit.chart_case_id != chart_case.pk or visit.appointment_type_id != appointment_type.pk:
        raise ValidationError({"appointment_type": "A move keeps the visit's case and type."})
    if not visit.is_awaited(timezone.now()):
        raise ValidationError({"chart_case": "This visit is no longer booked: it cannot move."})
    if (
        AppointmentRequest.objects.for_clinic(chart_case.clinic_id)
        .pending()
        .filter(move_of=visit)
        .exists()
    ):
        raise ValidationError(
            {"chart_case": "You already asked to move this visit. Wait for the clinic's answer."}
        )


@transaction.atomic
def request_create(
    *,
    chart_case: PatientChartCase,
    appointment_type: AppointmentType,
    location: Location,
    start: datetime.datetime,
    by: User,
    preferred_therapist: User | None = None,
    note: str = "",
    move_of: Appointment | None = None,
) -> AppointmentRequest:
    """Save a pending request. The duration is always the case's rule for the type. With
    ``move_of``, a request to move that booked visit to ``start`` (approved, it moves the visit
    instead of booking one). Raises ``ValidationError`` keyed by field (``chart_case``,
    ``appointment_type``, ``location``, ``therapist``, ``start``, ``note``) and writes nothing
    when anything is wrong."""
    clinic = Clinic.objects.get(pk=chart_case.clinic_id)
    # The patient's row is the lock: two requests of one family at once count each other.
    Patient.objects.select_for_update().get(pk=chart_case.patient_id)
    chart_case = PatientChartCase.objects.select_related("case", "patient", "clinic").get(
        pk=chart_case.pk
    )
    rule = _rule_for(chart_case, appointment_type)
    _check_move(chart_case, move_of, appointment_type)
    note = _check_location_and_note(clinic, location, note)
    therapists = _therapists_for(chart_case, preferred_therapist)
    _check_pending_limit(clinic, chart_case)
    now = clinic.now()
    _check_window(clinic, start, now)
    therapist = _free_therapist(chart_case, location, rule, start, therapists, now)
    try:
        with transaction.atomic():
            request = AppointmentRequest.objects.create(
                clinic=clinic,
                chart_case=chart_case,
                patient=chart_case.patient,
                appointment_type=appointment_type,
                location=location,
                preferred_therapist=preferred_therapist,
                therapist=therapist,
                start=start,
                duration_minutes=rule.duration_minutes,
                note=note,
                move_of=move_of,
                created_by=by,
            )
    except IntegrityError as error:
        raise ValidationError(
            {
                "start": "You already asked to move this visit: that request is pending."
                if move_of is not None
                else "You already requested this time for this case: it is pending."
            }
        ) from error
    _audit_create(request, rule=rule, by=by)
    return request


def _audit_create(request: AppointmentRequest, *, rule, by: User) -> None:
    preferred = request.preferred_therapist
    move = request.move_of
    audit_request(
        request,
        actor=by,
        action="request",
        details=(
            (f"Move of {when_text(move.start, request.location.tzinfo)} to: " if move else "")
            + f"{request.chart_case.case.name}: {request.appointment_type} "
            f"({rule.duration_minutes} min) at {request.location}, "
            f"{when_text(request.start, request.location.tzinfo)}"
            + (f", with {preferred}" if preferred else "")
            + "."
        ),
    )


def _lock_pending(request: AppointmentRequest) -> AppointmentRequest:
    locked = (
        AppointmentRequest.objects.select_for_update(of=("self",))
        .select_related("location", "patient", "clinic", "chart_case__case", "appointment_type")
        .get(pk=request.pk)
    )
    if locked.status != AppointmentRequest.Status.PENDING:
        raise ValidationError(NOT_PENDING[locked.status])
    if locked.pk not in set(
        AppointmentRequest.objects.live(locked.clinic)
        .filter(pk=locked.pk)
        .values_list("pk", flat=True)
    ):
        raise ValidationError(NOT_PENDING[AppointmentRequest.Status.EXPIRED])
    return locked


def _outcome_email(request: AppointmentRequest) -> None:
    if not request.created_by.email:
        return
    body = render_to_string(
        f"scheduling/email/request_{request.status}.txt",
        {
            "request": request,
            "clinic": request.clinic,
            # The booked visit: a new one, or the one the request moved.
            "visit": request.appointment or request.move_of,
            "portal_url": site_url(reverse("portal:home")),
        },
    )
    queue_email(
        to=request.created_by.email,
        subject=f"{request.clinic.name}: your appointment request was {request.status}",
        body=body,
        sender_name=request.clinic.name,
    )


@transaction.atomic
def request_cancel(*, request: AppointmentRequest, by: User) -> AppointmentRequest:
    """The patient (or caregiver) withdraws a pending request."""
    request = _lock_pending(request)
    AppointmentRequest.objects.filter(pk=request.pk).update(
        status=AppointmentRequest.Status.CANCELLED, version=F("version") + 1
    )
    request.refresh_from_db()
    audit_request(
        request, actor=by, action="cancel", details="Request cancelled by the patient portal."
    )
    return request


@transaction.atomic
def request_approve(
    *,
    request: AppointmentRequest,
    by: User,
    therapist: User | None = None,
    location: Location | None = None,
    appointment_type: AppointmentType | None = None,
    start: datetime.datetime | None = None,
    duration_minutes: int | None = None,
    override_reason: str | None = None,
    authorization_override: str | None = None,
) -> AppointmentRequest:
    """Book the request (as asked, or as the scheduler changed it) and mark it approved, in
    one transaction. ``ValidationError`` from the booking (a clash, hours) leaves the request
    pending and writes nothing."""
    require_front_desk(by)
    request = _lock_pending(request)
    clinic = request.clinic
    chosen = {
        "therapist": therapist or request.therapist,
        "location": location or request.location,
        "start": start or request.start,
        "duration_minutes": duration_minutes or request.duration_minutes,
        "by": by,
        "override_reason": override_reason,
        "authorization_override": authorization_override,
    }
    if request.move_of_id is not None:
        appointment = _approve_move(request, appointment_type=appointment_type, **chosen)
    else:
        appointment = appointment_book(
            clinic=clinic,
            chart_case=request.chart_case,
            appointment_type=appointment_type or request.appointment_type,
            **chosen,
        )
    AppointmentRequest.objects.filter(pk=request.pk).update(
        status=AppointmentRequest.Status.APPROVED,
        # A move's request keeps the visit in ``move_of`` (the visit's own request, if it
        # was booked from one, holds ``appointment``).
        appointment=None if request.move_of_id else appointment,
        decided_by=by,
        decided_at=timezone.now(),
        version=F("version") + 1,
    )
    request = (
        AppointmentRequest.objects.for_display()
        .select_related("clinic", "created_by", "move_of__location")
        .get(pk=request.pk)
    )
    _audit_approval(request, appointment, by=by)
    _outcome_email(request)
    return request


def _approve_move(request: AppointmentRequest, *, appointment_type, **chosen) -> Appointment:
    """Move the request's visit through ``appointment_reschedule`` (every rule of booking).
    Refused, nothing changed, when the visit is no longer booked at a time to come (cancelled
    or seen since the family asked) or the scheduler chose another type (a move keeps it)."""
    visit = (
        Appointment.objects.select_for_update()
        .select_related("location")
        .get(pk=request.move_of_id)
    )
    if not visit.is_awaited(timezone.now()):
        raise ValidationError(
            f"The visit this request would move ({when_text(visit.start, visit.location.tzinfo)}) "
            f"is {visit.get_status_display().lower()} now"
            + (f" ({visit.cancel_reason})" if visit.is_cancelled and visit.cancel_reason else "")
            + ": it cannot move. Nothing was changed; decline the request to tell the family."
        )
    if appointment_type is not None and appointment_type.pk != visit.appointment_type_id:
        raise ValidationError({"appointment_type": "A move keeps the visit's type."})
    return appointment_reschedule(
        appointment=visit,
        reason=f"Moved at the family's request (request {request.pk}).",
        requested=True,
        **chosen,
    )


def _audit_approval(request: AppointmentRequest, appointment, *, by: User) -> None:
    """What was booked, and what the scheduler changed from the request."""
    changed = [
        label
        for label, asked, booked in [
            ("therapist", request.therapist_id, appointment.therapist_id),
            ("location", request.location_id, appointment.location_id),
            ("type", request.appointment_type_id, appointment.appointment_type_id),
            ("time", request.start, appointment.start),
            ("duration", request.duration_minutes, appointment.duration_minutes),
        ]
        if asked != booked
    ]
    audit_request(
        request,
        actor=by,
        action="approve",
        details=(
            ("Moved the visit: " if request.move_of_id else "Booked ")
            + f"{appointment.appointment_type} with {appointment.therapist} at "
            f"{appointment.location}, {when_text(appointment.start, appointment.location.tzinfo)}, "
            f"{appointment.duration_minutes} min."
            + (f" Changed from the request: {', '.join(changed)}." if changed else "")
        ),
    )


@transaction.atomic
def request_decline(*, request: AppointmentRequest, by: User, reason: str) -> AppointmentRequest:
    """Decline with a reason the patient reads in the portal and in the e-mail."""
    require_front_desk(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the patient will read."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason to 500 characters or fewer."})
    request = _lock_pending(request)
    AppointmentRequest.objects.filter(pk=request.pk).update(
        status=AppointmentRequest.Status.DECLINED,
        decline_reason=reason,
        decided_by=by,
        decided_at=timezone.now(),
        version=F("version") + 1,
    )
    request = (
        AppointmentRequest.objects.for_display()
        .select_related("clinic", "created_by", "move_of__location")
        .get(pk=request.pk)
    )
    audit_request(request, actor=by, action="decline", details=f"Declined: {reason}")
    _outcome_email(request)
    return request


@transaction.atomic
def request_expire(*, clinic: Clinic, by: User | None = None) -> int:
    """Mark the clinic's pending requests that are past their time or older than its
    lifetime Expired; how many."""
    overdue = list(
        AppointmentRequest.objects.overdue(clinic)
        .select_for_update(of=("self",))
        .select_related("location", "patient", "appointment_type")
    )
    for request in overdue:
        request.status = AppointmentRequest.Status.EXPIRED
        request.version += 1
        request.save(update_fields=["status", "version"])
        audit_request(
            request,
            actor=by,
            action="expire",
            details="Expired unanswered (past its time or the clinic's limit).",
        )
    return len(overdue)
