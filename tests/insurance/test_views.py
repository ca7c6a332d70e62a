"""The insurance screens: what a scheduler and an administrator see and save, bad input
refused beside its field with nothing written, a stale save a 409 keeping the input, every
change in the audit trail, and the chart case's page at a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from core.models import AuditEntry
from insurance.models import Authorization, Payer, SharedLimit
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AuthorizationFactory,
    ClinicFactory,
)
from tests.hardening.helpers import logged_in


def _form(chosen, **changes):
    data = {
        "payer": chosen.pk,
        "number": "PA-100",
        "first_date": "2026-01-01",
        "last_date": "2026-12-31",
        "unit": "visits",
        "quantity": "12",
        "cap_period": "",
        "cap": "",
        "shared_limit": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_payer_names_are_unique_ignoring_case_and_spaces(administrator, payer):
    client = logged_in(administrator)
    response = client.post(reverse("insurance:payer_create"), {"name": "  blue   SHIELD "})
    assert response.status_code == 400
    assert "exists already" in response.content.decode()
    assert Payer.objects.count() == 1
    response = client.post(reverse("insurance:payer_create"), {"name": "  Aetna  Health "})
    assert response.status_code == 302
    assert Payer.objects.filter(name="Aetna Health").exists()
    assert AuditEntry.objects.filter(object_type="payer", action="create").exists()


def test_a_scheduler_adds_an_authorization_which_counts_the_visits_already_booked(
    scheduler, speech_chart_case, payer, treatment, therapist
):
    today = speech_chart_case.clinic.today()
    AppointmentFactory(
        chart_case=speech_chart_case,
        therapist=therapist,
        appointment_type=treatment,
        start=datetime.datetime.combine(today, datetime.time(15), datetime.UTC)
        + datetime.timedelta(days=2),
    )
    client = logged_in(scheduler)
    url = reverse("insurance:authorization_create", args=[speech_chart_case.pk])
    response = client.post(
        url,
        _form(
            payer,
            first_date=str(today - datetime.timedelta(days=5)),
            last_date=str(today + datetime.timedelta(days=30)),
            quantity="3",
        ),
    )
    assert response.status_code == 302, response.content.decode()
    page = client.get(reverse("insurance:authorization_list", args=[speech_chart_case.pk]))
    assert "3 authorized · 0 used · 1 booked · 2 left" in page.content.decode()
    entry = AuditEntry.objects.get(object_type="authorization", action="create")
    assert entry.patient_id == speech_chart_case.patient_id


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"last_date": "2025-12-01"}, "last_date", "must not be before"),
        ({"quantity": "0"}, "quantity", "greater than or equal to 1"),
        ({"quantity": "-3"}, "quantity", "greater than or equal to 1"),
        ({"cap_period": "week"}, "cap", "with its period"),
        ({"cap": "2"}, "cap", "with its period"),
        ({"payer": "999999"}, "payer", "Select a valid choice"),
        ({"shared_limit": "999999"}, "shared_limit", "Select a valid choice"),
        ({"number": ""}, "number", "required"),
        ({"first_date": "not a date"}, "first_date", "valid date"),
        ({"unit": "hours"}, "unit", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    scheduler, speech_chart_case, payer, changes, field, message
):
    client = logged_in(scheduler)
    url = reverse("insurance:authorization_create", args=[speech_chart_case.pk])
    response = client.post(url, _form(payer, **changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Authorization.objects.exists()


def test_an_appointment_type_of_another_clinic_is_refused(scheduler, speech_chart_case, payer):
    foreign = AppointmentTypeFactory(clinic=ClinicFactory())
    client = logged_in(scheduler)
    url = reverse("insurance:authorization_create", args=[speech_chart_case.pk])
    response = client.post(url, {**_form(payer), "appointment_types": [foreign.pk]})
    assert response.status_code == 400
    assert "appointment_types" in response.context["form"].errors
    assert not Authorization.objects.exists()


def test_a_duplicate_number_for_the_same_payer_and_patient_is_refused(
    scheduler, speech_chart_case, payer, authorization
):
    client = logged_in(scheduler)
    url = reverse("insurance:authorization_create", args=[speech_chart_case.pk])
    response = client.post(url, _form(payer, number=authorization.number))
    assert response.status_code == 400
    assert "already has an authorization with this number" in response.content.decode()
    assert Authorization.objects.count() == 1


def test_a_shared_limit_below_one_is_refused(scheduler, speech_chart_case):
    client = logged_in(scheduler)
    url = reverse("insurance:shared_limit_create", args=[speech_chart_case.pk])
    response = client.post(url, {"name": "Total", "quantity": "-1"})
    assert response.status_code == 400
    assert "quantity" in response.context["form"].errors
    assert not SharedLimit.objects.exists()


def test_a_stale_save_is_a_409_that_keeps_the_input(scheduler, authorization, payer):
    client = logged_in(scheduler)
    url = reverse("insurance:authorization_update", args=[authorization.pk])
    data = _form(
        payer,
        number=authorization.number,
        first_date=str(authorization.first_date),
        last_date=str(authorization.last_date),
        quantity="20",
        version=str(authorization.version),
    )
    assert client.post(url, {**data, "quantity": "15"}).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 409
    assert 'value="20"' in response.content.decode()
    authorization.refresh_from_db()
    assert authorization.quantity == 15


def test_a_therapist_reads_the_authorizations_but_cannot_add(therapist, authorization):
    client = logged_in(therapist)
    page = client.get(reverse("insurance:authorization_list", args=[authorization.chart_case_id]))
    assert page.status_code == 200
    assert "+ Authorization" not in page.content.decode()
    add = reverse("insurance:authorization_create", args=[authorization.chart_case_id])
    assert client.get(add).status_code == 403


@pytest.mark.parametrize("size", [1, 6])
def test_the_chart_case_page_runs_a_fixed_number_of_queries(
    size, scheduler, speech_chart_case, payer, therapist, treatment, django_assert_num_queries
):
    for n in range(size):
        AuthorizationFactory(chart_case=speech_chart_case, payer=payer)
        AppointmentFactory(
            chart_case=speech_chart_case,
            therapist=therapist,
            appointment_type=treatment,
            start=datetime.datetime(2026, 1, 5, 15, tzinfo=datetime.UTC)
            + datetime.timedelta(days=n),
        )
    client = logged_in(scheduler)
    url = reverse("insurance:authorization_list", args=[speech_chart_case.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200


# Fixed whatever the number of authorizations and visits (the count reads them in a fixed
# number of statements, ``insurance.counting.usage``, and the page shows the rule's own rows);
# one more when an authorization covers only some appointment types (their names).
QUERIES = 13
