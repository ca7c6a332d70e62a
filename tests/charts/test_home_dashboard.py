"""The home page's working day for therapists and administrators (issue 12, item 1), and the
list of unsigned documentation it links to."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import User
from core.roles import ADMINISTRATOR, THERAPIST
from tests.charts.helpers import page_html
from tests.factories import (
    AppointmentFactory,
    DailyNoteFactory,
    EvaluationFactory,
    GoalFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    ReminderFactory,
    UserFactory,
)

HOME = reverse("home")
UNSIGNED = reverse("charts:unsigned_list")
DAY = datetime.timedelta(days=1)


def test_a_therapist_sees_their_unsigned_documents_oldest_first_with_their_age(
    therapist_client, therapist, second_speech_therapist, speech_chart_case, today
):
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist, date_of_service=today - DAY)
    EvaluationFactory(chart_case=speech_chart_case, author=therapist, date=today - 49 * DAY)
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)
    DailyNoteFactory(chart_case=speech_chart_case, author=second_speech_therapist)

    text = page_html(therapist_client.get(HOME))

    section = text.split("Your unsigned documentation")[1].split("Overdue reminders")[0]
    assert section.index("49 days old") < section.index("1 day old")
    assert section.count("list-group-item") == 2
    assert "Evaluation of" in section and "Daily note of" in section


def test_a_therapist_sees_goals_past_target_and_what_is_due_soon(
    therapist_client, therapist, speech_chart_case, today
):
    late = GoalFactory(
        chart_case=speech_chart_case,
        created_by=therapist,
        text="Late goal",
        start_date=today - 40 * DAY,
        target_date=today - DAY,
    )
    GoalFactory(
        chart_case=speech_chart_case,
        created_by=therapist,
        text="Met goal",
        start_date=today - 40 * DAY,
        target_date=today - DAY,
        status="met",
    )
    ReminderFactory(
        chart_case=speech_chart_case,
        created_by=therapist,
        kind="re_evaluation",
        due_on=today + 5 * DAY,
    )
    ReminderFactory(
        chart_case=speech_chart_case,
        created_by=therapist,
        kind="re_evaluation",
        due_on=today + 30 * DAY,
    )
    speech_chart_case.plan_of_care_start = today - 60 * DAY
    speech_chart_case.plan_of_care_end = today + 10 * DAY
    speech_chart_case.save()

    text = page_html(therapist_client.get(HOME))

    assert "Late goal" in text and "Met goal" not in text
    assert reverse("charts:goal_update", args=[speech_chart_case.pk, late.pk]) in text
    assert text.count("Re-evaluation due") == 1
    assert "Plan of care ends" in text
    assert reverse("charts:plan_of_care_update", args=[speech_chart_case.pk]) in text


def test_an_administrator_sees_late_unsigned_counts_per_therapist_and_unused_cases(
    administrator_client, therapist, second_speech_therapist, speech_chart_case, clinic, today
):
    DailyNoteFactory(
        chart_case=speech_chart_case, author=therapist, date_of_service=today - 9 * DAY
    )
    EvaluationFactory(chart_case=speech_chart_case, author=therapist, date=today - 4 * DAY)
    # Within the limit of three days: not counted.
    DailyNoteFactory(
        chart_case=speech_chart_case,
        author=second_speech_therapist,
        date_of_service=today - 2 * DAY,
    )
    PatientCaseFactory(clinic=clinic, name="Nobody's case")

    text = page_html(administrator_client.get(HOME))

    assert "Documentation unsigned for more than 3 days" in text
    assert f"{UNSIGNED}?author={therapist.pk}" in text and "2 documents" in text
    assert "Sam Second" not in text
    assert "1 case no chart uses" in text


def test_the_limit_is_a_clinic_setting(
    administrator_client, therapist, speech_chart_case, clinic, today
):
    clinic.unsigned_limit_days = 10
    clinic.save()
    DailyNoteFactory(
        chart_case=speech_chart_case, author=therapist, date_of_service=today - 9 * DAY
    )

    text = page_html(administrator_client.get(HOME))

    assert "more than 10 days" in text and "None: every therapist is within the limit." in text


def test_a_scheduler_gets_no_dashboard(scheduler_client):
    text = page_html(scheduler_client.get(HOME))

    assert "Your unsigned documentation" not in text and "Needs attention" not in text


# A therapist's count includes one read of the cases of their service types (cached on the user
# for the request, charts.models.chart._therapist_case_ids) and one of their appointments today
# (scheduling's Today list, one query for any number of rows). An administrator's includes the
# Schedule tab's pending-request count, and (issue 21) the authorizations needing attention:
# the clinic's settings row and the rows, filtered on their stored counts (insurance.reads.alerts).
@pytest.mark.parametrize(("role", "expected"), [(THERAPIST, 12), (ADMINISTRATOR, 11)])
def test_the_home_page_takes_a_fixed_number_of_queries(
    role, expected, client, clinic, speech, speech_case, today, django_assert_num_queries
):
    user = UserFactory(clinic=clinic, roles=[role], service_types=[speech])
    client.force_login(user)

    def fill(n):
        for _ in range(n):
            chart_case = PatientChartCaseFactory(case=speech_case, clinic=clinic)
            DailyNoteFactory(chart_case=chart_case, author=user, date_of_service=today - 9 * DAY)
            EvaluationFactory(chart_case=chart_case, author=user, date=today - 9 * DAY)
            GoalFactory(
                chart_case=chart_case,
                created_by=user,
                start_date=today - 40 * DAY,
                target_date=today - DAY,
            )
            ReminderFactory(chart_case=chart_case, created_by=user, due_on=today - DAY)
            ReminderFactory(
                chart_case=chart_case, created_by=user, kind="re_evaluation", due_on=today + DAY
            )
            PatientCaseFactory(clinic=clinic)
            if role == THERAPIST:
                # One an hour from 6:00, so none overlaps another (PostgreSQL's constraint).
                hour = 6 + AppointmentFactory._meta.model.objects.filter(therapist=user).count()
                AppointmentFactory(
                    chart_case=chart_case,
                    therapist=user,
                    start=datetime.datetime.combine(today, datetime.time(hour), clinic.tzinfo),
                )

    fill(1)
    client.get(HOME)
    fill(5)
    with django_assert_num_queries(expected):
        response = client.get(HOME)
    assert response.status_code == 200


# The list of unsigned documentation -------------------------------------------------------


def test_a_therapist_lists_only_their_own_unsigned_documents(
    therapist_client, therapist, second_speech_therapist, speech_chart_case
):
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist)
    DailyNoteFactory(chart_case=speech_chart_case, author=second_speech_therapist)

    text = page_html(therapist_client.get(f"{UNSIGNED}?author={second_speech_therapist.pk}"))

    assert text.count("day old") + text.count("days old") == 1


def test_an_administrator_lists_one_therapists_unsigned_documents(
    administrator_client, therapist, second_speech_therapist, speech_chart_case, other_admin
):
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist)
    DailyNoteFactory(chart_case=speech_chart_case, author=second_speech_therapist)
    EvaluationFactory(chart_case=speech_chart_case, author=second_speech_therapist)

    everyone = page_html(administrator_client.get(UNSIGNED))
    one = page_html(administrator_client.get(f"{UNSIGNED}?author={second_speech_therapist.pk}"))
    foreign = administrator_client.get(f"{UNSIGNED}?author={other_admin.pk}")

    assert everyone.count("list-group-item") == 3
    assert one.count("list-group-item") == 2 and "of Sam Second" in one
    assert foreign.status_code == 404


# Credentials on the staff form ------------------------------------------------------------


def test_staff_get_optional_credentials(administrator_client, therapist, speech):
    response = administrator_client.post(
        reverse("accounts:staff_update", args=[therapist.pk]),
        {
            "first_name": "Dana",
            "last_name": "Reyes",
            "credentials": " CCC-SLP ",
            "email": therapist.email,
            "roles": [g.pk for g in therapist.groups.all()],
            "service_types": [speech.pk],
            "version": therapist.version,
        },
    )

    assert response.status_code == 302
    assert User.objects.get(pk=therapist.pk).credentials == "CCC-SLP"
