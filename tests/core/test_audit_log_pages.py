"""The Audit Log and its CSV export recorded as served (tests/snapshot.py), so that a rewrite of
how they read and render shows every difference: several pages, each filter, refused and
hostile values, two clinic time zones and the night the clocks go back in New York."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.models import Clinic
from core.models import AuditEntry
from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from tests.factories import ClinicFactory, PatientFactory, UserFactory
from tests.snapshot import assert_page

LOG_URL = reverse("core:audit_log")
CSV_URL = reverse("core:audit_log_csv")
HOSTILE = "<script>alert(\"x\")</script> & 'O'Hara'"
# The clock as the pages are served: after every entry.
NOW = datetime.datetime(2026, 11, 3, 15, 0, tzinfo=datetime.UTC)
# 01:30 EDT and 01:30 EST in New York: the hour that comes twice.
CHANGE = datetime.datetime(2026, 11, 1, 5, 30, 0, 123456, tzinfo=datetime.UTC)

recorded = pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)


def _people(clinic):
    admin = UserFactory(
        clinic=clinic,
        email="admin@riverside.test",
        first_name="Ada",
        last_name="Admin & <b>Co</b>",
        roles=[ADMINISTRATOR],
    )
    therapist = UserFactory(
        clinic=clinic,
        email="slp@riverside.test",
        first_name=HOSTILE,
        last_name="Reyes",
        roles=[THERAPIST],
    )
    UserFactory(
        clinic=clinic, email="desk@riverside.test", first_name="", last_name="", roles=[SCHEDULER]
    )
    # Not staff: never a choice.
    UserFactory(
        clinic=clinic,
        email="parent@riverside.test",
        first_name="Pat",
        last_name="Parent",
        roles=[PATIENT],
    )
    patient = PatientFactory(
        clinic=clinic,
        first_name='Liam "Lee"',
        last_name="<Carter> & Sons",
        date_of_birth=datetime.date(2015, 4, 1),
    )
    other = PatientFactory(
        clinic=clinic, first_name="Emma", last_name="Stone", date_of_birth=datetime.date(2012, 1, 9)
    )
    return admin, therapist, patient, other


def _entry(clinic, at, actor, action, patient=None, **fields):
    return AuditEntry.objects.create(
        clinic=clinic,
        at=at,
        actor=actor,
        actor_name=str(actor) if actor else "",
        action=action,
        object_type=fields.pop("object_type", "patient"),
        object_id=str(getattr(patient, "pk", "")),
        object_repr=fields.pop("object_repr", str(patient or "")),
        patient_id=getattr(patient, "pk", None),
        patient_name=str(patient or ""),
        **fields,
    )


def _log(time_zone: str):
    """A clinic with 130 entries over four days, the night of the change among them, and an
    entry of another clinic that must never show."""
    clinic = ClinicFactory(name="Riverside Therapy", time_zone=time_zone)
    admin, therapist, patient, other = _people(clinic)
    start = datetime.datetime(2026, 10, 30, 12, 0, 0, 250000, tzinfo=datetime.UTC)
    for n in range(120):
        at = start + datetime.timedelta(minutes=37 * n, microseconds=n)
        who = therapist if n % 3 else admin
        if n % 4 == 0:
            _entry(clinic, at, who, "access", patient, remote_addr="10.0.0.7")
        elif n % 4 == 1:
            _entry(
                clinic,
                at,
                who,
                "update",
                other,
                changes=[["Last name", "Ston<e>", "Stone"], ["Phone", "", "555 & 1"]],
            )
        elif n % 4 == 2:
            _entry(
                clinic,
                at,
                None,
                "create",
                object_type="service type",
                object_repr=f"Speech {n}",
                details=f"Imported from {HOSTILE}",
            )
        else:
            _entry(clinic, at, who, HOSTILE[:32], patient, object_type=HOSTILE, object_repr="")
    # Across the change: 01:30 EDT, then 01:30 EST an hour later.
    _entry(clinic, CHANGE, admin, "access", patient, remote_addr="2001:db8::1")
    _entry(clinic, CHANGE + datetime.timedelta(hours=1), therapist, "access", patient)
    hidden = ClinicFactory(name="Hillside Rehab", time_zone=time_zone)
    _entry(hidden, CHANGE, None, "access", object_repr="Hidden Hillside")
    return clinic, admin, therapist, patient


ZONES = ["America/New_York", "Asia/Kolkata"]


def _pages(therapist, patient):
    """(name, query) of every page recorded."""
    return [
        ("first", {}),
        ("page-2", {"page": 2}),
        ("page-3-last", {"page": 3}),
        ("past-the-end", {"page": 9}),
        ("page-not-a-number", {"page": "abc"}),
        ("patient-number", {"patient": patient.pk}),
        ("patient-name", {"patient": "<carter>"}),
        ("patient-hostile", {"patient": HOSTILE}),
        ("action", {"action": "access", "page": 2}),
        ("staff-member", {"actor": therapist.pk}),
        ("kind", {"kind": "service type"}),
        ("dates-across-the-change", {"date_from": "2026-11-01", "date_to": "2026-11-01"}),
        ("dates-from", {"date_from": "2026-11-02"}),
        ("refused-action", {"action": HOSTILE}),
        ("refused-date", {"date_from": "2026-13-45", "actor": "99999"}),
        ("refused-range", {"date_from": "2026-11-02", "date_to": "2026-11-01"}),
    ]


@recorded
@pytest.mark.parametrize("time_zone", ZONES)
def test_the_audit_log_pages_as_recorded(client, time_zone):
    clinic, admin, therapist, patient = _log(time_zone)
    client.force_login(admin)
    zone = time_zone.split("/")[1].lower()
    with time_machine.travel(NOW, tick=False):
        for name, query in _pages(therapist, patient):
            response = client.get(LOG_URL, query)
            assert response.status_code in (200, 400), name
            assert_page(f"audit_log/{zone}-{name}", response.content)


@recorded
@pytest.mark.parametrize("time_zone", ZONES)
def test_the_audit_log_export_as_recorded(client, time_zone):
    clinic, admin, therapist, patient = _log(time_zone)
    client.force_login(admin)
    zone = time_zone.split("/")[1].lower()
    with time_machine.travel(NOW, tick=False):
        for name, query in [
            ("all", {}),
            ("patient-and-dates", {"patient": patient.pk, "date_from": "2026-11-01"}),
            ("refused", {"date_to": "yesterday"}),
        ]:
            response = client.get(CSV_URL, query)
            if response.streaming:
                body = b"".join(response.streaming_content).decode()
            else:
                body = response.content.decode()
            # One row a line of the recording: the recording folds line breaks into spaces.
            body = body.replace("\r\n", "<br>\n")
            assert_page(f"audit_log/{zone}-csv-{name}", f"{response.status_code}\n{body}")
    assert Clinic.objects.count() == 2
