"""Screens of the clinical working day around the chart: sign with attestation, discharge
summary, diagnoses and plan of care, patient contacts, the list of unsigned documents."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import User
from charts import services
from charts.access import get_chart_case_for, get_patient_for, may_write_documentation
from charts.forms import (
    DiagnosisForm,
    DischargeSummaryForm,
    PatientContactForm,
    PlanOfCareForm,
)
from charts.models import DischargeSummary, Goal
from charts.unsigned import as_dicts, unsigned_for
from charts.views.common import PAGE_SIZE, READERS, _apply, _chart_case_form, _chart_url
from core.audit import record_access
from core.inputs import parse_id
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role

# Sign with attestation --------------------------------------------------------------------


def sign_confirmation(request, *, kind, chart_case, document, spec, status=200):
    """The page that shows the attestation and asks to confirm the signature."""
    context = {
        "chart_case": chart_case,
        "document": document,
        "kind": kind,
        "noun": spec["noun"],
        "attestation": services.attestation(request.user, timezone.now(), chart_case.clinic),
    }
    return render(request, "charts/document_sign.html", context, status=status)


def sign_url(chart_case, kind, document) -> str:
    return reverse(
        "charts:document_sign", kwargs={"pk": chart_case.pk, "kind": kind, "doc_pk": document.pk}
    )


# Diagnoses and plan of care ---------------------------------------------------------------


def _plan_editor_chart_case(user, pk):
    """Administrators and the chart case's therapists keep its diagnoses and plan of care."""
    chart_case = get_chart_case_for(user, pk)
    if not (has_role(user, ADMINISTRATOR) or may_write_documentation(user, chart_case)):
        raise PermissionDenied
    return chart_case


@role_required(ADMINISTRATOR, THERAPIST)
@require_http_methods(["GET", "POST"])
def diagnosis_create(request, pk):
    chart_case = _plan_editor_chart_case(request.user, pk)
    return _chart_case_form(
        request,
        chart_case,
        DiagnosisForm(request.POST or None),
        template="charts/form_page.html",
        heading="Add Diagnosis",
        button="Save Diagnosis",
        save=lambda data: services.diagnosis_add(chart_case=chart_case, by=request.user, **data),
        success="Diagnosis added.",
    )


@role_required(ADMINISTRATOR, THERAPIST)
@require_http_methods(["GET", "POST"])
def diagnosis_delete(request, pk, diagnosis_pk):
    chart_case = _plan_editor_chart_case(request.user, pk)
    diagnosis = get_object_or_404(chart_case.diagnoses, pk=diagnosis_pk)
    context = {"chart_case": chart_case, "diagnosis": diagnosis}
    if request.method == "POST":
        try:
            services.diagnosis_delete(diagnosis=diagnosis, by=request.user)
        except ValidationError as error:
            context["error"] = error.messages[0]
            return render(request, "charts/diagnosis_delete.html", context, status=400)
        messages.success(request, f"Diagnosis {diagnosis.code} removed.")
        return redirect(_chart_url(chart_case))
    return render(request, "charts/diagnosis_delete.html", context)


@role_required(ADMINISTRATOR, THERAPIST)
@require_http_methods(["GET", "POST"])
def plan_of_care_update(request, pk):
    chart_case = _plan_editor_chart_case(request.user, pk)
    return _chart_case_form(
        request,
        chart_case,
        PlanOfCareForm(request.POST or None, instance=chart_case),
        template="charts/form_page.html",
        heading="Plan of Care",
        button="Save Plan of Care",
        save=lambda data: services.plan_of_care_update(
            chart_case=chart_case, by=request.user, **data
        ),
        success="Plan of care saved.",
    )


# Discharge summary ------------------------------------------------------------------------


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def discharge_summary_create(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    if request.method == "GET" and not chart_case.is_active:
        messages.info(request, "This case is already discharged.")
        return redirect(_chart_url(chart_case))
    unsigned = services.unsigned_documents(chart_case)
    goals = chart_case.goals.filter(status=Goal.Status.ACTIVE).order_by("kind", "start_date", "pk")
    closed_goals = chart_case.goals.exclude(status=Goal.Status.ACTIVE).order_by(
        "kind", "start_date", "pk"
    )
    form = DischargeSummaryForm(request.POST or None, chart_case=chart_case, goals=goals)
    context = {
        "form": form,
        "chart_case": chart_case,
        "unsigned": unsigned,
        "closed_goals": closed_goals,
        "attestation": services.attestation(request.user, timezone.now(), chart_case.clinic),
    }
    if request.method == "POST":
        summary = form.is_valid() and _apply(
            form,
            lambda: services.discharge_summary_sign(
                chart_case=chart_case,
                date=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
                recommendations=form.cleaned_data["recommendations"],
                goal_statuses=form.goal_statuses(),
                by=request.user,
            ),
        )
        if summary:
            messages.success(
                request, f"Discharge summary signed; “{chart_case.case.name}” discharged."
            )
            return redirect("charts:discharge_summary_detail", pk=chart_case.pk, doc_pk=summary.pk)
        context["unsigned"] = services.unsigned_documents(chart_case)
        return render(request, "charts/dischargesummary_form.html", context, status=400)
    return render(request, "charts/dischargesummary_form.html", context)


@role_required(*READERS)
def discharge_summary_detail(request, pk, doc_pk):
    chart_case = get_chart_case_for(request.user, pk, documentation=True)
    summary = get_object_or_404(
        DischargeSummary.objects.filter(chart_case=chart_case).select_related("author"),
        pk=doc_pk,
    )
    record_access(request, obj=summary, patient=chart_case.patient, what=str(summary))
    return render(
        request,
        "charts/dischargesummary_detail.html",
        {"chart_case": chart_case, "document": summary},
    )


# Patient contacts -------------------------------------------------------------------------


def _contact_page(request, patient, form, *, contact=None, status=200):
    context = {"patient": patient, "form": form, "contact": contact}
    return render(request, "charts/patientcontact_form.html", context, status=status)


@role_required(ADMINISTRATOR, SCHEDULER)
@require_http_methods(["GET", "POST"])
def contact_create(request, pk):
    patient = get_patient_for(request.user, pk)
    form = PatientContactForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and _apply(
            form,
            lambda: services.contact_create(patient=patient, by=request.user, **form.cleaned_data),
        ):
            messages.success(request, f"Contact {form.cleaned_data['name']} added.")
            return redirect("charts:patient_detail", pk=patient.pk)
        return _contact_page(request, patient, form, status=400)
    return _contact_page(request, patient, form)


@role_required(ADMINISTRATOR, SCHEDULER)
@require_http_methods(["GET", "POST"])
def contact_update(request, pk, contact_pk):
    patient = get_patient_for(request.user, pk)
    contact = get_object_or_404(patient.contacts, pk=contact_pk)
    form = PatientContactForm(request.POST or None, instance=contact)
    if request.method == "POST":
        if form.is_valid() and _apply(
            form,
            lambda: services.contact_update(contact=contact, by=request.user, **form.cleaned_data),
        ):
            messages.success(request, f"Contact {contact.name} saved.")
            return redirect("charts:patient_detail", pk=patient.pk)
        return _contact_page(request, patient, form, contact=contact, status=400)
    return _contact_page(request, patient, form, contact=contact)


@role_required(ADMINISTRATOR, SCHEDULER)
@require_http_methods(["GET", "POST"])
def contact_delete(request, pk, contact_pk):
    patient = get_patient_for(request.user, pk)
    contact = get_object_or_404(patient.contacts, pk=contact_pk)
    if request.method == "POST":
        services.contact_delete(contact=contact, by=request.user)
        messages.success(request, f"Contact {contact.name} removed.")
        return redirect("charts:patient_detail", pk=patient.pk)
    return render(
        request, "charts/patientcontact_delete.html", {"patient": patient, "contact": contact}
    )


# Unsigned documentation -------------------------------------------------------------------


@role_required(*READERS)
def unsigned_list(request):
    """Unsigned notes and evaluations: a therapist's own; an administrator's whole clinic, or
    one therapist's with ``?author=``."""
    user = request.user
    author = None
    if has_role(user, ADMINISTRATOR):
        author_id = parse_id(request.GET.get("author", ""))
        if author_id is not None:
            author = get_object_or_404(User.objects.for_clinic(user.clinic_id), pk=author_id)
    else:
        author = user
    documents = unsigned_for(clinic_id=user.clinic_id, author=author)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "charts/unsigned_list.html",
        {
            "page_obj": page,
            "documents": as_dicts(page.object_list, user.clinic.today()),
            "author": author,
            "query": f"author={author.pk}" if author and author != user else "",
        },
    )
