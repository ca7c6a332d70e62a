"""Aggregates the ORM lacks on both databases the product runs on (Django 5.2 has no portable
array or string aggregate; ``StringAgg`` and ``ArrayAgg`` are PostgreSQL's only).

``JSONList`` gathers the names read with a list's rows (a case's services, a staff member's
roles) inside a ``Subquery``, so that a page of rows is one statement and the queryset, with
its clinic scope, still says what is read."""

from django.db import NotSupportedError
from django.db.models import Aggregate, OuterRef, Subquery, TextField


class JSONList(Aggregate):
    """The values of one expression, or pairs of two, as one JSON text (``[..]`` or
    ``[[a, b], ..]``, in no particular order; NULL over no rows on PostgreSQL, ``[]`` on
    SQLite): read it with ``core.sql.read_json_list``. JSON, so that no character of a name
    can break the list apart."""

    output_field = TextField()

    def __init__(self, *expressions, **extra):
        self.pairs = len(expressions) == 2
        super().__init__(*expressions, **extra)

    def _element(self) -> str:
        if not self.pairs:
            return "%(expressions)s"
        return "{}(%(expressions)s)"

    def as_postgresql(self, compiler, connection, **extra_context):
        element = self._element().format("JSON_BUILD_ARRAY")
        return self.as_sql(
            compiler,
            connection,
            function="JSON_AGG",
            template=f"%(function)s({element})::text",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        element = self._element().format("JSON_ARRAY")
        return self.as_sql(
            compiler,
            connection,
            function="JSON_GROUP_ARRAY",
            template=f"%(function)s({element})",
            **extra_context,
        )

    def as_sql(self, compiler, connection, **extra_context):
        if "function" not in extra_context:
            raise NotSupportedError(f"No JSON list aggregate for {connection.vendor}")
        return super().as_sql(compiler, connection, **extra_context)


def json_list_of(rows, link: str, *expressions) -> Subquery:
    """A scalar subquery: ``JSONList(*expressions)`` over the ``rows`` (a queryset) whose
    ``link`` is the outer query's row, for an ``annotate``."""
    grouped = rows.filter(**{link: OuterRef("pk")}).order_by().values(link)
    return Subquery(grouped.annotate(_list=JSONList(*expressions)).values("_list"))
