"""Bad input on the add and edit screens: a 400, the message next to the field, nothing written.

Every case runs against both screens. On the edit screen the case edited is "Articulation";
"Speech Therapy" (the ``speech_case`` fixture) is the other case a duplicate name collides with.
"""

from types import SimpleNamespace

import pytest

from tests.cases.helpers import (
    CREATE_URL,
    case_data,
    case_state,
    duration_error,
    field_error,
    row_counts,
    rule_row,
    top_errors,
    update_url,
)
from tests.factories import AppointmentTypeRuleFactory, PatientCaseFactory


@pytest.fixture
def ctx(
    clinic,
    administrator,
    speech,
    occupational,
    types,
    evaluation,
    treatment,
    speech_case,
    physical_inactive,
    other_service,
    other_type,
    consultation_inactive,
):
    return SimpleNamespace(**locals())


@pytest.fixture(params=["create", "edit"])
def screen(request, ctx):
    """The URL posted to, valid data for it, and the case whose state must not move (edit)."""
    if request.param == "create":
        data = case_data(ctx.clinic, name="New Case", services=[ctx.speech])
        return SimpleNamespace(url=CREATE_URL, data=data, case=None)
    case = PatientCaseFactory(
        clinic=ctx.clinic,
        name="Articulation",
        service_types=[ctx.speech],
        created_by=ctx.administrator,
    )
    AppointmentTypeRuleFactory(case=case, appointment_type=ctx.treatment, duration_minutes=45)
    AppointmentTypeRuleFactory(case=case, appointment_type=ctx.evaluation, allow_requests=False)
    data = case_data(
        ctx.clinic,
        name="Articulation",
        services=[ctx.speech],
        allowed={ctx.treatment: 45},
        version=case.version,
    )
    return SimpleNamespace(url=update_url(case), data=data, case=case)


def _set(**values):
    def mutate(data, ctx):
        data.update(
            {key: value(ctx) if callable(value) else value for key, value in values.items()}
        )

    return mutate


def _drop(*keys):
    def mutate(data, ctx):
        for key in keys:
            data.pop(key, None)

    return mutate


def _allow_treatment(duration):
    # Row 1 is Treatment (rows are sorted by name: Evaluation, Treatment).
    return _set(**{"rules-1-allow_requests": "on", "rules-1-duration_minutes": duration})


def _name(response):
    return field_error(response, "name")


def _services(response):
    return field_error(response, "service_types")


def _row(index):
    return lambda response: rule_row(response, index)


def _duration(index):
    return lambda response: duration_error(response, index)


BAD_INPUT = [
    ("blank name", _set(name=""), _name, "This field is required."),
    ("name of spaces only", _set(name="    "), _name, "This field is required."),
    ("name of 101 chars", _set(name="x" * 101), _name, "at most 100 characters (it has 101)"),
    ("duplicate name", _set(name="Speech Therapy"), _name, "“Speech Therapy” already exists"),
    ("duplicate, other case", _set(name="speech THERAPY"), _name, "already exists"),
    ("duplicate, spaces", _set(name="  Speech   Therapy "), _name, "already exists"),
    ("no service", _drop("service_types"), _services, "Choose at least one service."),
    (
        "another clinic's service",
        _set(service_types=lambda c: [str(c.other_service.pk)]),
        _services,
        "is not one of this clinic's service types.",
    ),
    (
        "inactive service",
        _set(service_types=lambda c: [str(c.speech.pk), str(c.physical_inactive.pk)]),
        _services,
        "is not one of this clinic's service types.",
    ),
    (
        "service id that is no id",
        _set(service_types=["abc"]),
        _services,
        "“abc” is not a service type.",
    ),
    (
        "allowed type without duration",
        _allow_treatment(""),
        _duration(1),
        "Enter a duration for an appointment type you allow.",
    ),
    ("duration 0", _allow_treatment("0"), _duration(1), "Enter at least 5 minutes."),
    ("duration 7", _allow_treatment("7"), _duration(1), "Enter minutes in steps of 5"),
    ("duration 481", _allow_treatment("481"), _duration(1), "Enter at most 480 minutes."),
    ("duration -5", _allow_treatment("-5"), _duration(1), "Enter at least 5 minutes."),
    ("duration abc", _allow_treatment("abc"), _duration(1), "Enter the duration in whole minutes."),
    (
        "duration 45.5",
        _allow_treatment("45.5"),
        _duration(1),
        "Enter the duration in whole minutes.",
    ),
    (
        "appointment type that does not exist",
        _set(**{"rules-0-appointment_type": "999999"}),
        _row(0),
        "This appointment type is not one of this clinic's active types.",
    ),
    (
        "another clinic's appointment type",
        _set(**{"rules-0-appointment_type": lambda c: str(c.other_type.pk)}),
        _row(0),
        "This appointment type is not one of this clinic's active types.",
    ),
    (
        "inactive appointment type",
        _set(**{"rules-0-appointment_type": lambda c: str(c.consultation_inactive.pk)}),
        _row(0),
        "This appointment type is not one of this clinic's active types.",
    ),
    (
        "missing management form",
        _drop("rules-TOTAL_FORMS", "rules-INITIAL_FORMS"),
        top_errors,
        "The appointment types changed while you were editing: reload the page.",
    ),
    (
        "TOTAL_FORMS not a number",
        _set(**{"rules-TOTAL_FORMS": "two"}),
        top_errors,
        "The appointment types changed while you were editing: reload the page.",
    ),
    (
        "TOTAL_FORMS lowered: a type's row is missing",
        _set(**{"rules-TOTAL_FORMS": "1"}),
        top_errors,
        "The appointment types changed while you were editing: reload the page.",
    ),
    (
        "a type's row replaced by a second row for another type",
        _set(**{"rules-1-appointment_type": lambda c: str(c.evaluation.pk)}),
        top_errors,
        "The appointment types changed while you were editing: reload the page.",
    ),
    (
        "TOTAL_FORMS raised: an empty extra row",
        _set(**{"rules-TOTAL_FORMS": "3"}),
        top_errors,
        "The appointment types changed while you were editing: reload the page.",
    ),
    (
        "TOTAL_FORMS and INITIAL_FORMS raised: an empty extra row",
        _set(**{"rules-TOTAL_FORMS": "3", "rules-INITIAL_FORMS": "3"}),
        _row(2),
        "This field is required.",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "where", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_is_refused_next_to_the_field_and_writes_nothing(
    administrator_client, ctx, screen, mutate, where, message
):
    mutate(screen.data, ctx)
    before = row_counts()
    state = case_state(screen.case) if screen.case else None

    response = administrator_client.post(screen.url, screen.data)

    assert response.status_code == 400
    assert message in where(response)
    assert row_counts() == before
    if screen.case:
        assert case_state(screen.case) == state


def test_edit_without_version_is_refused_with_a_message(
    administrator_client, clinic, speech, speech_case
):
    data = case_data(clinic, name="Renamed", services=[speech])
    state = case_state(speech_case)

    response = administrator_client.post(update_url(speech_case), data)

    assert response.status_code == 400
    assert "This form is out of date: reload the page and try again." in top_errors(response)
    assert case_state(speech_case) == state


def test_edit_with_a_version_that_is_no_number_is_refused(
    administrator_client, clinic, speech, speech_case
):
    data = case_data(clinic, name="Renamed", services=[speech])
    data["version"] = "latest"
    state = case_state(speech_case)

    response = administrator_client.post(update_url(speech_case), data)

    assert response.status_code == 400
    assert "Enter a whole number." in top_errors(response)
    assert case_state(speech_case) == state


def test_refused_input_is_kept_on_the_form(administrator_client, clinic, speech, types, treatment):
    data = case_data(clinic, name="Articulation", services=[speech], allowed={treatment: 7})

    response = administrator_client.post(CREATE_URL, data)

    assert response.status_code == 400
    content = response.content.decode()
    assert 'value="Articulation"' in content
    assert 'name="rules-1-duration_minutes" id="id_rules-1-duration_minutes" value="7"' in content


def test_case_with_a_service_gone_inactive_must_untick_it_to_save(
    administrator_client, clinic, administrator, speech, physical_inactive
):
    case = PatientCaseFactory(
        clinic=clinic,
        name="Rehab",
        service_types=[speech, physical_inactive],
        created_by=administrator,
    )
    data = case_data(
        clinic, name="Rehab renamed", services=[speech, physical_inactive], version=case.version
    )
    state = case_state(case)

    response = administrator_client.post(update_url(case), data)

    assert response.status_code == 400
    assert "Physical Therapy is inactive: untick it" in field_error(response, "service_types")
    assert case_state(case) == state
