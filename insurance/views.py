"""Payers (Admin > Basic Setup), the insurance settings, and a chart case's authorizations and
shared limits. Views are thin: a form, one service, a message, a redirect; a stale save is a
409 that keeps the input."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.audit import entry, record_access, record_many
from core.concurrency import VersionConflict, keep_input
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role
from insurance import reads, services
from insurance.access import (
    get_authorization_for,
    get_insured_chart_case_for,
    get_payer_for,
    get_shared_limit_for,
)
from insurance.counting import settings_for
from insurance.forms import (
    AuthorizationForm,
    InsuranceSettingsForm,
    PayerForm,
    ReportFilterForm,
    SharedLimitForm,
)
from insurance.models import Authorization, Payer, SharedLimit

FRONT_DESK = (ADMINISTRATOR, SCHEDULER)
READERS = (ADMINISTRATOR, SCHEDULER, THERAPIST)


def _save(request, form, template, context, save, success):
    """Validate, call the service, answer 400 (bad input) or 409 (stale) with the input kept,
    or say it was saved and redirect."""
    if request.method != "POST":
        return render(request, template, context)
    if form.is_valid():
        try:
            row = save(form)
        except VersionConflict as conflict:
            keep_input(form, conflict)
            return render(request, template, context, status=409)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, success.format(object=row))
            return None
    return render(request, template, context, status=400)


@role_required(ADMINISTRATOR)
def payer_list(request):
    page = Paginator(Payer.objects.for_clinic(request.user.clinic_id), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "insurance/payer_list.html", {"page_obj": page})


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def payer_edit(request, pk=None):
    payer = get_payer_for(request.user, pk, write=True) if pk else Payer(clinic=request.user.clinic)
    form = PayerForm(request.POST or None, instance=payer)

    def save(form):
        return services.payer_save(
            payer=form.instance, by=request.user, expected_version=form.cleaned_data.get("version")
        )

    response = _save(
        request,
        form,
        "insurance/payer_form.html",
        {"form": form, "object": payer if pk else None},
        save,
        "Payer “{object}” saved.",
    )
    return response or redirect("insurance:payer_list")


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def insurance_settings(request):
    row = settings_for(request.user.clinic_id)
    form = InsuranceSettingsForm(request.POST or None, instance=row)
    response = _save(
        request,
        form,
        "insurance/settings_form.html",
        {"form": form},
        lambda form: services.settings_save(settings=form.instance, by=request.user),
        "Insurance settings saved.",
    )
    return response or redirect("insurance:settings")


@role_required(*READERS)
def authorization_list(request, pk):
    chart_case = get_insured_chart_case_for(request.user, pk)
    rows, limits = reads.chart_case_authorizations(chart_case, today=chart_case.clinic.today())
    record_access(
        request, obj=chart_case, patient=chart_case.patient, what="Authorizations of the case"
    )
    return render(
        request,
        "insurance/authorization_list.html",
        {
            "chart_case": chart_case,
            "rows": rows,
            "limits": limits,
            "may_change": has_role(request.user, *FRONT_DESK),
        },
    )


def _authorization_form(request, chart_case, authorization, template_context):
    form = AuthorizationForm(request.POST or None, instance=authorization, chart_case=chart_case)
    if authorization.pk and not form.is_bound:
        form.initial["appointment_types"] = [t.pk for t in authorization.appointment_types.all()]

    def save(form):
        return services.authorization_save(
            authorization=form.instance,
            appointment_types=list(form.cleaned_data["appointment_types"]),
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        )

    context = {"form": form, "chart_case": chart_case, **template_context}
    response = _save(
        request,
        form,
        "insurance/authorization_form.html",
        context,
        save,
        "Authorization “{object}” saved. Visits already in its dates are counted.",
    )
    return response or redirect("insurance:authorization_list", chart_case.pk)


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def authorization_create(request, pk):
    chart_case = get_insured_chart_case_for(request.user, pk, write=True)
    authorization = Authorization(clinic_id=chart_case.clinic_id, chart_case=chart_case)
    return _authorization_form(request, chart_case, authorization, {"object": None})


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def authorization_update(request, pk):
    authorization = get_authorization_for(request.user, pk, write=True)
    chart_case = get_insured_chart_case_for(request.user, authorization.chart_case_id, write=True)
    return _authorization_form(request, chart_case, authorization, {"object": authorization})


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def shared_limit_edit(request, pk, limit_pk=None):
    """A shared limit of the chart case's patient (added or changed from the chart case)."""
    chart_case = get_insured_chart_case_for(request.user, pk, write=True)
    limit = (
        get_shared_limit_for(request.user, limit_pk, write=True)
        if limit_pk
        else SharedLimit(clinic_id=chart_case.clinic_id, patient=chart_case.patient)
    )
    if limit.patient_id != chart_case.patient_id:
        raise Http404
    form = SharedLimitForm(request.POST or None, instance=limit)

    def save(form):
        return services.shared_limit_save(
            limit=form.instance, by=request.user, expected_version=form.cleaned_data.get("version")
        )

    response = _save(
        request,
        form,
        "insurance/shared_limit_form.html",
        {"form": form, "chart_case": chart_case, "object": limit if limit_pk else None},
        save,
        "Shared limit “{object}” saved.",
    )
    return response or redirect("insurance:authorization_list", chart_case.pk)


@role_required(*FRONT_DESK)
def authorization_report(request):
    """Authorizations expiring, used up, booked over (with the reasons) and with visits left
    but nothing booked; filtered, paged, and as CSV."""
    clinic = request.user.clinic
    form = ReportFilterForm(request.GET or None, clinic_id=clinic.pk, kinds=reads.FLAGS)
    if form.is_bound and not form.is_valid():
        return render(request, "insurance/report.html", {"form": form}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    if request.GET.get("export") == "csv":
        rows = reads.report(clinic.pk, today=clinic.today(), filters=filters)
        record_accesses(request, rows, "Authorizations report (CSV)")
        return _csv(rows)
    page = reads.report_page(
        clinic.pk, today=clinic.today(), filters=filters, number=request.GET.get("page")
    )
    record_accesses(request, page.object_list, "Authorizations report")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "insurance/report.html",
        {"form": form, "page_obj": page, "query": query.urlencode(), "shown": True},
    )


def record_accesses(request, rows, what: str) -> None:
    """One access entry per authorization shown (its patient's "who accessed this record"),
    written in one INSERT."""
    record_many(
        entry(
            clinic_id=row.authorization.clinic_id,
            actor=request.user,
            action="access",
            obj=row.authorization,
            patient=row.authorization.patient,
            details=what,
        )
        for row in rows
    )


def _csv(rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="authorizations.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Patient",
            "Case",
            "Payer",
            "Number",
            "First date",
            "Last date",
            "Counted in",
            "Authorized",
            "Used",
            "Booked",
            "Left",
            "Lists",
            "Override reasons",
        ]
    )
    for row in rows:
        a = row.authorization
        writer.writerow(
            [
                _cell(v)
                for v in (
                    a.patient,
                    row.case,
                    a.payer,
                    a.number,
                    a.first_date,
                    a.last_date,
                    a.get_unit_display(),
                    row.tally.authorized,
                    row.tally.used,
                    row.tally.booked,
                    row.tally.left,
                    "; ".join(row.flags),
                    "; ".join(row.reasons),
                )
            ]
        )
    return response


def _cell(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not text[1:2].isdigit() else text
