"""The Schedule tab's count (written out in SQL for speed) counts exactly the queue's live
pending requests: ``AppointmentRequest.objects.live``."""

import datetime

from django.test import RequestFactory

from scheduling.models import AppointmentRequest
from scheduling.reads.requests import pending_request_count
from tests.factories import UserFactory
from tests.scheduling.test_calendar_requests import _request


def _count(user) -> int:
    request = RequestFactory().get("/")
    request.user = user
    return pending_request_count(request)


def test_the_count_is_the_live_pending_requests(pending_request, scheduler, clinic):
    now = clinic.now()
    _request(pending_request, hour=12)
    _request(pending_request, hour=13, status="declined", decline_reason="Away.")
    too_old = _request(pending_request, hour=14)
    just_in_time = _request(pending_request, hour=15)
    past = _request(pending_request, hour=16)
    AppointmentRequest.objects.filter(pk=too_old.pk).update(
        created_at=now - datetime.timedelta(days=clinic.request_pending_lifetime_days, minutes=1)
    )
    AppointmentRequest.objects.filter(pk=just_in_time.pk).update(
        created_at=now - datetime.timedelta(days=clinic.request_pending_lifetime_days - 1)
    )
    AppointmentRequest.objects.filter(pk=past.pk).update(start=now - datetime.timedelta(hours=1))

    live = AppointmentRequest.objects.live(clinic).count()

    assert live == 3  # the fixture's, 12:00 and the one just in time
    assert _count(scheduler) == live


def test_another_clinics_requests_are_not_counted(pending_request, scheduler, other_clinic):
    outsider = UserFactory(clinic=other_clinic, roles=["Scheduler"])

    assert _count(scheduler) == 1
    assert _count(outsider) == 0
