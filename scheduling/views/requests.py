"""Schedule > Appointment Requests: the queue of portal requests, one request with a snapshot
of the therapist's calendar around it, approve (possibly changed first) and decline."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.links import link
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER
from core.sql import user_name
from scheduling import services
from scheduling.forms import RequestApproveForm, RequestDeclineForm
from scheduling.models import AppointmentRequest
from scheduling.reads import requests as reads
from scheduling.reads.requests import local, remember_pending_request_count
from scheduling.views.front_desk import warn_other_visits

FRONT_DESK = (ADMINISTRATOR, SCHEDULER)
FILTERS = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("declined", "Declined"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]
AROUND = reads.AROUND
PER_PAGE = reads.PER_PAGE
STATUS_LABELS = dict(AppointmentRequest.Status.choices)
requests_with_status = reads.requests_with_status


def _clashes(shown, start: datetime.datetime, minutes: int) -> bool:
    end = start + datetime.timedelta(minutes=minutes)
    return any(a.start < end and a.end > start for a in shown)


def move_label(move_of_id, start, time_zone) -> str:
    """ "Move of Tue Dec 8, 10:00 AM" for a request to move a booked visit (the visit's time
    now, on its location's clock); empty for a request of a new visit."""
    if move_of_id is None:
        return ""
    return f"Move of {local(start, time_zone):%a %b %-d, %-I:%M %p}"


def _queue_row(row, shown, prefix: str) -> dict:
    """What a row of the queue shows, as plain values (the template escapes them): with its
    therapist's calendar around the requested time ("9:00–9:45 AM Ada Baker")."""
    return {
        "url": f"{prefix}{row.pk}/",
        "patient": f"{row.patient__first_name} {row.patient__last_name}",
        "status": STATUS_LABELS[row.status],
        "case": row.case_name,
        "type": row.appointment_type__name,
        "duration": row.duration_minutes,
        "move": move_label(row.move_of_id, row.move_of_start, row.move_of_time_zone),
        "when": f"{local(row.start, row.location__time_zone):%a %b %-d, %Y %-I:%M %p}",
        "location": row.location__name,
        "therapist": user_name(
            row.therapist__first_name, row.therapist__last_name, row.therapist__email
        ),
        "preferred": row.preferred_therapist_id is not None,
        "note": row.note,
        "decline_reason": row.decline_reason,
        "snapshot": [
            f"{local(a.start, a.location__time_zone):%-I:%M}–"
            f"{local(a.end, a.location__time_zone):%-I:%M %p} "
            f"{a.patient__first_name} {a.patient__last_name}"
            for a in shown
        ],
        "clash": row.status == AppointmentRequest.Status.PENDING
        and _clashes(shown, row.start, row.duration_minutes),
    }


@role_required(*FRONT_DESK)
def request_list(request):
    clinic = request.user.clinic
    status = request.GET.get("status", "pending")
    if status not in dict(FILTERS):
        status = "pending"
    page = reads.queue_page(clinic, status, request.GET.get("page"))
    if status == "pending":
        remember_pending_request_count(request, page.paginator.count)
    around = reads.snapshots(clinic, page.object_list)
    prefix = link("scheduling:request_detail", 0).rpartition("0/")[0]
    rows = [_queue_row(row, around[row.pk], prefix) for row in page.object_list]
    return render(
        request,
        "scheduling/request_list.html",
        {"filters": FILTERS, "status": status, "page": page, "rows": rows},
    )


def _get_request(request, pk) -> AppointmentRequest:
    return get_object_or_404(
        AppointmentRequest.objects.for_clinic(request.user.clinic_id).for_display(), pk=pk
    )


def _request_page(clinic, pk: int) -> dict:
    """What a request's page shows, as plain values: the request's row, its times as the page
    writes them, and its therapist's calendar around it (``snapshot``, lines of text;
    ``clashes``). Two queries."""
    row = reads.request_row(clinic, pk)
    if row is None:
        raise Http404("No such request.")
    zone = row.location__time_zone
    local_start = local(row.start, zone)
    end = row.start + datetime.timedelta(minutes=row.duration_minutes)
    shown = reads.calendar_around(clinic, row)
    page = {
        "row": row,
        "patient": f"{row.patient__first_name} {row.patient__last_name}",
        "is_pending": row.status == AppointmentRequest.Status.PENDING,
        "status_label": STATUS_LABELS[row.status],
        "therapist": user_name(
            row.therapist__first_name, row.therapist__last_name, row.therapist__email
        ),
        "local_start": local_start,
        "title_when": f"{local_start:%b %-d, %Y %-I:%M %p}",
        "move": move_label(row.move_of_id, row.move_of__start, row.move_of__location__time_zone),
        "when": f"{local_start:%A %b %-d, %Y, %-I:%M %p} – {local(end, zone):%-I:%M %p}",
        "clashes": _clashes(shown, row.start, row.duration_minutes),
        "snapshot": [
            f"{local(a.start, a.location__time_zone):%-I:%M}–"
            f"{local(a.end, a.location__time_zone):%-I:%M %p}: "
            f"{a.patient__first_name} {a.patient__last_name}, {a.appointment_type__name} "
            f"at {a.location__name}"
            for a in shown
        ],
    }
    if row.move_of_id is not None:
        page["move_url"] = link("scheduling:appointment_detail", row.move_of_id)
    if row.appointment_id is not None:
        page["appointment_url"] = link("scheduling:appointment_detail", row.appointment_id)
        booked = local(row.appointment__start, row.appointment__location__time_zone)
        page["appointment_when"] = f"{booked:%b %-d, %Y %-I:%M %p}"
    return page


def _forms(clinic, req: dict, approve_form, decline_form) -> dict:
    """The approve and decline forms of a live request, the approve form's choices read
    once (``approve_choices``)."""
    row = req["row"]
    choices = reads.approve_choices(clinic.pk, row.chart_case__case_id)
    if approve_form is None:
        local_start = req["local_start"]
        approve_form = RequestApproveForm(
            clinic_id=clinic.pk,
            choices=choices,
            initial={
                "appointment_type": row.appointment_type_id,
                "duration_minutes": row.duration_minutes,
                "therapist": row.therapist_id,
                "location": row.location_id,
                "date": local_start.date(),
                "time": local_start.time(),
            },
        )
    else:
        approve_form.offer(choices)
    return {
        "approve_form": approve_form,
        "decline_form": decline_form or RequestDeclineForm(),
        "approve_url": link("scheduling:request_approve", row.pk),
        "decline_url": link("scheduling:request_decline", row.pk),
    }


def _detail(request, pk: int, *, approve_form=None, decline_form=None, status=200):
    clinic = request.user.clinic
    req = _request_page(clinic, pk)
    pending_count, req["is_live"] = reads.live_with(clinic, pk)
    # The Schedule tab's badge shows the same count.
    remember_pending_request_count(request, pending_count)
    context = {"req": req}
    if req["is_live"]:
        context.update(_forms(clinic, req, approve_form, decline_form))
    return render(request, "scheduling/request_detail.html", context, status=status)


@role_required(*FRONT_DESK)
def request_detail(request, pk):
    return _detail(request, pk)


def _refused(request, appointment_request, error: ValidationError):
    """A request no longer pending (approved, declined, cancelled, expired): 409, nothing
    written."""
    message = " ".join(error.messages)
    messages.error(request, message)
    return _detail(request, appointment_request.pk, status=409)


@role_required(*FRONT_DESK)
@require_POST
def request_approve(request, pk):
    appointment_request = _get_request(request, pk)
    form = RequestApproveForm(
        request.POST,
        clinic_id=request.user.clinic_id,
        chart_case=appointment_request.chart_case,
    )
    if not form.is_valid():
        return _detail(request, pk, approve_form=form, status=400)
    try:
        approved = services.request_approve(
            request=appointment_request, by=request.user, **form.changes(appointment_request)
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            return _refused(request, appointment_request, error)
        names = {"start": "time", "chart_case": None, "override_reason": None}
        for key, field_messages in error.message_dict.items():
            name = names.get(key, key)
            form.add_error(name if name in form.fields else None, field_messages)
        return _detail(request, pk, approve_form=form, status=400)
    visit = approved.appointment or approved.move_of
    when = f"{visit.local_start:%a %b %-d, %-I:%M %p}"
    done = (
        f"{approved.patient}'s visit moved to {when} with {visit.therapist}"
        if approved.is_move
        else f"{approved.patient} booked with {visit.therapist}, {when}"
    )
    messages.success(request, f"Request approved: {done}. The patient is e-mailed.")
    warn_other_visits(request, visit)
    return redirect("scheduling:request_list")


@role_required(*FRONT_DESK)
@require_POST
def request_decline(request, pk):
    appointment_request = _get_request(request, pk)
    form = RequestDeclineForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, decline_form=form, status=400)
    try:
        services.request_decline(
            request=appointment_request, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            return _refused(request, appointment_request, error)
        form.add_error("reason", error.message_dict.get("reason", error.messages))
        return _detail(request, pk, decline_form=form, status=400)
    messages.success(request, f"Request of {appointment_request.patient} declined.")
    return redirect("scheduling:request_list")
