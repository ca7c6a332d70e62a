"""The authorizations report, its CSV, the home's alerts and a chart case's Authorizations
page, recorded as served (tests/snapshot.py): every list, the filters, pages, override reasons
and hostile names, in two clinic time zones."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from core.roles import SCHEDULER, THERAPIST
from insurance.models import Authorization, AuthorizationType, SharedLimit
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AuthorizationFactory,
    ClinicFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    PayerFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.snapshot import assert_page

HOSTILE = "<script>alert(\"x\")</script> & 'O'Hara'"
NOW = datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC)  # 01:30 EDT, New York
ZONES = ["America/New_York", "Asia/Kolkata"]

recorded = pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)


def _clinic(time_zone):
    clinic = ClinicFactory(name="Riverside Therapy", time_zone=time_zone)
    scheduler = UserFactory(
        clinic=clinic,
        email="s@riverside.test",
        first_name="Sam",
        last_name="Sched",
        roles=[SCHEDULER],
    )
    speech = ServiceTypeFactory(clinic=clinic, name="Speech Therapy")
    therapist = UserFactory(
        clinic=clinic,
        email="t@riverside.test",
        first_name="Tess",
        last_name=f"Ther {HOSTILE}",
        roles=[THERAPIST],
        service_types=[speech],
    )
    UserFactory(
        clinic=clinic,
        email="u@riverside.test",
        first_name="Uma",
        last_name="Other",
        roles=[THERAPIST],
        service_types=[speech],
    )
    cases = [
        PatientCaseFactory(clinic=clinic, name=name, service_types=[speech], created_by=scheduler)
        for name in ("Speech Therapy", f"Feeding {HOSTILE}")
    ]
    return clinic, scheduler, therapist, cases


def _authorizations(clinic, therapist, cases):
    """62 authorizations on 31 chart cases (two pages), some running out, some over with
    reasons, some ending soon, one shared limit; visits booked and completed."""
    payers = [PayerFactory(clinic=clinic, name=name) for name in ("Aetna", f"Blue {HOSTILE}")]
    location = LocationFactory(clinic=clinic, name="Main")
    kinds = [
        AppointmentTypeFactory(clinic=clinic, name=name, default_duration_minutes=45)
        for name in ("Treatment", f"Eval {HOSTILE}")
    ]
    today = clinic.today()
    made = []
    for n in range(31):
        patient = PatientFactory(
            clinic=clinic,
            first_name=f"Pat{n:02}" if n % 6 else f"Pat{n:02} {HOSTILE}",
            last_name="Doe",
            date_of_birth=datetime.date(2015, 1, 1),
        )
        chart_case = PatientChartCaseFactory(
            clinic=clinic, patient=patient, case=cases[n % 2], started_on=datetime.date(2026, 6, 1)
        )
        for k in range(2):
            made.append(
                AuthorizationFactory(
                    chart_case=chart_case,
                    payer=payers[(n + k) % 2],
                    number=f"N{n:02}-{k}" if n % 5 else f"={n}+{k}",
                    first_date=today - datetime.timedelta(days=40 - n + 30 * k),
                    last_date=today + datetime.timedelta(days=(n * 3) % 50 - 5 + 20 * k),
                    quantity=(n % 4) + k + 1,
                    unit=Authorization.Unit.UNITS if n % 7 == 3 else Authorization.Unit.VISITS,
                )
            )
        for days in range(n % 4):
            AppointmentFactory(
                chart_case=chart_case,
                therapist=therapist,
                appointment_type=kinds[days % 2],
                location=location,
                start=NOW + datetime.timedelta(days=3 * (days - 1), hours=n),
                status="completed" if days == 0 else "scheduled",
                authorization_override=(
                    f"Renewal sent {HOSTILE}"
                    if days == 2 and n % 3
                    else "Payer phoned" * (days == 2)
                ),
            )
    AuthorizationType.objects.create(
        clinic=clinic, authorization=made[3], appointment_type=kinds[0]
    )
    limit = SharedLimit.objects.create(
        clinic=clinic, patient=made[2].patient, name=f"Yearly {HOSTILE}", quantity=5
    )
    Authorization.objects.filter(pk=made[2].pk).update(shared_limit=limit)
    return made, payers


def _reason(n, days):
    if days != 2:
        return ""
    return f"Renewal sent {HOSTILE}" if n % 3 else "Payer phoned"


@recorded
@pytest.mark.parametrize("time_zone", ZONES)
def test_the_authorizations_report_as_recorded(client, time_zone):
    with time_machine.travel(NOW, tick=False):
        clinic, scheduler, therapist, cases = _clinic(time_zone)
        made, payers = _authorizations(clinic, therapist, cases)
        client.force_login(scheduler)
        zone = time_zone.split("/")[1].lower()
        url = reverse("insurance:report")
        for name, query in [
            ("first", {}),
            ("page-2", {"page": 2}),
            ("past-the-end", {"page": 9}),
            ("expiring", {"kind": "expiring"}),
            ("used-up", {"kind": "used_up"}),
            ("over", {"kind": "over"}),
            ("unbooked", {"kind": "unbooked"}),
            ("payer", {"payer": payers[1].pk}),
            ("therapist", {"therapist": therapist.pk}),
            ("service-type", {"service_type": cases[0].service_types.first().pk}),
            ("dates", {"first": "2026-11-10", "last": "2026-11-20"}),
            ("refused", {"first": "2026-11-20", "last": "2026-11-10"}),
        ]:
            response = client.get(url, query)
            assert response.status_code in (200, 400), name
            assert_page(f"insurance/report-{zone}-{name}", response.content)
        for name, query in [("csv-all", {}), ("csv-over", {"kind": "over"})]:
            response = client.get(url, {**query, "export": "csv"})
            assert response.status_code == 200, name
            assert_page(f"insurance/report-{zone}-{name}", response.content)
        assert_page(f"insurance/home-{zone}", client.get("/").content)
        for n in (2, 3):
            response = client.get(
                reverse("insurance:authorization_list", args=[made[n].chart_case_id])
            )
            assert_page(f"insurance/chart-case-{zone}-{n}", response.content)
