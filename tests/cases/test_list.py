"""The Patient Cases list: sorted, filtered, counted, paginated, in a fixed number of queries."""

import html
import re

import pytest
from django.utils import timezone

from cases import services
from tests.cases.helpers import (
    LIST_URL,
    flash_messages,
    make_cases,
    page_text,
    put_on_charts,
    update_url,
)
from tests.factories import AppointmentTypeFactory, PatientCaseFactory, ServiceTypeFactory


def _rows(response) -> list[str]:
    """The text of each row of the cases table, in page order."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    if not body:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def _names(response) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", name)
        for name in re.findall(
            r'<a href="/setup/patient-cases/\d+/">([^<]*)</a>', response.content.decode()
        )
    ]


@pytest.fixture
def clinic_cases(clinic, administrator, speech, occupational, types):
    """Three cases, made out of name order: a shared one on three charts, two unused."""
    evaluation, treatment = types
    make = {
        "Speech Therapy": [speech],
        "Articulation": [speech],
        "Feeding Therapy": [speech, occupational],
    }
    cases = {
        name: PatientCaseFactory(
            clinic=clinic, name=name, service_types=services_, created_by=administrator
        )
        for name, services_ in make.items()
    }
    from tests.factories import AppointmentTypeRuleFactory

    AppointmentTypeRuleFactory(
        case=cases["Feeding Therapy"], appointment_type=treatment, duration_minutes=45
    )
    AppointmentTypeRuleFactory(
        case=cases["Feeding Therapy"], appointment_type=evaluation, duration_minutes=90
    )
    AppointmentTypeRuleFactory(
        case=cases["Speech Therapy"], appointment_type=treatment, allow_requests=False
    )
    put_on_charts(cases["Feeding Therapy"], 3)
    return cases


def test_list_shows_cases_sorted_by_name_with_their_details(administrator_client, clinic_cases):
    response = administrator_client.get(LIST_URL)

    assert response.status_code == 200
    assert _names(response) == ["Articulation", "Feeding Therapy", "Speech Therapy"]
    articulation, feeding, speech_row = _rows(response)
    assert feeding.startswith(
        "Feeding Therapy Shared Occupational Therapy, Speech Therapy "
        "Evaluation (90 min), Treatment (45 min) 3 "
    )
    # A rule that does not allow requests is not listed; a case on no chart is flagged.
    assert speech_row.startswith("Speech Therapy Speech Therapy None Unused ")
    assert articulation.startswith("Articulation Speech Therapy None Unused ")
    # A case on charts offers Archive (a delete would only be refused); an unused one Delete.
    assert "Archive Feeding Therapy" in feeding and "Delete" not in feeding
    assert "Delete Articulation" in articulation
    assert f'href="{update_url(clinic_cases["Feeding Therapy"])}"' in response.content.decode()


def test_list_counts_patients_not_chart_cases(administrator_client, clinic_cases):
    """One patient discharged from the case and started on it again counts once."""
    from tests.factories import PatientChartCaseFactory, PatientFactory

    case = clinic_cases["Articulation"]
    patient = PatientFactory(clinic=case.clinic)
    PatientChartCaseFactory(
        case=case,
        patient=patient,
        status="discharged",
        started_on="2024-01-08",
        discharged_on="2024-03-04",
    )
    PatientChartCaseFactory(case=case, patient=patient, started_on="2025-01-06")

    articulation = _rows(administrator_client.get(LIST_URL))[0]

    assert articulation.startswith("Articulation Speech Therapy None 1 ")


def test_list_rows_escape_names_and_sort_details_by_name(
    administrator_client, administrator, clinic
):
    """The rows are built in Python (cases/views.py): every name a user typed is escaped once,
    wherever it appears, and services and requestable types are listed by name, ignoring case;
    an inactive type is not offered."""
    quoted = ServiceTypeFactory(clinic=clinic, name='Art & "Music" <Therapy>')
    lower = ServiceTypeFactory(clinic=clinic, name="aquatic therapy")
    visit = AppointmentTypeFactory(clinic=clinic, name="<b>Visit</b>")
    call = AppointmentTypeFactory(clinic=clinic, name="call back")
    retired = AppointmentTypeFactory(clinic=clinic, name="Retired", is_active=False)
    case = PatientCaseFactory(
        clinic=clinic, name="<script>x</script> & Co", service_types=[quoted, lower]
    )
    from tests.factories import AppointmentTypeRuleFactory

    for appointment_type, minutes in [(visit, 30), (call, 15), (retired, 60)]:
        AppointmentTypeRuleFactory(
            case=case, appointment_type=appointment_type, duration_minutes=minutes
        )

    content = administrator_client.get(LIST_URL).content.decode()

    assert "<script>x" not in content and "<b>Visit" not in content
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co</a>" in content
    assert 'title="Delete &lt;script&gt;x&lt;/script&gt; &amp; Co"' in content
    (row,) = _rows(administrator_client.get(LIST_URL))
    assert html.unescape(row).startswith(
        '<script>x</script> & Co Shared aquatic therapy, Art & "Music" <Therapy> '
        "<b>Visit</b> (30 min), call back (15 min) Unused "
    )


def test_list_shows_only_this_clinics_cases(
    administrator_client, clinic_cases, other_clinic, other_admin
):
    PatientCaseFactory(clinic=other_clinic, name="Hillside Case", created_by=other_admin)

    assert "Hillside Case" not in page_text(administrator_client.get(LIST_URL))


def test_filter_by_service(administrator_client, clinic_cases, occupational):
    response = administrator_client.get(LIST_URL, {"service": occupational.pk})

    assert _names(response) == ["Feeding Therapy"]
    assert f'<option value="{occupational.pk}" selected>' in response.content.decode()


def test_filter_by_a_service_with_no_cases(administrator_client, clinic_cases, clinic):
    idle = ServiceTypeFactory(clinic=clinic, name="Music Therapy")

    response = administrator_client.get(LIST_URL, {"service": idle.pk})

    assert response.status_code == 200
    assert "No patient cases for Music Therapy yet." in page_text(response)


@pytest.mark.parametrize("value", ["other clinic", "999999", "abc"])
def test_filter_by_a_service_that_is_not_ours_shows_all_with_a_warning(
    administrator_client, clinic_cases, other_service, value
):
    service = str(other_service.pk) if value == "other clinic" else value

    response = administrator_client.get(LIST_URL, {"service": service})

    assert response.status_code == 200
    assert "That service type filter is not one of yours; showing all." in flash_messages(response)
    assert _names(response) == ["Articulation", "Feeding Therapy", "Speech Therapy"]
    assert "Hillside Speech" not in page_text(response)


def test_archived_cases_are_hidden_unless_asked_for(
    administrator_client, administrator, clinic_cases
):
    services.case_archive(case=clinic_cases["Articulation"], by=administrator)

    assert _names(administrator_client.get(LIST_URL)) == ["Feeding Therapy", "Speech Therapy"]
    response = administrator_client.get(LIST_URL, {"archived": "1"})
    assert _names(response) == ["Articulation", "Feeding Therapy", "Speech Therapy"]
    assert _rows(response)[0].startswith("Articulation Archived ")


def test_guidance_counts_active_cases_per_active_service(
    administrator_client, administrator, clinic, clinic_cases, physical_inactive
):
    services.case_archive(case=clinic_cases["Articulation"], by=administrator)
    PatientCaseFactory(clinic=clinic, name="Old rehab", service_types=[physical_inactive])

    text = page_text(administrator_client.get(LIST_URL))

    assert "Active cases per service: Occupational Therapy: 1 Speech Therapy: 2" in text
    assert "Physical Therapy: " not in text
    assert "Cases no chart uses are marked Unused" in text


def test_add_button_opens_the_add_screen(administrator_client, clinic_cases):
    content = administrator_client.get(LIST_URL).content.decode()

    assert '<a class="btn btn-primary btn-lg shadow" href="/setup/patient-cases/add/">' in content
    assert "+ Patient Case</a>" in content


def test_list_paginates_past_50_cases(administrator_client, administrator, clinic, speech):
    make_cases(clinic, count=55, services=[speech], by=administrator)

    first = administrator_client.get(LIST_URL)
    second = administrator_client.get(LIST_URL, {"page": 2})

    assert len(_names(first)) == 50
    assert "Page 1 of 2" in page_text(first)
    assert _names(second) == [f"Case {index:03}" for index in range(50, 55)]
    assert "Page 2 of 2" in page_text(second)


@pytest.mark.parametrize(
    ("asked", "shown"), [("9", 2), ("abc", 1), ("0", 1), ("", 1), ("99999999999999999999", 2)]
)
def test_a_page_out_of_range_shows_the_nearest_one(
    administrator_client, administrator, clinic, speech, asked, shown
):
    """The page and the list's count come from one query; a page past the end is answered with
    the last one (counted apart), a page that is no number with the first."""
    make_cases(clinic, count=55, services=[speech], by=administrator)

    response = administrator_client.get(LIST_URL, {"page": asked})

    assert response.status_code == 200
    assert f"Page {shown} of 2" in page_text(response)
    assert len(_names(response)) == (50 if shown == 1 else 5)


def test_an_empty_list_says_so_without_a_pager(administrator_client):
    response = administrator_client.get(LIST_URL, {"q": "nothing like this"})

    assert response.status_code == 200
    assert "No patient cases named like" in html.unescape(page_text(response))
    assert "Page 1" not in page_text(response)


def test_pagination_keeps_the_filters(
    administrator_client, administrator, clinic, speech, occupational
):
    make_cases(clinic, count=51, services=[occupational], by=administrator)
    make_cases(clinic, count=5, services=[speech], by=administrator, prefix="Other")

    response = administrator_client.get(LIST_URL, {"service": occupational.pk, "archived": "1"})

    assert "Page 1 of 2" in page_text(response)
    assert f'href="?service={occupational.pk}&amp;archived=1&amp;page=2"' in (
        response.content.decode()
    )


@pytest.mark.parametrize(("cases", "chart_cases"), [(2, 2), (30, 300)])
def test_list_query_count_does_not_grow_with_cases_or_charts(
    administrator_client,
    administrator,
    clinic,
    speech,
    occupational,
    types,
    cases,
    chart_cases,
    django_assert_num_queries,
):
    make_cases(
        clinic,
        count=cases,
        services=[speech, occupational],
        allowed=types,
        by=administrator,
        charts=chart_cases,
    )

    # Session, user with roles; services with their case counts; the page's cases with their
    # services and rules and the count of the whole list (one query); the Schedule tab's
    # pending-request count; the session saved in a savepoint.
    with django_assert_num_queries(8):
        response = administrator_client.get(LIST_URL)

    rows = _rows(response)
    assert len(rows) == cases
    assert f"Evaluation (60 min), Treatment (45 min) {chart_cases // cases} Archive" in rows[0]


@pytest.mark.parametrize(("appointment_types", "chart_cases"), [(2, 1), (8, 200)])
def test_edit_page_query_count_does_not_grow_with_rules_or_charts(
    administrator_client,
    administrator,
    clinic,
    speech,
    appointment_types,
    chart_cases,
    django_assert_num_queries,
):
    types = [
        AppointmentTypeFactory(clinic=clinic, name=f"Visit {index}")
        for index in range(appointment_types)
    ]
    (case,) = make_cases(
        clinic, count=1, services=[speech], allowed=types, by=administrator, charts=chart_cases
    )

    # Session, user with roles; the case (its charts not counted: only a save that removes a
    # service needs that); the appointment types with the case's rules; the services, with which
    # the case has; the Schedule tab's pending-request count; whether anything uses the case
    # (Delete is offered only when nothing does); the session saved in a savepoint.
    with django_assert_num_queries(10):
        response = administrator_client.get(update_url(case))

    assert response.status_code == 200
    reach = "the 1 patient" if chart_cases == 1 else f"all {chart_cases} patients"
    assert f"Changes apply to {reach} with this case" in page_text(response)
    assert response.content.decode().count("rules-") > appointment_types


def test_list_sorts_names_the_way_people_read_them(
    administrator_client, administrator, clinic, speech
):
    """Capitals do not jump ahead: "apraxia" sits between "Ankle" and "Balance", on every
    database and collation."""
    for name in ["Balance", "apraxia", "Ankle", "cognition"]:
        PatientCaseFactory(
            clinic=clinic, name=name, service_types=[speech], created_by=administrator
        )

    assert _names(administrator_client.get(LIST_URL)) == [
        "Ankle",
        "apraxia",
        "Balance",
        "cognition",
    ]


def test_the_list_searches_case_names(administrator_client, clinic_cases):
    response = administrator_client.get(LIST_URL + "?q=+therapy+")

    assert _names(response) == ["Feeding Therapy", "Speech Therapy"]
    assert 'value="therapy"' in response.content.decode()
    nothing = administrator_client.get(LIST_URL + "?q=zzz")
    assert "No patient cases named like “zzz”." in html.unescape(nothing.content.decode())


def test_an_archived_case_offers_restore(administrator_client, clinic_cases):
    case = clinic_cases["Feeding Therapy"]
    case.is_archived = True
    case.archived_at = timezone.now()
    case.save()

    response = administrator_client.get(LIST_URL + "?archived=1")

    feeding = next(row for row in _rows(response) if row.startswith("Feeding Therapy"))
    assert "Restore Feeding Therapy" in feeding
