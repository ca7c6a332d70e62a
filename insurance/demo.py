"""Demo payers and authorizations (used by ``load_demo`` after the appointments, inside the
demo clinic's scope): Carter's speech therapy two visits from its limit, Nguyen's
occupational therapy authorization expired. Safe to run again."""

import datetime

from django.db.models import Q

from accounts.models import User
from charts.models import PatientChartCase
from clinic.models import Clinic
from insurance import services
from insurance.counting import usage
from insurance.models import Authorization, Payer


def _chart_case(clinic: Clinic, last_name: str, case_name: str) -> PatientChartCase | None:
    return (
        PatientChartCase.objects.filter(
            clinic=clinic, patient__last_name=last_name, case__name=case_name
        )
        .select_related("patient")
        .first()
    )


def load(clinic: Clinic) -> None:
    admin = User.objects.get(email="admin@demo.clinic")
    payers = {}
    for name in ("Blue Shield", "Aetna", "State Medicaid"):
        payers[name] = Payer.objects.filter(
            clinic=clinic, name=name
        ).first() or services.payer_save(payer=Payer(clinic=clinic, name=name), by=admin)
    today = clinic.today()
    near = _chart_case(clinic, "Carter", "Speech Therapy")
    if near and not Authorization.objects.filter(clinic=clinic, number="BS-2026-0142").exists():
        authorization = services.authorization_save(
            authorization=Authorization(
                clinic=clinic,
                chart_case=near,
                payer=payers["Blue Shield"],
                number="BS-2026-0142",
                first_date=today - datetime.timedelta(days=30),
                last_date=today + datetime.timedelta(days=60),
                quantity=1000,
                note="Demo: two visits from its limit.",
            ),
            by=admin,
        )
        # Two more than the visits it already counts (the one rule), so the demo shows "2 left".
        counted = usage(clinic.pk, Q(pk=authorization.pk)).of(authorization.pk)
        authorization.quantity = counted.used + counted.booked + 2
        services.authorization_save(
            authorization=authorization, by=admin, expected_version=authorization.version
        )
    expired = _chart_case(clinic, "Nguyen", "Occupational Therapy")
    if expired and not Authorization.objects.filter(clinic=clinic, number="AET-88120").exists():
        services.authorization_save(
            authorization=Authorization(
                clinic=clinic,
                chart_case=expired,
                payer=payers["Aetna"],
                number="AET-88120",
                first_date=today - datetime.timedelta(days=120),
                last_date=today - datetime.timedelta(days=5),
                quantity=12,
                note="Demo: expired; renewal requested.",
            ),
            by=admin,
        )
