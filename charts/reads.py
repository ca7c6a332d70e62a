"""The chart page's reads, as SQL written out.

The chart is the busiest page of a therapist's day. After its rows were read as plain values
(charts/views/chart_page.py), the bench still found two thirds of its time in Python, and most
of that in the ORM *building* its eleven queries: 0.3 ms of Python for the simplest filter on
a related manager, 2-3 ms for the tabs (two ``Subquery`` counts and the therapist's ``EXISTS``
compiled on every request), against 0.2-0.6 ms for PostgreSQL to run each. So the page's reads
are the statements below, written once, run with their parameters and converted by the same
field converters the ORM uses (``_Columns``): the same rows, at a fraction of the cost.

What this gives up, and how it is kept safe:

- **No django-scopes check.** Every statement names ``clinic_id`` itself, on every table it
  reads (tests/charts/test_reads.py reads another clinic's rows through each and finds none).
- **The visibility rule is written twice**: here and in ``PatientChartCase.objects.visible_to``
  / ``documentable_by``. tests/charts/test_reads.py compares the two for every role.
- Columns are named from the models' ``_meta`` where whole rows become model instances, so a
  new field needs no change here; a renamed column breaks the chart's tests at once.

Only ``charts.access`` (the gate) and the chart page call this module.
"""

import weakref

from django.db import DEFAULT_DB_ALIAS, connection, connections

from accounts.models import User
from cases.models import PatientCase
from charts.models import (
    DailyNote,
    Evaluation,
    Goal,
    GoalProgress,
    Patient,
    PatientChartCase,
)
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST


class _Columns:
    """Model fields read by one statement: its column list and the ORM's converters of their
    values (on SQLite dates, booleans and aware datetimes; on PostgreSQL almost none)."""

    def __init__(self, alias: str, fields):
        self.fields = list(fields)
        self.sql = ", ".join(f"{alias}.{field.column}" for field in self.fields)

    def converters(self):
        return _converters(tuple(self.fields))


# Per connection (a converter may be a method of the connection's operations), per field list.
_found_converters = weakref.WeakKeyDictionary()


def _converters(fields: tuple) -> list:
    """``[(index, [converter, ...], expression), ...]`` for the fields that have converters,
    as the ORM's compiler collects them (``SQLCompiler.get_converters``)."""
    by_fields = _found_converters.setdefault(connections[DEFAULT_DB_ALIAS], {})
    if fields not in by_fields:
        by_fields[fields] = _find_converters(fields)
    return by_fields[fields]


def _find_converters(fields: tuple) -> list:
    found = []
    for index, field in enumerate(fields):
        expression = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if converters:
            found.append((index, converters, expression))
    return found


def _convert(row, converters) -> list:
    row = list(row)
    for index, functions, expression in converters:
        value = row[index]
        for function in functions:
            value = function(value, expression, connection)
        row[index] = value
    return row


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _field(model, name: str):
    return model._meta.get_field(name)


# The tabs, and the gate -------------------------------------------------------------------


_USER_SERVICE_TYPES = User._meta.get_field("service_types").remote_field.through._meta


def _shares_a_service(case_column: str, clinic_id: int, user_id: int):
    """``_therapist_sees_case`` of charts/models/chart.py: the case shares one of the
    therapist's service types. The user's service types are a subquery here rather than a
    list read beforehand (one round trip fewer; PostgreSQL plans both in the same time)."""
    return (
        "EXISTS (SELECT 1 FROM cases_patientcaseservicetype s WHERE s.clinic_id = %s"
        f" AND s.case_id = {case_column} AND s.service_type_id IN ("
        f"SELECT us.{_USER_SERVICE_TYPES.get_field('servicetype').column}"
        f" FROM {_USER_SERVICE_TYPES.db_table} us"
        f" WHERE us.{_USER_SERVICE_TYPES.get_field('user').column} = %s))",
        [clinic_id, user_id],
    )


_PATIENT = _Columns("p", Patient._meta.concrete_fields)
_CHART_CASE = _Columns("cc", PatientChartCase._meta.concrete_fields)
_CASE = _Columns(
    "c",
    [PatientCase._meta.pk, _field(PatientCase, "name"), _field(PatientCase, "is_archived")],
)
_UNSIGNED = (
    "(SELECT COUNT(*) FROM charts_dailynote n WHERE n.clinic_id = cc.clinic_id"
    " AND n.chart_case_id = cc.id AND n.signed_at IS NULL)"
    " + (SELECT COUNT(*) FROM charts_evaluation e WHERE e.clinic_id = cc.clinic_id"
    " AND e.chart_case_id = cc.id AND e.signed_at IS NULL)"
)


def chart(user, patient_pk: int, *, roles) -> tuple:
    """``(patient, chart_cases)`` as ``Patient.objects.visible_to(user)`` and
    ``PatientChartCase.objects.visible_to(user)`` give them, in the order of the tabs, each
    chart case with ``case`` (name and archived flag), ``documentable`` (the user may write its
    documentation) and ``unsigned_count``; ``(None, [])`` when the user may not see the
    patient. One statement: a therapist sees exactly the patients with a chart case they see,
    so the chart cases joined to the patient answer both."""
    clinic_id = user.clinic_id
    sees_all = bool(roles & {ADMINISTRATOR, SCHEDULER})
    if not sees_all and THERAPIST not in roles:
        return None, []
    shares, shares_params = _shares_a_service("cc.case_id", clinic_id, user.pk)
    if sees_all:
        visible, visible_params = "", []
        # Whether the user may write: a therapist who is also an administrator or a
        # scheduler sees every chart case and writes those of their services.
        documentable = shares if THERAPIST in roles else "1 = 0"
        documentable_params = shares_params if THERAPIST in roles else []
    else:
        # Only a therapist: every chart case they see is one they document.
        visible, visible_params = f" AND {shares}", shares_params
        documentable, documentable_params = "1 = 1", []
    sql = (
        f"SELECT {_PATIENT.sql}, {_CHART_CASE.sql}, {_CASE.sql},"
        f" CASE WHEN {documentable} THEN 1 ELSE 0 END, {_UNSIGNED}"
        " FROM charts_patient p"
        " LEFT JOIN charts_patientchartcase cc"
        " ON cc.clinic_id = p.clinic_id AND cc.patient_id = p.id AND cc.merged_into_id IS NULL"
        f"{visible}"
        " LEFT JOIN cases_patientcase c ON c.clinic_id = cc.clinic_id AND c.id = cc.case_id"
        " WHERE p.clinic_id = %s AND p.id = %s"
        " ORDER BY cc.status, cc.started_on, cc.id"
    )
    rows = _fetch(sql, [*documentable_params, *visible_params, clinic_id, patient_pk])
    if not rows or (not sees_all and rows[0][len(_PATIENT.fields)] is None):
        return None, []

    patient_end = len(_PATIENT.fields)
    chart_case_end = patient_end + len(_CHART_CASE.fields)
    case_end = chart_case_end + len(_CASE.fields)
    db = connection.alias
    first = rows[0]
    patient = Patient.from_db(
        db,
        [field.attname for field in _PATIENT.fields],
        _convert(first[:patient_end], _PATIENT.converters()),
    )
    chart_cases = []
    for row in rows:
        if row[patient_end] is None:  # no chart case: the LEFT JOIN's one empty row
            continue
        chart_case = PatientChartCase.from_db(
            db,
            [field.attname for field in _CHART_CASE.fields],
            _convert(row[patient_end:chart_case_end], _CHART_CASE.converters()),
        )
        chart_case.case = PatientCase.from_db(
            db,
            [field.attname for field in _CASE.fields],
            _convert(row[chart_case_end:case_end], _CASE.converters()),
        )
        chart_case.patient = patient
        chart_case.documentable = bool(row[case_end])
        chart_case.unsigned_count = int(row[case_end + 1])
        chart_cases.append(chart_case)
    return patient, chart_cases


# The selected chart case's documentation -------------------------------------------------

_GOAL = _Columns(
    "g",
    [
        Goal._meta.pk,
        *(_field(Goal, name) for name in ("kind", "parent", "text", "status", "target_date")),
    ],
)
_PROGRESS = _Columns("gp", [_field(GoalProgress, name) for name in ("date", "status", "note")])
_AUTHOR = ("first_name", "last_name", "email")
_AUTHOR_SQL = "u.first_name, u.last_name, u.email"


def goals(chart_case) -> list[dict]:
    """The chart case's goals in the order of the page, each with its latest progress entry
    (``progress``: date, status, note, author names, or None): one statement, the latest entry
    found by an index probe on ``(clinic, goal, -date)`` per goal."""
    rows = _fetch(
        f"SELECT {_GOAL.sql}, {_PROGRESS.sql}, {_AUTHOR_SQL} FROM charts_goal g"
        " LEFT JOIN charts_goalprogress gp ON gp.clinic_id = g.clinic_id AND gp.id = ("
        "SELECT l.id FROM charts_goalprogress l WHERE l.clinic_id = g.clinic_id"
        " AND l.goal_id = g.id ORDER BY l.date DESC, l.id DESC LIMIT 1)"
        " LEFT JOIN accounts_user u ON u.id = gp.author_id"
        " WHERE g.clinic_id = %s AND g.chart_case_id = %s"
        " ORDER BY g.kind, g.start_date, g.id",
        [chart_case.clinic_id, chart_case.pk],
    )
    goal_keys = ("pk", "kind", "parent_id", "text", "status", "target_date")
    progress_keys = ("date", "status", "note", *_AUTHOR)
    converters = _converters((*_GOAL.fields, *_PROGRESS.fields))
    found = []
    for row in rows:
        row = _convert(row, converters)
        goal = dict(zip(goal_keys, row[:6], strict=True))
        progress = row[6:]
        goal["progress"] = (
            dict(zip(progress_keys, progress, strict=True)) if progress[0] is not None else None
        )
        found.append(goal)
    return found


class NotesNewestFirst:
    """The chart case's daily notes, newest first, as a sliceable list for
    ``core.pagination.UncountedPage``: a slice is one statement with LIMIT and OFFSET."""

    _NOTE = _Columns(
        "n",
        [DailyNote._meta.pk, _field(DailyNote, "date_of_service"), _field(DailyNote, "assessment")],
    )
    # Past any chart's length, short of what the database takes as an offset.
    MAX_OFFSET = 2**31 - 1

    def __init__(self, chart_case):
        self.chart_case = chart_case

    def __getitem__(self, window: slice) -> list[dict]:
        start = min(window.start or 0, self.MAX_OFFSET)
        rows = _fetch(
            f"SELECT {self._NOTE.sql}, n.signed_at IS NOT NULL, {_AUTHOR_SQL}"
            " FROM charts_dailynote n JOIN accounts_user u ON u.id = n.author_id"
            " WHERE n.clinic_id = %s AND n.chart_case_id = %s"
            " ORDER BY n.date_of_service DESC, n.id DESC LIMIT %s OFFSET %s",
            [
                self.chart_case.clinic_id,
                self.chart_case.pk,
                window.stop - (window.start or 0),
                start,
            ],
        )
        keys = ("pk", "date_of_service", "assessment", "signed", *_AUTHOR)
        converters = self._NOTE.converters()
        notes = [dict(zip(keys, _convert(row, converters), strict=True)) for row in rows]
        for note in notes:
            note["signed"] = bool(note["signed"])
        return notes


# The short lists -------------------------------------------------------------------------

# Each list's rows in the same ten columns, numbered in the list's own order by the database
# (so names sort by its collation, as ``ORDER BY`` would have them):
#   list, id, position, kind, code, text, date, flag, first name, last name, e-mail
_BRANCHES = {
    "contact": (
        "SELECT 'contact', pc.id,"
        " ROW_NUMBER() OVER (ORDER BY pc.is_guardian DESC, pc.name, pc.id),"
        " pc.relationship, pc.phone, pc.name, CAST(NULL AS DATE),"
        " CASE WHEN pc.is_guardian THEN 1 ELSE 0 END, '', '', pc.email"
        " FROM charts_patientcontact pc WHERE pc.clinic_id = %s AND pc.patient_id = %s"
    ),
    "service": (
        "SELECT 'service', st.id, ROW_NUMBER() OVER (ORDER BY st.name, st.id),"
        " '', '', st.name, CAST(NULL AS DATE), 0, '', '', ''"
        " FROM cases_patientcaseservicetype cs JOIN clinic_servicetype st"
        " ON st.clinic_id = cs.clinic_id AND st.id = cs.service_type_id"
        " WHERE cs.clinic_id = %s AND cs.case_id = %s"
    ),
    "evaluation": (
        "SELECT 'evaluation', e.id, ROW_NUMBER() OVER (ORDER BY e.date DESC, e.id DESC),"
        " e.kind, '', '', e.date, CASE WHEN e.signed_at IS NULL THEN 0 ELSE 1 END,"
        " u.first_name, u.last_name, u.email"
        " FROM charts_evaluation e JOIN accounts_user u ON u.id = e.author_id"
        " WHERE e.clinic_id = %s AND e.chart_case_id = %s"
    ),
    "reminder": (
        # Reminder.objects.open(): not done yet.
        "SELECT 'reminder', r.id, ROW_NUMBER() OVER (ORDER BY r.due_on, r.id),"
        " '', '', r.text, r.due_on, 0, '', '', ''"
        " FROM charts_reminder r"
        " WHERE r.clinic_id = %s AND r.chart_case_id = %s AND r.done_at IS NULL"
    ),
    "diagnosis": (
        "SELECT 'diagnosis', d.id, ROW_NUMBER() OVER (ORDER BY d.kind DESC, d.id),"
        " d.kind, d.code, d.description, CAST(NULL AS DATE), 0, '', '', ''"
        " FROM charts_diagnosis d WHERE d.clinic_id = %s AND d.chart_case_id = %s"
    ),
    "discharge summary": (
        "SELECT 'discharge summary', ds.id, ROW_NUMBER() OVER (ORDER BY ds.date DESC, ds.id DESC),"
        " '', '', '', ds.date, 1, '', '', ''"
        " FROM charts_dischargesummary ds WHERE ds.clinic_id = %s AND ds.chart_case_id = %s"
    ),
}
_LIST_KEYS = ("pk", "position", "kind", "code", "text", "date", "flag", *_AUTHOR)
# The ``date`` column holds DateField values of every list: converted as one (on SQLite a
# union's rows may come back as text).
_LIST_DATE = _field(Evaluation, "date")
DOCUMENTATION_LISTS = ("evaluation", "reminder", "diagnosis", "discharge summary")


def short_lists(patient, chart_case=None, *, documentation: bool = False) -> dict:
    """The chart's short lists, a handful of rows each, in one statement rather than one a
    list: the patient's contacts; with ``chart_case``, its case's service types; with
    ``documentation`` too, its evaluations (newest first), open reminders (earliest due
    first), diagnoses (treatment first) and discharge summaries (newest first).

    ``{list: [row, ...]}`` for the lists read, each row a dict of ``_LIST_KEYS`` (contacts:
    ``kind`` the relationship, ``code`` the phone, ``text`` the name, ``flag`` guardian;
    services: ``text`` the name; evaluations: ``flag`` signed, and the author's names;
    reminders: ``text``, ``date`` due; diagnoses: ``kind``, ``code``, ``text`` the
    description)."""
    wanted = [("contact", [patient.clinic_id, patient.pk])]
    if chart_case is not None:
        wanted.append(("service", [chart_case.clinic_id, chart_case.case_id]))
        if documentation:
            wanted.extend(
                (name, [chart_case.clinic_id, chart_case.pk]) for name in DOCUMENTATION_LISTS
            )
    # NULL dates are cast: PostgreSQL types a union's columns two branches at a time, and two
    # bare NULLs would make the column text.
    sql = " UNION ALL ".join(_BRANCHES[name] for name, _ in wanted)
    rows = _fetch(f"{sql} ORDER BY 1, 3", [value for _, params in wanted for value in params])
    converters = _converters((_LIST_DATE,))
    lists = {name: [] for name, _ in wanted}
    for name, *values in rows:
        row = dict(zip(_LIST_KEYS, values, strict=True))
        if row["date"] is not None:
            row["date"] = _convert([row["date"]], converters)[0]
        row["flag"] = bool(row["flag"])
        lists[name].append(row)
    return lists
