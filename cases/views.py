from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cases import services
from cases.access import get_case_for
from cases.forms import PatientCaseForm, RuleFormSet, rule_initial, rule_rows
from cases.history import case_entries
from cases.models import (
    SETUP_LIST_FIELDS,
    PatientCase,
    services_with_active_case_counts,
    setup_list_details,
)
from core.deletion import in_use, protected_uses
from core.links import link
from core.pagination import counted_page
from core.permissions import role_required
from core.roles import ADMINISTRATOR

PAGE_SIZE = 50


@role_required(ADMINISTRATOR)
def case_list(request):
    clinic = request.user.clinic
    services_for_filter = list(services_with_active_case_counts(clinic))
    cases = PatientCase.objects.visible_to(request.user)
    selected_service = None
    service_param = request.GET.get("service", "")
    if service_param:
        selected_service = next(
            (service for service in services_for_filter if str(service.pk) == service_param), None
        )
        if selected_service is None:
            messages.warning(request, "That service type filter is not one of yours; showing all.")
        else:
            cases = cases.filter(service_types=selected_service.pk)
    show_archived = request.GET.get("archived") == "1"
    if not show_archived:
        cases = cases.pickable()
    name_query = " ".join(request.GET.get("q", "").split())[:100]
    if name_query:
        cases = cases.filter(name__icontains=name_query)
    page = counted_page(
        cases.for_setup_list(), PAGE_SIZE, request.GET.get("page"), fields=SETUP_LIST_FIELDS
    )
    return render(
        request,
        "cases/patientcase_list.html",
        {
            "page_obj": page,
            "cases": page.object_list,
            "rows": _case_rows(
                page.object_list,
                request.path,
                {service.pk: service.name for service in services_for_filter},
            ),
            "service_types": services_for_filter,
            "selected_service": selected_service,
            "show_archived": show_archived,
            "q": name_query,
            "list_url": request.path,
        },
    )


class CaseRow(NamedTuple):
    """A row of the list as it shows it: plain values, the names sorted and joined."""

    url: str
    name: str
    is_archived: bool
    shared: bool
    services: str
    requestable: str
    patient_count: int
    in_use: bool


def _case_rows(cases, list_url: str, service_names: dict) -> list[CaseRow]:
    """The page's rows. Links are built on the list's own URL (cases/urls.py): a ``{% url %}``
    a row and link was a measurable part of this page's time at 50 rows."""
    rows = []
    for case in cases:
        services, requestable = setup_list_details(case, service_names)
        rows.append(
            CaseRow(
                url=f"{list_url}{case.pk}/",
                name=case.name,
                is_archived=case.is_archived,
                shared=len(services) > 1,
                services=", ".join(services),
                requestable=", ".join(f"{name} ({minutes} min)" for name, minutes in requestable),
                patient_count=case.patient_count,
                in_use=case.in_use,
            )
        )
    return rows


def _bind(request, *, case=None, data=None):
    """The Case Details form and the Appointment Requests rows, bound to ``data`` or the POST."""
    clinic = request.user.clinic
    appointment_types = rule_rows(clinic, case)
    if data is None and request.method == "POST":
        data = request.POST
    form = PatientCaseForm(data, instance=case, clinic=clinic)
    formset = RuleFormSet(
        data,
        prefix="rules",
        initial=rule_initial(appointment_types),
        appointment_types=appointment_types,
    )
    return form, formset


def _render_form(request, form, formset, *, case=None, status=200, conflict=None):
    # The tab open as served: Case Details, or Appointment Requests when only it has errors.
    requests_first = formset.is_bound and formset.total_error_count() and not form.errors
    list_url = link("cases:case_list")
    return render(
        request,
        "cases/patientcase_form.html",
        {
            "form": form,
            "formset": formset,
            "case": case,
            "conflict": conflict,
            "open_tab": "requests" if requests_first else "details",
            "list_url": list_url,
            "case_url": f"{list_url}{case.pk}/" if case else None,
            # Delete only where it can succeed (the rule case_delete refuses over).
            "deletable": case is not None and not in_use(case, protected=True),
        },
        status=status,
    )


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def case_create(request):
    form, formset = _bind(request)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                case = services.case_create(
                    clinic=request.user.clinic,
                    name=form.cleaned_data["name"],
                    service_types=form.cleaned_data["service_types"],
                    rules=formset.rule_inputs(),
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Patient case “{case.name}” saved.")
                return redirect("cases:case_list")
        return _render_form(request, form, formset, status=400)
    return _render_form(request, form, formset)


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def case_update(request, pk):
    case = get_case_for(request.user, pk, write=True)
    form, formset = _bind(request, case=case)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                updated = services.case_update(
                    case=case,
                    expected_version=form.cleaned_data["version"],
                    name=form.cleaned_data["name"],
                    service_types=form.cleaned_data["service_types"],
                    rules=formset.rule_inputs(),
                    by=request.user,
                )
            except services.CaseChangedError as conflict:
                # Keep this administrator's input; the next save applies it over the new state.
                data = request.POST.copy()
                data["version"] = conflict.case.version
                fresh = get_case_for(request.user, pk, write=True)
                form, formset = _bind(request, case=fresh, data=data)
                form.is_valid()
                return _render_form(
                    request, form, formset, case=fresh, status=409, conflict=conflict
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if updated.version == form.cleaned_data["version"]:
                    messages.info(request, f"No changes to save in “{updated.name}”.")
                else:
                    messages.success(request, f"Patient case “{updated.name}” saved.")
                return redirect("cases:case_list")
        return _render_form(request, form, formset, case=case, status=400)
    return _render_form(request, form, formset, case=case)


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def case_delete(request, pk):
    case = get_case_for(request.user, pk, write=True)
    uses = protected_uses(case)
    if request.method == "POST":
        if not uses:
            try:
                services.case_delete(case=case, by=request.user)
            except services.CaseInUseError as error:
                uses = error.uses
            else:
                messages.success(request, f"Patient case “{case.name}” deleted.")
                return redirect("cases:case_list")
        return render(
            request, "cases/patientcase_delete.html", {"case": case, "uses": uses}, status=409
        )
    return render(request, "cases/patientcase_delete.html", {"case": case, "uses": uses})


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def case_archive(request, pk, archive):
    case = get_case_for(request.user, pk, write=True)
    if request.method == "POST":
        service = services.case_archive if archive else services.case_restore
        try:
            service(case=case, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("cases:case_list")
        if archive:
            messages.success(
                request,
                f"Patient case “{case.name}” archived. It stays on the charts that have it and "
                "is no longer offered for anything new.",
            )
        else:
            messages.success(request, f"Patient case “{case.name}” restored.")
        return redirect("cases:case_list")
    return render(request, "cases/patientcase_archive.html", {"case": case, "archive": archive})


@role_required(ADMINISTRATOR)
def case_history(request, pk):
    case = get_case_for(request.user, pk)
    entries = case_entries(case.clinic_id, case.pk)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/patientcase_history.html",
        {"case": case, "entries": page.object_list, "page_obj": page},
    )
