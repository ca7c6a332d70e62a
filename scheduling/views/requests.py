"""Schedule > Appointment Requests: the queue of portal requests, one request with a snapshot
of the therapist's calendar around it, approve (possibly changed first) and decline."""

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.models import DURATION_MAX
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER
from scheduling import services, slots
from scheduling.forms import RequestApproveForm, RequestDeclineForm
from scheduling.models import Appointment, AppointmentRequest
from scheduling.queries import remember_pending_request_count

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


def _snapshot_condition(rows) -> Q:
    """Each row's therapist from two hours before to two hours after the requested time (rows
    whose windows overlap share one range). The lower bound on ``start`` (no visit is longer
    than ``DURATION_MAX``) lets each range read the (clinic, therapist, start) index rather
    than the whole table."""
    windows = defaultdict(list)
    for row in rows:
        windows[row.therapist_id].append((row.start - AROUND, row.end + AROUND))
    condition = Q()
    for therapist_id, spans in windows.items():
        for low, high in slots.merge(spans):
            condition |= Q(
                therapist_id=therapist_id,
                start__gt=low - datetime.timedelta(minutes=DURATION_MAX),
                start__lt=high,
                end__gt=low,
            )
    return condition


def _around(row, appointments) -> None:
    row.snapshot = [
        appointment
        for appointment in appointments
        if appointment.start < row.end + AROUND and appointment.end > row.start - AROUND
    ]
    row.clashes = any(
        appointment.start < row.end and appointment.end > row.start for appointment in row.snapshot
    )


def attach_snapshots(rows) -> None:
    """Give each request ``snapshot``: its therapist's appointments from two hours before to
    two hours after the requested time, and ``clashes``. One query for all of them."""
    if not rows:
        return
    by_therapist = defaultdict(list)
    for appointment in (
        Appointment.objects.for_clinic(rows[0].clinic_id)
        .filter(_snapshot_condition(rows))
        .not_cancelled()
        .select_related("patient", "appointment_type", "location")
        .order_by("start")
    ):
        by_therapist[appointment.therapist_id].append(appointment)
    for row in rows:
        _around(row, by_therapist[row.therapist_id])


@dataclass
class SnapshotLine:
    """One appointment of a queue row's snapshot: its times and the line the queue shows."""

    start: datetime.datetime
    end: datetime.datetime
    text: str


@dataclass
class QueueRow:
    """What one row of the queue shows, as plain values (building 50 requests with five
    related objects each, then walking them in the template, was most of the page's time)."""

    pk: int
    clinic_id: int
    therapist_id: int
    start: datetime.datetime
    duration_minutes: int
    status: str
    note: str
    decline_reason: str
    preferred: bool
    patient: str
    case_name: str
    type_name: str
    location_name: str
    therapist: str
    when: str
    url: str
    snapshot: list = field(default_factory=list)
    clashes: bool = False

    @property
    def end(self) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_pending(self) -> bool:
        return self.status == AppointmentRequest.Status.PENDING

    @property
    def status_label(self) -> str:
        return AppointmentRequest.Status(self.status).label


QUEUE_COLUMNS = (
    "pk",
    "clinic_id",
    "therapist_id",
    "start",
    "duration_minutes",
    "status",
    "note",
    "decline_reason",
    "preferred_therapist_id",
    "patient__first_name",
    "patient__last_name",
    "chart_case__case__name",
    "appointment_type__name",
    "location__name",
    "location__time_zone",
    "therapist__first_name",
    "therapist__last_name",
    "therapist__email",
)


def _queue_row(values, detail_prefix: str) -> QueueRow:
    (pk, clinic_id, therapist_id, start, duration, status, note, reason, preferred) = values[:9]
    (first, last, case_name, type_name, location_name, time_zone) = values[9:15]
    therapist_first, therapist_last, therapist_email = values[15:]
    return QueueRow(
        pk=pk,
        clinic_id=clinic_id,
        therapist_id=therapist_id,
        start=start,
        duration_minutes=duration,
        status=status,
        note=note,
        decline_reason=reason,
        preferred=preferred is not None,
        patient=f"{first} {last}",
        case_name=case_name,
        type_name=type_name,
        location_name=location_name,
        # As User.__str__: the full name, or the e-mail address without one.
        therapist=f"{therapist_first} {therapist_last}".strip() or therapist_email,
        when=f"{start.astimezone(zoneinfo.ZoneInfo(time_zone)):%a %b %-d, %Y %-I:%M %p}",
        url=f"{detail_prefix}{pk}/",
    )


def attach_snapshot_lines(rows: list[QueueRow]) -> None:
    """The queue's snapshots: per row, its therapist's appointments around the requested
    time as short lines ("9:00–9:45 AM Ada Baker"), and ``clashes``. One query of the columns
    the lines need, for the whole page."""
    if not rows:
        return
    by_therapist = defaultdict(list)
    for therapist_id, start, end, first, last, time_zone in (
        Appointment.objects.for_clinic(rows[0].clinic_id)
        .filter(_snapshot_condition(rows))
        .not_cancelled()
        .order_by("start")
        .values_list(
            "therapist_id",
            "start",
            "end",
            "patient__first_name",
            "patient__last_name",
            "location__time_zone",
        )
    ):
        tz = zoneinfo.ZoneInfo(time_zone)
        text = f"{start.astimezone(tz):%-I:%M}–{end.astimezone(tz):%-I:%M %p} {first} {last}"
        by_therapist[therapist_id].append(SnapshotLine(start, end, text))
    for row in rows:
        _around(row, by_therapist[row.therapist_id])


@role_required(*FRONT_DESK)
def request_list(request):
    clinic = request.user.clinic
    status = request.GET.get("status", "pending")
    if status not in dict(FILTERS):
        status = "pending"
    requests = requests_with_status(clinic, status)
    if status != "pending":
        requests = requests.order_by("-start", "-pk")
    # Counted without the joins of the row columns (an inner join is kept in a COUNT, and it
    # made the count the slowest query of the page); the page's rows then as those columns.
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))
    if status == "pending":
        remember_pending_request_count(request, page.paginator.count)
    detail_prefix = reverse("scheduling:request_detail", args=[0]).rpartition("0/")[0]
    rows = []
    if page.paginator.count:
        shown = requests.values_list(*QUEUE_COLUMNS)[page.start_index() - 1 : page.end_index()]
        rows = [_queue_row(values, detail_prefix) for values in shown]
    attach_snapshot_lines(rows)
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
        chart_case=appointment_request.chart_case,
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
    form = RequestApproveForm(
        request.POST,
        clinic_id=request.user.clinic_id,
        chart_case=appointment_request.chart_case,
    )
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
