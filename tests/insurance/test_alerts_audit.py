"""The home's authorization alerts name patients: each row shown is an access entry of its
patient, by the reader; an authorization the alerts leave out is not."""

from core.models import AuditEntry
from tests.factories import AuthorizationFactory
from tests.hardening.helpers import logged_in


def test_the_home_alerts_are_in_each_shown_patients_audit_trail(
    scheduler, speech_chart_case, payer
):
    near = AuthorizationFactory(chart_case=speech_chart_case, payer=payer, quantity=2)
    far = AuthorizationFactory(chart_case=speech_chart_case, payer=payer, quantity=30)

    assert "Authorizations needing attention" in logged_in(scheduler).get("/").content.decode()

    entries = AuditEntry.objects.filter(action="access", details="Home: authorization alerts")
    assert list(entries.values_list("object_id", "patient_id", "actor_id")) == [
        (str(near.pk), speech_chart_case.patient_id, scheduler.pk)
    ]
    assert not entries.filter(object_id=str(far.pk)).exists()
