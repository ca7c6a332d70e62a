"""Admin > Audit Log: the clinic's entries, newest first, filtered, paged, exported as CSV;
never another clinic's, never changed through any URL."""

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core import audit
from core.models import AuditEntry
from core.roles import THERAPIST
from tests.factories import PatientFactory, UserFactory
from tests.pages import page_text

LOG_URL = reverse("core:audit_log")
CSV_URL = reverse("core:audit_log_csv")


def _entry(clinic, actor, *, action="update", patient=None, object_type="patient"):
    return audit.record(
        clinic_id=clinic.pk,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=getattr(patient, "pk", 1),
        object_repr=str(patient or "Row"),
        patient=patient,
        changes=[["Last name", "Karter", "Carter"]] if action == "update" else [],
    )


def _shown(response) -> list[str]:
    return [entry.object_repr for entry in response.context["entries"]]


@pytest.fixture
def liam(clinic):
    return PatientFactory(clinic=clinic, first_name="Liam", last_name="Carter")


@pytest.fixture
def emma(clinic):
    return PatientFactory(clinic=clinic, first_name="Emma", last_name="Stone")


def test_newest_first_with_who_what_whom_and_the_time_zone(
    administrator_client, clinic, administrator, therapist, liam, emma
):
    _entry(clinic, therapist, action="access", patient=liam)
    _entry(clinic, administrator, patient=emma)

    response = administrator_client.get(LOG_URL)

    assert response.status_code == 200
    assert _shown(response) == ["Emma Stone", "Liam Carter"]
    text = page_text(response)
    assert "Edited: Emma Stone" in text and "Viewed: Liam Carter" in text
    assert "Last name: Karter → Carter" in text
    assert str(therapist) in text
    zone = datetime.datetime.now(clinic.tzinfo).strftime("%Z")
    assert zone in text  # EST or EDT: times are shown with their zone


def test_another_clinics_entries_are_never_shown(
    administrator_client, clinic, other_clinic, other_admin, administrator, liam
):
    theirs = PatientFactory(clinic=other_clinic, first_name="Hidden", last_name="Hillside")
    _entry(other_clinic, other_admin, patient=theirs)
    _entry(clinic, administrator, patient=liam)

    everything = administrator_client.get(LOG_URL)
    by_their_patient = administrator_client.get(LOG_URL, {"patient": theirs.pk})
    by_name = administrator_client.get(LOG_URL, {"patient": "Hillside"})
    exported = administrator_client.get(CSV_URL)

    assert _shown(everything) == ["Liam Carter"]
    assert by_their_patient.status_code == 200 and _shown(by_their_patient) == []
    assert _shown(by_name) == []
    assert "Hillside" not in b"".join(exported.streaming_content).decode()


def test_filters_by_patient_staff_member_action_kind_and_dates(
    administrator_client, clinic, administrator, therapist, liam, emma
):
    _entry(clinic, therapist, action="access", patient=liam)
    _entry(clinic, administrator, patient=liam)
    _entry(clinic, administrator, patient=emma)
    _entry(clinic, administrator, action="create", object_type="service type")
    today = clinic.today()

    def shown(**params):
        response = administrator_client.get(LOG_URL, params)
        assert response.status_code == 200, page_text(response)
        return [(e.action, e.object_repr) for e in response.context["entries"]]

    assert shown(patient=liam.pk) == [("update", "Liam Carter"), ("access", "Liam Carter")]
    assert shown(patient="stone") == [("update", "Emma Stone")]
    assert shown(actor=therapist.pk) == [("access", "Liam Carter")]
    assert shown(action="access") == [("access", "Liam Carter")]
    assert shown(kind="service type") == [("create", "Row")]
    assert shown(patient=liam.pk, action="update") == [("update", "Liam Carter")]
    assert len(shown(date_from=today.isoformat(), date_to=today.isoformat())) == 4
    tomorrow = today + datetime.timedelta(days=1)
    assert shown(date_from=tomorrow.isoformat()) == []
    assert shown(date_to=(today - datetime.timedelta(days=1)).isoformat()) == []


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"action": "rewrite"}, "action", "Select a valid choice"),
        ({"kind": "secret"}, "kind", "Select a valid choice"),
        ({"date_from": "2026-13-45"}, "date_from", "Enter a valid date"),
        ({"date_to": "yesterday"}, "date_to", "Enter a valid date"),
        ({"actor": "999999"}, "actor", "Select a valid choice"),
        ({"actor": "abc"}, "actor", "Select a valid choice"),
        (
            {"date_from": "2026-05-02", "date_to": "2026-05-01"},
            "date_to",
            "cannot be before its start",
        ),
        ({"patient": "x" * 101}, "patient", "at most 100 characters"),
    ],
)
def test_a_tampered_filter_is_a_clear_message_and_an_empty_result(
    params, field, message, administrator_client, clinic, administrator, liam
):
    _entry(clinic, administrator, patient=liam)

    response = administrator_client.get(LOG_URL, params)
    exported = administrator_client.get(CSV_URL, params)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in page_text(response)
    assert "These filters could not be used" in page_text(response)
    assert _shown(response) == []
    assert exported.status_code == 400
    assert "nothing was exported" in exported.content.decode()


def test_another_clinics_staff_member_is_not_a_choice(
    administrator_client, clinic, administrator, other_admin
):
    response = administrator_client.get(LOG_URL, {"actor": other_admin.pk})

    assert response.status_code == 400
    assert "Select a valid choice" in page_text(response)


def test_the_staff_member_choices_are_the_clinics_staff_by_last_name(
    administrator_client, clinic, administrator, therapist, scheduler, patient_user, other_admin
):
    no_name = UserFactory(
        clinic=clinic, first_name="", last_name="", email="aaa@riverside.test", roles=[THERAPIST]
    )
    response = administrator_client.get(LOG_URL)

    html = response.content.decode()
    select = html[
        html.index('<select name="actor"') : html.index(
            "</select>", html.index('<select name="actor"')
        )
    ]
    chosen = [line.split(">")[1] for line in select.split("<option")[1:]]
    # In the database's order (its collation), as the ModelChoiceField listed them.
    staff = User.objects.filter(
        pk__in=[administrator.pk, therapist.pk, scheduler.pk, no_name.pk]
    ).order_by("last_name", "first_name", "email")
    assert chosen == ["Anyone</option", *[f"{user}</option" for user in staff]]
    assert str(no_name) == "aaa@riverside.test"
    assert str(patient_user) not in select and str(other_admin) not in select


def test_fifty_a_page_and_the_next_page_keeps_the_filters(
    administrator_client, clinic, administrator, liam
):
    for _ in range(51):
        _entry(clinic, administrator, action="access", patient=liam)
    _entry(clinic, administrator, patient=liam)

    first = administrator_client.get(LOG_URL, {"action": "access"})
    second = administrator_client.get(LOG_URL, {"action": "access", "page": 2})

    assert len(first.context["entries"]) == 50
    assert "?action=access&amp;page=2" in first.content.decode()
    assert len(second.context["entries"]) == 1
    assert administrator_client.get(LOG_URL, {"page": "999"}).status_code == 200


def test_csv_streams_the_filtered_entries(
    administrator_client, clinic, administrator, therapist, liam, emma
):
    _entry(clinic, therapist, action="access", patient=liam)
    _entry(clinic, administrator, patient=liam)
    _entry(clinic, administrator, patient=emma)

    response = administrator_client.get(CSV_URL, {"patient": liam.pk})

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, *body = rows
    assert header[:3] == ["When", "Time zone", "Staff member"]
    assert [(row[2], row[4], row[7]) for row in body] == [
        (str(administrator), "Edited", "Liam Carter"),
        (str(therapist), "Viewed", "Liam Carter"),
    ]
    assert body[0][1] == clinic.time_zone
    assert body[0][9] == "Last name: Karter → Carter"
    # The export itself is on the record.
    assert AuditEntry.objects.filter(action="export", actor=administrator).count() == 1


def test_a_cell_that_would_run_as_a_formula_is_written_as_text(
    administrator_client, clinic, administrator
):
    patient = PatientFactory(clinic=clinic, first_name="=HYPERLINK(1)", last_name="X")
    _entry(clinic, administrator, patient=patient)

    body = b"".join(administrator_client.get(CSV_URL).streaming_content).decode()

    assert "'=HYPERLINK(1) X" in body


def test_the_pages_say_which_entries_they_show_and_how_many_on_the_last(
    administrator_client, clinic, administrator, liam
):
    for _ in range(52):
        _entry(clinic, administrator, action="access", patient=liam)

    first = page_text(administrator_client.get(LOG_URL))
    last = page_text(administrator_client.get(LOG_URL, {"page": 2}))
    filtered = page_text(administrator_client.get(LOG_URL, {"action": "update"}))
    one = page_text(administrator_client.get(LOG_URL, {"page": 2, "action": "access"}))

    # The pages are not counted: the first says which entries it shows, the last how many.
    assert "Entries 1–50, older ones on the next pages." in first
    assert "Page 1 Next" in first and "Previous" not in first
    assert "52 entries." in last and "Previous Page 2" in last and "Next" not in last
    assert "No entries match these filters." in filtered
    assert "52 entries." in one


def test_a_page_past_the_last_says_so_and_leads_back(
    administrator_client, clinic, administrator, liam
):
    _entry(clinic, administrator, action="access", patient=liam)

    response = administrator_client.get(LOG_URL, {"action": "access", "page": 3})
    far = administrator_client.get(LOG_URL, {"page": "9" * 30})

    assert response.status_code == 200
    assert "No entries this far back." in page_text(response)
    assert 'href="?action=access">Back to the newest entries</a>' in response.content.decode()
    assert far.status_code == 200 and "No entries this far back." in page_text(far)


def test_names_and_changes_are_shown_escaped(administrator_client, clinic, administrator):
    hostile = "<b>Bold</b> & <script>alert(1)</script>"
    actor = UserFactory(clinic=clinic, first_name=hostile, last_name="X", roles=[THERAPIST])
    patient = PatientFactory(clinic=clinic, first_name=hostile, last_name="Y")
    audit.record(
        clinic_id=clinic.pk,
        actor=actor,
        action="<i>\"x'</i>",  # 32 characters at most
        object_type=hostile,
        object_repr="",
        patient=patient,
        changes=[[hostile, hostile, ""], ["Name", "", hostile]],
        details=hostile,
    )

    html = administrator_client.get(LOG_URL, {"actor": actor.pk}).content.decode()
    # The entries are written by Jinja2, whose escape spells the quotes &#34; and &#39;.
    html = html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")

    assert "<script>" not in html and "<b>" not in html
    escaped = "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;"
    entry = html[html.index('<li class="card mb-2 audit-entry">') :]
    # Action (an unknown one capitalised), the record (its kind when it has no words of its
    # own), the kind, who, and the patient.
    assert f"&lt;i&gt;&quot;x&#x27;&lt;/i&gt;: {escaped} <span" in entry
    assert f"({escaped})</span>" in entry
    assert f"</time> · {escaped} X · Patient: {escaped} Y</p>" in entry
    assert f"<li>{escaped}: {escaped} → (removed)</li><li>Name: {escaped}</li>" in entry
    assert f'<p class="mb-0 small">{escaped}</p>' in entry
    # The staff member's option, chosen, escaped.
    assert f'<option value="{actor.pk}" selected>{escaped} X</option>' in html


@pytest.mark.parametrize(
    ("moment", "repeated_hour"),
    [
        (datetime.datetime(2026, 3, 8, 6, 59, 59, tzinfo=datetime.UTC), False),  # EST
        (datetime.datetime(2026, 3, 8, 7, 0, 0, tzinfo=datetime.UTC), False),  # EDT begins
        (datetime.datetime(2026, 11, 1, 5, 30, 0, 123456, tzinfo=datetime.UTC), True),  # EDT
        (datetime.datetime(2026, 11, 1, 6, 30, 0, tzinfo=datetime.UTC), True),  # EST
        (datetime.datetime(2026, 11, 1, 7, 0, 0, tzinfo=datetime.UTC), False),
        (datetime.datetime(999, 1, 2, 3, 4, 5, tzinfo=datetime.UTC), False),
    ],
)
def test_times_are_written_as_the_date_filter_writes_them(moment, repeated_hour):
    """The words of a row's time are the date filter's (``_when``), except in the hour that
    comes twice when clocks go back, where the filter leaves the zone out and the Audit Log
    tells the two apart (01:30 EDT, then 01:30 EST); its ``<time datetime>`` is ``date:"c"``
    to the second, without the microseconds HTML refuses."""
    from django.template import Context, Template
    from django.utils import timezone

    from core.views_audit import _when

    template = Template('{{ at|date:"c" }}|{{ at|date:"M j, Y H:i:s T" }}')
    with timezone.override("America/New_York"):
        machine, shown = _when(moment)
        theirs_machine, theirs_shown = template.render(Context({"at": moment})).split("|")
        zone = timezone.localtime(moment).tzname()
    assert shown == (theirs_shown + zone if repeated_hour else theirs_shown)
    if moment.year > 1900:  # not in a zone's local mean time, of offsets to the second
        assert machine == theirs_machine.replace(f".{moment.microsecond:06d}", "")
    assert VALID_DATETIME.fullmatch(machine)


# HTML's valid global date and time string (a fraction of a second has one to three digits),
# which a <time datetime> with a zone must be: the Nu checker refused six (issue 26, item 4).
VALID_DATETIME = re.compile(
    r"[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)


def test_every_time_on_the_page_is_a_valid_html_datetime(
    administrator_client, clinic, administrator, liam
):
    at = datetime.datetime(2026, 11, 1, 5, 30, 0, 123456, tzinfo=datetime.UTC)
    AuditEntry.objects.create(clinic=clinic, at=at, action="access", object_type="patient")
    _entry(clinic, administrator, patient=liam)  # now, with its microseconds

    html = administrator_client.get(LOG_URL).content.decode()

    values = re.findall(r'<time datetime="([^"]*)"', html)
    assert len(values) == 2
    assert all(VALID_DATETIME.fullmatch(value) for value in values), values
    assert values[1] == "2026-11-01T01:30:00-04:00"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", [LOG_URL, CSV_URL])
def test_no_url_changes_or_deletes_an_entry(
    method, url, administrator_client, clinic, administrator, liam
):
    entry = _entry(clinic, administrator, patient=liam)

    response = getattr(administrator_client, method)(url, {"id": entry.pk, "details": "gone"})

    assert response.status_code == 405
    assert AuditEntry.objects.values_list("pk", "details").get() == (entry.pk, "")


def test_no_other_screen_offers_the_entries():
    """The Django admin site does not list them either (only core's two GET screens do)."""
    from django.contrib import admin

    assert AuditEntry not in admin.site._registry


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LOG_URL, params)
    assert response.status_code == 200
    return len(queries)


def test_the_audit_log_takes_a_fixed_number_of_queries(
    administrator_client, clinic, administrator, therapist, liam, django_assert_num_queries
):
    for _ in range(3):
        _entry(clinic, therapist, action="access", patient=liam)
    small = _queries(administrator_client)
    for n in range(120):
        patient = PatientFactory(clinic=clinic, last_name=f"Pat{n}")
        _entry(clinic, administrator if n % 2 else therapist, patient=patient)
    large = _queries(administrator_client)
    filtered = _queries(administrator_client, patient=liam.pk, action="access")

    assert small == large == filtered
    # Session, user with its roles, the staff member choices, the page (no count: the pages are
    # not counted), the Schedule tab's pending-request count, and the session's save (three
    # statements: SESSION_SAVE_EVERY_REQUEST).
    with django_assert_num_queries(8):
        administrator_client.get(LOG_URL, {"page": 2})


def test_the_chart_links_administrators_to_who_accessed_it(
    administrator_client, therapist, charted_patient
):
    client = Client()
    client.force_login(therapist)
    client.get(reverse("charts:patient_detail", args=[charted_patient.pk]))
    chart = administrator_client.get(reverse("charts:patient_detail", args=[charted_patient.pk]))
    link = f"{LOG_URL}?patient={charted_patient.pk}&amp;action=access"

    assert "Who accessed this record" in page_text(chart)
    assert link in chart.content.decode()
    response = administrator_client.get(
        LOG_URL, {"patient": charted_patient.pk, "action": "access"}
    )
    assert [entry.actor_name for entry in response.context["entries"]][-1] == str(therapist)
    # A therapist's chart has no such link.
    therapist_chart = client.get(reverse("charts:patient_detail", args=[charted_patient.pk]))
    assert "Who accessed this record" not in page_text(therapist_chart)


def _pager_links(response) -> dict[str, str]:
    html = response.content.decode()
    return {
        label: unescape(href)
        for href, label in re.findall(r'class="page-link" href="([^"]*)">(Previous|Next)<', html)
    }


def _ids(response) -> list[int]:
    return [entry.pk for entry in response.context["entries"]]


def test_next_and_previous_read_by_keyset_the_pages_offsets_read(
    administrator_client, clinic, administrator, liam
):
    """Entries of one instant (a bulk write) are told apart by id: following Next and then
    Previous shows each entry once, on the page an OFFSET put it on, and ``?page=N`` alone (a
    bookmark) still shows that page."""
    moments = [datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)] * 60
    moments += [datetime.datetime(2026, 5, 1, 11, n, tzinfo=datetime.UTC) for n in range(35)] * 2
    for at in moments:
        AuditEntry.objects.create(clinic=clinic, at=at, action="access", object_type="patient")
    by_offset = [_ids(administrator_client.get(LOG_URL, {"page": n})) for n in (1, 2, 3)]
    assert [len(page) for page in by_offset] == [50, 50, 30]

    walked, response = [], administrator_client.get(LOG_URL)
    for _ in range(3):
        walked.append(_ids(response))
        links = _pager_links(response)
        if "Next" in links:
            assert "after=" in links["Next"]
            response = administrator_client.get(LOG_URL + links["Next"])
    assert walked == by_offset
    assert "Next" not in links
    back = administrator_client.get(LOG_URL + links["Previous"])
    assert "before=" in links["Previous"] and _ids(back) == by_offset[1]
    first = administrator_client.get(LOG_URL + _pager_links(back)["Previous"])
    assert _ids(first) == by_offset[0]
    assert "Entries 51–100" in page_text(back)


def test_the_keyset_reads_the_page_from_the_entry_it_continues_from(
    administrator_client, clinic, administrator, liam
):
    for _ in range(55):
        _entry(clinic, administrator, action="access", patient=liam)
    link = _pager_links(administrator_client.get(LOG_URL, {"action": "access"}))["Next"]

    with CaptureQueriesContext(connection) as queries:
        response = administrator_client.get(LOG_URL + link)

    page = next(
        query["sql"]
        for query in queries
        if "OFFSET" in query["sql"].upper() or '"core_auditentry"."at" <' in query["sql"]
    )
    assert "OFFSET" not in page.upper()
    assert len(_ids(response)) == 5


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "abc",
        "1_2_3",
        "²_1",
        "-99999999999999999_1",
        "9" * 19 + "_1",
        "1_" + "9" * 19,
        "1\u00a0_2",
    ],
)
def test_a_cursor_that_is_not_one_is_ignored(
    cursor, administrator_client, clinic, administrator, liam
):
    for _ in range(55):
        _entry(clinic, administrator, action="access", patient=liam)

    after = administrator_client.get(LOG_URL, {"page": 2, "after": cursor})
    before = administrator_client.get(LOG_URL, {"page": 2, "before": cursor})

    assert after.status_code == before.status_code == 200
    assert len(after.context["entries"]) == len(before.context["entries"]) == 5
