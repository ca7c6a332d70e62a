"""The patient portal (``/portal/``, role Patient) and the staff screen that invites to it.

The portal never imports a staff view: it has its own base template and navigation."""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.passwords import CountedPasswordChangeView
from charts.access import get_patient_for
from charts.models import PatientChartCase
from core.audit import record_access
from core.inputs import parse_id
from core.permissions import RoleRequiredMixin, role_required
from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER
from portal import reads, services
from portal.access import (
    get_portal_chart_case_for,
    get_portal_patient_for,
    get_portal_request_for,
    get_portal_visit_for,
)
from portal.forms import AppointmentRequestForm, PortalInviteForm
from portal.models import PortalLink
from scheduling import services as scheduling_services
from scheduling import slots
from scheduling.hooks import cancel_terms
from scheduling.models import AppointmentRequest


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
    """Pending requests first, then visits to come (with Cancel and Ask to move), then the
    patients this user acts for with their care and answered requests (``portal.reads.home``);
    past visits are on their own page."""
    return render(
        request, "portal/home.html", {"home": reads.home(request.user, request.user.clinic)}
    )


@role_required(PATIENT)
def past_visits(request):
    """The visits of the user's patients that have passed, newest first, a page at a time."""
    page = reads.past_visits(request.user, request.user.clinic, request.GET.get("page"))
    return render(request, "portal/past_visits.html", {"page_obj": page})


NOT_BOOKED = "This visit is no longer booked at this time, so there is nothing to cancel."


def _visit_context(visit) -> dict:
    return {"visit": visit, "patient": visit.patient}


@role_required(PATIENT)
def visit_cancel(request, pk):
    """Cancel a visit: GET asks to confirm (or, too late to cancel here, gives the clinic's
    phone number); POST cancels through ``appointment_portal_cancel``, which checks it all
    again in its transaction. Another family's visit is a 404 (``get_portal_visit_for``)."""
    visit = get_portal_visit_for(request.user, pk)
    if request.method == "POST":
        try:
            scheduling_services.appointment_portal_cancel(
                appointment=visit,
                by=request.user,
                expected_version=parse_id(request.POST.get("version", "")),
            )
        except ValidationError as error:
            context = _visit_context(visit) | {"refused": " ".join(error.messages)}
            return render(request, "portal/visit_cancel.html", context, status=409)
        messages.success(
            request,
            f"{visit.patient.first_name}'s visit of {visit.local_start:%a %b %-d, %-I:%M %p %Z} "
            "is cancelled.",
        )
        return redirect("portal:home")
    terms = cancel_terms(visit.clinic_id)
    context = _visit_context(visit)
    if not terms.portal_may_cancel(visit, timezone.now()):
        refused = (
            scheduling_services.too_late_to_cancel(terms)
            if visit.is_awaited(timezone.now())
            else NOT_BOOKED
        )
        return render(
            request, "portal/visit_cancel.html", context | {"refused": refused}, status=409
        )
    return render(request, "portal/visit_cancel.html", context)


def _slot_days(starts, clock, first_day, days=7):
    """The starts (epoch seconds) of ``days`` local days from ``first_day``, by day, as
    plain values for ``portal/slots.html``: [(day label, [(value, time label), ...])]. The
    value is ``datetime.isoformat()`` of the UTC moment (whole minutes), what the POST
    parses; both are made here from numbers, with a table and a cache rather than a
    datetime per slot (a week of ten therapists is a few hundred)."""
    by_day = defaultdict(list)
    last_day = first_day + datetime.timedelta(days=days)
    utc_days = {}
    for start in starts:
        day, seconds = clock.local(start)
        if not first_day <= day < last_day:
            continue
        utc_day, utc_seconds = divmod(start, slots.DAY_SECONDS)
        if utc_day not in utc_days:
            utc_days[utc_day] = slots.from_seconds(utc_day * slots.DAY_SECONDS).date().isoformat()
        hour, rest = divmod(utc_seconds, 3600)
        value = f"{utc_days[utc_day]}T{hour:02d}:{rest // 60:02d}:00+00:00"
        by_day[day].append((value, slots.TIME_LABELS[seconds // 60]))
    return [(f"{day:%A, %b %-d}", day_slots) for day, day_slots in sorted(by_day.items())]


def _week_context(chart_case, form, rule, location, therapist):
    """The slot step: the times of the week asked for (one week at a time, so that the
    page's cost does not grow with the horizon) and the links to the weeks around it."""
    week = reads.Week.of(chart_case.clinic, location, form.data.get("week", ""))
    therapists = [therapist] if therapist else chart_case.request_choices.therapists
    starts, clock = reads.week_starts(
        week=week,
        clinic_id=chart_case.clinic_id,
        patient_id=chart_case.patient_id,
        duration_minutes=rule.duration_minutes,
        therapist_ids=[each.pk for each in therapists],
    )
    return {
        "days": _slot_days(starts, clock, week.day) if starts else [],
        "no_slots": not starts,
        "week": week.day,
        "next_week": week.following.isoformat() if week.following <= week.last_day else "",
        "previous_week": week.previous.isoformat() if week.previous else "",
    }


def _send(request, chart_case, form, move=None) -> ValidationError | None:
    """Save the posted request (``request_create`` checks it all again, in its transaction)
    and say so; the service's refusal, if any."""
    data = form.cleaned_data
    kind, location, therapist = reads.request_rows(
        chart_case, data["type"], data["location"], data["therapist"]
    )
    try:
        if kind is None:
            raise ValidationError(
                {"appointment_type": "This appointment type cannot be requested."}
            )
        if location is None:
            raise ValidationError({"location": "This location does not take requests."})
        if data["therapist"] and therapist is None:
            raise ValidationError({"therapist": "Choose a therapist of this case."})
        created = scheduling_services.request_create(
            chart_case=chart_case,
            # A posted duration is ignored: the case's rule decides (inside the service).
            appointment_type=kind,
            location=location,
            start=data["start"],
            preferred_therapist=therapist,
            note=data["note"],
            by=request.user,
            move_of=move,
        )
    except ValidationError as error:
        return error
    if move is not None:
        messages.success(
            request,
            f"Your request to move the visit of {move.local_start:%a %b %-d, %-I:%M %p} to "
            f"{created.local_start:%a %b %-d at %-I:%M %p %Z} was sent. Until the clinic "
            "answers by e-mail, the visit stays at its time.",
        )
        return None
    messages.success(
        request,
        f"Your request for {created.appointment_type} on "
        f"{created.local_start:%a %b %-d at %-I:%M %p} was sent. "
        "The clinic will answer by e-mail.",
    )
    return None


def _closed(request, context, reason):
    context["closed"] = reason
    return render(request, "portal/request_form.html", context, status=403)


@role_required(PATIENT)
def request_create(request, pk):
    """Request an appointment for one case: an allowed type, then a location open to
    requests, then one of the computed times. Works step by step without JavaScript (each
    step is a GET form); the POST saves the request."""
    chart_case = get_portal_chart_case_for(request.user, pk, with_request_choices=True)
    return _request_screen(request, chart_case)


@role_required(PATIENT)
def visit_move(request, pk):
    """Ask to move a booked visit: the request screen (the same offered times, the same
    ``request_create``) with the visit's type, starting at its location; the request names the
    visit, and the queue shows it as a move."""
    visit = get_portal_visit_for(request.user, pk)
    chart_case = get_portal_chart_case_for(
        request.user, visit.chart_case_id, with_request_choices=True
    )
    return _request_screen(request, chart_case, move=visit)


def _move_choices(choices, visit):
    """A move keeps the visit's type: only its rule (none when it cannot be requested)."""
    rules = [
        rule for rule in choices.rules if rule.appointment_type_id == visit.appointment_type_id
    ]
    return reads.Choices(rules=rules, locations=choices.locations, therapists=choices.therapists)


def _move_data(data, visit, choices):
    """The move screen starts at the visit's type and location (the family may change the
    location and therapist)."""
    data = data.copy()
    if not data.get("type") and choices.rules:
        data["type"] = str(visit.appointment_type_id)
        if not data.get("location") and any(
            each.pk == visit.location_id for each in choices.locations
        ):
            data["location"] = str(visit.location_id)
    return data


def _request_screen(request, chart_case, move=None):
    context = {"chart_case": chart_case, "patient": chart_case.patient, "errors": {}, "move": move}
    closed = scheduling_services.requests_open_for(chart_case)
    if move is not None and not move.is_awaited(timezone.now()):
        closed = "This visit is no longer booked, so it cannot move."
    if closed:
        return _closed(request, context, closed)
    choices = chart_case.request_choices
    if move is not None:
        choices = _move_choices(choices, move)
    if not choices.rules:
        return _closed(
            request,
            context,
            "This visit cannot be moved here. Please call the clinic."
            if move
            else "No appointment type can be requested for this case. Please call.",
        )
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    if move is not None and not posted:
        data = _move_data(data, move, choices)
    form = AppointmentRequestForm(data, choices=choices, posted=posted)
    errors = {}
    if form.is_valid() and posted:
        refused = _send(request, chart_case, form, move)
        if refused is None:
            return redirect("portal:home")
        errors = {key: " ".join(value) for key, value in refused.message_dict.items()}
    errors = form.errors_by_key() | errors
    data = form.cleaned_data
    rule, location, therapist = (data.get(key) for key in ("type", "location", "therapist"))
    context.update(
        rules=choices.rules,
        rule=rule,
        locations=choices.locations,
        location=location,
        therapists=choices.therapists,
        therapist=therapist,
        errors=errors,
        note=form.data.get("note", ""),
        chosen_start=form.data.get("start", ""),
        note_max=AppointmentRequest.NOTE_MAX,
    )
    if rule and location:
        context.update(_week_context(chart_case, form, rule, location, therapist))
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
