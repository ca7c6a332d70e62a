"""+ Appointment (one-off and weekly series), an appointment's page, reschedule, cancel,
check in / complete, the daily note of a visit, and the appointments step of a discharge."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from cases.models import PatientCase
from charts.access import get_chart_case_for
from charts.models import Patient, PatientChartCase
from core.concurrency import STALE_FORM
from core.inputs import parse_id, parse_ids
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role
from insurance.counting import chart_case_summary
from scheduling import services, slots
from scheduling.access import get_appointment_for
from scheduling.forms import AppointmentForm, CancelForm, RescheduleForm
from scheduling.hooks import appointment_notices
from scheduling.models import Appointment
from scheduling.reads.other_visits import other_visits
from scheduling.reads.requests import pending_requests_over
from scheduling.services import SeriesRule
from scheduling.views.front_desk import planned_visits, warn_other_visits

FRONT_DESK = (ADMINISTRATOR, SCHEDULER)
CARRIED = ("therapist", "location", "date", "time")


def _put_errors(form, error: ValidationError):
    names = {"chart_case": "case", "therapist": "therapists", "start": "time"}
    if hasattr(error, "error_dict"):
        for key, messages_ in error.message_dict.items():
            name = names.get(key, key)
            name = key if name not in form.fields and key in form.fields else name
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _patient_search(request):
    q = request.GET.get("q", "").strip()
    patients = []
    if q:
        patients = list(Patient.objects.visible_to(request.user).search(q)[:20])
    carry = {key: request.GET[key] for key in CARRIED if request.GET.get(key)}
    return render(
        request,
        "scheduling/appointment_patient.html",
        {"q": q, "patients": patients, "carry": carry, "carry_query": urlencode(carry)},
    )


def _initial(request, patient):
    initial = {}
    if request.GET.get("therapist"):
        initial["therapists"] = [request.GET["therapist"]]
    # The free-time finder's links carry the case, the type and its length as well.
    for key in ("location", "date", "time", "case", "appointment_type", "duration_minutes"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    return initial


def _chosen_therapists(request, form_data):
    ids = form_data.getlist("therapists") if hasattr(form_data, "getlist") else form_data
    ids = parse_ids(ids)
    return (
        list(User.objects.active_therapists(request.user.clinic_id).filter(pk__in=ids))
        if ids
        else []
    )


def _case_target(form, patient):
    """The chosen value: ``chart:<id>`` a chart case of this patient, ``case:<id>`` a case to
    add to the chart. Choices are limited to what the form offered."""
    kind, _, pk = form.cleaned_data["case"].partition(":")
    if kind == "chart":
        return {"chart_case": PatientChartCase.objects.get(pk=pk, patient=patient)}
    return {
        "chart_case": None,
        "patient": patient,
        "case": PatientCase.objects.for_clinic(patient.clinic_id).get(pk=pk),
    }


def _authorizations_left(form, patient) -> list[str]:
    """What is left of the chosen chart case's authorizations, shown before saving."""
    chosen = form.data.get("case") if form.is_bound else form.initial.get("case")
    kind, _, pk = str(chosen or "").partition(":")
    if kind != "chart" or parse_id(pk) is None:
        return []
    return chart_case_summary(
        clinic_id=patient.clinic_id, chart_case_id=parse_id(pk), patient_id=patient.pk
    )


def _appointment_form(request, patient, refresh: bool):
    """The booking form: bound to a POST that books, else filled from the request (a
    refreshed form keeps what was typed but the case)."""
    allow_override = has_role(request.user, ADMINISTRATOR)
    if request.method == "POST" and not refresh:
        therapists = _chosen_therapists(request, request.POST)
        form = AppointmentForm(
            request.POST,
            patient=patient,
            user=request.user,
            allow_override=allow_override,
            therapists=therapists,
        )
        return form, therapists
    if refresh:
        initial = {key: request.POST.get(key) for key in request.POST if key != "case"}
        initial["therapists"] = request.POST.getlist("therapists")
        initial["weekdays"] = request.POST.getlist("weekdays")
        initial["repeat"] = bool(request.POST.get("repeat"))
    else:
        initial = _initial(request, patient)
    therapists = _chosen_therapists(request, initial.get("therapists") or [])
    form = AppointmentForm(
        initial=initial,
        patient=patient,
        user=request.user,
        allow_override=allow_override,
        therapists=therapists,
    )
    return form, therapists


def _booking(request, form, patient) -> dict:
    """``appointment_book``'s arguments from a valid form (the first therapist leads)."""
    data = form.cleaned_data
    return dict(
        clinic=request.user.clinic,
        therapist=list(data["therapists"])[0],
        location=data["location"],
        appointment_type=data["appointment_type"],
        start=form.start(),
        duration_minutes=form.duration(),
        by=request.user,
        override_reason=data.get("override_reason") or None,
        authorization_override=data.get("authorization_override") or None,
        **_case_target(form, patient),
    )


def _book_series(request, form, booking: dict, context: dict):
    """A weekly series: its preview until the person confirms, then booked, leaving out the
    dates that cannot be booked."""
    data = form.cleaned_data
    rule = SeriesRule(
        interval=data.get("every_weeks") or 1,
        weekdays=tuple(data["weekdays"] or [data["date"].weekday()]),
        until=data.get("until"),
        count=data.get("count"),
    )
    if len(data["therapists"]) > 1:
        raise ValidationError({"therapist": "A series is booked with one therapist."})
    if request.POST.get("confirm") != "book":
        tz = data["location"].tzinfo
        occurrences = [
            services.Occurrence(o.start.astimezone(tz), o.problem)
            for o in services.series_preview(rule=rule, **booking)
        ]
        context.update(
            occurrences=occurrences,
            free=[o for o in occurrences if not o.problem],
            colliding=[o for o in occurrences if o.problem],
        )
        return render(request, "scheduling/series_preview.html", context)
    series, skipped = services.series_book(rule=rule, skip_conflicts=True, **booking)
    booked = series.appointments.count()
    message = f"Weekly series booked: {_appointments(booked)}."
    if skipped:
        message += " " + ngettext(
            "%(count)d date was left out because the therapist or the patient is booked then.",
            "%(count)d dates were left out because the therapist or the patient is booked then.",
            len(skipped),
        ) % {"count": len(skipped)}
    messages.success(request, message)
    first = series.appointments.order_by("start").first()
    return redirect("scheduling:appointment_detail", first.pk)


def _booked(request, patient, appointment):
    """What the person is told after booking one visit, and where they go."""
    for pending in pending_requests_over(appointment):
        messages.warning(
            request,
            f"This booking overlaps {pending.patient}'s pending request for "
            f"{pending.local_start:%a %b %-d at %-I:%M %p} with {appointment.therapist}: "
            "that request can no longer be approved as asked.",
        )
    messages.success(
        request,
        f"Booked {patient} with {appointment.therapist} on "
        f"{appointment.local_start:%a %b %-d at %-I:%M %p}.",
    )
    warn_other_visits(request, appointment)
    return redirect("scheduling:appointment_detail", appointment.pk)


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def appointment_create(request):
    patient_id = request.POST.get("patient") or request.GET.get("patient")
    if not patient_id:
        return _patient_search(request)
    patient_id = parse_id(patient_id)
    if patient_id is None:
        return HttpResponseBadRequest("Choose a patient.")
    patient = get_object_or_404(Patient.objects.visible_to(request.user), pk=patient_id)
    refresh = request.method == "POST" and "refresh" in request.POST
    form, therapists = _appointment_form(request, patient, refresh)
    context = {
        "form": form,
        "patient": patient,
        "therapists": therapists,
        "authorizations": _authorizations_left(form, patient),
    }
    if request.method == "GET" and form.initial.get("date"):
        context["other"] = planned_visits(patient, form.initial)
    if request.method == "GET" or refresh:
        return render(request, "scheduling/appointment_form.html", context)
    if not form.is_valid():
        return render(request, "scheduling/appointment_form.html", context, status=400)
    booking = _booking(request, form, patient)
    try:
        if form.cleaned_data["repeat"]:
            return _book_series(request, form, booking, context)
        co_therapists = list(form.cleaned_data["therapists"])[1:]
        appointment = services.appointment_book(co_therapists=co_therapists, **booking)
    except ValidationError as error:
        _put_errors(form, error)
        return render(request, "scheduling/appointment_form.html", context, status=400)
    return _booked(request, patient, appointment)


@role_required(*FRONT_DESK, THERAPIST)
def appointment_detail(request, pk):
    appointment = get_appointment_for(request.user, pk)
    transitions = [
        (status, Appointment.Status(status).label)
        for status in sorted(services.TRANSITIONS.get(appointment.status, ()))
        if services.may_set_status(request.user, appointment, status)
    ]
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "may_change": has_role(request.user, *FRONT_DESK) and not appointment.is_settled,
            "transitions": transitions,
            "may_write_note": appointment.therapist_id == request.user.pk,
            "notices": appointment_notices(appointment),
        },
    )


def _expected_version(request, *, required: bool = False) -> int | None:
    """The version the screen was opened at, or None when the form sent none (the home's
    check-in button; a form that always sends one says ``required``). A version that is no
    plain number is refused as a missing one is."""
    sent = request.POST.get("version", "")
    version = parse_id(sent)
    if (sent or required) and version is None:
        raise ValidationError(STALE_FORM)
    return version


def _stale_status(form) -> int:
    """409 when the form's error is that someone else changed the appointment, else 400."""
    return 409 if getattr(form, "stale", False) else 400


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request, pk):
    appointment = get_appointment_for(request.user, pk, write=True)
    form = RescheduleForm(
        request.POST or None,
        appointment=appointment,
        allow_override=has_role(request.user, ADMINISTRATOR),
    )
    context = {"appointment": appointment, "form": form, "patient": appointment.patient}
    context["other"] = other_visits(
        clinic_id=appointment.clinic_id,
        patient_id=appointment.patient_id,
        case_id=appointment.chart_case.case_id,
        start=appointment.start,
        tz=appointment.location.tzinfo,
        exclude_pk=appointment.pk,
    )
    if appointment.is_settled:
        messages.error(request, "This appointment can no longer be moved.")
        return render(request, "scheduling/appointment_reschedule.html", context, status=409)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            tz = (data["location"] or appointment.location).tzinfo
            start = slots.wall(data["date"], data["time"], tz)
            freed = f"{appointment.local_start:%a %b %-d at %-I:%M %p} with {appointment.therapist}"
            try:
                services.series_reschedule(
                    appointment=appointment,
                    following=bool(data.get("following")),
                    start=start,
                    duration_minutes=data["duration_minutes"],
                    reason=data["reason"],
                    by=request.user,
                    override_reason=data.get("override_reason") or None,
                    authorization_override=data.get("authorization_override") or None,
                    expected_version=_expected_version(request, required=True),
                    therapist=data["therapist"],
                    location=data["location"],
                )
            except ValidationError as error:
                form.stale = isinstance(error, services.StaleAppointment)
                _put_errors(form, error)
            else:
                messages.success(request, f"Appointment moved. {freed} is free now.")
                warn_other_visits(request, appointment)
                return redirect("scheduling:appointment_detail", appointment.pk)
        status = _stale_status(form)
        return render(request, "scheduling/appointment_reschedule.html", context, status=status)
    return render(request, "scheduling/appointment_reschedule.html", context)


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def appointment_cancel(request, pk):
    appointment = get_appointment_for(request.user, pk, write=True)
    form = CancelForm(request.POST or None, appointment=appointment)
    context = {"appointment": appointment, "form": form}
    if appointment.is_settled:
        messages.error(request, "This appointment can no longer be cancelled.")
        return render(request, "scheduling/appointment_cancel.html", context, status=409)
    if request.method == "POST":
        if form.is_valid():
            try:
                count = services.series_cancel(
                    appointment=appointment,
                    following=bool(form.cleaned_data.get("following")),
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    expected_version=_expected_version(request, required=True),
                )
            except ValidationError as error:
                form.stale = isinstance(error, services.StaleAppointment)
                _put_errors(form, error)
            else:
                messages.success(request, f"{_appointments(count)} cancelled.")
                return redirect("scheduling:appointment_detail", appointment.pk)
        return render(
            request, "scheduling/appointment_cancel.html", context, status=_stale_status(form)
        )
    return render(request, "scheduling/appointment_cancel.html", context)


@role_required(*FRONT_DESK, THERAPIST)
@require_POST
def appointment_status(request, pk):
    appointment = get_appointment_for(request.user, pk)
    status = request.POST.get("status", "")
    try:
        services.appointment_set_status(
            appointment=appointment,
            status=status,
            by=request.user,
            expected_version=_expected_version(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(
            request,
            "scheduling/appointment_detail.html",
            {"appointment": appointment, "transitions": []},
            status=409,
        )
    messages.success(request, f"{appointment.patient}: {Appointment.Status(status).label}.")
    if request.POST.get("back") == "home":
        return redirect("home")
    return redirect("scheduling:appointment_detail", appointment.pk)


@role_required(THERAPIST)
def appointment_note(request, pk):
    """The visit's daily note: the one already linked, or a new one on its chart case dated
    the day of service (linked to the appointment when saved: ``scheduling.signals``)."""
    appointment = get_appointment_for(request.user, pk)
    if appointment.therapist_id != request.user.pk:
        return render(request, "403.html", status=403)
    if appointment.daily_note_id:
        return redirect(
            "charts:document_detail",
            pk=appointment.chart_case_id,
            kind="notes",
            doc_pk=appointment.daily_note_id,
        )
    date = appointment.local_start.date()
    url = reverse("charts:note_create", args=[appointment.chart_case_id])
    return redirect(f"{url}?{urlencode({'date_of_service': date.isoformat()})}")


@role_required(*FRONT_DESK, THERAPIST)
@require_http_methods(["GET", "POST"])
def chart_case_appointments(request, pk):
    """The appointments step of a discharge: the chart case's appointments still to come, to
    cancel (clinic cancelled) or keep, before going on to charts' discharge screen (whose
    form and "Write a discharge summary" both discharge). A therapist whose case still has
    drafts goes straight to that screen, which refuses the discharge and lists them."""
    chart_case = get_chart_case_for(request.user, pk)
    may_cancel = has_role(request.user, *FRONT_DESK) or (
        has_role(request.user, THERAPIST)
        and PatientChartCase.objects.documentable_by(request.user).filter(pk=pk).exists()
    )
    now = request.user.clinic.now()
    future = list(
        Appointment.objects.for_clinic(request.user.clinic_id)
        .filter(chart_case=chart_case, start__gte=now, status=Appointment.Status.SCHEDULED)
        .for_display()
        .order_by("start")
    )
    discharge_url = reverse("charts:chart_case_discharge", args=[chart_case.pk])
    if has_role(request.user, THERAPIST) and (
        chart_case.daily_notes.unsigned().exists() or chart_case.evaluations.unsigned().exists()
    ):
        # Charts refuses the discharge while drafts remain: show that first, before any
        # appointment is cancelled for a discharge that cannot happen yet.
        return redirect(discharge_url)
    if request.method == "POST":
        if not may_cancel:
            return render(request, "403.html", status=403)
        if request.POST.get("action") == "cancel":
            count = services.chart_case_cancel_future(
                chart_case=chart_case,
                reason=request.POST.get("reason", "").strip() or "The case is being discharged.",
                by=request.user,
            )
            messages.success(request, f"{_appointments(count)} cancelled.")
        if not has_role(request.user, THERAPIST):
            # Discharging is the therapist's; the front desk goes back to the chart.
            return redirect("charts:chart_case_detail", chart_case.patient_id, chart_case.pk)
        return redirect(discharge_url)
    return render(
        request,
        "scheduling/chart_case_appointments.html",
        {
            "chart_case": chart_case,
            "future": future,
            "may_cancel": may_cancel,
            "discharge_url": discharge_url,
        },
    )


def _appointments(count: int) -> str:
    """ "1 appointment", "3 appointments"."""
    return f"{count} {ngettext('appointment', 'appointments', count)}"
