"""The one gate that loads patients and chart cases for a user: what they may not see is a
404, what they may see but not do is a 403. Views load rows only through here."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from charts import reads
from charts.models import Patient, PatientChartCase
from core.roles import ADMINISTRATOR, SCHEDULER, role_names


def get_patient_for(user, pk, *, write: bool = False) -> Patient:
    """Administrators and schedulers change patients' details; therapists read them."""
    patient = get_object_or_404(Patient.objects.visible_to(user), pk=pk)
    if write and not role_names(user) & {ADMINISTRATOR, SCHEDULER}:
        raise PermissionDenied
    return patient


def get_chart_for(
    user, pk, *, unsigned_counts: bool = True
) -> tuple[Patient, list[PatientChartCase]]:
    """The chart page's gate: the patient as ``get_patient_for`` loads it and the chart cases
    the user sees on their chart (``PatientChartCase.objects.visible_to``), in the order of the
    tabs, each answering ``may_write_documentation`` without a query (and with
    ``unsigned_counts``, its ``unsigned_count``). One query when the chart has a case the user
    sees (the patient comes with it), a second for the patient otherwise."""
    if not 0 < pk < 2**63:  # not a row id (the URL takes any digits)
        raise Http404
    chart_cases = list(reads.chart_tabs(user, pk, unsigned_counts=unsigned_counts))
    if not chart_cases:
        return get_patient_for(user, pk), []
    patient = chart_cases[0].patient
    for chart_case in chart_cases:
        chart_case.patient = patient
    return patient, chart_cases


def may_write_documentation(user, chart_case: PatientChartCase) -> bool:
    """Asked by the gate, the page and its template alike: the EXISTS query runs once per
    chart case and request, its answer kept on the user object (one per request)."""
    # Loaded through ``get_chart_for`` (the chart page): already answered.
    annotated = getattr(chart_case, "documentable", None)
    if annotated is not None:
        return bool(annotated)
    answers = getattr(user, "_documentable_chart_cases", None)
    if answers is None:
        answers = user._documentable_chart_cases = {}
    if chart_case.pk not in answers:
        answers[chart_case.pk] = (
            PatientChartCase.objects.documentable_by(user).filter(pk=chart_case.pk).exists()
        )
    return answers[chart_case.pk]


def documentation_access(user, chart_case: PatientChartCase) -> tuple[bool, bool]:
    """(may read, may write) the chart case's documentation. Administrators read all of it;
    therapists read and write that of their service types; schedulers none. The role alone
    is not enough: a therapist who is also a scheduler loads every chart case of the clinic
    but reads only their own services' documentation."""
    may_write = may_write_documentation(user, chart_case)
    return may_write or ADMINISTRATOR in role_names(user), may_write


def may_read_documentation(user, chart_case: PatientChartCase) -> bool:
    return documentation_access(user, chart_case)[0]


def get_chart_case_for(user, pk, *, documentation: bool = False, write: bool = False):
    """A chart case the user sees (404 otherwise); ``documentation``: they must read its
    documentation, ``write``: write it (403 otherwise)."""
    chart_case = get_object_or_404(
        PatientChartCase.objects.visible_to(user).select_related("patient", "case", "clinic"),
        pk=pk,
    )
    if documentation and not may_read_documentation(user, chart_case):
        raise PermissionDenied
    if write and not may_write_documentation(user, chart_case):
        raise PermissionDenied
    return chart_case
