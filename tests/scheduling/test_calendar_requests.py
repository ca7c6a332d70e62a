"""Pending appointment requests on the calendar and the Schedule tab: striped, tentative
blocks in the day grid (the preferred therapist's column, or the lane of requests with no
therapist chosen) and the week grid; only live pending requests; the tab's count for the front
desk only; fixed query counts as requests grow."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse, set_script_prefix

from scheduling import services, slots
from scheduling.models import AppointmentRequest
from tests.factories import AppointmentFactory, PatientChartCaseFactory
from tests.pages import text

LANE = "Requests – no therapist chosen"


class _Grid(HTMLParser):
    """The calendar table as a user reads it: for each cell that starts a block, its row's
    time, its column's heading (rowspans above taken into account), its classes, its
    rowspan, its text and its links."""

    def __init__(self):
        super().__init__()
        self.headings, self.cells = [], []
        self._in_table = self._in_head = False
        self._row = None
        self._cell = None
        self._covered: dict[int, int] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "calendar" in (attrs.get("class") or ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = {"time": None, "position": 0}
        elif tag in ("th", "td"):
            self._cell = {"tag": tag, "class": attrs.get("class") or "", "text": "", "links": []}
            self._cell["rowspan"] = int(attrs.get("rowspan", 1))
        elif tag == "a" and self._cell is not None:
            self._cell["links"].append(attrs.get("href"))
        if self._cell is not None:
            self._cell["text"] += " "

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag == "table":
            self._in_table = False
        elif tag == "thead":
            self._in_head = False
        elif tag == "tr" and not self._in_head:
            # Columns after the row's last cell that a block above covers.
            for position, rows in self._covered.items():
                if position >= self._row["position"] and rows > 0:
                    self._covered[position] = rows - 1
        elif self._cell is not None and tag not in ("th", "td"):
            self._cell["text"] += " "
        elif tag in ("th", "td") and self._cell is not None:
            cell, self._cell = self._cell, None
            cell["text"] = text(cell["text"])
            if self._in_head:
                self.headings.append(cell["text"])
            elif cell["tag"] == "th":
                self._row["time"] = cell["text"]
            else:
                self._place(cell)

    def _place(self, cell):
        # Skip the columns a block above still covers.
        while self._covered.get(self._row["position"], 0) > 0:
            self._covered[self._row["position"]] -= 1
            self._row["position"] += 1
        position = self._row["position"]
        self._covered[position] = cell["rowspan"] - 1
        self._row["position"] += 1
        cell["time"] = self._row["time"]
        # The first heading is "Time".
        cell["column"] = self.headings[position + 1]
        self.cells.append(cell)


def _grid(response) -> _Grid:
    assert response.status_code == 200
    grid = _Grid()
    grid.feed(response.content.decode())
    return grid


def _blocks(response, css: str) -> list[dict]:
    return [cell for cell in _grid(response).cells if css in cell["class"].split()]


def _day(client, location, day):
    return client.get(
        reverse("scheduling:calendar_day"), {"location": location.pk, "date": day.isoformat()}
    )


def _request(base, *, hour=10, minute=0, day=None, **fields):
    """Another pending request like ``base`` (a new chart case, so no constraint collides)."""
    location = fields.pop("location", base.location)
    chart_case = PatientChartCaseFactory(case=base.chart_case.case)
    day = day or base.local_start.date()
    return AppointmentRequest.objects.create(
        clinic=base.clinic,
        chart_case=chart_case,
        patient=chart_case.patient,
        appointment_type=base.appointment_type,
        location=location,
        therapist=fields.pop("therapist", base.therapist),
        start=slots.wall(day, datetime.time(hour, minute), location.tzinfo),
        duration_minutes=fields.pop("duration_minutes", 45),
        created_by=base.created_by,
        **fields,
    )


# The day grid


def test_a_request_with_a_preferred_therapist_is_a_block_in_their_column(
    client, scheduler, pending_request, therapist, location, request_day
):
    pending_request.preferred_therapist = therapist
    pending_request.save()
    client.force_login(scheduler)

    response = _day(client, location, request_day)

    [block] = _blocks(response, "tentative")
    assert block["column"] == str(therapist)
    assert block["time"] == "10:00 AM"
    assert block["rowspan"] == 3  # 45 minutes: three quarter-hour rows
    assert block["text"] == ("10:00–10:45 AM Liam Carter Requested · pending · Treatment, 45 min")
    assert block["links"] == [reverse("scheduling:request_detail", args=[pending_request.pk])]
    assert LANE not in _grid(response).headings


def test_a_request_with_no_therapist_chosen_is_in_its_own_lane(
    client, scheduler, pending_request, therapist, location, request_day
):
    client.force_login(scheduler)

    response = _day(client, location, request_day)

    grid = _grid(response)
    assert grid.headings[-1] == LANE
    [block] = _blocks(response, "tentative")
    assert (block["column"], block["time"], block["rowspan"]) == (LANE, "10:00 AM", 3)
    assert block["text"] == (
        f"10:00–10:45 AM Liam Carter Requested · pending · Treatment, 45 min · "
        f"suggested: {therapist}"
    )
    # The old list under the grid is gone: the block replaces it.
    assert "Tentative: pending requests" not in text(response.content.decode())


def test_a_request_over_an_appointment_shows_beside_it_in_one_cell(
    client, scheduler, pending_request, therapist, location, request_day, treatment, speech_case
):
    pending_request.preferred_therapist = therapist
    pending_request.save()
    AppointmentFactory(
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=slots.wall(request_day, datetime.time(9, 30), location.tzinfo),
        chart_case=PatientChartCaseFactory(case=speech_case),
    )
    client.force_login(scheduler)

    [cell] = _blocks(_day(client, location, request_day), "stack")

    assert (cell["column"], cell["time"]) == (str(therapist), "9:30 AM")
    assert cell["rowspan"] == 5  # 9:30 to 10:45
    assert "Requested · pending" in cell["text"]
    assert "Scheduled" in cell["text"]


def test_only_live_pending_requests_are_blocks(
    client, scheduler, pending_request, therapist, location, request_day, clinic
):
    services.request_approve(request=pending_request, by=scheduler)
    for hour, status in ((11, "cancelled"), (13, "expired")):
        _request(pending_request, hour=hour, status=status)
    _request(pending_request, hour=14, status="declined", decline_reason="Away.")
    # Pending, but older than the clinic's lifetime: the queue ignores it, so does the grid.
    overdue = _request(pending_request, hour=15)
    AppointmentRequest.objects.filter(pk=overdue.pk).update(
        created_at=clinic.now() - datetime.timedelta(days=clinic.request_pending_lifetime_days)
    )
    client.force_login(scheduler)

    response = _day(client, location, request_day)

    assert _blocks(response, "tentative") == []
    assert _blocks(response, "stack") == []
    assert "Requested · pending" not in text(response.content.decode())
    assert LANE not in _grid(response).headings
    # The approved one is an appointment now.
    [appointment] = _blocks(response, "appointment")
    assert appointment["time"] == "10:00 AM"


def test_a_therapist_sees_requests_that_prefer_them_without_a_link(
    client, therapist, ot_therapist, pending_request, location, request_day
):
    pending_request.preferred_therapist = therapist
    pending_request.save()
    _request(pending_request, hour=13)  # no therapist chosen: the front desk's lane only
    _request(pending_request, hour=14, preferred_therapist=ot_therapist, therapist=ot_therapist)
    client.force_login(therapist)

    response = _day(client, location, request_day)

    [block] = _blocks(response, "tentative")
    assert (block["column"], block["time"]) == (str(therapist), "10:00 AM")
    assert block["links"] == []
    assert LANE not in _grid(response).headings


def test_the_day_view_takes_a_fixed_number_of_queries_as_requests_grow(
    client,
    scheduler,
    pending_request,
    therapist,
    ot_therapist,
    location,
    request_day,
    django_assert_num_queries,
):
    client.force_login(scheduler)
    _day(client, location, request_day)
    with django_assert_num_queries(10):
        assert len(_blocks(_day(client, location, request_day), "tentative")) == 1
    for hour in range(11, 17):
        _request(pending_request, hour=hour)
        _request(pending_request, hour=hour, preferred_therapist=therapist)
        _request(
            pending_request,
            hour=hour,
            minute=15,
            preferred_therapist=ot_therapist,
            therapist=ot_therapist,
        )
    with django_assert_num_queries(10):
        response = _day(client, location, request_day)
    # Each hour's request preferring ``therapist`` sits beside nothing; the others likewise.
    assert len(_blocks(response, "tentative")) == 1 + 6 * 3


# The week grid


def test_the_week_shows_the_therapists_requests_and_lists_the_unchosen(
    client, scheduler, pending_request, therapist, location, request_day
):
    pending_request.preferred_therapist = therapist
    pending_request.save()
    unchosen = _request(pending_request, hour=15, day=request_day)
    client.force_login(scheduler)

    response = client.get(
        reverse("scheduling:calendar_week"),
        {"location": location.pk, "date": request_day.isoformat(), "therapist": therapist.pk},
    )

    [block] = _blocks(response, "tentative")
    assert block["column"] == f"{request_day:%a %b} {request_day.day}"
    assert block["time"] == "10:00 AM"
    page = text(response.content.decode())
    assert f"{LANE} this week" in page
    assert f"{unchosen.patient} Requested · pending · Treatment, 45 min" in page


# The Schedule tab


def _schedule_tab(client) -> str:
    """The text of the top bar's Schedule link on the Patients screen ("" if there is none)."""
    content = client.get(reverse("charts:patient_list")).content.decode()
    start = content.find('aria-label="Main"')
    nav = content[start : content.find("</nav>", start)]
    for link in nav.split("<a ")[1:]:
        label = text("<a " + link.split("</a>")[0] + "</a>")
        if label.startswith("Schedule"):
            return label
    return ""


@pytest.mark.parametrize("who", ["scheduler", "administrator"])
def test_the_front_desk_sees_the_live_pending_count_on_the_schedule_tab(
    client, who, request, pending_request, clinic
):
    _request(pending_request, hour=12)
    _request(pending_request, hour=13, status="declined", decline_reason="Away.")
    overdue = _request(pending_request, hour=14)
    AppointmentRequest.objects.filter(pk=overdue.pk).update(
        created_at=clinic.now() - datetime.timedelta(days=8)
    )
    client.force_login(request.getfixturevalue(who))

    assert _schedule_tab(client) == "Schedule 2 pending appointment requests"


def test_no_count_without_pending_requests(client, scheduler, pending_request):
    AppointmentRequest.objects.update(status="cancelled")
    client.force_login(scheduler)
    assert _schedule_tab(client) == "Schedule"


def test_therapists_and_portal_users_see_no_count(client, therapist, patient_user, pending_request):
    client.force_login(therapist)
    assert _schedule_tab(client) == "Schedule"

    client.force_login(patient_user)
    portal = client.get(reverse("portal:home")).content.decode()
    assert "pending appointment requests" not in portal


def test_links_in_the_grid_are_right_under_any_script_prefix(
    client, scheduler, pending_request, therapist, location, request_day, appointment
):
    pending_request.preferred_therapist = therapist
    pending_request.save()
    client.force_login(scheduler)
    day_url = reverse("scheduling:calendar_day")
    appointment_day = appointment.start.astimezone(location.tzinfo).date()
    # The site served under ``/0/`` (a script prefix that looks like an id's path segment), as
    # a WSGI server sets it for each request (the test client does not).
    set_script_prefix("/0/")
    try:
        [block] = _blocks(
            client.get(day_url, {"location": location.pk, "date": appointment_day}),
            "appointment",
        )
        assert block["links"] == [f"/0/schedule/appointments/{appointment.pk}/"]
        [block] = _blocks(
            client.get(day_url, {"location": location.pk, "date": request_day}), "tentative"
        )
        assert block["links"] == [f"/0/schedule/requests/{pending_request.pk}/"]
    finally:
        set_script_prefix("/")
