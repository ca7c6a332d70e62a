"""The front desk's panel of the patient page (``{% front_desk patient %}``) recorded as
served (tests/snapshot.py), with what the chart recordings lack: visits to come and past (a
cancelled one among them, two therapists, one nameless, two locations in two time zones),
pending and decided requests, portal users and what each open case lets families request.
Names carry ``<script>``, quotes and ``&``; the clock is frozen on the night the United
States move their clocks forward, so that a visit's local time crosses the change."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cases.models import AppointmentTypeRule
from scheduling.models import Appointment, AppointmentRequest
from tests.charts.test_chart_recordings import HOSTILE, NOW, ZONES, _make_chart, recorded
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PortalLinkFactory,
    UserFactory,
)
from tests.snapshot import assert_page


def _desk(chart):
    clinic = chart["patient"].clinic
    patient = chart["patient"]
    tabs = chart["tabs"]
    users = chart["users"]
    here = LocationFactory(clinic=clinic, name=f"Main {HOSTILE}")
    away = LocationFactory(clinic=clinic, name="Annex & Co", time_zone="America/Los_Angeles")
    kinds = [
        AppointmentTypeFactory(clinic=clinic, name=f"Treatment {HOSTILE}"),
        AppointmentTypeFactory(clinic=clinic, name="Re-evaluation"),
    ]
    for case_tab, kind, minutes, allow in [
        ("speech", kinds[0], 45, True),
        ("speech", kinds[1], 60, True),
        ("shared", kinds[0], 30, False),
    ]:
        AppointmentTypeRule.objects.create(
            clinic=clinic,
            case=tabs[case_tab].case,
            appointment_type=kind,
            allow_requests=allow,
            duration_minutes=minutes,
        )
    therapists = [users["therapist"], users["nameless"]]
    cancelled = Appointment.Status.CLINIC_CANCELLED
    hours = [-30, -26, -5, -1, 1, 2, 5, 26, 50, 74, 98, 122, 146, 170, 194, 218, 242]
    for n, hour in enumerate(hours):
        AppointmentFactory(
            chart_case=tabs["speech"] if n % 3 else tabs["shared"],
            therapist=therapists[n % 2],
            location=here if n % 4 else away,
            appointment_type=kinds[n % 2],
            start=NOW + datetime.timedelta(hours=hour, minutes=15 * (n % 3)),
            status=cancelled if n == 5 else Appointment.Status.SCHEDULED,
            created_by=users["scheduler"],
        )
    parent = UserFactory(
        clinic=clinic, email="mum@example.org", first_name=HOSTILE, last_name="Ray", roles=[]
    )
    PortalLinkFactory(patient=patient, user=parent, relationship="parent")
    PortalLinkFactory(
        patient=patient,
        user=UserFactory(clinic=clinic, email="gone@example.org", is_active=False, roles=[]),
    )
    for n, status in enumerate(["pending", "pending", "declined"]):
        AppointmentRequest.objects.create(
            clinic=clinic,
            chart_case=tabs["speech"],
            patient=patient,
            appointment_type=kinds[n % 2],
            location=away if n else here,
            therapist=therapists[0],
            start=NOW + datetime.timedelta(days=3 - n, hours=n),
            duration_minutes=45,
            status=status,
            decline_reason="Full" if status == "declined" else "",
            created_by=parent,
        )


@recorded
@pytest.mark.parametrize("zone", list(ZONES))
@pytest.mark.parametrize("role", ["scheduler", "administrator", "therapist"])
def test_the_front_desk_panel_as_recorded(role, zone):
    with time_machine.travel(NOW, tick=False):
        chart = _make_chart(ZONES[zone])
        _desk(chart)
        client = Client()
        client.force_login(chart["users"][role])
        patient = chart["patient"]
        for name, url in [
            ("chart", reverse("charts:patient_detail", args=[patient.pk])),
            (
                "speech",
                reverse("charts:chart_case_detail", args=[patient.pk, chart["tabs"]["speech"].pk]),
            ),
        ]:
            response = client.get(url)
            assert response.status_code == 200
            assert_page(f"scheduling/front-desk-{zone}-{role}-{name}", response.content)
