"""The front desk's free-time finder: a patient's case, an appointment type and a location in,
the free times of every therapist who may take the case out, day by day, each a link to the
booking form with everything filled in (the form is the confirmation)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from charts.access import get_patient_for
from core.audit import record_access
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER
from scheduling.forms_front_desk import FreeTimeForm
from scheduling.reads.free_times import duration_for, free_times_by_day

FIELDS = ("chart_case", "appointment_type", "location", "first", "last")


def _with_defaults(form: FreeTimeForm, query) -> dict | None:
    """The query with the first type and location and the next two weeks filled in where
    missing, so that **Book** on the patient page shows free times at once; None when no
    case is chosen (the empty form is shown)."""
    if not query.get("chart_case"):
        return None
    data = query.copy()
    defaults = {
        "appointment_type": form.fields["appointment_type"].queryset.values_list("pk", flat=True),
        "location": form.fields["location"].queryset.values_list("pk", flat=True),
    }
    for name, choices in defaults.items():
        if not data.get(name):
            data[name] = choices.first() or ""
    for name in ("first", "last"):
        if not data.get(name):
            data[name] = form.initial[name].isoformat()
    return data


def _book_url(patient, data, time, duration) -> str:
    query = {
        "patient": patient.pk,
        "case": f"chart:{data['chart_case'].pk}",
        "therapist": time.therapist.pk,
        "location": data["location"].pk,
        "appointment_type": data["appointment_type"].pk,
        "duration_minutes": duration,
        "date": time.start.date().isoformat(),
        "time": time.start.strftime("%H:%M"),
    }
    return f"{reverse('scheduling:appointment_create')}?{urlencode(query)}"


@role_required(ADMINISTRATOR, SCHEDULER)
@require_GET
def free_times(request, pk):
    patient = get_patient_for(request.user, pk)
    clinic = request.user.clinic
    form = FreeTimeForm(patient=patient, today=clinic.today())
    data = _with_defaults(form, request.GET)
    context = {"patient": patient, "form": form, "days": None}
    if data is not None:
        form = FreeTimeForm(data, patient=patient, today=clinic.today())
        context["form"] = form
        if not form.is_valid():
            return render(request, "scheduling/free_times.html", context, status=400)
        data = form.cleaned_data
        duration = duration_for(data["chart_case"], data["appointment_type"])
        days = free_times_by_day(
            chart_case=data["chart_case"],
            location=data["location"],
            duration_minutes=duration,
            therapists=list(data["therapists"]),
            first=data["first"],
            last=data["last"],
            now=clinic.now(),
        )
        context.update(
            duration=duration,
            days=[
                (day, [(time, _book_url(patient, data, time, duration)) for time in times])
                for day, times in days
            ],
        )
        record_access(request, obj=patient, patient=patient, what="Free times for booking")
    return render(request, "scheduling/free_times.html", context)
