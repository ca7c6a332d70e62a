"""Query-count pins (issue 13) for the list and detail screens that had none at two sizes: each
screen is requested, as the role that uses it, with few rows and again after many more rows of
what it lists or shows were added, and must take the same, pinned number of queries (an N+1
shows as a difference).

Every staff page starts with the same queries: the session, the user with its clinic and role
names (one statement), and ends with the session's save (three statements: a savepoint around
the UPDATE, SESSION_SAVE_EVERY_REQUEST); an administrator's and a scheduler's pages add the
Schedule tab's pending-request count. That is 5 for a therapist, 6 for the front desk and
administrators; each comment below says what comes on top. A portal page starts from the same
5 (it has no Schedule tab)."""

import datetime

from django.urls import reverse

from charts.models import Addendum
from core.roles import ADMINISTRATOR, PATIENT, THERAPIST
from importing.models import ImportRun
from scheduling.models import AvailabilityException, ClinicClosure, TherapistAvailability
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    DailyNoteFactory,
    DischargeSummaryFactory,
    EvaluationFactory,
    GoalFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    PortalLinkFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.fixtures.scheduling import open_every_day
from tests.test_query_counts import _pinned

# Basic Setup --------------------------------------------------------------------------------


def _more_setup(clinic, count):
    """Rows of every Basic Setup table, none of which a menu or settings page lists."""

    def grow():
        for n in range(count):
            ServiceTypeFactory(clinic=clinic, name=f"Service {n}")
            AppointmentTypeFactory(clinic=clinic, name=f"Visit {n}")
            LocationFactory(clinic=clinic, name=f"Site {n}")
            UserFactory(clinic=clinic, roles=[THERAPIST])

    return grow


def test_the_basic_setup_menu_takes_a_fixed_number_of_queries(client, administrator, clinic):
    client.force_login(administrator)
    # 6: the menu is fixed links; nothing of the clinic's setup is read.
    _pinned(client, reverse("clinic:setup_home"), _more_setup(clinic, 10), expected=6)


def test_the_request_settings_take_a_fixed_number_of_queries(client, administrator, clinic):
    client.force_login(administrator)
    # 6: the form edits the clinic, which came with the user.
    _pinned(client, reverse("clinic:request_settings"), _more_setup(clinic, 10), expected=6)


def test_the_locations_take_a_fixed_number_of_queries(client, administrator, clinic):
    client.force_login(administrator)
    LocationFactory(clinic=clinic, address="1 Main Street\nSuite 2")

    def grow():
        for n in range(30):
            LocationFactory(clinic=clinic, name=f"Site {n}", address=f"{n} Elm Street")

    # 8: the paginator's count and the page of locations.
    _pinned(client, reverse("scheduling:location_list"), grow, expected=8)


def test_the_clinic_hours_take_a_fixed_number_of_queries(client, administrator, clinic):
    client.force_login(administrator)
    open_every_day(LocationFactory(clinic=clinic))

    def grow():
        for n in range(10):
            open_every_day(LocationFactory(clinic=clinic, name=f"Site {n}"))

    # 8: the active locations and all their hours (one prefetch).
    _pinned(client, reverse("scheduling:clinic_hours"), grow, expected=8)


def test_a_locations_hours_and_closures_take_a_fixed_number_of_queries(
    client, administrator, clinic, location
):
    client.force_login(administrator)
    today = clinic.today()

    def grow():
        for n in range(1, 25):
            ClinicClosure.objects.create(
                clinic=clinic,
                location=location,
                date=today + datetime.timedelta(days=n),
                reason=f"Holiday {n}",
            )

    # 9: the location, its hours, its closures ahead (the forms' choices are fixed lists).
    _pinned(client, reverse("scheduling:location_hours", args=[location.pk]), grow, expected=9)


def test_the_therapist_availability_list_takes_a_fixed_number_of_queries(
    client, administrator, clinic, therapist, speech, occupational
):
    client.force_login(administrator)

    def grow():
        for _ in range(15):
            UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech, occupational])

    # 8: the therapists and all their services (one prefetch).
    _pinned(client, reverse("scheduling:availability_list"), grow, expected=8)


def test_a_therapists_availability_takes_a_fixed_number_of_queries(
    client, administrator, clinic, therapist, location
):
    """The therapist works every day at ``location``; then at six more, with time off and
    extra hours at each."""
    client.force_login(administrator)
    today = clinic.today()

    def grow():
        for n in range(6):
            site = LocationFactory(clinic=clinic, name=f"Site {n}")
            open_every_day(site, therapist)
            AvailabilityException.objects.create(
                clinic=clinic,
                therapist=therapist,
                location=site,
                date=today + datetime.timedelta(days=n + 1),
                kind="extra",
                start=datetime.time(18),
                end=datetime.time(20),
                reason=f"Evening group {n}",
            )
            AvailabilityException.objects.create(
                clinic=clinic,
                therapist=therapist,
                date=today + datetime.timedelta(days=n + 10),
                kind="time_off",
            )

    assert TherapistAvailability.objects.filter(therapist=therapist).count() == 7
    # 11: the therapist, the working week with its locations, the time off and extra hours
    # ahead with theirs, and each add form's location choices.
    _pinned(
        client, reverse("scheduling:availability_detail", args=[therapist.pk]), grow, expected=11
    )


# Schedule -----------------------------------------------------------------------------------


def _more_appointments(chart_case, therapist, location, start, count):
    """``count`` more appointments of the chart case, a day apart from ``start``'s day."""

    def grow():
        for n in range(1, count + 1):
            AppointmentFactory(
                chart_case=chart_case,
                therapist=therapist,
                location=location,
                appointment_type=AppointmentTypeFactory(clinic=chart_case.clinic),
                start=start + datetime.timedelta(days=n),
            )

    return grow


def test_an_appointment_takes_a_fixed_number_of_queries(
    client, scheduler, appointment, therapist, location
):
    """An appointment, then the same one among twenty more of its patient's case."""
    client.force_login(scheduler)
    grow = _more_appointments(appointment.chart_case, therapist, location, appointment.start, 20)
    # 8: the appointment with its patient, case, type, therapist and location (one statement),
    # and the reminders about it that could not be sent (``scheduling.hooks``, messaging).
    _pinned(
        client, reverse("scheduling:appointment_detail", args=[appointment.pk]), grow, expected=8
    )


def _front_desk_growth(chart_case, location, count):
    """More therapists who may take the case (available at the location), their visits over
    the two weeks the finder shows, the patient's own visits and more open cases on the chart."""

    def grow():
        service = chart_case.case.service_types.first()
        start = datetime.datetime.combine(
            chart_case.clinic.today(), datetime.time(15), tzinfo=datetime.UTC
        )
        for n in range(count):
            other = UserFactory(
                clinic=chart_case.clinic, roles=[THERAPIST], service_types=[service]
            )
            open_every_day(location, other)
            AppointmentFactory(
                chart_case=PatientChartCaseFactory(case=chart_case.case),
                therapist=other,
                location=location,
                start=start + datetime.timedelta(days=1 + n % 13),
            )
            AppointmentFactory(
                chart_case=chart_case,
                therapist=other,
                location=location,
                start=start + datetime.timedelta(days=n - count // 2, hours=2),
            )
            PatientChartCaseFactory(
                patient=chart_case.patient,
                case=PatientCaseFactory(clinic=chart_case.clinic, service_types=[service]),
            )

    return grow


def test_the_free_time_finder_takes_a_fixed_number_of_queries(
    client, scheduler, speech_chart_case, location, treatment
):
    """Two weeks of free times for one case: one therapist, then twelve more with visits."""
    client.force_login(scheduler)
    url = reverse("scheduling:free_times", args=[speech_chart_case.patient_id])
    url += f"?chart_case={speech_chart_case.pk}"
    # 15: the patient; the patient's open cases, the types, the locations and who may take
    # the case, each read once for the form, its defaults (the first type and location) and
    # the page; the case's duration for the type; the free times (bookable_seconds: working
    # time in one UNION ALL, then the busy seconds); the audit entry.
    _pinned(client, url, _front_desk_growth(speech_chart_case, location, 12), expected=15)


def test_the_patient_page_with_the_front_desk_takes_a_fixed_number_of_queries(
    client, scheduler, speech_chart_case, location
):
    client.force_login(scheduler)
    url = reverse("charts:patient_detail", args=[speech_chart_case.patient_id])
    # 16: the chart page's own and the front desk's panel (patient_desk: visits to come and
    # past, requests, portal users, open cases and what each lets families request).
    _pinned(client, url, _front_desk_growth(speech_chart_case, location, 12), expected=16)


def test_the_discharges_appointments_step_takes_a_fixed_number_of_queries(
    client, scheduler, appointment, therapist, location
):
    client.force_login(scheduler)
    chart_case = appointment.chart_case
    grow = _more_appointments(chart_case, therapist, location, appointment.start, 15)
    # 8: the chart case, and its appointments to come with their therapist and location.
    _pinned(
        client,
        reverse("scheduling:chart_case_appointments", args=[chart_case.pk]),
        grow,
        expected=8,
    )


# Charts -------------------------------------------------------------------------------------


def test_the_unsigned_documentation_takes_a_fixed_number_of_queries(
    client, therapist, clinic, speech_case, speech_chart_case
):
    """A therapist's drafts: one, then notes and evaluations of many patients."""
    client.force_login(therapist)
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist)

    def grow():
        for n in range(12):
            chart_case = PatientChartCaseFactory(
                case=speech_case, patient=PatientFactory(clinic=clinic)
            )
            DailyNoteFactory(
                chart_case=chart_case,
                author=therapist,
                date_of_service=clinic.today() - datetime.timedelta(days=n),
            )
            EvaluationFactory(chart_case=chart_case, author=therapist)

    # 7: the count for the paginator and the page of documents with their patient and case
    # (one statement each).
    _pinned(client, reverse("charts:unsigned_list"), grow, expected=7)


def test_a_discharge_summary_takes_a_fixed_number_of_queries(client, therapist, speech_chart_case):
    """A summary with one goal, then with thirty, the case's goals, notes and other
    summaries beside it."""
    client.force_login(therapist)
    summary = DischargeSummaryFactory(chart_case=speech_chart_case, author=therapist)

    def grow():
        summary.goal_statuses = [[f"Goal {n}", "Met"] for n in range(30)]
        summary.save(update_fields=["goal_statuses"])
        for _ in range(10):
            GoalFactory(chart_case=speech_chart_case, created_by=therapist)
            DailyNoteFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)
            DischargeSummaryFactory(chart_case=speech_chart_case, author=therapist)

    # 10: the therapist's services (which chart cases they see), the chart case with its
    # patient and case, whether they document it (and so may read it), the summary with its
    # author, and the access entry's INSERT (a read of patient records is audited).
    _pinned(
        client,
        reverse("charts:discharge_summary_detail", args=[speech_chart_case.pk, summary.pk]),
        grow,
        expected=10,
    )


def test_a_signed_evaluation_with_its_addenda_takes_a_fixed_number_of_queries(
    client, therapist, speech_chart_case
):
    """The daily note's page is pinned in tests/test_query_counts.py; the evaluation's is the
    same view with the other kind's tables."""
    client.force_login(therapist)
    evaluation = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, signed_by=therapist
    )

    def add(count):
        Addendum.objects.bulk_create(
            Addendum(
                clinic=evaluation.clinic,
                evaluation=evaluation,
                text=f"Correction {n}",
                author=therapist,
            )
            for n in range(count)
        )

    add(1)
    url = reverse(
        "charts:document_detail", args=[speech_chart_case.pk, "evaluations", evaluation.pk]
    )
    # 11: as the discharge summary's page (10), and the addenda with their authors.
    _pinned(client, url, lambda: add(30), expected=11)


# Patient portal -----------------------------------------------------------------------------


def test_the_portal_patient_page_takes_a_fixed_number_of_queries(
    portal_client, portal_patient, clinic, occupational
):
    """A child with one case of care, then with seven."""

    def grow():
        for n in range(6):
            case = PatientCaseFactory(clinic=clinic, name=f"Case {n}", service_types=[occupational])
            PatientChartCaseFactory(patient=portal_patient, case=case)

    # 9: the patient (through the user's links), the link, the access entry's INSERT and the
    # chart cases with their case.
    url = reverse("portal:patient_detail", args=[portal_patient.pk])
    _pinned(portal_client, url, grow, expected=9)


def test_the_portal_access_screen_takes_a_fixed_number_of_queries(
    client, scheduler, clinic, portal_patient
):
    """A child with one family member on the portal, then with five."""
    client.force_login(scheduler)

    def grow():
        for _ in range(4):
            PortalLinkFactory(
                patient=portal_patient, user=UserFactory(clinic=clinic, roles=[PATIENT])
            )

    # 8: the patient and its links with their users.
    _pinned(client, reverse("portal:invite", args=[portal_patient.pk]), grow, expected=8)


# Staff and import ---------------------------------------------------------------------------


def test_a_staff_members_page_takes_a_fixed_number_of_queries(
    client, administrator, clinic, therapist
):
    """A therapist with one service, then with twelve, among twelve more to choose from."""
    client.force_login(administrator)

    def grow():
        therapist.service_types.add(
            *(ServiceTypeFactory(clinic=clinic, name=f"Service {n}") for n in range(12))
        )
        for n in range(12):
            ServiceTypeFactory(clinic=clinic, name=f"Other service {n}")

    # 11: the staff member, their roles and their services (a prefetch each), and the form's
    # role and service choices.
    url = reverse("accounts:staff_update", args=[therapist.pk])
    _pinned(client, url, grow, expected=11)


def _import_run(clinic, by, errors):
    return ImportRun.objects.create(
        clinic=clinic,
        file_name="patients.csv",
        sha256="0" * 64,
        size=10,
        status=ImportRun.Status.INVALID,
        errors=[[line, "bad"] for line in range(2, errors + 2)],
        error_count=errors,
        summary={"rows": errors + 10, "valid_rows": 10, "patients": 3},
        created_by=by,
    )


def test_the_imports_take_a_fixed_number_of_queries(client, administrator, clinic):
    """One run, then twenty-five, by several administrators (the list shows the last 20)."""
    client.force_login(administrator)
    _import_run(clinic, administrator, 1)

    def grow():
        for n in range(24):
            _import_run(clinic, UserFactory(clinic=clinic, roles=[ADMINISTRATOR]), n + 1)

    # 7: the last runs with their uploader (one statement).
    _pinned(client, reverse("importing:import_list"), grow, expected=7)


def test_an_imports_report_takes_a_fixed_number_of_queries(client, administrator, clinic):
    """A run with one bad row, then with two hundred, beside other runs."""
    client.force_login(administrator)
    run = _import_run(clinic, administrator, 1)

    def grow():
        run.errors = [[line, "bad"] for line in range(2, 202)]
        run.error_count = 200
        run.save(update_fields=["errors", "error_count"])
        for n in range(5):
            _import_run(clinic, administrator, n + 1)

    # 7: the run with its uploader; its bad rows are in the row.
    _pinned(client, reverse("importing:import_detail", args=[run.pk]), grow, expected=7)


# Insurance ----------------------------------------------------------------------------------


def _authorizations(clinic, payer, count, *, quantity):
    """``count`` authorizations on chart cases of their own, each with a visit booked (so a
    count to store) and every fifth booked over with a reason."""
    from tests.factories import AuthorizationFactory

    def grow():
        for n in range(count):
            chart_case = PatientChartCaseFactory(case__clinic=clinic, patient__clinic=clinic)
            AuthorizationFactory(chart_case=chart_case, payer=payer, quantity=quantity)
            AppointmentFactory(
                chart_case=chart_case,
                authorization_override="Renewal asked for" if n % 5 == 0 else "",
            )

    return grow


def test_the_authorizations_report_takes_a_fixed_number_of_queries(client, scheduler, clinic):
    """One authorization, then forty more (the first page: the stored counts, nothing
    counted)."""
    from tests.factories import PayerFactory

    client.force_login(scheduler)
    payer = PayerFactory(clinic=clinic)
    _authorizations(clinic, payer, 1, quantity=3)()
    # 12: the front desk's 6; the filter form's payers, service types and therapists; the
    # clinic's settings row; the page (one row more, no COUNT) with payer, chart case, case and
    # patient; one INSERT of the page's access entries.
    _pinned(client, reverse("insurance:report"), _authorizations(clinic, payer, 40, quantity=3), 12)


def test_an_authorizations_list_takes_a_fixed_number_of_queries(client, scheduler, clinic):
    """The Used up list with one authorization on it, then with sixty more beside forty that
    are not (the database filters on the stored counts; only the page is read)."""
    from tests.factories import PayerFactory

    client.force_login(scheduler)
    payer = PayerFactory(clinic=clinic)
    _authorizations(clinic, payer, 1, quantity=1)()

    def grow():
        _authorizations(clinic, payer, 60, quantity=1)()
        _authorizations(clinic, payer, 40, quantity=5)()

    # 12: as the first page; the list is a WHERE on the stored counts.
    _pinned(client, reverse("insurance:report") + "?kind=used_up", grow, 12)
