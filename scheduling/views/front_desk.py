"""The front desk's free-time finder: a patient's case, an appointment type and a location in,
the free times of every therapist who may take the case out, day by day, each a link to the
booking form with everything filled in (the form is the confirmation)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from charts.access import get_patient_for
from charts.models import PatientChartCase
from core.audit import record_access
from core.inputs import parse_id
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER
from scheduling import services, slots
from scheduling.forms_front_desk import DayMoveForm, FreeTimeForm, shown_fields
from scheduling.models import Location
from scheduling.reads.free_times import MAX_DAYS, duration_for, offered_by_day
from scheduling.reads.front_desk import day_to_move
from scheduling.reads.other_visits import other_visits

FIELDS = ("chart_case", "appointment_type", "location", "first", "last")


def warn_other_visits(request, appointment) -> None:
    """A warning (never a refusal) when the patient now has two visits of one service on the
    appointment's day (``reads.other_visits``)."""
    warning = other_visits(
        clinic_id=appointment.clinic_id,
        patient_id=appointment.patient_id,
        case_id=appointment.chart_case.case_id,
        start=appointment.start,
        tz=appointment.location.tzinfo,
        exclude_pk=appointment.pk,
    ).warning(appointment.patient)
    if warning:
        messages.warning(request, warning)


def planned_visits(patient, initial):
    """The patient's other visits in the week of the time the finder chose, for the form."""
    kind, _, pk = str(initial.get("case") or "").partition(":")
    location_id = parse_id(initial.get("location"))
    chart_case = (
        PatientChartCase.objects.for_clinic(patient.clinic_id)
        .filter(patient=patient, pk=parse_id(pk))
        .first()
        if kind == "chart"
        else None
    )
    location = Location.objects.for_clinic(patient.clinic_id).filter(pk=location_id).first()
    try:
        day = datetime.date.fromisoformat(initial.get("date"))
        start = slots.wall(day, datetime.time.fromisoformat(initial.get("time")), location.tzinfo)
    except (TypeError, ValueError, AttributeError):
        return None
    if chart_case is None:
        return None
    return other_visits(
        clinic_id=patient.clinic_id,
        patient_id=patient.pk,
        case_id=chart_case.case_id,
        start=start,
        tz=location.tzinfo,
    )


def _shown_days(patient, data, duration, days, therapists):
    """The page's days as plain values, ``[(date, heading, [(time, label, url), ...])]``: each
    free time's label (its wall-clock time and therapist, from tables) and the booking form's
    address filled in, what every time of the page shares encoded once (a page holds a
    thousand)."""
    shared = urlencode(
        {
            "patient": patient.pk,
            "case": f"chart:{data['chart_case'].pk}",
            "location": data["location"].pk,
            "appointment_type": data["appointment_type"].pk,
            "duration_minutes": duration,
        }
    )
    base = f"{reverse('scheduling:appointment_create')}?{shared}"
    names = {t.pk: t.get_full_name() or t.email for t in therapists}
    labels = slots.TIME_LABELS
    shown = []
    for day, times in days:
        date = f"date={day.isoformat()}&time="
        shown.append(
            (
                day,
                f"{day:%A, %b %-d}",
                [
                    (
                        time,
                        f"{labels[time.wall // 60]} · {names[time.therapist.pk]}",
                        f"{base}&therapist={time.therapist.pk}&{date}"
                        f"{time.wall // 3600:02}:{time.wall // 60 % 60:02}",
                    )
                    for time in times
                ],
            )
        )
    return shown


@role_required(ADMINISTRATOR, SCHEDULER)
@require_GET
def free_times(request, pk):
    patient = get_patient_for(request.user, pk)
    clinic = request.user.clinic
    # Without a case chosen, the empty form; with one, the search, the rest filled in.
    query = request.GET if request.GET.get("chart_case") else None
    form = FreeTimeForm(query, patient=patient, today=clinic.today())
    context = {"patient": patient, "form": form, "days": None}
    if form.is_bound:
        if not form.is_valid():
            return _finder_page(request, context, status=400)
        data = form.cleaned_data
        duration = duration_for(data["chart_case"], data["appointment_type"])
        days = offered_by_day(
            chart_case=data["chart_case"],
            location=data["location"],
            duration_minutes=duration,
            therapists=list(data["therapists"]),
            first=data["first"],
            last=data["last"],
            now=clinic.now(),
        )
        context.update(
            later=_later(request.GET, data["first"], data["last"]),
            duration=duration,
            days=_shown_days(patient, data, duration, days, data["therapists"]),
        )
        record_access(request, obj=patient, patient=patient, what="Free times for booking")
    return _finder_page(request, context)


def _finder_page(request, context, status=200):
    """The finder's page, its form's fields as plain values (``shown_fields``)."""
    context["fields"] = shown_fields(context["form"])
    return render(request, "scheduling/free_times.html", context, status=status)


def _later(query, first, last) -> str:
    """The query string of the same search over the days right after these, as many."""
    span = last - first + datetime.timedelta(days=1)
    later = query.copy()
    later["first"], later["last"] = (first + span).isoformat(), (last + span).isoformat()
    return later.urlencode()


@role_required(ADMINISTRATOR, SCHEDULER)
@require_http_methods(["GET", "POST"])
def therapist_day(request, pk):
    """Move a therapist's day: every scheduled visit of the day in one form."""
    clinic = request.user.clinic
    therapist = get_object_or_404(User.objects.active_therapists(clinic.pk), pk=pk)
    day = clinic.today()
    sent = request.POST.get("date") or request.GET.get("date")
    if sent:
        try:
            day = datetime.date.fromisoformat(sent)
            if abs((day - clinic.today()).days) > MAX_DAYS:
                raise ValueError(day)
        except ValueError:
            messages.error(
                request,
                f"Give the day as a date within {MAX_DAYS} days of today, for example "
                f"{clinic.today():%Y-%m-%d}.",
            )
            return render(
                request, "scheduling/therapist_day.html", {"therapist": therapist}, status=400
            )
    rows = day_to_move(therapist, day, clinic.now())
    form = DayMoveForm(request.POST or None, rows=rows)
    context = {
        "therapist": therapist,
        "day": day,
        "form": form,
        "rows": rows,
        "visits": [(row.visit, row.free, form[f"visit_{row.visit.pk}"]) for row in rows],
    }
    if request.method == "POST":
        if form.is_valid():
            try:
                moved, cancelled = services.therapist_day_move(
                    changes=form.changes(), reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                form.stale = isinstance(error, services.StaleAppointment)
                for key, field_messages in error.message_dict.items():
                    form.add_error(key if key in form.fields else None, field_messages)
            else:
                messages.success(
                    request,
                    f"{therapist}'s {day:%a %b %-d}: {moved} moved, {cancelled} cancelled.",
                )
                here = reverse("scheduling:therapist_day", args=[therapist.pk])
                return redirect(f"{here}?date={day:%Y-%m-%d}")
        status = 409 if form.stale else 400
        return render(request, "scheduling/therapist_day.html", context, status=status)
    return render(request, "scheduling/therapist_day.html", context)
