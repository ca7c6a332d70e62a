"""The authorizations report: its lists, the override reasons, filters refused when bad,
paged, CSV, and a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import AppointmentFactory, AuthorizationFactory, PayerFactory
from tests.hardening.helpers import logged_in


@pytest.fixture
def over(speech_chart_case, payer, therapist, treatment, location):
    """An authorization of one visit with two booked, the second over with a reason."""
    authorization = AuthorizationFactory(chart_case=speech_chart_case, payer=payer, quantity=1)
    start = datetime.datetime.combine(
        speech_chart_case.clinic.today(), datetime.time(15), datetime.UTC
    )
    for days, reason in ((1, ""), (2, "Renewal =sent")):
        AppointmentFactory(
            chart_case=speech_chart_case,
            therapist=therapist,
            appointment_type=treatment,
            location=location,
            start=start + datetime.timedelta(days=days),
            authorization_override=reason,
        )
    return authorization


def test_the_report_lists_a_visit_booked_over_with_its_reason(scheduler, over):
    page = logged_in(scheduler).get(reverse("insurance:report"), {"kind": "over"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 authorized · 0 used · 2 booked · -1 left" in html
    assert "Over because: Renewal =sent" in html


def test_the_report_filters_by_payer(scheduler, over, clinic):
    other = PayerFactory(clinic=clinic, name="Other Payer")
    page = logged_in(scheduler).get(reverse("insurance:report"), {"payer": other.pk})
    assert "No authorization matches" in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"payer": "999999"}, {"first": "yesterday"}, {"first": "2026-05-01", "last": "2026-04-01"}],
)
def test_bad_filters_are_a_400_beside_the_field(scheduler, query):
    page = logged_in(scheduler).get(reverse("insurance:report"), query)
    assert page.status_code == 400
    assert "invalid-feedback" in page.content.decode()


def test_the_csv_has_the_counts_and_reasons_and_no_formulas(scheduler, over):
    response = logged_in(scheduler).get(reverse("insurance:report"), {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert "Authorized,Used,Booked,Left" in body
    assert ",1,0,2,-1," in body
    assert "Renewal =sent" in body


# Paged by the database on the stored counts (the page and one row more, no COUNT; nothing
# counted), the settings row, and one INSERT for the page's access entries.
@pytest.mark.parametrize("size", [1, 5])
def test_the_report_runs_a_fixed_number_of_queries(
    size, scheduler, speech_chart_case, payer, django_assert_num_queries
):
    for _ in range(size):
        AuthorizationFactory(chart_case=speech_chart_case, payer=payer)
    client = logged_in(scheduler)
    client.get(reverse("insurance:report"))
    with django_assert_num_queries(12):
        assert client.get(reverse("insurance:report")).status_code == 200
    with django_assert_num_queries(12):
        assert client.get(reverse("insurance:report") + "?kind=unbooked").status_code == 200


def test_the_scheduler_home_lists_an_authorization_near_its_count(
    scheduler, speech_chart_case, payer
):
    AuthorizationFactory(chart_case=speech_chart_case, payer=payer, quantity=2, number="NEAR1")
    AuthorizationFactory(chart_case=speech_chart_case, payer=payer, quantity=30, number="FAR1")
    html = logged_in(scheduler).get("/").content.decode()
    assert "Authorizations needing attention" in html
    assert "#NEAR1, 2 authorized · 0 used · 0 booked · 2 left" in html
    assert "FAR1" not in html


def test_the_therapist_home_has_no_authorization_alerts(therapist, authorization):
    assert "Authorizations needing attention" not in logged_in(therapist).get("/").content.decode()


def _accesses(details):
    from core.models import AuditEntry

    return list(
        AuditEntry.objects.filter(action="access", details=details).values_list(
            "object_type", "object_id", "patient_id", "actor_id"
        )
    )


def test_reading_the_report_is_in_each_patients_audit_trail(
    scheduler, over, speech_chart_case, payer, clinic
):
    """Every authorization shown is an access entry of its patient, by the reader; one that
    the filters leave out is not."""
    other = AuthorizationFactory(
        chart_case=speech_chart_case, payer=PayerFactory(clinic=clinic, name="Other Payer")
    )
    page = logged_in(scheduler).get(reverse("insurance:report"), {"payer": payer.pk})

    assert page.status_code == 200
    assert _accesses("Authorizations report") == [
        ("authorization", str(over.pk), speech_chart_case.patient_id, scheduler.pk)
    ]
    assert str(other.pk) not in {row[1] for row in _accesses("Authorizations report")}


def test_the_csv_export_is_in_each_patients_audit_trail(scheduler, over, speech_chart_case):
    response = logged_in(scheduler).get(reverse("insurance:report"), {"export": "csv"})

    assert response.status_code == 200
    assert _accesses("Authorizations report (CSV)") == [
        ("authorization", str(over.pk), speech_chart_case.patient_id, scheduler.pk)
    ]


def test_a_refused_filter_reads_nothing_and_records_nothing(scheduler, over):
    page = logged_in(scheduler).get(reverse("insurance:report"), {"first": "yesterday"})

    assert page.status_code == 400
    assert _accesses("Authorizations report") == []
