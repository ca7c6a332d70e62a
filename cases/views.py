from html import escape

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
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
from core.deletion import protected_uses
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
            "rows": _case_rows(page.object_list, request.path),
            "service_types": services_for_filter,
            "selected_service": selected_service,
            "show_archived": show_archived,
            "q": name_query,
            "list_url": request.path,
        },
    )


_CASE_ROW = (
    '<tr><td><a href="{url}">{name}</a>{badges}</td><td data-label="Services">{services}</td>'
    '<td data-label="Patients may request">{requestable}</td>'
    '<td class="text-end" data-label="Patients">{patients}</td>'
    '<td class="text-end text-nowrap">{action}</td></tr>'
)
# A case on a chart cannot be deleted: the row offers what can be done with it.
_RESTORE = (
    '<a class="btn btn-sm btn-outline-secondary" href="{url}restore/">Restore'
    '<span class="visually-hidden"> {name}</span></a>'
)
_ARCHIVE = (
    '<a class="btn btn-sm btn-outline-secondary" href="{url}archive/">Archive'
    '<span class="visually-hidden"> {name}</span></a>'
)
_DELETE = (
    '<a class="btn btn-sm btn-outline-danger" href="{url}delete/" title="Delete {name}">'
    '<svg aria-hidden="true" focusable="false" width="16" height="16"><use href="#icon-trash">'
    '</use></svg><span class="visually-hidden">Delete {name}</span></a>'
)
_ARCHIVED = ' <span class="badge text-bg-secondary ms-1">Archived</span>'
_SHARED = ' <span class="badge text-bg-info ms-1">Shared</span>'
_NONE = '<span class="text-body-secondary">None</span>'
_UNUSED = '<span class="badge text-bg-warning">Unused</span>'


def _case_rows(cases, list_url: str) -> str:
    """The list's rows as one piece of HTML, built in Python as Django admin builds its
    changelist rows (``items_for_result``): with 50 rows, three loops and a dozen variables a
    row, the template language was 60% of this page's time (bench/), and the issue asks for
    twice the admin changelist's throughput. Plain ``str.format`` with every name escaped
    once by the standard library's ``html.escape`` (what Django's ``escape`` calls, without
    its lazy-string wrapper). The markup is the table in the template."""
    rows = []
    list_url = escape(list_url)
    for case in cases:
        services, requestable = setup_list_details(case)
        name = escape(case.name)
        url = f"{list_url}{case.pk}/"
        if case.is_archived:
            action = _RESTORE
        elif case.patient_count:
            action = _ARCHIVE
        else:
            action = _DELETE
        rows.append(
            _CASE_ROW.format(
                url=url,
                name=name,
                badges=(_ARCHIVED if case.is_archived else "")
                + (_SHARED if len(services) > 1 else ""),
                services=escape(", ".join(services)),
                requestable=escape(
                    ", ".join(f"{type_name} ({minutes} min)" for type_name, minutes in requestable)
                )
                or _NONE,
                patients=case.patient_count or _UNUSED,
                action=action.format(url=url, name=name),
            )
        )
    return mark_safe("\n".join(rows))  # every value from the database escaped above


def _service_checkboxes(form) -> str:
    """The Services checkboxes, written as crispy-forms' Bootstrap 5 pack writes them (same
    ids, classes and ARIA; the errors inside the last one, where Bootstrap shows them). Built
    here, as the list's rows are: in the template language a checkbox took a dozen lookups,
    and this form's two loops were most of its rendering time (bench/)."""
    errors = form.errors.get("service_types")
    invalid = " is-invalid" if errors else ""
    aria = ' aria-invalid="true"' if errors else ""
    options = form.service_options
    boxes = []
    for index, (value, label, ticked) in enumerate(options):
        feedback = ""
        if errors and index == len(options) - 1:
            feedback = (
                '<div id="id_service_types_error" class="invalid-feedback">'
                + "".join(
                    f'<p id="error_{number}_id_service_types">'
                    f"<strong>{escape(str(error))}</strong></p>"
                    for number, error in enumerate(errors, 1)
                )
                + "</div>"
            )
        boxes.append(
            f'<div class="form-check"><input type="checkbox" class="form-check-input{invalid}" '
            f'name="service_types" value="{escape(value)}" id="id_service_types_{index}"'
            f"{' checked' if ticked else ''}{aria}>"
            f'<label for="id_service_types_{index}" class="form-check-label">{escape(label)}'
            f"</label>{feedback}</div>"
        )
    return mark_safe("\n".join(boxes))  # every value escaped above


def _rule_rows(formset) -> str:
    """The Appointment Requests rows (``BaseRuleFormSet.rows``), each with its errors beside
    the input they concern; built here for the same reason as the checkboxes."""
    rows = []
    for row in formset.rows:
        prefix = escape(row.prefix)
        name = escape(row.type_name)
        duration_id = f"id_{prefix}-duration_minutes"
        invalid = aria = ""
        if row.duration_errors:
            invalid = " is-invalid"
            aria = f' aria-invalid="true" aria-describedby="{duration_id}-error"'
        rows.append(
            "<tr>"
            f'<th scope="row"><input type="hidden" name="{prefix}-appointment_type" '
            f'value="{escape(str(row.type_value))}" id="id_{prefix}-appointment_type">{name}'
            + "".join(
                f'<div class="text-danger small">{escape(str(error))}</div>' for error in row.errors
            )
            + "</th>"
            '<td><div class="form-check"><input class="form-check-input" type="checkbox" '
            f'name="{prefix}-allow_requests" id="id_{prefix}-allow_requests"'
            f"{' checked' if row.allowed else ''}>"
            f'<label class="form-check-label" for="id_{prefix}-allow_requests">Allow'
            f'<span class="visually-hidden"> {name}</span></label></div></td>'
            f'<td><label class="visually-hidden" for="{duration_id}">Duration of {name} in minutes'
            '</label><input type="number" min="5" max="480" step="5" '
            f'class="form-control mw-8rem{invalid}" name="{prefix}-duration_minutes" '
            f'id="{duration_id}" value="{escape(str(row.minutes))}"{aria}>'
            + "".join(
                f'<div class="invalid-feedback" id="{duration_id}-error">{escape(str(error))}</div>'
                for error in row.duration_errors
            )
            + "</td></tr>"
        )
    return mark_safe("\n".join(rows))  # every value escaped above


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
            "service_checkboxes": _service_checkboxes(form),
            "rule_rows": _rule_rows(formset),
            "list_url": list_url,
            "case_url": f"{list_url}{case.pk}/" if case else None,
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
