"""The Patient Cases list, and the add and edit screens, recorded as served (tests/snapshot.py):
filters, pages, archived cases, the types patients may request, hostile names, the edit screen
with errors and with a conflict (409), in two clinic time zones."""

import datetime

import pytest
import time_machine
from django.test import Client

from cases import services
from cases.models import PatientCase
from cases.services import RuleInput
from charts.models import PatientChartCase
from core.roles import ADMINISTRATOR
from tests.cases.helpers import CREATE_URL, LIST_URL, case_data, form_data, update_url
from tests.factories import (
    AppointmentTypeFactory,
    ClinicFactory,
    PatientFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.snapshot import assert_page

HOSTILE = "<script>alert(\"x\")</script> & 'O'Hara'"
NOW = datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC)  # 01:30 EDT, New York
ZONES = ["America/New_York", "Asia/Kolkata"]

recorded = pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)


def _setup(time_zone):
    clinic = ClinicFactory(name="Riverside Therapy", time_zone=time_zone)
    admin = UserFactory(
        clinic=clinic,
        email="admin@riverside.test",
        first_name="Ada",
        last_name="Admin & <b>Co</b>",
        roles=[ADMINISTRATOR],
    )
    speech = ServiceTypeFactory(clinic=clinic, name="Speech Therapy")
    occupational = ServiceTypeFactory(clinic=clinic, name=f"occupational {HOSTILE}")
    ServiceTypeFactory(clinic=clinic, name="Physical Therapy", is_active=False)
    evaluation = AppointmentTypeFactory(
        clinic=clinic, name="Evaluation", default_duration_minutes=60
    )
    treatment = AppointmentTypeFactory(
        clinic=clinic, name=f"treatment {HOSTILE}", default_duration_minutes=45
    )
    retired = AppointmentTypeFactory(
        clinic=clinic, name="Consultation", default_duration_minutes=30
    )
    return clinic, admin, speech, occupational, (evaluation, treatment, retired)


def _cases(clinic, admin, speech, occupational, types):
    evaluation, treatment, retired = types
    made = []
    for n in range(55):
        chosen = [speech, occupational] if n % 5 == 0 else [occupational if n % 2 else speech]
        rules = [
            RuleInput(appointment_type=evaluation, allow_requests=n % 2 == 0, duration_minutes=60),
            RuleInput(appointment_type=treatment, allow_requests=n % 3 == 0, duration_minutes=30),
            RuleInput(appointment_type=retired, allow_requests=n % 4 == 0, duration_minutes=15),
        ]
        name = f"Case {n:02} {HOSTILE}" if n % 7 == 0 else f"Case {n:02}"
        made.append(
            services.case_create(
                clinic=clinic, name=name, service_types=chosen, rules=rules, by=admin
            )
        )
    # The retired type is no longer requestable anywhere: the list leaves it out.
    type(retired).objects.filter(pk=retired.pk).update(is_active=False)
    for n, case in enumerate(made[:3]):
        for index in range(n + 1):
            patient = PatientFactory(
                clinic=clinic,
                first_name=f"Pat{n}{index}",
                last_name="Doe",
                date_of_birth=datetime.date(2015, 1, 1),
            )
            PatientChartCase.objects.create(
                clinic=clinic, patient=patient, case=case, started_on=datetime.date(2026, 6, 1)
            )
        PatientCase.objects.filter(pk=case.pk).recount_patients()
    services.case_archive(case=made[4], by=admin)
    services.case_archive(case=made[3], by=admin)
    return made


@recorded
@pytest.mark.parametrize("time_zone", ZONES)
def test_the_patient_cases_list_as_recorded(client, time_zone):
    with time_machine.travel(NOW, tick=False):
        clinic, admin, speech, occupational, types = _setup(time_zone)
        _cases(clinic, admin, speech, occupational, types)
        client.force_login(admin)
        zone = time_zone.split("/")[1].lower()
        for name, query in [
            ("first", {}),
            ("page-2", {"page": 2}),
            ("page-past-the-end", {"page": 99}),
            ("page-not-a-number", {"page": "abc"}),
            ("archived", {"archived": "1"}),
            ("archived-page-2", {"archived": "1", "page": 2}),
            ("service", {"service": occupational.pk}),
            ("service-not-ours", {"service": "99999"}),
            ("name", {"q": "script"}),
            ("name-none", {"q": HOSTILE[:40], "service": speech.pk}),
        ]:
            response = client.get(LIST_URL, query)
            assert response.status_code == 200, name
            assert_page(f"cases/{zone}-list-{name}", response.content)


@recorded
@pytest.mark.parametrize("time_zone", ZONES)
def test_the_case_screens_as_recorded(client, time_zone):
    with time_machine.travel(NOW, tick=False):
        clinic, admin, speech, occupational, types = _setup(time_zone)
        made = _cases(clinic, admin, speech, occupational, types)
        client.force_login(admin)
        zone = time_zone.split("/")[1].lower()
        evaluation, treatment, _ = types

        def page(name, response, status):
            assert response.status_code == status, name
            assert_page(f"cases/{zone}-{name}", response.content)

        page("create", client.get(CREATE_URL), 200)
        page("edit", client.get(update_url(made[0])), 200)
        page("edit-archived", client.get(update_url(made[4])), 200)
        bad = case_data(
            clinic, name="  ", services=[], allowed={evaluation: "7", treatment: ""}, version=1
        )
        page("create-errors", client.post(CREATE_URL, bad), 400)
        page("edit-errors", client.post(update_url(made[1]), bad), 400)
        # Only the Appointment Requests tab has errors: it opens first.
        rules_only = case_data(
            clinic,
            name="Case 01",
            services=[occupational],
            allowed={evaluation: "481"},
            version=1,
        )
        page("edit-rule-errors", client.post(update_url(made[1]), rules_only), 400)
        # Removing a service from a case on charts asks for confirmation.
        removal = case_data(clinic, name=made[0].name, services=[speech], version=1)
        page("edit-removal", client.post(update_url(made[0]), removal), 400)
        # Two administrators: the second save, from a stale screen, is a 409.
        other = Client()
        other.force_login(
            UserFactory(
                clinic=clinic,
                email="bea@riverside.test",
                first_name="Bea",
                last_name=HOSTILE,
                roles=[ADMINISTRATOR],
            )
        )
        stale = form_data(client.get(update_url(made[0])))
        first = form_data(other.get(update_url(made[0])))
        first["name"] = [f"Renamed {HOSTILE}"]
        assert other.post(update_url(made[0]), first).status_code == 302
        stale["name"] = ["My own name"]
        page("edit-conflict", client.post(update_url(made[0]), stale), 409)
