"""Reads of documentation still waiting for a signature: the home dashboards, the list of
unsigned documents and the chart's tabs. Notes and evaluations are one list, oldest first, in
one query. What "unsigned" means is ``SignedQuerySet.unsigned`` (charts/models/documentation.py)
in every read here."""

import datetime

from django.db.models import CharField, Count, F, Func, IntegerField, OuterRef, Subquery, Value

from charts.models import DailyNote, Evaluation

COLUMNS = (
    "document",
    "pk",
    "chart_case_id",
    "patient_id",
    "first_name",
    "last_name",
    "case_name",
    "doc_date",
    "author_id",
)


def _rows(model, kind: str, date_field: str, clinic_id: int, author, before):
    rows = model.objects.for_clinic(clinic_id).unsigned()
    if author is not None:
        rows = rows.filter(author=author)
    if before is not None:
        rows = rows.filter(**{f"{date_field}__lt": before})
    return (
        rows.annotate(
            document=Value(kind, output_field=CharField()),
            patient_id=F("chart_case__patient_id"),
            first_name=F("chart_case__patient__first_name"),
            last_name=F("chart_case__patient__last_name"),
            case_name=F("chart_case__case__name"),
            doc_date=F(date_field),
        )
        .order_by()
        .values_list(*COLUMNS)
    )


def unsigned_for(*, clinic_id: int, author=None, before: datetime.date | None = None):
    """Unsigned notes and evaluations, oldest first, as one queryset of tuples (``as_dicts``
    reads them); of one author when given, dated before ``before`` when given."""
    notes = _rows(DailyNote, "notes", "date_of_service", clinic_id, author, before)
    evaluations = _rows(Evaluation, "evaluations", "date", clinic_id, author, before)
    return notes.union(evaluations, all=True).order_by("doc_date", "document", "pk")


def as_dicts(rows, today: datetime.date) -> list[dict]:
    """Rows of ``unsigned_for`` as dicts, each with its ``age`` in days."""
    result = []
    for row in rows:
        entry = dict(zip(COLUMNS, row, strict=True))
        entry["kind"] = entry.pop("document")
        entry["date"] = entry.pop("doc_date")
        entry["age"] = (today - entry["date"]).days
        entry["noun"] = "Daily note" if entry["kind"] == "notes" else "Evaluation"
        result.append(entry)
    return result


def unsigned_counts_by_author(*, clinic_id: int, before: datetime.date) -> list[dict]:
    """[{author_id, name, count}] of the notes and evaluations dated before ``before`` and still
    unsigned, most first: two grouped queries."""
    counts: dict[int, dict] = {}
    for model, date_field in ((DailyNote, "date_of_service"), (Evaluation, "date")):
        grouped = (
            model.objects.for_clinic(clinic_id)
            .unsigned()
            .filter(**{f"{date_field}__lt": before})
            .values("author_id", "author__first_name", "author__last_name", "author__email")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for row in grouped:
            name = f"{row['author__first_name']} {row['author__last_name']}".strip()
            entry = counts.setdefault(
                row["author_id"],
                {"author_id": row["author_id"], "name": name or row["author__email"], "count": 0},
            )
            entry["count"] += row["count"]
    return sorted(counts.values(), key=lambda entry: (-entry["count"], entry["name"]))


def _unsigned_of_chart_case(model, chart_case: str):
    # COUNT(*) without GROUP BY: always one row, so no Coalesce; a third cheaper for the ORM
    # to build than ``.values().annotate(Count())`` under a Coalesce.
    return Subquery(
        model.objects.unsigned()
        .filter(chart_case_id=OuterRef(chart_case))
        .order_by()
        .values(count=Func("pk", function="COUNT")),
        output_field=IntegerField(),
    )


def unsigned_count(chart_case: str = "pk"):
    """An annotation of chart cases (``chart_case``: the outer query's chart case id): how many
    of its notes and evaluations are still unsigned."""
    return _unsigned_of_chart_case(DailyNote, chart_case) + _unsigned_of_chart_case(
        Evaluation, chart_case
    )
