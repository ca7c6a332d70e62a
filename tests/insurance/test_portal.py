"""The portal setting: by default a patient may not request a visit on a case whose
authorizations are used up or ended; the portal says to call the clinic and offers no
request button. A clinic that allows it offers the request as before."""

import datetime

from django.urls import reverse

from insurance.models import InsuranceSettings
from tests.factories import AppointmentFactory, AuthorizationFactory
from tests.hardening.helpers import logged_in


def _used_up(chart_case, payer, therapist, treatment):
    AuthorizationFactory(chart_case=chart_case, payer=payer, quantity=1)
    AppointmentFactory(
        chart_case=chart_case,
        therapist=therapist,
        appointment_type=treatment,
        start=datetime.datetime.combine(chart_case.clinic.today(), datetime.time(15), datetime.UTC)
        - datetime.timedelta(days=3),
        status="completed",
    )


def test_a_used_up_case_is_not_offered_and_the_portal_says_to_call(
    patient_user, portal_chart_case, payer, therapist, treatment
):
    client = logged_in(patient_user)
    request_url = reverse("portal:request_create", args=[portal_chart_case.pk])
    assert request_url in client.get(reverse("portal:home")).content.decode()

    _used_up(portal_chart_case, payer, therapist, treatment)

    assert request_url not in client.get(reverse("portal:home")).content.decode()
    page = client.get(request_url).content.decode()
    assert "are used up or have ended. Please call the clinic to book." in page


def test_a_clinic_may_let_patients_request_past_the_authorization(
    patient_user, portal_chart_case, payer, therapist, treatment, clinic
):
    InsuranceSettings.objects.create(clinic=clinic, portal_requests_past_authorization=True)
    _used_up(portal_chart_case, payer, therapist, treatment)
    client = logged_in(patient_user)
    request_url = reverse("portal:request_create", args=[portal_chart_case.pk])
    assert request_url in client.get(reverse("portal:home")).content.decode()
    assert "Please call the clinic" not in client.get(request_url).content.decode()
