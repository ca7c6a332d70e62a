"""Schedule > Appointment Requests: the queue of portal requests, one request with a snapshot
of the therapist's calendar around it, approve (possibly changed first) and decline."""

import datetime
import zoneinfo
from collections import defaultdict
from html import escape

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.links import link
from core.pagination import FAR_PAGE
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER
from scheduling import services
from scheduling.forms import RequestApproveForm, RequestDeclineForm
from scheduling.models import AppointmentRequest, live_bounds
from scheduling.reads import requests as request_reads
from scheduling.reads.requests import remember_pending_request_count
from scheduling.views.fields_html import fields_html

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


def _local(value: datetime.datetime, time_zone: str) -> datetime.datetime:
    return value.astimezone(zoneinfo.ZoneInfo(time_zone))


STATUS_LABELS = dict(AppointmentRequest.Status.choices)


def _queue_page(clinic, status: str, number) -> Page:
    """Django's ``Paginator.get_page`` from one statement, not a COUNT and then the rows: the
    rows carry the length of the list (as ``core.pagination.counted_page``). A page past the
    end, or below 1, is answered as ``get_page`` answers it (the last page), at the cost of a
    count."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    rows = []
    if 1 <= number <= FAR_PAGE:
        rows = request_reads.queue_rows(
            clinic, status, limit=PER_PAGE, offset=(number - 1) * PER_PAGE
        )
    if not rows and number != 1:
        counted = Paginator(requests_with_status(clinic, status), PER_PAGE)
        number = counted.get_page(number).number
        rows = request_reads.queue_rows(
            clinic, status, limit=PER_PAGE, offset=(number - 1) * PER_PAGE
        )
    paginator = Paginator((), PER_PAGE)
    paginator.count = rows[0][-1] if rows else 0
    return Page(rows, number, paginator)


_ROW = (
    '\n  <tr>\n    <td><a href="{url}">{patient}</a><div class="small text-body-secondary">'
    '{status}</div></td>\n    <td>{case}<div class="small">{type}, {duration} min</div></td>'
    '\n    <td>{when}<div class="small">{location} · {therapist}{preferred}</div></td>'
    '\n    <td class="text-break">{note}{declined}</td>'
    '\n    <td class="small">{snapshot}{clash}</td>\n  </tr>\n  '
)


def queue_rows_html(clinic_id: int, rows: list[tuple]) -> str:
    """The table's rows, each written once here: the template's loop, filters and lookups
    per row cost more than the page's reads. Every value from the database is escaped. With
    each row its therapist's calendar around the requested time ("9:00–9:45 AM Ada Baker"),
    one statement for the page."""
    by_request = defaultdict(list)
    for request_id, start, end, patient, time_zone in request_reads.snapshot_rows(
        clinic_id, [row[0] for row in rows], AROUND
    ):
        tz = zoneinfo.ZoneInfo(time_zone)
        text = f"{start.astimezone(tz):%-I:%M}–{end.astimezone(tz):%-I:%M %p} {escape(patient)}"
        by_request[request_id].append((start, end, text))
    prefix = link("scheduling:request_detail", 0).rpartition("0/")[0]
    out = []
    for row in rows:
        (pk, _, start, duration, status, note, reason, preferred, patient, case) = row[:10]
        (type_name, location, time_zone, therapist, email) = row[10:15]
        end = start + datetime.timedelta(minutes=duration)
        shown = by_request[pk]
        clashes = any(a_start < end and a_end > start for a_start, a_end, _ in shown)
        if shown:
            snapshot = "".join(f"<li>{text}</li>" for _, _, text in shown)
            snapshot = f'<ul class="list-unstyled mb-0">{snapshot}</ul>'
        else:
            snapshot = "Free two hours either side"
        out.append(
            _ROW.format(
                url=f"{prefix}{pk}/",
                patient=escape(patient),
                status=STATUS_LABELS[status],
                case=escape(case),
                type=escape(type_name),
                duration=duration,
                when=f"{_local(start, time_zone):%a %b %-d, %Y %-I:%M %p}",
                location=escape(location),
                # As User.__str__: the full name, or the e-mail address without one.
                therapist=escape(therapist.strip() or email),
                preferred=" (preferred)" if preferred is not None else "",
                note=escape(note) if note else "—",
                declined=f'<div class="small">Declined: {escape(reason)}</div>' if reason else "",
                snapshot=snapshot,
                clash=(
                    '<div class="text-danger fw-semibold">Taken at the requested time</div>'
                    if clashes and status == AppointmentRequest.Status.PENDING
                    else ""
                ),
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@role_required(*FRONT_DESK)
def request_list(request):
    clinic = request.user.clinic
    status = request.GET.get("status", "pending")
    if status not in dict(FILTERS):
        status = "pending"
    page = _queue_page(clinic, status, request.GET.get("page"))
    if status == "pending":
        remember_pending_request_count(request, page.paginator.count)
    return render(
        request,
        "scheduling/request_list.html",
        {
            "filters": FILTERS,
            "status": status,
            "page": page,
            "rows": queue_rows_html(clinic.pk, page.object_list) if page.object_list else "",
        },
    )


def _get_request(request, pk) -> AppointmentRequest:
    return get_object_or_404(
        AppointmentRequest.objects.for_clinic(request.user.clinic_id).for_display(), pk=pk
    )


def _request_page(clinic, pk: int) -> dict:
    """What a request's page shows, as plain values: the request's row, its times as the page
    writes them, and its therapist's calendar around it (``snapshot``, escaped HTML lines;
    ``clashes``). Two statements."""
    row = request_reads.request_row(clinic, pk)
    if row is None:
        raise Http404("No such request.")
    start = row["start"]
    end = start + datetime.timedelta(minutes=row["duration_minutes"])
    local_start = _local(start, row["time_zone"])
    now, made_after = live_bounds(clinic)
    row["is_pending"] = row["status"] == AppointmentRequest.Status.PENDING
    row["is_live"] = row["is_pending"] and start > now and row["created_at"] > made_after
    row["status_label"] = STATUS_LABELS[row["status"]]
    row["therapist"] = row["therapist_name"].strip() or row["therapist_email"]
    row["local_start"] = local_start
    row["title_when"] = f"{local_start:%b %-d, %Y %-I:%M %p}"
    row["when"] = (
        f"{local_start:%A %b %-d, %Y, %-I:%M %p} – {_local(end, row['time_zone']):%-I:%M %p}"
    )
    if row["appointment_id"] is not None:
        row["appointment_url"] = link("scheduling:appointment_detail", row["appointment_id"])
        appointment_start = _local(row["appointment_start"], row["appointment_time_zone"])
        row["appointment_when"] = f"{appointment_start:%b %-d, %Y %-I:%M %p}"
    shown = request_reads.snapshot_rows(clinic.pk, [pk], AROUND, names=True)
    row["clashes"] = any(a[1] < end and a[2] > start for a in shown)
    row["snapshot"] = mark_safe(  # noqa: S308 - the names are escaped
        "".join(
            f"<li>{_local(a_start, tz):%-I:%M}–{_local(a_end, tz):%-I:%M %p}: "
            f"{escape(patient)}, {escape(type_name)} at {escape(place)}</li>"
            for _, a_start, a_end, patient, type_name, place, tz in shown
        )
    )
    return row


def _detail(request, pk: int, *, approve_form=None, decline_form=None, status=200):
    clinic = request.user.clinic
    req = _request_page(clinic, pk)
    # The request's statement counted the live pending requests for the Schedule tab's badge.
    remember_pending_request_count(request, req["pending_count"])
    context = {"req": req}
    if req["is_live"]:
        choices = request_reads.approve_choices(clinic.pk, req["case_id"])
        if approve_form is None:
            local = req["local_start"]
            approve_form = RequestApproveForm(
                clinic_id=clinic.pk,
                choices=choices,
                initial={
                    "appointment_type": req["appointment_type_id"],
                    "duration_minutes": req["duration_minutes"],
                    "therapist": req["therapist_id"],
                    "location": req["location_id"],
                    "date": local.date(),
                    "time": local.time(),
                },
            )
        else:
            approve_form.offer(choices)
        context["approve_form"] = approve_form
        context["approve_fields"] = fields_html(approve_form)
        context["decline_form"] = decline_form = decline_form or RequestDeclineForm()
        context["decline_fields"] = fields_html(decline_form)
        req["approve_url"] = link("scheduling:request_approve", pk)
        req["decline_url"] = link("scheduling:request_decline", pk)
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
