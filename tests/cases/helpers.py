"""Building Patient Case POST data the way the real form does, and reading what the page says."""

import html
import re
from html.parser import HTMLParser

from django.urls import reverse

from cases.history import case_entries
from cases.models import AppointmentTypeRule, PatientCase, PatientCaseServiceType
from clinic.models import AppointmentType
from core.models import AuditEntry
from tests.pages import flash_messages, page_text  # noqa: F401 (re-exported)
from tests.pages import text as _text

LIST_URL = reverse("cases:case_list")
CREATE_URL = reverse("cases:case_create")


def update_url(case) -> str:
    return reverse("cases:case_update", args=[case.pk])


def delete_url(case) -> str:
    return reverse("cases:case_delete", args=[case.pk])


def archive_url(case) -> str:
    return reverse("cases:case_archive", args=[case.pk])


def restore_url(case) -> str:
    return reverse("cases:case_restore", args=[case.pk])


def history_url(case) -> str:
    return reverse("cases:case_history", args=[case.pk])


def active_types(clinic) -> list[AppointmentType]:
    """The rows of the Appointment Requests tab, in the order the form shows them."""
    return list(AppointmentType.objects.for_clinic(clinic).active().order_by("name"))


def case_data(
    clinic,
    *,
    name: str,
    services,
    allowed: dict | None = None,
    version: int | None = None,
    confirm: bool = False,
) -> dict:
    """What the add/edit form posts: Case Details, the version (edit), one rule row per active
    appointment type. ``allowed`` maps an appointment type to the duration typed for it (any
    value, posted as text); other rows are posted unticked with the type's default duration,
    as the form prefills them."""
    allowed = allowed or {}
    types = active_types(clinic)
    data = {
        "name": name,
        "service_types": [str(service.pk) for service in services],
        "rules-TOTAL_FORMS": str(len(types)),
        "rules-INITIAL_FORMS": str(len(types)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    if version is not None:
        data["version"] = str(version)
    if confirm:
        data["confirm_service_removal"] = "on"
    for index, appointment_type in enumerate(types):
        prefix = f"rules-{index}-"
        data[f"{prefix}appointment_type"] = str(appointment_type.pk)
        if appointment_type in allowed:
            data[f"{prefix}allow_requests"] = "on"
            duration = allowed[appointment_type]
            data[f"{prefix}duration_minutes"] = "" if duration is None else str(duration)
        else:
            data[f"{prefix}duration_minutes"] = str(appointment_type.default_duration_minutes)
    return data


class _FormReader(HTMLParser):
    """Collects what a browser would submit from ``<form id="case-form">``."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.data: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == "case-form"
            return
        if not self.inside or tag != "input" or "name" not in attrs:
            return
        kind = attrs.get("type", "text")
        if kind in ("checkbox", "radio") and "checked" not in attrs:
            return
        if kind in ("submit", "button"):
            return
        value = attrs.get("value")
        if value is None:
            value = "on" if kind in ("checkbox", "radio") else ""
        self.data.setdefault(attrs["name"], []).append(value)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_data(response) -> dict[str, list[str]]:
    """The case form on a rendered page, as the browser would post it untouched."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    assert "rules-TOTAL_FORMS" in reader.data, "no case form on the page"
    return reader.data


def field_error(response, field: str) -> str:
    """The message rendered next to a Case Details field (crispy's ``invalid-feedback``), or ""."""
    match = re.search(
        rf'<div id="id_{field}_error" class="invalid-feedback">(.*?)</div>',
        response.content.decode(),
        flags=re.S,
    )
    return _text(match.group(1)) if match else ""


def rule_row(response, index: int) -> str:
    """The text of row ``index`` of the Appointment Requests table, errors included."""
    content = response.content.decode()
    marker = content.find(f'name="rules-{index}-appointment_type"')
    assert marker != -1, f"no rule row {index} on the page"
    start = content.rfind("<tr>", 0, marker)
    end = content.find("</tr>", marker)
    return _text(content[start:end])


def duration_error(response, index: int) -> str:
    match = re.search(
        rf'<div class="invalid-feedback" id="id_rules-{index}-duration_minutes-error">(.*?)</div>',
        response.content.decode(),
        flags=re.S,
    )
    return _text(match.group(1)) if match else ""


def top_errors(response) -> str:
    """The alert at the top of the form that lists the errors not tied to one field."""
    match = re.search(
        r'<div class="alert alert-danger" role="alert">\s*Please correct the errors below\.(.*?)'
        r"</div>\s*(?=<form)",
        response.content.decode(),
        flags=re.S,
    )
    return _text(match.group(1)) if match else ""


def input_value(response, name: str) -> str | None:
    """The value a text input is rendered with (what the user sees typed in it)."""
    for tag in re.findall(r"<input[^>]*>", response.content.decode()):
        if f'name="{name}"' in tag:
            match = re.search(r'value="([^"]*)"', tag)
            return html.unescape(match.group(1)) if match else ""
    return None


def case_history(case):
    """The case's audit entries, newest first."""
    return case_entries(case.clinic_id, case.pk)


def row_counts() -> dict[str, int]:
    """Every table a case write touches, counted: compare before and after a refused write."""
    return {
        "cases": PatientCase.objects.count(),
        "rules": AppointmentTypeRule.objects.count(),
        "services": PatientCaseServiceType.objects.count(),
        "history": AuditEntry.objects.exclude(action="access").count(),
    }


def case_state(case) -> dict:
    """What a refused edit must leave as it was."""
    case = PatientCase.objects.get(pk=case.pk)
    return {
        "name": case.name,
        "version": case.version,
        "archived": case.is_archived,
        "services": sorted(case.service_types.values_list("name", flat=True)),
        "rules": sorted(
            case.rules.values_list("appointment_type__name", "allow_requests", "duration_minutes")
        ),
        "history": case_history(case).count(),
    }


def put_on_charts(case, count: int, *, status: str = "active") -> list:
    """``count`` patients with ``case`` on their chart, made in two bulk inserts."""
    import datetime

    from charts.models import Patient, PatientChartCase

    patients = Patient.objects.bulk_create(
        Patient(
            clinic_id=case.clinic_id,
            first_name=f"Pat{index}",
            last_name=f"Case{case.pk}",
            date_of_birth=datetime.date(2015, 1, 1),
        )
        for index in range(count)
    )
    started = datetime.date(2025, 1, 6)
    chart_cases = PatientChartCase.objects.bulk_create(
        PatientChartCase(
            clinic_id=case.clinic_id,
            patient=patient,
            case=case,
            status=status,
            started_on=started,
            discharged_on=started if status == "discharged" else None,
        )
        for patient in patients
    )
    # A bulk insert goes around chart_case_add, which keeps the count: rebuild it as a bulk
    # load must.
    PatientCase.objects.filter(pk=case.pk).recount_patients()
    return chart_cases


def make_cases(clinic, *, count: int, services, allowed=(), by, charts: int = 0, prefix="Case"):
    """``count`` cases with ``services``, requests allowed for the ``allowed`` appointment types
    (default duration), and ``charts`` chart cases spread over them, in a few bulk inserts."""
    cases = PatientCase.objects.bulk_create(
        PatientCase(clinic=clinic, name=f"{prefix} {index:03}", created_by=by, updated_by=by)
        for index in range(count)
    )
    if not cases[0].pk:  # Backends that do not return ids from a bulk insert.
        cases = list(PatientCase.objects.filter(clinic=clinic, name__startswith=f"{prefix} "))
    PatientCaseServiceType.objects.bulk_create(
        PatientCaseServiceType(clinic=clinic, case=case, service_type=service)
        for case in cases
        for service in services
    )
    AppointmentTypeRule.objects.bulk_create(
        AppointmentTypeRule(
            clinic=clinic,
            case=case,
            appointment_type=appointment_type,
            allow_requests=True,
            duration_minutes=appointment_type.default_duration_minutes,
        )
        for case in cases
        for appointment_type in allowed
    )
    if charts:
        import datetime

        from charts.models import Patient, PatientChartCase

        patients = Patient.objects.bulk_create(
            Patient(
                clinic=clinic,
                first_name=f"Pat{index}",
                last_name=prefix,
                date_of_birth=datetime.date(2015, 1, 1),
            )
            for index in range(charts)
        )
        PatientChartCase.objects.bulk_create(
            PatientChartCase(
                clinic=clinic,
                patient=patient,
                case=cases[index % len(cases)],
                started_on=datetime.date(2025, 1, 6),
            )
            for index, patient in enumerate(patients)
        )
        PatientCase.objects.filter(pk__in=[case.pk for case in cases]).recount_patients()
    return cases
