"""The counts stored on each authorization (what the report filters and pages on) are the one
rule's result, kept by every write that changes them, in that write's transaction: one test per
kind of write. ``stored_counts.stale`` compares every stored count with a fresh ``tally``."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from insurance import counting
from insurance import stored as stored_counts
from insurance.models import Authorization, InsuranceSettings, SharedLimit
from insurance.services import authorization_save, settings_save, shared_limit_save
from scheduling import services
from scheduling.models import Appointment
from tests.factories import (
    AppointmentFactory,
    AuthorizationFactory,
    DailyNoteFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
)
from tests.fixtures.scheduling import local

pytestmark = pytest.mark.django_db

OVER = "Renewal asked for"


@pytest.fixture
def grant(speech_chart_case, payer, clinic):
    """Three visits from a week ago to a month on."""
    today = clinic.today()
    return AuthorizationFactory(
        chart_case=speech_chart_case,
        payer=payer,
        quantity=3,
        first_date=today - datetime.timedelta(days=7),
        last_date=today + datetime.timedelta(days=30),
    )


@pytest.fixture
def book(clinic, speech_chart_case, therapist, location, treatment, tomorrow, scheduler):
    def book(days=0, hour=10, **extra):
        return services.appointment_book(
            clinic=clinic,
            chart_case=speech_chart_case,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=local(location, tomorrow + datetime.timedelta(days=days), hour),
            duration_minutes=45,
            by=scheduler,
            **extra,
        )

    return book


def stored(row) -> tuple:
    row = Authorization.objects.get(pk=row.pk)
    return (row.used, row.booked, row.remaining, row.override_reasons)


def right(clinic) -> bool:
    return stored_counts.stale(clinic.pk) == []


def test_an_authorization_added_stores_its_count_at_once(grant, clinic):
    assert stored(grant) == (0, 0, 3, [])
    assert right(clinic)


def test_a_booking_counts_as_booked(grant, book, clinic):
    book()
    assert stored(grant) == (0, 1, 2, [])
    assert right(clinic)


def test_a_booking_over_the_count_is_stored_with_its_reason(grant, book, clinic):
    for day in range(3):
        book(days=day)
    book(days=3, authorization_override=OVER)
    assert stored(grant) == (0, 4, -1, [OVER])
    assert right(clinic)


def test_a_visit_moved_out_of_the_dates_leaves_the_count(grant, book, scheduler, location, clinic):
    visit = book()
    services.appointment_reschedule(
        appointment=visit,
        start=local(location, clinic.today() + datetime.timedelta(days=40), 10),
        duration_minutes=45,
        reason="Later",
        by=scheduler,
        authorization_override=OVER,
    )
    assert stored(grant) == (0, 0, 3, [])
    assert right(clinic)


def test_a_longer_visit_counts_more_units(grant, book, scheduler, clinic):
    grant.unit = Authorization.Unit.UNITS
    grant.quantity = 12
    authorization_save(authorization=grant, by=scheduler, expected_version=grant.version)
    visit = book()
    assert stored(grant)[:3] == (0, 3, 9)
    services.appointment_reschedule(
        appointment=visit, start=visit.start, duration_minutes=60, reason="Longer", by=scheduler
    )
    assert stored(grant)[:3] == (0, 4, 8)
    assert right(clinic)


def test_a_cancelled_visit_no_longer_counts(grant, book, scheduler, clinic):
    visit = book()
    services.appointment_cancel(
        appointment=visit, status="clinic_cancelled", reason="Closed", by=scheduler
    )
    assert stored(grant) == (0, 0, 3, [])
    assert right(clinic)


@pytest.mark.parametrize("status", ["checked_in", "completed"])
def test_a_visit_checked_in_or_completed_counts_as_used(grant, book, scheduler, clinic, status):
    visit = book()
    services.appointment_set_status(appointment=visit, status=status, by=scheduler)
    assert stored(grant) == (1, 0, 2, [])
    assert right(clinic)


def test_a_no_show_counts_as_the_clinic_says(grant, book, scheduler, administrator, clinic):
    visit = book()
    services.appointment_set_status(appointment=visit, status="no_show", by=scheduler)
    assert stored(grant) == (0, 0, 3, [])
    settings = counting.settings_for(clinic.pk)
    settings.count_no_shows = True
    settings_save(settings=settings, by=administrator)
    assert stored(grant) == (1, 0, 2, [])
    settings = InsuranceSettings.objects.get(clinic=clinic)
    settings.count_no_shows = False
    settings_save(settings=settings, by=administrator)
    assert stored(grant) == (0, 0, 3, [])
    assert right(clinic)


def test_a_change_of_the_authorization_recounts_it(grant, book, scheduler, clinic):
    book()
    book(days=1)
    grant.quantity = 1
    authorization_save(authorization=grant, by=scheduler, expected_version=grant.version)
    assert stored(grant) == (0, 2, -1, [])
    grant.refresh_from_db()
    grant.last_date = clinic.today()
    authorization_save(authorization=grant, by=scheduler, expected_version=grant.version)
    assert stored(grant) == (0, 0, 1, [])
    assert right(clinic)


def test_a_new_authorization_ending_first_takes_the_visits_from_the_other(
    grant, book, scheduler, payer, clinic, speech_chart_case, treatment
):
    book()
    first = AuthorizationFactory.build(
        chart_case=speech_chart_case,
        payer=payer,
        quantity=5,
        first_date=clinic.today(),
        last_date=clinic.today() + datetime.timedelta(days=5),
    )
    authorization_save(authorization=first, appointment_types=[treatment], by=scheduler)
    assert stored(first) == (0, 1, 4, [])
    assert stored(grant) == (0, 0, 3, [])
    assert right(clinic)


def test_a_shared_limit_added_or_changed_leaves_the_stored_counts_right(
    grant, book, scheduler, speech_patient, clinic
):
    book()
    limit = SharedLimit(clinic=clinic, patient=speech_patient, name="Total", quantity=2)
    shared_limit_save(limit=limit, by=scheduler)
    grant.shared_limit = limit
    authorization_save(authorization=grant, by=scheduler, expected_version=grant.version)
    limit.quantity = 1
    shared_limit_save(limit=limit, by=scheduler, expected_version=limit.version)
    assert stored(grant) == (0, 1, 2, [])
    assert right(clinic)


def test_a_series_recounts_once_and_stores_every_visit(grant, scheduler, clinic, book):
    from scheduling.services.series import SeriesRule, series_book

    first = book()
    start = first.start + datetime.timedelta(days=1)
    rule = SeriesRule(
        interval=1, weekdays=(start.astimezone(first.location.tzinfo).weekday(),), count=3
    )
    series_book(
        clinic=clinic,
        chart_case=first.chart_case,
        therapist=first.therapist,
        location=first.location,
        appointment_type=first.appointment_type,
        start=start,
        duration_minutes=45,
        rule=rule,
        by=scheduler,
        authorization_override=OVER,
    )
    assert stored(grant)[:3] == (0, 4, -1)
    assert right(clinic)


def test_visits_moved_by_a_merge_of_cases_and_its_undo(
    speech, speech_patient, payer, therapist, administrator, clinic
):
    from cases.merge import case_merge
    from cases.merge_preview import merge_preview
    from cases.merge_undo import case_merge_undo

    source = PatientCaseFactory(clinic=clinic, name="Feeding", service_types=[speech])
    target = PatientCaseFactory(clinic=clinic, name="Feeding Therapy", service_types=[speech])
    source_chart = PatientChartCaseFactory(patient=speech_patient, case=source)
    target_chart = PatientChartCaseFactory(patient=speech_patient, case=target)
    on_source = AuthorizationFactory(chart_case=source_chart, payer=payer, quantity=5)
    on_target = AuthorizationFactory(chart_case=target_chart, payer=payer, quantity=5)
    AppointmentFactory(chart_case=source_chart, therapist=therapist)
    assert (stored(on_source)[:3], stored(on_target)[:3]) == ((0, 1, 4), (0, 0, 5))

    preview = merge_preview(target=target, sources=[source])
    merge = case_merge(target=target, sources=[source], token=preview.token, by=administrator)
    # The authorization moved with its visit onto the kept chart case, and still counts it
    # (the first of the two in the one rule's order: last date, then age).
    on_source.refresh_from_db()
    assert on_source.chart_case_id == target_chart.pk
    assert (stored(on_source)[:3], stored(on_target)[:3]) == ((0, 1, 4), (0, 0, 5))
    assert right(clinic)

    case_merge_undo(merge=merge, by=administrator)
    assert (stored(on_source)[:3], stored(on_target)[:3]) == ((0, 1, 4), (0, 0, 5))
    assert right(clinic)


def test_a_visit_moved_with_its_note_to_another_chart_case(
    speech, speech_chart_case, grant, therapist, payer, clinic
):
    from charts.services.move import documentation_move

    other = PatientChartCaseFactory(
        patient=speech_chart_case.patient,
        case=PatientCaseFactory(clinic=clinic, name="Feeding", service_types=[speech]),
    )
    there = AuthorizationFactory(chart_case=other, payer=payer, quantity=4)
    note = DailyNoteFactory(chart_case=speech_chart_case, author=therapist)
    AppointmentFactory(chart_case=speech_chart_case, therapist=therapist, daily_note=note)
    assert (stored(grant)[:3], stored(there)[:3]) == ((0, 1, 2), (0, 0, 4))
    documentation_move(item=note, to_chart_case=other, reason="Wrong case", by=therapist)
    assert (stored(grant)[:3], stored(there)[:3]) == ((0, 0, 3), (0, 1, 3))
    assert right(clinic)


def test_an_import_stores_the_counts_of_its_visits(tmp_path, clinic, import_staff):
    """Past visits recorded and an authorization, in one file: counted once, at the chunk's
    end."""
    from tests.factories import PayerFactory
    from tests.importing.helpers import csv_text, run_import, write
    from tests.importing.test_appointments import visit
    from tests.insurance.test_import import grant as authorization_row

    PayerFactory(clinic=clinic, name="Blue Shield")
    today = clinic.today()
    past = f"{today - datetime.timedelta(days=3):%Y-%m-%d}"
    rows = [
        authorization_row(date=f"{today - datetime.timedelta(days=10):%Y-%m-%d}", quantity="5"),
        visit(date=past, status="completed"),
    ]
    run_import(write(tmp_path, csv_text(*rows)), clinic)
    assert Appointment.objects.count() == 1
    assert stored(Authorization.objects.get())[:3] == (1, 0, 4)
    assert right(clinic)


def test_a_wrong_count_is_found_and_recounted_by_the_command(grant, book, clinic, capsys):
    book()
    Authorization.objects.filter(pk=grant.pk).update(booked=0, remaining=3)
    assert stored_counts.stale(clinic.pk) == [grant.pk]
    with pytest.raises(CommandError, match="1 stored count"):
        call_command("recount_authorizations", "--check", "--clinic", str(clinic.pk))
    call_command("recount_authorizations", "--clinic", str(clinic.pk))
    assert "1 authorization recounted" in capsys.readouterr().out
    assert stored(grant) == (0, 1, 2, [])
    call_command("recount_authorizations", "--check", "--clinic", str(clinic.pk))


def test_the_backfill_fills_rows_written_before_the_columns(grant, book, clinic):
    """The data migration's step: rows whose columns hold the defaults get the rule's counts."""
    import importlib

    from django.apps import apps

    book()
    Authorization.objects.filter(pk=grant.pk).update(used=0, booked=0, remaining=0)
    fill = importlib.import_module("insurance.migrations.0003_fill_stored_counts").fill
    fill(apps, None)
    assert stored(grant) == (0, 1, 2, [])
