"""The History view: every create, edit, archive and restore in plain words, with who did it."""

import re

import pytest

from cases.models import PatientCase
from tests.cases.helpers import (
    CREATE_URL,
    archive_url,
    case_data,
    history_url,
    page_text,
    restore_url,
    update_url,
)
from tests.factories import PatientCaseFactory


def _entries(response) -> list[str]:
    """Each history card's text, newest first, as the page lists them."""
    content = response.content.decode()
    cards = re.findall(
        r'<li class="card mb-3">(.*?)</li>\s*(?=<li class="card|</ol>)', content, re.S
    )
    return [" ".join(re.sub(r"<[^>]+>", " ", card).split()) for card in cards]


@pytest.fixture
def history(
    administrator_client,
    second_client,
    administrator,
    second_admin,
    clinic,
    speech,
    occupational,
    types,
):
    """A case created, renamed, given a second service, opened to requests, archived and
    restored, through the screens, by two administrators."""
    evaluation, treatment = types
    administrator_client.post(CREATE_URL, case_data(clinic, name="Speech", services=[speech]))
    case = PatientCase.objects.get()
    steps = [
        (administrator_client, {"name": "Speech Therapy", "services": [speech]}),
        (second_client, {"name": "Speech Therapy", "services": [speech, occupational]}),
        (
            administrator_client,
            {
                "name": "Speech Therapy",
                "services": [speech, occupational],
                "allowed": {treatment: 45},
            },
        ),
    ]
    for client, fields in steps:
        version = PatientCase.objects.get(pk=case.pk).version
        response = client.post(update_url(case), case_data(clinic, version=version, **fields))
        assert response.status_code == 302
    assert second_client.post(archive_url(case)).status_code == 302
    assert administrator_client.post(restore_url(case)).status_code == 302
    return case


def test_history_tells_each_change_in_plain_words(
    administrator_client, administrator, second_admin, history
):
    response = administrator_client.get(history_url(history))

    assert response.status_code == 200
    entries = _entries(response)
    assert len(entries) == 6
    restored, archived, rules, services, renamed, created = entries
    assert restored.startswith(f"Restored by {administrator} on ")
    assert "Status: Archived → Active" in restored
    assert archived.startswith(f"Archived by {second_admin} on ")
    assert "Status: Active → Archived" in archived
    assert rules.startswith(f"Edited by {administrator} on ")
    assert rules.endswith("Requests: Treatment: Not allowed → Allowed, 45 min")
    assert services.startswith(f"Edited by {second_admin} on ")
    assert services.endswith("Services: Speech Therapy → Occupational Therapy, Speech Therapy")
    assert renamed.startswith(f"Edited by {administrator} on ")
    assert renamed.endswith("Name: Speech → Speech Therapy")
    assert created.startswith(f"Created by {administrator} on ")
    assert "Name: Speech" in created and "Services: Speech Therapy" in created
    assert "Status: Active" in created


def test_each_history_line_names_only_what_changed(administrator_client, history):
    entries = _entries(administrator_client.get(history_url(history)))

    restored, archived, rules, services, renamed, _created = entries
    for entry, label in [
        (restored, "Status"),
        (archived, "Status"),
        (rules, "Requests"),
        (services, "Services"),
        (renamed, "Name"),
    ]:
        changes = entry.split(" on ", 1)[1]
        others = {"Status", "Requests", "Services", "Name"} - {label}
        assert not any(f"{other}:" in changes for other in others), entry


def test_duration_change_and_closing_requests_read_plainly(
    administrator_client, clinic, speech, types, history
):
    evaluation, treatment = types
    case = history
    for allowed in ({treatment: 60}, {}):
        version = PatientCase.objects.get(pk=case.pk).version
        administrator_client.post(
            update_url(case),
            case_data(
                clinic,
                name="Speech Therapy",
                services=[speech, *case.service_types.exclude(pk=speech.pk)],
                allowed=allowed,
                version=version,
            ),
        )

    closed, lengthened = _entries(administrator_client.get(history_url(case)))[:2]

    assert lengthened.endswith("Requests: Treatment: Allowed, 45 min → Allowed, 60 min")
    assert closed.endswith("Requests: Treatment: Allowed, 60 min → Not allowed")


def test_history_page_of_a_case_without_entries(administrator_client, speech_case):
    response = administrator_client.get(history_url(speech_case))

    assert response.status_code == 200
    assert "No changes recorded yet." in page_text(response)


def test_history_shows_no_entry_of_another_case(administrator_client, clinic, speech, history):
    other = PatientCaseFactory(clinic=clinic, name="Fluency", service_types=[speech])

    assert "No changes recorded yet." in page_text(administrator_client.get(history_url(other)))


def test_history_times_carry_the_clinics_time_zone(administrator_client, history):
    entries = _entries(administrator_client.get(history_url(history)))

    assert all(re.search(r" \d\d:\d\d E[SD]T ", entry) for entry in entries), entries
