"""Admin > Audit Log: every change and every read of patient records in the clinic, newest
first, filtered, 50 a page, and the filtered entries as a streamed CSV. Entries are only read
here: no screen or URL changes or deletes one."""

import csv
import datetime
from collections import namedtuple

from django.contrib.auth import get_user_model
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core import audit
from core.dates import MONTHS
from core.forms import AuditLogFilterForm
from core.keyset import KeysetPage
from core.models import AuditEntry, action_label
from core.permissions import role_required
from core.roles import ADMINISTRATOR
from core.sql import user_name
from core.templatetags.times import machine_time

PAGE_SIZE = 50
CSV_HEADER = [
    "When",
    "Time zone",
    "Staff member",
    "Address",
    "Action",
    "Kind of record",
    "Record",
    "Patient",
    "Patient number",
    "Changes",
    "Details",
]


def _staff(clinic_id) -> list[tuple[int, str]]:
    """The clinic's staff as ``(pk, name)`` choices, the name ``str(user)``, in the order of
    the Staff list. The user model is asked for by name: ``accounts`` sits above ``core``."""
    staff = (
        get_user_model()
        .objects.for_clinic(clinic_id)
        .staff()
        .order_by("last_name", "first_name", "email")
        .values_list("pk", "first_name", "last_name", "email")
    )
    return [(pk, user_name(first, last, email)) for pk, first, last, email in staff]


def _filtered(request):
    """(form, entries): the clinic's entries under the valid filters, or none at all when a
    filter is refused."""
    clinic = request.user.clinic
    form = AuditLogFilterForm(request.GET or None, staff=_staff(clinic.pk))
    entries = AuditEntry.objects.filter(clinic_id=clinic.pk)
    if not form.is_bound:
        return form, entries
    if not form.is_valid():
        return form, entries.none()
    data = form.cleaned_data
    patient = " ".join(data["patient"].split())
    # 0-9 only: "²" is a digit to str.isdigit() but no number to int().
    if patient.isascii() and patient.isdigit():
        entries = entries.filter(patient_id=int(patient))
    elif patient:
        entries = entries.filter(patient_name__icontains=patient)
    if data["actor"]:
        entries = entries.filter(actor_id=data["actor"])
    if data["action"]:
        entries = entries.filter(action=data["action"])
    if data["kind"]:
        entries = entries.filter(object_type=data["kind"])
    # Dates are the clinic's calendar days.
    tz = clinic.tzinfo
    if data["date_from"]:
        start = _day_start(data["date_from"], tz)
        if start is not None:
            entries = entries.filter(at__gte=start)
    if data["date_to"]:
        end = None
        if data["date_to"] < datetime.date.max:
            end = _day_start(data["date_to"] + datetime.timedelta(days=1), tz)
        if end is not None:
            entries = entries.filter(at__lt=end)
    return form, entries


def _day_start(day: datetime.date, tz) -> datetime.datetime | None:
    """The start of a local day, or None at the ends of the calendar (0001-01-01 east of UTC
    is in year 0 in UTC): no entry is that old or that new, so the bound is left out."""
    start = datetime.datetime.combine(day, datetime.time(), tz)
    try:
        start.astimezone(datetime.UTC)
    except OverflowError:
        return None
    return start


# The columns a row shows, read as named tuples: no model instance a row.
ROW_COLUMNS = (
    "pk",
    "at",
    "actor_name",
    "remote_addr",
    "action",
    "object_type",
    "object_repr",
    "patient_name",
    "changes",
    "details",
)


# A row as the template shows it: its columns, the action and the kind of record in words, and
# its time for ``<time datetime>`` and as shown.
Entry = namedtuple("Entry", [*ROW_COLUMNS, "title", "kind", "machine", "shown"])


def _when(at) -> tuple[str, str]:
    """``(at|machine_time, at|date:"M j, Y H:i:s T")`` in the current (the clinic's) time
    zone, the second with the zone in the hour that comes twice when clocks go back, where the
    filter leaves it out (01:30 EDT, then 01:30 EST)."""
    local = timezone.localtime(at)
    shown = f"{MONTHS[local.month]} {local.day}, {local.year:04d} {local:%H:%M:%S} {local.tzname()}"
    return machine_time(at), shown


def _entry(row) -> Entry:
    machine, shown = _when(row.at)
    return Entry(
        *row,
        title=action_label(row.action),
        kind=audit.OBJECT_TYPES.get(row.object_type, row.object_type),
        machine=machine,
        shown=shown,
    )


@role_required(ADMINISTRATOR)
@require_safe
def audit_log(request):
    form, entries = _filtered(request)
    # Not counted: a clinic's log only grows, and counting 100,000 entries for "Page 1 of
    # 2,000" cost more than reading the page; read by keyset past the first (core/keyset.py).
    page = KeysetPage(entries.values_list(*ROW_COLUMNS, named=True), PAGE_SIZE, request.GET)
    # The first and last entry shown; on the last page the last is also the number of them.
    first = (page.number - 1) * PAGE_SIZE + 1
    return render(
        request,
        "core/auditentry_list.html",
        {
            "form": form,
            "page_obj": page,
            "entries": [_entry(row) for row in page.object_list],
            "first_shown": first,
            "last_shown": first + len(page.object_list) - 1,
        },
        status=400 if form.errors else 200,
    )


class _Echo:
    """A file-like object whose ``write`` hands the line back, for a streamed CSV."""

    def write(self, value):
        return value


def _cell(value: str) -> str:
    # A cell a spreadsheet would run as a formula is written as text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rows(entries, tz):
    yield CSV_HEADER
    for entry in entries.iterator(chunk_size=2000):
        changes = "; ".join(
            f"{label}: {before} → {after}" for label, before, after in entry.changes
        )
        yield [
            _cell(value)
            for value in (
                entry.at.astimezone(tz).isoformat(timespec="seconds"),
                str(tz),
                entry.actor_name,
                entry.remote_addr or "",
                entry.action_display,
                audit.OBJECT_TYPES.get(entry.object_type, entry.object_type),
                entry.object_repr,
                entry.patient_name,
                "" if entry.patient_id is None else str(entry.patient_id),
                changes,
                entry.details,
            )
        ]


@role_required(ADMINISTRATOR)
@require_safe
def audit_log_csv(request):
    """The filtered entries, streamed: a year of a busy clinic never sits in memory."""
    form, entries = _filtered(request)
    if form.errors:
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else 'Filter'}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        return HttpResponse(
            f"The filters were not understood, so nothing was exported. {problems}",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    clinic = request.user.clinic
    audit.record(
        clinic_id=clinic.pk,
        actor=request.user,
        action="export",
        object_type="audit log",
        object_repr="Audit Log (CSV)",
        details=request.GET.urlencode(),
    )
    writer = csv.writer(_Echo())
    # The rows are written after the view returns (outside the request's clinic scope and
    # time zone): the queryset is already filtered to the clinic, the zone is given here.
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _rows(entries, clinic.tzinfo)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"audit-log-{clinic.today():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
