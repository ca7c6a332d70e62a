"""Adding and editing service types and appointment types: bad input is refused next to the
field with a 4xx and writes nothing; good input is saved trimmed and says so."""

import pytest

from clinic.models import AppointmentType
from tests.clinic.helpers import field_error, page_text
from tests.clinic.kinds import APPOINTMENT_TYPES, KINDS

per_kind = pytest.mark.parametrize("kind", KINDS, ids=str)

EXISTING = "Speech Therapy"


def _duplicate(kind, shown):
    return f"{kind.label} “{shown}” already exists in this clinic."


# (posted name, what the message next to the name field says; None: the duplicate message)
BAD_NAMES = [
    pytest.param(EXISTING, EXISTING, id="same name"),
    pytest.param("speech therapy", "speech therapy", id="differs in case"),
    pytest.param("SPEECH THERAPY", "SPEECH THERAPY", id="upper case"),
    pytest.param(f"  {EXISTING}  ", EXISTING, id="surrounding spaces"),
    pytest.param("Speech   therapy", "Speech therapy", id="inner spaces"),
    pytest.param("", "This field is required.", id="blank"),
    pytest.param("   ", "This field is required.", id="only spaces"),
    pytest.param("x" * 101, "Ensure this value has at most 100 characters (it has 101).", id="101"),
]


def _expected(kind, message):
    return message if message.endswith(".") else _duplicate(kind, message)


@pytest.fixture
def existing(kind, clinic):
    return kind.factory(clinic=clinic, name=EXISTING)


@per_kind
@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_bad_name_on_add_is_refused_next_to_the_field(
    kind, name, message, administrator_client, existing
):
    response = administrator_client.post(kind.url("create"), kind.post_data(name))

    assert response.status_code == 400
    assert _expected(kind, message) in field_error(response, "name")
    assert kind.model.objects.count() == 1


@per_kind
@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_bad_name_on_edit_is_refused_and_the_row_is_unchanged(
    kind, name, message, administrator_client, clinic, existing
):
    row = kind.factory(clinic=clinic, name="Feeding Therapy")

    response = administrator_client.post(kind.url("update", row), kind.post_data(name))

    assert response.status_code == 400
    assert _expected(kind, message) in field_error(response, "name")
    row.refresh_from_db()
    assert row.name == "Feeding Therapy"
    assert row.is_active


@per_kind
def test_a_name_of_100_characters_is_accepted(kind, administrator_client, clinic):
    name = "x" * 100

    response = administrator_client.post(kind.url("create"), kind.post_data(name))

    assert response.status_code == 302
    assert kind.model.objects.get(clinic=clinic).name == name


@per_kind
def test_valid_add_is_saved_trimmed_and_confirmed(kind, administrator_client, clinic, other_clinic):
    response = administrator_client.post(
        kind.url("create"),
        # A posted clinic is ignored: the row always belongs to the administrator's clinic.
        kind.post_data("  Feeding    Therapy ", clinic=other_clinic.pk),
        follow=True,
    )

    assert response.redirect_chain == [(kind.url("list"), 302)]
    assert f"{kind.label} “Feeding Therapy” added." in page_text(response)
    row = kind.model.objects.get()
    assert (row.name, row.clinic, row.is_active) == ("Feeding Therapy", clinic, True)


@per_kind
def test_the_name_of_another_clinic_may_be_reused(kind, administrator_client, clinic, other_clinic):
    kind.factory(clinic=other_clinic, name=EXISTING)

    response = administrator_client.post(kind.url("create"), kind.post_data(EXISTING.upper()))

    assert response.status_code == 302
    assert kind.model.objects.filter(clinic=clinic, name=EXISTING.upper()).exists()


@per_kind
def test_valid_edit_is_saved_and_confirmed(kind, administrator_client, existing):
    response = administrator_client.post(
        kind.url("update", existing), kind.post_data(" Speech-Language Therapy "), follow=True
    )

    assert response.redirect_chain == [(kind.url("list"), 302)]
    assert f"{kind.label} “Speech-Language Therapy” saved." in page_text(response)
    existing.refresh_from_db()
    assert existing.name == "Speech-Language Therapy"


@per_kind
def test_a_row_may_change_the_case_of_its_own_name(kind, administrator_client, existing):
    response = administrator_client.post(
        kind.url("update", existing), kind.post_data("SPEECH therapy")
    )

    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.name == "SPEECH therapy"


@per_kind
def test_unticking_active_on_the_edit_form_deactivates(kind, administrator_client, existing):
    response = administrator_client.post(
        kind.url("update", existing), kind.post_data(EXISTING, active=False), follow=True
    )

    assert response.status_code == 200
    existing.refresh_from_db()
    assert not existing.is_active
    assert "Inactive" in page_text(response)  # the list it lands on marks the row


@per_kind
def test_another_clinics_row_cannot_be_opened_or_edited(kind, administrator_client, other_clinic):
    theirs = kind.factory(clinic=other_clinic, name="Hippotherapy")

    assert administrator_client.get(kind.url("update", theirs)).status_code == 404
    response = administrator_client.post(kind.url("update", theirs), kind.post_data("Renamed"))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Hippotherapy"
    assert not kind.model.objects.filter(name="Renamed").exists()


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 5."),
        ("-5", "Ensure this value is greater than or equal to 5."),
        ("7", "Ensure this value is a multiple of step size 5"),
        ("481", "Ensure this value is less than or equal to 480."),
        ("485", "Ensure this value is less than or equal to 480."),
        ("forty", "Enter a whole number."),
        ("45.5", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_bad_duration_is_refused_on_add_and_edit(minutes, message, administrator_client, clinic):
    kind = APPOINTMENT_TYPES
    row = AppointmentType.objects.create(
        clinic=clinic, name="Treatment", default_duration_minutes=45
    )

    added = administrator_client.post(
        kind.url("create"), kind.post_data("Evaluation", default_duration_minutes=minutes)
    )
    edited = administrator_client.post(
        kind.url("update", row), kind.post_data("Treatment", default_duration_minutes=minutes)
    )

    for response in (added, edited):
        assert response.status_code == 400
        assert message in field_error(response, "default_duration_minutes")
    assert list(AppointmentType.objects.values_list("name", "default_duration_minutes")) == [
        ("Treatment", 45)
    ]


@pytest.mark.parametrize("minutes", [5, 60, 480])
def test_good_durations_are_saved(minutes, administrator_client, clinic):
    kind = APPOINTMENT_TYPES

    response = administrator_client.post(
        kind.url("create"), kind.post_data("Evaluation", default_duration_minutes=str(minutes))
    )

    assert response.status_code == 302
    assert AppointmentType.objects.get(clinic=clinic).default_duration_minutes == minutes
