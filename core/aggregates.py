"""A list aggregate the ORM lacks on both databases the product runs on (Django 5.2 has no
portable array or string aggregate; ``StringAgg`` and ``ArrayAgg`` are PostgreSQL's only).

``JSONList`` gathers the names read with a list's rows (a case's services, a staff member's
roles) as a scalar subquery, so that a page of rows is one statement and a queryset, with its
clinic scope, still says what is read."""

from django.db import NotSupportedError
from django.db.models import F, OuterRef, Subquery, TextField

# The aggregate over the subquery's rows (``_listed``), of one column (``a``) or two (``a``,
# ``b``): JSON, so that no character of a name can break the list apart.
_TEMPLATES = {
    ("postgresql", 1): "(SELECT JSON_AGG(_listed.a)::text FROM (%(subquery)s) _listed)",
    ("postgresql", 2): (
        "(SELECT JSON_AGG(JSON_BUILD_ARRAY(_listed.a, _listed.b))::text "
        "FROM (%(subquery)s) _listed)"
    ),
    ("sqlite", 1): "(SELECT JSON_GROUP_ARRAY(_listed.a) FROM (%(subquery)s) _listed)",
    ("sqlite", 2): (
        "(SELECT JSON_GROUP_ARRAY(JSON_ARRAY(_listed.a, _listed.b)) FROM (%(subquery)s) _listed)"
    ),
}


class JSONList(Subquery):
    """The values of one field, or pairs of two, of a queryset's rows as one JSON text
    (``[..]`` or ``[[a, b], ..]``, in no particular order; NULL over no rows on PostgreSQL,
    ``[]`` on SQLite): read it with ``core.sql.read_json_list``. A wrapper around the
    subquery, as Django's ``Exists`` is, rather than an aggregate with a ``GROUP BY``: half
    the work to build and compile, on every request that reads a user's roles."""

    output_field = TextField()

    def __init__(self, queryset, *fields):
        if len(fields) not in (1, 2):
            raise ValueError("A JSON list of one field, or of pairs of two")
        self.width = len(fields)
        names = dict(zip(("a", "b"), (F(field) for field in fields), strict=False))
        super().__init__(queryset.order_by().values(**names))

    def as_sql(self, compiler, connection, template=None, **extra_context):
        template = _TEMPLATES.get((connection.vendor, self.width))
        if template is None:
            raise NotSupportedError(f"No JSON list for {connection.vendor}")
        return super().as_sql(compiler, connection, template=template, **extra_context)


def json_list_of(rows, link: str, *fields) -> JSONList:
    """``JSONList`` of the ``fields`` of the ``rows`` (a queryset) whose ``link`` is the outer
    query's row, for an ``annotate``."""
    return JSONList(rows.filter(**{link: OuterRef("pk")}), *fields)
