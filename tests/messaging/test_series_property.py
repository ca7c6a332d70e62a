"""A series of twelve, one visit moved and one cancelled at a random moment of its life,
gets exactly the right reminders: each visit both sends at its final time, nothing for a
cancelled visit after its cancellation, nothing more for a moved visit's old time after the
move, and a send whose time passed while a visit moved goes late as the one latest send.

The worker's clock is played by calling ``reminders_send_due(now=...)`` at every moment a
send falls due (the clock ticks every minute; between due moments nothing changes)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from messaging.models import Reminder, ReminderSettings
from messaging.services import reminders_send_due
from scheduling.models import Appointment
from scheduling.services import SeriesRule, appointment_cancel, appointment_reschedule, series_book
from tests.factories import PatientContactFactory
from tests.fixtures.scheduling import local

BOOKED_AT = datetime.datetime(2027, 2, 22, 14, 0, tzinfo=datetime.UTC)  # three weeks before DST
LEADS = {1: datetime.timedelta(hours=48), 2: datetime.timedelta(hours=2)}
MINUTE = datetime.timedelta(minutes=1)


def _expected(before: dict, after: dict, changed_at, moved, cancelled) -> set:
    """(appointment, visit start, send, status) of every row the clock should have made.
    ``before``/``after``: appointment id -> start before and after the change."""
    rows = set()
    for pk, start in before.items():
        for send, lead in LEADS.items():
            if start - lead < changed_at:
                rows.add((pk, start, send, "queued"))
    for pk, start in after.items():
        if pk == cancelled:
            continue
        late = [send for send, lead in LEADS.items() if start - lead < changed_at]
        if pk == moved and late:
            latest = max(late)
            rows |= {(pk, start, send, "queued" if send == latest else "skipped") for send in late}
        for send, lead in LEADS.items():
            if start - lead >= changed_at:
                rows.add((pk, start, send, "queued"))
    return rows


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    weekdays=st.sets(st.integers(0, 6), min_size=1, max_size=3),
    hour=st.integers(10, 15),
    moved_index=st.integers(0, 11),
    cancelled_index=st.integers(0, 11),
    shift=st.sampled_from([-26, -3, 1, 3, 50]),
    when=st.floats(0, 1),
)
def test_a_series_of_twelve_with_a_move_and_a_cancellation_gets_the_right_reminders(
    clinic,
    speech_chart_case,
    therapist,
    location,
    treatment,
    scheduler,
    weekdays,
    hour,
    moved_index,
    cancelled_index,
    shift,
    when,
):
    assume(moved_index != cancelled_index)
    with time_machine.travel(BOOKED_AT, tick=False), transaction.atomic():
        ReminderSettings.objects.create(
            clinic=clinic, quiet_start=datetime.time(3), quiet_end=datetime.time(4)
        )
        PatientContactFactory(patient=speech_chart_case.patient, email_consent_at=BOOKED_AT)
        day = BOOKED_AT.date() + datetime.timedelta(days=3)
        while day.weekday() not in weekdays:
            day += datetime.timedelta(days=1)
        series, skipped = series_book(
            clinic=clinic,
            chart_case=speech_chart_case,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=local(location, day, hour),
            duration_minutes=45,
            rule=SeriesRule(interval=1, weekdays=tuple(sorted(weekdays)), count=12),
            by=scheduler,
        )
        visits = list(Appointment.objects.filter(series=series).order_by("start"))
        assert len(visits) == 12 and not skipped
        before = {visit.pk: visit.start for visit in visits}
        changed_at = (
            BOOKED_AT + (visits[-1].start - BOOKED_AT) * when + datetime.timedelta(seconds=30)
        )
        moved, cancelled = visits[moved_index], visits[cancelled_index]

        due = sorted({start - lead for start in before.values() for lead in LEADS.values()})
        for moment in [m for m in due if m < changed_at]:
            reminders_send_due(now=moment)
        with time_machine.travel(changed_at, tick=False):
            moved_pk = cancelled_pk = None
            try:
                with transaction.atomic():
                    appointment_reschedule(
                        appointment=moved,
                        start=moved.start + datetime.timedelta(hours=shift),
                        duration_minutes=45,
                        reason="Therapist away",
                        by=scheduler,
                    )
                moved_pk = moved.pk
            except ValidationError:
                pass  # in the past, or onto another visit of the series: not moved
            if cancelled.start > changed_at:
                appointment_cancel(
                    appointment=cancelled,
                    status=Appointment.Status.CLINIC_CANCELLED,
                    reason="Closed",
                    by=scheduler,
                )
                cancelled_pk = cancelled.pk
        after = dict(Appointment.objects.filter(series=series).values_list("pk", "start"))
        later = {start - lead for start in after.values() for lead in LEADS.values()}
        for moment in sorted(
            {m for m in [*due, *later] if m >= changed_at} | {changed_at + MINUTE}
        ):
            reminders_send_due(now=moment)

        made = set(Reminder.objects.values_list("appointment_id", "visit_start", "send", "status"))
        # Before the change every row was made as ``before`` says; a visit not changed keeps
        # its time in ``after``.
        assert (
            made
            == _expected(
                before,
                after,
                changed_at,
                moved_pk,
                cancelled_pk,
            )
            | set()
        )
        transaction.set_rollback(True)
