"""The patient portal (``/portal/``, role Patient) and the staff screen that invites to it.

The portal never imports a staff view: it has its own base template and navigation."""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.passwords import CountedPasswordChangeView
from charts.access import get_patient_for
from charts.models import PatientChartCase
from clinic.models import AppointmentType
from core.audit import record_access
from core.permissions import RoleRequiredMixin, role_required
from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER
from portal import reads, services
from portal.access import (
    get_portal_chart_case_for,
    get_portal_patient_for,
    get_portal_request_for,
)
from portal.forms import PortalInviteForm
from portal.models import PortalLink
from scheduling import services as scheduling_services
from scheduling import slots
from scheduling.models import AppointmentRequest, Location
from scheduling.services.requests import STEP as REQUEST_STEP


@role_required(ADMINISTRATOR, SCHEDULER)
def invite(request, pk):
    """Staff screen, from a patient's page: who has portal access, and invite one more."""
    patient = get_patient_for(request.user, pk)
    form = PortalInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.portal_invite(
                patient=patient,
                email=data["email"],
                relationship=data["relationship"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError:
            # Someone invited the same address at the same moment: the constraints caught it.
            form.add_error("email", "This address was invited a moment ago. Reload the page.")
        else:
            messages.success(
                request, f"Portal invitation for {patient} e-mailed to {data['email']}."
            )
            return redirect("portal:invite", pk=patient.pk)
    links = (
        PortalLink.objects.for_clinic(request.user.clinic_id)
        .filter(patient=patient)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "portal/invite.html",
        {"patient": patient, "form": form, "links": links},
        status=400 if form.errors else 200,
    )


@role_required(PATIENT)
def home(request):
    """The patients this user acts for, each with their active chart cases (and whether an
    appointment may be requested for each), upcoming appointments and requests: one
    statement (``portal.reads.home_families``)."""
    families = reads.home_families(request.user, request.user.clinic)
    return render(request, "portal/home.html", {"families": families})


def _parse_start(value: str):
    try:
        start = datetime.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


SLOT_HTML = (
    '<div class="slot"><input class="btn-check" type="radio" name="start" id="{id}" value="{value}"'
    '{checked} required><label class="btn btn-outline-primary btn-sm" for="{id}">{time}'
    '<span class="visually-hidden">, {day}</span></label></div>'
)


def _time_label(minutes: int) -> str:
    """ "9:15 AM" for 555 minutes after midnight (``%-I:%M %p``)."""
    hour, minute = divmod(minutes, 60)
    return f"{hour % 12 or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


TIME_LABELS = [_time_label(minutes) for minutes in range(24 * 60)]


def _slot_days(starts, clock, first_day, chosen="", days=7):
    """The starts (epoch seconds) of ``days`` local days from ``first_day``, by day: [(day
    label, the day's radio buttons as HTML)]. Built here with one ``str.format`` per slot
    rather than through template tags and filters per slot: a week of ten therapists is a
    few hundred slots. Every piece is made here from numbers and dates (no text a user
    typed), so nothing needs escaping; ``chosen`` is only compared."""
    by_day = defaultdict(list)
    last_day = first_day + datetime.timedelta(days=days)
    for start in starts:
        day, seconds = clock.local(start)
        if first_day <= day < last_day:
            by_day[day].append((start, seconds))
    utc_days = {}
    result = []
    for number, (day, day_slots) in enumerate(sorted(by_day.items()), 1):
        label = f"{day:%A, %b %-d}"
        buttons = []
        for index, (start, seconds) in enumerate(day_slots, 1):
            utc_day, utc_seconds = divmod(start, slots.DAY_SECONDS)
            if utc_day not in utc_days:
                utc_days[utc_day] = slots.from_seconds(utc_day * slots.DAY_SECONDS).date()
            hour, rest = divmod(utc_seconds, 3600)
            # datetime.isoformat() of the UTC moment (whole minutes): what the POST parses.
            value = f"{utc_days[utc_day].isoformat()}T{hour:02d}:{rest // 60:02d}:00+00:00"
            buttons.append(
                SLOT_HTML.format(
                    id=f"slot-{number}-{index}",
                    value=value,
                    checked=" checked" if value == chosen else "",
                    time=TIME_LABELS[seconds // 60],
                    day=label,
                )
            )
        result.append((label, mark_safe("\n".join(buttons))))  # noqa: S308 (see above)
    return result


def _week_starts(*, chart_case, location, rule, therapist_ids, now, earliest, latest, within):
    """The starts a patient may request in ``within`` (the week shown), any of the
    therapists, as epoch seconds: ``scheduling.services.request_slots`` over the same span,
    on plain integers, its inputs read in one query (``portal.reads.slot_inputs``).
    tests/portal/test_week_starts.py compares the two on random schedules."""
    low, high = max(earliest, within[0]), min(latest, within[1])
    if high < low:
        return [], None
    tz = location.tzinfo
    first = low.astimezone(tz).date()
    last = high.astimezone(tz).date() + datetime.timedelta(days=1)
    duration = rule.duration_minutes * 60
    inputs = reads.slot_inputs(
        clinic_id=chart_case.clinic_id,
        location_id=location.pk,
        therapist_ids=therapist_ids,
        patient_id=chart_case.patient_id,
        first=first,
        last=last,
        start=low,
        end=high + datetime.timedelta(seconds=duration),
    )
    clock = slots.WallClock(tz, first, last)
    starts = slots.offered_starts(
        clock=clock,
        first=first,
        last=last,
        clinic_hours=inputs.clinic_hours,
        closures=inputs.closures,
        therapist_ids=therapist_ids,
        availability=inputs.availability,
        time_off=inputs.time_off,
        extra=inputs.extra,
        busy=inputs.busy,
        patient_busy=inputs.patient_busy,
        duration=duration,
        step=int(REQUEST_STEP.total_seconds()),
        earliest=slots.to_seconds_up(low),
        latest=slots.to_seconds(high),
    )
    return starts, clock


def _request_models(chart_case, rule, location, therapist):
    """The rows ``request_create`` takes, for the choices (plain rows) a POST made; None for
    one removed since the page was shown (the service refuses what is no longer allowed)."""
    clinic_id = chart_case.clinic_id
    return (
        AppointmentType.objects.for_clinic(clinic_id).filter(pk=rule.appointment_type_id).first(),
        Location.objects.for_clinic(clinic_id).filter(pk=location.pk).first(),
        therapist and User.objects.filter(clinic_id=clinic_id, pk=therapist.pk).first(),
    )


@role_required(PATIENT)
def request_create(request, pk):
    """Request an appointment for one case: an allowed type, then a location open to
    requests, then one of the computed times. Works step by step without JavaScript (each
    step is a GET form); the POST saves the request."""
    chart_case = get_portal_chart_case_for(request.user, pk, with_request_choices=True)
    closed = scheduling_services.requests_open_for(chart_case)
    context = {"chart_case": chart_case, "patient": chart_case.patient, "errors": {}}
    if closed:
        context["closed"] = closed
        return render(request, "portal/request_form.html", context, status=403)
    choices = chart_case.request_choices
    rules = choices.rules
    if not rules:
        context["closed"] = "No appointment type can be requested for this case. Please call."
        return render(request, "portal/request_form.html", context, status=403)
    data = request.POST if request.method == "POST" else request.GET
    errors = {}
    rule = location = therapist = None
    if data.get("type"):
        rule = next((r for r in rules if str(r.appointment_type_id) == data["type"]), None)
        if rule is None:
            errors["appointment_type"] = "This appointment type cannot be requested for this case."
    locations = choices.locations
    if rule and data.get("location"):
        location = next((loc for loc in locations if str(loc.pk) == data["location"]), None)
        if location is None:
            errors["location"] = "This location does not take requests. Choose another."
    therapists = choices.therapists
    if data.get("therapist"):
        therapist = next((t for t in therapists if str(t.pk) == data["therapist"]), None)
        if therapist is None:
            errors["therapist"] = "Choose a therapist of this case, or any therapist."
    if request.method == "POST" and not errors:
        start = _parse_start(data.get("start"))
        if rule is None:
            errors["appointment_type"] = "Choose the type of appointment."
        elif location is None:
            errors["location"] = "Choose a location."
        elif start is None:
            errors["start"] = "Choose one of the offered times."
        else:
            appointment_type, location_row, therapist_row = _request_models(
                chart_case, rule, location, therapist
            )
            # A posted duration is ignored: the case's rule decides (inside the service).
            try:
                if appointment_type is None:
                    raise ValidationError(
                        {"appointment_type": "This appointment type cannot be requested."}
                    )
                if location_row is None:
                    raise ValidationError({"location": "This location does not take requests."})
                if therapist and therapist_row is None:
                    raise ValidationError({"therapist": "Choose a therapist of this case."})
                created = scheduling_services.request_create(
                    chart_case=chart_case,
                    appointment_type=appointment_type,
                    location=location_row,
                    start=start,
                    preferred_therapist=therapist_row,
                    note=data.get("note", ""),
                    by=request.user,
                )
            except ValidationError as error:
                errors.update({key: " ".join(value) for key, value in error.message_dict.items()})
            else:
                messages.success(
                    request,
                    f"Your request for {created.appointment_type} on "
                    f"{created.local_start:%a %b %-d at %-I:%M %p} was sent. "
                    "The clinic will answer by e-mail.",
                )
                return redirect("portal:home")
    context.update(
        rules=rules,
        rule=rule,
        locations=locations,
        location=location,
        therapists=therapists,
        therapist=therapist,
        errors=errors,
        note=data.get("note", ""),
        chosen_start=data.get("start", ""),
        note_max=AppointmentRequest.NOTE_MAX,
    )
    if rule and location and "location" not in errors:
        # One week at a time: the slots of the shown week only (the page's cost does not grow
        # with the horizon); "Later times" moves on while the horizon lasts.
        tz = location.tzinfo
        clinic = chart_case.clinic
        now = clinic.now().astimezone(datetime.UTC)
        earliest, latest = scheduling_services.request_window(clinic, now)
        first_day = earliest.astimezone(tz).date()
        last_day = latest.astimezone(tz).date()
        try:
            week = datetime.date.fromisoformat(data.get("week", ""))
        except ValueError:
            week = first_day
        week = min(max(week, first_day), last_day)
        next_day = week + datetime.timedelta(days=7)
        starts, clock = _week_starts(
            chart_case=chart_case,
            location=location,
            rule=rule,
            therapist_ids=[t.pk for t in ([therapist] if therapist else therapists)],
            now=now,
            earliest=earliest,
            latest=latest,
            within=(slots.day_bounds(week, tz)[0], slots.day_bounds(next_day, tz)[0]),
        )
        context.update(
            days=_slot_days(starts, clock, week, chosen=data.get("start", "")) if starts else [],
            no_slots=not starts,
            week=week,
            next_week=next_day.isoformat() if next_day <= last_day else "",
            previous_week=(
                max(week - datetime.timedelta(days=7), first_day).isoformat()
                if week > first_day
                else ""
            ),
        )
    return render(request, "portal/request_form.html", context, status=400 if errors else 200)


@role_required(PATIENT)
@require_POST
def request_cancel(request, pk):
    appointment_request = get_portal_request_for(request.user, pk)
    try:
        scheduling_services.request_cancel(request=appointment_request, by=request.user)
    except ValidationError as error:
        return render(
            request,
            "portal/request_refused.html",
            {"message": " ".join(error.messages)},
            status=409,
        )
    messages.success(request, "Your request was cancelled.")
    return redirect("portal:home")


@role_required(PATIENT)
def patient_detail(request, pk):
    patient = get_portal_patient_for(request.user, pk)
    link = PortalLink.objects.of_user(request.user).get(patient=patient)
    chart_cases = (
        PatientChartCase.objects.for_clinic(request.user.clinic_id)
        .filter(patient=patient)
        .select_related("case")
        .order_by("status", "case__name", "pk")
    )
    record_access(request, obj=patient, patient=patient, what="patient portal: patient page")
    return render(
        request,
        "portal/patient_detail.html",
        {"patient": patient, "link": link, "chart_cases": chart_cases},
    )


class PasswordChangeView(RoleRequiredMixin, CountedPasswordChangeView):
    required_roles = (PATIENT,)
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:home")


password_change = PasswordChangeView.as_view()
