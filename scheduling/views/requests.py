"""Schedule > Appointment Requests: the queue of portal requests, one request with a snapshot
of the therapist's calendar around it, approve (possibly changed first) and decline."""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER
from scheduling import services
from scheduling.forms import RequestApproveForm, RequestDeclineForm
from scheduling.models import Appointment, AppointmentRequest

FRONT_DESK = (ADMINISTRATOR, SCHEDULER)
FILTERS = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("declined", "Declined"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]
# How much of the therapist's calendar each side of the requested time the snapshot shows.
AROUND = datetime.timedelta(hours=2)
PER_PAGE = 50


def requests_with_status(clinic, status: str):
    """The queue's filter: Pending leaves out requests already past their time or limit (the
    ``expire_requests`` command marks them later); Expired includes them."""
    requests = AppointmentRequest.objects.for_clinic(clinic.pk)
    if status == "pending":
        return requests.live(clinic)
    if status == "expired":
        overdue = requests.overdue(clinic).values("pk")
        return requests.filter(Q(status="expired") | Q(pk__in=overdue))
    return requests.filter(status=status)


def attach_snapshots(rows) -> None:
    """Give each request ``snapshot``: its therapist's appointments from two hours before to
    two hours after the requested time. One query for the whole page."""
    if not rows:
        return
    condition = Q()
    for row in rows:
        condition |= Q(
            therapist_id=row.therapist_id,
            start__lt=row.end + AROUND,
            end__gt=row.start - AROUND,
        )
    by_therapist = defaultdict(list)
    for appointment in (
        Appointment.objects.for_clinic(rows[0].clinic_id)
        .filter(condition)
        .not_cancelled()
        .select_related("patient", "appointment_type", "location")
        .order_by("start")
    ):
        by_therapist[appointment.therapist_id].append(appointment)
    for row in rows:
        row.snapshot = [
            appointment
            for appointment in by_therapist[row.therapist_id]
            if appointment.start < row.end + AROUND and appointment.end > row.start - AROUND
        ]
        row.clashes = any(
            appointment.start < row.end and appointment.end > row.start
            for appointment in row.snapshot
        )


@role_required(*FRONT_DESK)
def request_list(request):
    clinic = request.user.clinic
    status = request.GET.get("status", "pending")
    if status not in dict(FILTERS):
        status = "pending"
    requests = requests_with_status(clinic, status).for_display()
    if status != "pending":
        requests = requests.order_by("-start", "-pk")
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    attach_snapshots(rows)
    return render(
        request,
        "scheduling/request_list.html",
        {"filters": FILTERS, "status": status, "page": page, "rows": rows},
    )


def _get_request(request, pk) -> AppointmentRequest:
    return get_object_or_404(
        AppointmentRequest.objects.for_clinic(request.user.clinic_id).for_display(), pk=pk
    )


def _detail(request, appointment_request, *, approve_form=None, decline_form=None, status=200):
    attach_snapshots([appointment_request])
    local = appointment_request.local_start
    approve_form = approve_form or RequestApproveForm(
        clinic_id=request.user.clinic_id,
        initial={
            "appointment_type": appointment_request.appointment_type_id,
            "duration_minutes": appointment_request.duration_minutes,
            "therapist": appointment_request.therapist_id,
            "location": appointment_request.location_id,
            "date": local.date(),
            "time": local.time(),
        },
    )
    return render(
        request,
        "scheduling/request_detail.html",
        {
            "req": appointment_request,
            "approve_form": approve_form,
            "decline_form": decline_form or RequestDeclineForm(),
            "is_live": appointment_request.is_pending
            and requests_with_status(request.user.clinic, "pending")
            .filter(pk=appointment_request.pk)
            .exists(),
        },
        status=status,
    )


@role_required(*FRONT_DESK)
def request_detail(request, pk):
    return _detail(request, _get_request(request, pk))


def _refused(request, appointment_request, error: ValidationError):
    """A request no longer pending (approved, declined, cancelled, expired): 409, nothing
    written."""
    message = " ".join(error.messages)
    messages.error(request, message)
    return _detail(request, _get_request(request, appointment_request.pk), status=409)


@role_required(*FRONT_DESK)
@require_POST
def request_approve(request, pk):
    appointment_request = _get_request(request, pk)
    form = RequestApproveForm(request.POST, clinic_id=request.user.clinic_id)
    if not form.is_valid():
        return _detail(request, appointment_request, approve_form=form, status=400)
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
        return _detail(request, appointment_request, approve_form=form, status=400)
    messages.success(
        request,
        f"Request approved: {approved.patient} booked with {approved.appointment.therapist}, "
        f"{approved.appointment.local_start:%a %b %-d, %-I:%M %p}. The patient is e-mailed.",
    )
    return redirect("scheduling:request_list")


@role_required(*FRONT_DESK)
@require_POST
def request_decline(request, pk):
    appointment_request = _get_request(request, pk)
    form = RequestDeclineForm(request.POST)
    if not form.is_valid():
        return _detail(request, appointment_request, decline_form=form, status=400)
    try:
        services.request_decline(
            request=appointment_request, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            return _refused(request, appointment_request, error)
        form.add_error("reason", error.message_dict.get("reason", error.messages))
        return _detail(request, appointment_request, decline_form=form, status=400)
    messages.success(request, f"Request of {appointment_request.patient} declined.")
    return redirect("scheduling:request_list")
