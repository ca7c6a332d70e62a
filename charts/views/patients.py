"""The Patients tab and a patient's chart: patients, chart cases, discharge and reopen."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from charts import reads, services
from charts.access import (
    documentation_access,
    get_chart_case_for,
    get_chart_for,
    get_patient_for,
)
from charts.forms import (
    ChartCaseAddForm,
    DischargeForm,
    PatientForm,
    ReopenForm,
)
from charts.history import chart_case_entries, describe
from charts.models import Patient
from charts.views import chart_page
from charts.views.common import (
    PAGE_SIZE,
    READERS,
    STAFF,
    _apply,
    _chart_case_form,
    _chart_url,
    _refused_status,
    _versioned,
)
from core.audit import record_access
from core.pagination import UncountedPage
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role

# Patients ---------------------------------------------------------------------------------


@role_required(*STAFF)
def patient_list(request):
    query = request.GET.get("q", "")
    patients = (
        Patient.objects.visible_to(request.user)
        .search(query)
        .order_by("last_name", "first_name", "pk")
    )
    page = UncountedPage(reads.OffsetBounded(patients), PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "charts/patient_list.html",
        {
            "page_obj": page,
            "patients": page.object_list,
            "q": query,
            "may_add": has_role(request.user, ADMINISTRATOR, SCHEDULER),
        },
    )


@role_required(ADMINISTRATOR, SCHEDULER)
@require_http_methods(["GET", "POST"])
def patient_create(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            patient = services.patient_create(
                clinic=request.user.clinic, by=request.user, **form.cleaned_data
            )
            messages.success(request, f"Patient {patient} added.")
            return redirect("charts:patient_detail", pk=patient.pk)
        return render(request, "charts/patient_form.html", {"form": form}, status=400)
    return render(request, "charts/patient_form.html", {"form": form})


@role_required(ADMINISTRATOR, SCHEDULER)
@require_http_methods(["GET", "POST"])
def patient_update(request, pk):
    patient = get_patient_for(request.user, pk, write=True)
    form = PatientForm(request.POST or None, instance=patient)
    context = {"form": form, "patient": patient}
    if request.method == "POST":
        if form.is_valid() and _apply(
            form,
            lambda: services.patient_update(
                patient=patient, by=request.user, **_versioned(form.cleaned_data)
            ),
        ):
            messages.success(request, f"Patient {patient} saved.")
            return redirect("charts:patient_detail", pk=patient.pk)
        return render(request, "charts/patient_form.html", context, status=_refused_status(form))
    return render(request, "charts/patient_form.html", context)


# The chart --------------------------------------------------------------------------------


@role_required(*STAFF)
def patient_detail(request, pk, chart_case_pk=None):
    show_unsigned_counts = has_role(request.user, ADMINISTRATOR, THERAPIST)
    patient, chart_cases = get_chart_for(request.user, pk, unsigned_counts=show_unsigned_counts)
    if chart_case_pk is None:
        selected = chart_cases[0] if chart_cases else None
    else:
        selected = next((cc for cc in chart_cases if cc.pk == chart_case_pk), None)
        if selected is None:
            raise Http404
    may_read = may_write = False
    if selected is not None:
        may_read, may_write = documentation_access(request.user, selected)
    context = {
        "patient": patient,
        "chart_cases": chart_cases,
        "selected": selected,
        "may_edit_patient": has_role(request.user, ADMINISTRATOR, SCHEDULER),
        "may_add_case": has_role(request.user, THERAPIST),
        "contacts": list(reads.contacts(patient)),
        "show_unsigned_counts": show_unsigned_counts,
        "may_audit": has_role(request.user, ADMINISTRATOR),
    }
    if selected is not None:
        context["services"] = ", ".join(reads.service_names(selected))
        context["may_read"], context["may_write"] = may_read, may_write
        if may_read:
            context.update(
                chart_page.documentation(
                    request, selected, may_write=may_write, today=request.user.clinic.today()
                )
            )
    # One access entry per page view: the chart, and the chart case's documentation if shown.
    shown = selected if selected is not None and context.get("may_read") else None
    record_access(
        request,
        obj=shown or patient,
        patient=patient,
        what=f"Chart, {selected.case.name} documentation" if shown else "Chart",
    )
    return render(request, "charts/patient_detail.html", context)


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def chart_case_add(request, pk):
    patient = get_patient_for(request.user, pk)
    cases = services.cases_addable(patient=patient, by=request.user)
    form = ChartCaseAddForm(request.POST or None, cases=cases)
    context = {"form": form, "patient": patient}
    if request.method == "POST":
        if form.is_valid():
            chart_case = _apply(
                form,
                lambda: services.chart_case_add(
                    patient=patient,
                    case=form.cleaned_data["case"],
                    started_on=form.cleaned_data["started_on"],
                    by=request.user,
                ),
            )
            if chart_case:
                messages.success(request, f"“{chart_case.case.name}” added to {patient}'s chart.")
                return redirect(_chart_url(chart_case))
        return render(request, "charts/chart_case_add.html", context, status=400)
    return render(request, "charts/chart_case_add.html", context)


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def chart_case_discharge(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    if request.method == "GET" and not chart_case.is_active:
        messages.info(request, "This case is already discharged.")
        return redirect(_chart_url(chart_case))
    return _chart_case_form(
        request,
        chart_case,
        DischargeForm(request.POST or None, chart_case=chart_case),
        unsigned=services.unsigned_documents(chart_case),
        template="charts/chart_case_discharge.html",
        heading=f"Discharge {chart_case.case.name}",
        button="Discharge",
        save=lambda data: services.chart_case_discharge(
            chart_case=chart_case, by=request.user, **data
        ),
        success=f"“{chart_case.case.name}” discharged.",
    )


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def chart_case_reopen(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    closed_goals = services.goals_closed_by_discharge(chart_case)
    return _chart_case_form(
        request,
        chart_case,
        ReopenForm(request.POST or None, closed_goals=closed_goals),
        template="charts/chart_case_reopen.html",
        heading=f"Reopen {chart_case.case.name}",
        button="Reopen",
        save=lambda data: services.chart_case_reopen(
            chart_case=chart_case,
            reason=data["reason"],
            restore_goals=data.get("restore_goals") or (),
            by=request.user,
        ),
        success=f"“{chart_case.case.name}” reopened.",
        save_needs_active=False,
    )


@role_required(*READERS)
def chart_case_history(request, pk):
    chart_case = get_chart_case_for(request.user, pk, documentation=True)
    page = Paginator(chart_case_entries(chart_case), 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.words = describe(entry)
    record_access(request, obj=chart_case, patient=chart_case.patient, what="Chart case history")
    return render(
        request,
        "charts/chart_case_history.html",
        {"chart_case": chart_case, "events": page.object_list, "page_obj": page},
    )
