"""Input that used to reach a 500: a clear message, a 4xx, nothing written."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse

from cases.models import PatientCase
from charts.models import DailyNote, Patient
from core.inputs import CONTROL_MESSAGE, INVISIBLE_MESSAGE, TEXT_MAX_LENGTH
from tests.cases.helpers import CREATE_URL, case_data
from tests.clinic.kinds import KINDS
from tests.factories import PatientCaseFactory
from tests.hardening.helpers import logged_in, text

HUGE_ID = str(10**30)


@pytest.mark.parametrize(
    "path",
    [
        "/patients/?q=%00",
        "/patients/?q=Liam%01",
        "/patients/?q%00=x",
        "/setup/patient-cases/?service=%00",
        "/patients/?page=%1b",
    ],
)
def test_control_characters_in_a_query_string_are_a_400(path, administrator):
    response = logged_in(administrator).get(path)

    assert response.status_code == 400
    assert "control characters" in response.content.decode()


def test_an_overlong_query_value_is_a_400(administrator):
    response = logged_in(administrator).get("/patients/?q=" + "a" * 5000)

    assert response.status_code == 400


@pytest.mark.parametrize("bad", ["Li\x00am", "Li\x1bam", "Li\x7fam"])
def test_control_characters_in_a_text_field_are_refused_next_to_it(bad, administrator):
    response = logged_in(administrator).post(
        reverse("charts:patient_create"),
        {"first_name": bad, "last_name": "Carter", "date_of_birth": "2017-03-09"},
    )

    assert response.status_code == 400
    assert CONTROL_MESSAGE in text(response)
    assert not Patient.objects.exists()


def test_line_breaks_and_tabs_in_a_note_are_fine_but_a_nul_is_not(
    speech_chart_case, therapist, today
):
    client = logged_in(therapist)
    url = reverse("charts:note_create", args=[speech_chart_case.pk])
    good = {"date_of_service": today.isoformat(), "subjective": "Line one\r\n\tLine two"}

    refused = client.post(url, {**good, "plan": "x\x00y"})
    saved = client.post(url, good)

    assert refused.status_code == 400
    assert saved.status_code == 302
    assert DailyNote.objects.get().subjective == "Line one\r\n\tLine two"


def test_unbounded_text_is_bounded_on_the_server(speech_chart_case, therapist, today):
    response = logged_in(therapist).post(
        reverse("charts:note_create", args=[speech_chart_case.pk]),
        {"date_of_service": today.isoformat(), "subjective": "a" * (TEXT_MAX_LENGTH + 1)},
    )

    assert response.status_code == 400
    assert f"Keep this to {TEXT_MAX_LENGTH:,} characters at most" in text(response)
    assert not DailyNote.objects.exists()


def test_a_log_in_name_of_256_characters_or_more_is_refused_and_nothing_stored(client, db):
    response = client.post(
        reverse("accounts:login"), {"username": "a" * 300 + "@x.test", "password": "wrong"}
    )

    assert response.status_code == 400
    assert "longer than any e-mail address can be" in text(response)
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()


def test_an_out_of_range_id_in_a_multiple_choice_is_a_form_error(
    administrator_client, clinic, speech
):
    data = case_data(clinic, name="Big", services=[speech])
    data["service_types"] = [HUGE_ID]

    response = administrator_client.post(CREATE_URL, data)

    assert response.status_code == 400
    assert "inactive or is not one of this clinic's service types" in text(response)
    assert not PatientCase.objects.exists()


def test_an_out_of_range_id_in_a_single_choice_is_a_form_error(speech_chart_case, therapist):
    response = logged_in(therapist).post(
        reverse("charts:chart_case_add", args=[speech_chart_case.patient_id]),
        {"case": HUGE_ID, "started_on": "2024-01-02"},
    )

    assert response.status_code == 400
    assert "That case cannot be added" in text(response)


def test_an_out_of_range_version_is_a_form_error(administrator_client, speech):
    response = administrator_client.post(
        reverse("clinic:servicetype_update", args=[speech.pk]),
        {"name": "Speech", "is_active": "on", "version": HUGE_ID},
    )

    assert response.status_code == 400


def test_an_out_of_range_id_in_the_address_is_a_404(administrator):
    assert logged_in(administrator).get(f"/patients/{HUGE_ID}/").status_code == 404


# Names: one normal form, one case-folding rule shared by the form and the constraint.

LOOKALIKES = {
    "kelvin sign": ("Kids", "\u212aids", None),
    "full-width letters": ("Kids", "\uff2bids", None),
    "zero-width space inside": ("Kids", "Ki\u200bds", INVISIBLE_MESSAGE),
    "trailing right-to-left mark": ("Kids", "Kids\u200f", INVISIBLE_MESSAGE),
    "bidi override": ("Kids", "\u202eKids", INVISIBLE_MESSAGE),
}


@pytest.mark.parametrize("existing, lookalike, message", LOOKALIKES.values(), ids=LOOKALIKES)
def test_a_lookalike_case_name_is_refused(
    existing, lookalike, message, administrator_client, clinic, speech, administrator
):
    PatientCaseFactory(
        clinic=clinic, name=existing, service_types=[speech], created_by=administrator
    )

    response = administrator_client.post(
        CREATE_URL, case_data(clinic, name=lookalike, services=[speech])
    )

    assert response.status_code == 400
    assert (message or "already exists in this clinic") in text(response)
    assert PatientCase.objects.count() == 1


@pytest.mark.parametrize("kind", KINDS, ids=str)
@pytest.mark.parametrize("existing, lookalike, message", LOOKALIKES.values(), ids=LOOKALIKES)
def test_a_lookalike_setup_name_is_refused(
    kind, existing, lookalike, message, administrator_client, clinic
):
    kind.factory(clinic=clinic, name=existing)

    response = administrator_client.post(kind.url("create"), kind.post_data(lookalike))

    assert response.status_code == 400
    assert (message or "already exists in this clinic") in text(response)
    assert kind.model.objects.count() == 1


def test_a_name_is_stored_in_its_normal_form(administrator_client, clinic, speech):
    response = administrator_client.post(
        CREATE_URL, case_data(clinic, name="  \uff26eeding\u3000 Therapy ", services=[speech])
    )

    assert response.status_code == 302
    assert PatientCase.objects.get().name == "Feeding Therapy"


def test_the_duplicate_check_does_not_reach_into_another_clinic(
    administrator_client, clinic, speech, other_clinic, other_admin
):
    """A form-level duplicate check that forgot the clinic would refuse this."""
    PatientCaseFactory(clinic=other_clinic, name="Kids", created_by=other_admin)

    response = administrator_client.post(
        CREATE_URL, case_data(clinic, name="KIDS", services=[speech])
    )

    assert response.status_code == 302
    assert PatientCase.objects.filter(clinic=clinic, name="KIDS").exists()


def test_a_database_that_is_briefly_unreachable_is_a_503_not_a_500(administrator, monkeypatch):
    """As during a PostgreSQL restart (bench/burst.py): the page says to try again shortly."""
    from django.db import OperationalError

    import charts.views.patients

    def unreachable(*args, **kwargs):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(charts.views.patients, "render", unreachable)
    client = logged_in(administrator)
    client.raise_request_exception = False

    response = client.get(reverse("charts:patient_list"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Briefly unavailable" in text(response)


def test_an_overlong_log_in_name_on_the_operators_admin_log_in_stores_nothing_either(client, db):
    response = client.post(
        "/django-admin/login/", {"username": "b" * 400 + "@x.test", "password": "wrong"}
    )

    assert response.status_code in (200, 400)
    assert all(len(attempt.username or "") <= 254 for attempt in AccessAttempt.objects.all())
