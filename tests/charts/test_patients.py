"""The Patients tab: search, pagination, who sees whom, adding and editing a patient."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charts.models import Patient
from tests.charts.helpers import flash_messages, page_html
from tests.factories import PatientChartCaseFactory, PatientFactory

LIST_URL = reverse("charts:patient_list")
ADD_URL = reverse("charts:patient_create")


def _listed(response) -> list[str]:
    """The names in the patients table, as shown ("Last, First"), in page order."""
    return re.findall(r'<td><a href="/patients/\d+/">([^<]*)</a></td>', page_html(response))


@pytest.fixture
def people(clinic):
    return {
        "liam": PatientFactory(
            clinic=clinic,
            first_name="Liam",
            last_name="Carter",
            date_of_birth=datetime.date(2018, 4, 12),
        ),
        "emma": PatientFactory(
            clinic=clinic,
            first_name="Emma",
            last_name="Carterson",
            date_of_birth=datetime.date(2016, 1, 3),
        ),
        "noah": PatientFactory(
            clinic=clinic,
            first_name="Noah",
            last_name="Smith",
            date_of_birth=datetime.date(2018, 12, 4),
        ),
    }


# Search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("carter", ["Carter, Liam", "Carterson, Emma"]),
        ("CARTER", ["Carter, Liam", "Carterson, Emma"]),
        ("liam carter", ["Carter, Liam"]),
        ("Carter Liam", ["Carter, Liam"]),
        ("  carter   LIAM ", ["Carter, Liam"]),
        ("ter li", ["Carter, Liam"]),
        ("liam smith", []),
        ("2018-04-12", ["Carter, Liam"]),
        ("04/12/2018", ["Carter, Liam"]),
        ("12/04/2018", ["Smith, Noah"]),
        ("", ["Carter, Liam", "Carterson, Emma", "Smith, Noah"]),
    ],
)
def test_search_by_name_parts_or_date_of_birth(query, expected, administrator_client, people):
    response = administrator_client.get(LIST_URL, {"q": query})

    assert response.status_code == 200
    assert _listed(response) == expected


def test_a_search_without_match_says_so(administrator_client, people):
    response = administrator_client.get(LIST_URL, {"q": "Zebedee"})

    assert _listed(response) == []
    assert "No patient matches “Zebedee”." in page_html(response)


# Pagination -------------------------------------------------------------------------------


def test_thirty_patients_make_two_pages_of_twenty_five(administrator_client, clinic):
    for n in range(30):
        PatientFactory(clinic=clinic, first_name=f"Pat{n:02d}", last_name="Jones")

    first = administrator_client.get(LIST_URL)
    second = administrator_client.get(LIST_URL, {"page": 2})

    assert len(_listed(first)) == 25
    assert len(_listed(second)) == 5
    first_text, second_text = page_html(first), page_html(second)
    assert ">Page 1<" in first_text and ">Next<" in first_text and ">Previous<" not in first_text
    assert ">Page 2<" in second_text and ">Previous<" in second_text and ">Next<" not in second_text
    assert set(_listed(first)).isdisjoint(_listed(second))
    assert len(set(_listed(first)) | set(_listed(second))) == 30


def test_the_next_page_keeps_the_search(administrator_client, clinic):
    for n in range(30):
        PatientFactory(clinic=clinic, first_name=f"Pat{n:02d}", last_name="Jones")
    PatientFactory(clinic=clinic, first_name="Other", last_name="Person")

    first = administrator_client.get(LIST_URL, {"q": "jones"})

    assert 'href="?q=jones&amp;page=2"' in first.content.decode()
    second = administrator_client.get(LIST_URL, {"q": "jones", "page": 2})
    assert len(_listed(second)) == 5
    assert "Person, Other" not in _listed(second)


# Who sees whom ----------------------------------------------------------------------------


@pytest.fixture
def mixed_patients(clinic, other_clinic, speech_chart_case, ot_patient, feeding_case, today):
    """Liam Carter (speech case), Olivia Otis (occupational-only), Fiona Fields (the shared
    Feeding case), Nora Nocase (no case yet), and a patient of another clinic."""
    fiona = PatientFactory(clinic=clinic, first_name="Fiona", last_name="Fields")
    PatientChartCaseFactory(
        patient=fiona, case=feeding_case, started_on=today - datetime.timedelta(days=5)
    )
    PatientFactory(clinic=clinic, first_name="Nora", last_name="Nocase")
    PatientFactory(clinic=other_clinic, first_name="Hugo", last_name="Hillside")


@pytest.mark.parametrize("role_client", ["administrator_client", "scheduler_client"])
def test_front_desk_sees_every_patient_of_the_clinic(role_client, request, mixed_patients):
    client = request.getfixturevalue(role_client)

    response = client.get(LIST_URL)

    assert _listed(response) == [
        "Carter, Liam",
        "Fields, Fiona",
        "Nocase, Nora",
        "Otis, Olivia",
    ]


def test_a_therapist_sees_only_patients_with_a_case_of_their_services(
    therapist_client, ot_client, mixed_patients
):
    assert _listed(therapist_client.get(LIST_URL)) == ["Carter, Liam", "Fields, Fiona"]
    assert _listed(ot_client.get(LIST_URL)) == ["Fields, Fiona", "Otis, Olivia"]


def test_a_therapist_search_stays_within_their_patients(therapist_client, mixed_patients):
    response = therapist_client.get(LIST_URL, {"q": "otis"})

    assert _listed(response) == []


def test_an_occupational_only_patient_is_not_found_for_the_speech_therapist(
    therapist_client, ot_patient
):
    chart_case = ot_patient.chart_cases.get()

    assert (
        therapist_client.get(reverse("charts:patient_detail", args=[ot_patient.pk])).status_code
        == 404
    )
    assert (
        therapist_client.get(
            reverse("charts:chart_case_detail", args=[ot_patient.pk, chart_case.pk])
        ).status_code
        == 404
    )


def test_another_clinics_patient_is_not_found(administrator_client, other_clinic):
    stranger = PatientFactory(clinic=other_clinic)

    response = administrator_client.get(reverse("charts:patient_detail", args=[stranger.pk]))

    assert response.status_code == 404


# Adding and editing -----------------------------------------------------------------------

FRONT_DESK = ["administrator_client", "scheduler_client"]


@pytest.mark.parametrize("role_client", FRONT_DESK)
def test_front_desk_adds_a_patient(role_client, request, clinic):
    client = request.getfixturevalue(role_client)

    response = client.post(
        ADD_URL,
        {"first_name": "  Ava  Rose ", "last_name": " Brown ", "date_of_birth": "2019-06-01"},
    )

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("charts:patient_detail", args=[patient.pk])
    assert (patient.clinic, patient.first_name, patient.last_name) == (clinic, "Ava Rose", "Brown")
    assert patient.date_of_birth == datetime.date(2019, 6, 1)
    assert flash_messages(response) == ["Patient Ava Rose Brown added."]


TOMORROW = "tomorrow"
BAD_PATIENT_INPUTS = pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_name": ""}, "This field is required."),
        ({"first_name": "   "}, "This field is required."),
        ({"last_name": ""}, "This field is required."),
        ({"date_of_birth": TOMORROW}, "The date cannot be in the future."),
        ({"date_of_birth": "not a date"}, "Enter a valid date."),
        ({"date_of_birth": "2019-02-30"}, "Enter a valid date."),
        ({"date_of_birth": ""}, "This field is required."),
    ],
    ids=["blank first", "spaces", "blank last", "future", "not a date", "Feb 30", "no date"],
)


def _with(data: dict, change: dict, today) -> dict:
    if change.get("date_of_birth") == TOMORROW:
        change = {"date_of_birth": (today + datetime.timedelta(days=1)).isoformat()}
    return {**data, **change}


@pytest.mark.parametrize("role_client", FRONT_DESK)
@BAD_PATIENT_INPUTS
def test_a_bad_new_patient_is_refused_and_nothing_is_written(
    role_client, change, message, request, today
):
    client = request.getfixturevalue(role_client)
    data = {"first_name": "Ava", "last_name": "Brown", "date_of_birth": "2019-06-01"}

    response = client.post(ADD_URL, _with(data, change, today))

    assert response.status_code == 400
    assert message in page_html(response)
    assert not Patient.objects.exists()


@pytest.mark.parametrize("role_client", FRONT_DESK)
def test_front_desk_edits_a_patient(role_client, request, speech_patient):
    client = request.getfixturevalue(role_client)

    response = client.post(
        reverse("charts:patient_update", args=[speech_patient.pk]),
        {
            "first_name": "William",
            "last_name": "Carter-Lee",
            "date_of_birth": "2017-03-09",
            "version": speech_patient.version,
        },
    )

    assert response.status_code == 302
    speech_patient.refresh_from_db()
    assert (speech_patient.first_name, speech_patient.last_name) == ("William", "Carter-Lee")
    assert speech_patient.date_of_birth == datetime.date(2017, 3, 9)


@pytest.mark.parametrize("role_client", FRONT_DESK)
@BAD_PATIENT_INPUTS
def test_a_bad_edit_is_refused_and_the_patient_is_unchanged(
    role_client, change, message, request, speech_patient, today
):
    client = request.getfixturevalue(role_client)
    before = (speech_patient.first_name, speech_patient.last_name, speech_patient.date_of_birth)
    data = {
        "first_name": "William",
        "last_name": "Carter-Lee",
        "date_of_birth": "2017-03-09",
        "version": speech_patient.version,
    }

    response = client.post(
        reverse("charts:patient_update", args=[speech_patient.pk]), _with(data, change, today)
    )

    assert response.status_code == 400
    assert message in page_html(response)
    speech_patient.refresh_from_db()
    assert (
        speech_patient.first_name,
        speech_patient.last_name,
        speech_patient.date_of_birth,
    ) == before


def test_a_therapist_cannot_add_or_edit_a_patient(therapist_client, charted_patient):
    add = therapist_client.post(
        ADD_URL, {"first_name": "Ava", "last_name": "Brown", "date_of_birth": "2019-06-01"}
    )
    edit = therapist_client.post(
        reverse("charts:patient_update", args=[charted_patient.pk]),
        {"first_name": "Hacked", "last_name": "Name", "date_of_birth": "2019-06-01"},
    )

    assert (add.status_code, edit.status_code) == (403, 403)
    assert Patient.objects.get() == charted_patient
    charted_patient.refresh_from_db()
    assert charted_patient.first_name == "Liam"


# Query count ------------------------------------------------------------------------------


def _count_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    # The administrator's includes the Schedule tab's pending-request count.
    ("role_client", "expected"),
    [("administrator_client", 7), ("therapist_client", 7)],
)
def test_the_list_takes_a_fixed_number_of_queries(
    role_client, expected, request, clinic, speech_case, today, django_assert_num_queries
):
    client = request.getfixturevalue(role_client)

    def add(count):
        for _ in range(count):
            PatientChartCaseFactory(
                case=speech_case, patient=PatientFactory(clinic=clinic), started_on=today
            )

    add(3)
    few = _count_queries(client)
    add(40)
    many = _count_queries(client)
    searched = _count_queries(client, q="a", page=2)

    assert few == many == searched
    with django_assert_num_queries(expected):
        client.get(LIST_URL)


@pytest.mark.parametrize("page", ["0", "-3", "abc", "2147483648", "99999999999999999999999"])
def test_any_page_number_is_answered_without_an_error(administrator_client, speech_patient, page):
    response = administrator_client.get(reverse("charts:patient_list"), {"page": page})

    assert response.status_code == 200
