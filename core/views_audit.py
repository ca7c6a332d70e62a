"""Admin > Audit Log: every change and every read of patient records in the clinic, newest
first, filtered, 50 a page, and the filtered entries as a streamed CSV. Entries are only read
here: no screen or URL changes or deletes one."""

import csv
import datetime
from html import escape

from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from core import audit
from core.forms import AuditLogFilterForm
from core.models import AuditEntry, action_label
from core.pagination import UncountedPage
from core.permissions import role_required
from core.roles import ADMINISTRATOR, STAFF_ROLES
from core.sql import user_name

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


# The clinic's users in a staff role, ordered as the form lists them, written out: for ~300
# staff members the ORM took longer to build this query and read its rows (1.3 ms) than
# PostgreSQL took to run it and hand them over (0.6 ms).
_STAFF_SQL = (
    "SELECT u.id, u.first_name, u.last_name, u.email FROM accounts_user u"
    " WHERE u.clinic_id = %s AND EXISTS (SELECT 1 FROM accounts_user_groups ug"
    " JOIN auth_group g ON g.id = ug.group_id WHERE ug.user_id = u.id AND g.name IN ({roles}))"
    " ORDER BY u.last_name, u.first_name, u.email"
).format(roles=", ".join(["%s"] * len(STAFF_ROLES)))


def _staff(clinic_id) -> list[tuple[int, str]]:
    """The clinic's staff as ``(pk, name)`` choices, the name ``str(user)``."""
    with connection.cursor() as cursor:
        cursor.execute(_STAFF_SQL, [clinic_id, *STAFF_ROLES])
        rows = cursor.fetchall()
    return [(pk, user_name(first, last, email)) for pk, first, last, email in rows]


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
# ``{{ at|date:"M" }}`` in English, the project's one language, without a lookup a row.
MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A page number beyond any log, short of an offset the database refuses.
LAST_PAGE = 10_000_000


def _page_number(value) -> int:
    try:
        return min(max(1, int(value)), LAST_PAGE)
    except (TypeError, ValueError):
        return 1


def _when(at) -> tuple[str, str]:
    """``(at|date:"c", at|date:"M j, Y H:i:s T")`` in the current (the clinic's) time zone."""
    local = timezone.localtime(at)
    shown = f"{MONTHS[local.month]} {local.day}, {local.year:04d} {local:%H:%M:%S} {local.tzname()}"
    return local.isoformat(), shown


def _e(value) -> str:
    return escape(str(value))


def _entry_html(row) -> str:
    """One entry's card, built once in Python with every value escaped (what the template's
    ``{{ }}`` did): 50 cards of a dozen variables, filters and tags each were most of the
    page's time."""
    machine, shown = _when(row.at)
    kind = audit.OBJECT_TYPES.get(row.object_type, row.object_type)
    who = _e(row.actor_name or "The system")
    if row.remote_addr:
        who += f" from {_e(row.remote_addr)}"
    if row.patient_name:
        who += f" · Patient: {_e(row.patient_name)}"
    changes = ""
    if row.changes:
        items = "".join(
            f"<li>{_e(label)}: {f'{_e(before)} → ' if before else ''}"
            f"{_e(after or '(removed)')}</li>"
            for label, before, after in row.changes
        )
        changes = f'<ul class="mb-1 small">{items}</ul>'
    details = f'<p class="mb-0 small">{_e(row.details)}</p>' if row.details else ""
    return (
        '<li class="card mb-2 audit-entry"><div class="card-body py-2">'
        f'<h2 class="h6 mb-1">{_e(action_label(row.action))}: '
        f"{_e(row.object_repr or row.object_type)} "
        f'<span class="fw-normal text-body-secondary">({_e(kind)})</span></h2>'
        f'<p class="mb-1 small"><time datetime="{machine}">{shown}</time> · {who}</p>'
        f"{changes}{details}</div></li>"
    )


@role_required(ADMINISTRATOR)
@require_safe
def audit_log(request):
    form, entries = _filtered(request)
    # Not counted (core/pagination.py): a clinic's log only grows, and counting 100,000
    # entries for "Page 1 of 2,000" cost more than reading the page.
    page = UncountedPage(
        entries.values_list(*ROW_COLUMNS, named=True),
        PAGE_SIZE,
        _page_number(request.GET.get("page")),
    )
    # The first and last entry shown; on the last page the last is also the number of them.
    first = (page.number - 1) * PAGE_SIZE + 1
    last = first + len(page.object_list) - 1
    return render(
        request,
        "core/auditentry_list.html",
        {
            "form": form,
            "page_obj": page,
            "entries": page.object_list,
            "first_shown": first,
            "last_shown": last,
            # Built of escaped values only (``_entry_html``).
            "entry_items": mark_safe("".join(_entry_html(row) for row in page.object_list)),
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
