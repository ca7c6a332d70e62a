"""Whether anything points at a row, so that a delete can be refused before it loses data, and
so that a list offers Delete only on rows that nothing uses (issue 24: no action that will
only be refused).

One rule, read three ways: ``uses_of`` and ``protected_uses`` name the uses of one row (the
refusal's words), ``with_in_use`` marks every row of a list with whether it has any, in the
list's own query. All three walk the relations ``_use_relations`` picks."""

import functools
import operator

from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Value


@functools.cache
def _use_relations(model: type[models.Model], *, protected: bool) -> tuple:
    """The reverse relations whose rows count as uses of a ``model`` row.

    ``protected``: only foreign keys that forbid the delete (``on_delete=PROTECT``), as a
    case's delete counts them. Otherwise every visible relation (a service type named by a
    case or a therapist) and every hidden one that forbids the delete (an appointment's type,
    reached by no accessor): a row the database would refuse to delete is always in use."""
    relations = [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete
    ]
    # A many-to-many relation already counts the rows of its through table.
    throughs = set() if protected else {r.through for r in relations if r.many_to_many}
    found = []
    for relation in relations:
        blocks = relation.on_delete is models.PROTECT and not relation.many_to_many
        if relation.related_model in throughs:
            continue
        if blocks if protected else (blocks or not relation.hidden):
            found.append(relation)
    # Cached: the models' relations are fixed once the apps are loaded, and a list page asks
    # for them on every request (walking ``get_fields`` was a third of its Python).
    return tuple(found)


def _rows_using(relation, value) -> models.QuerySet:
    """The rows of ``relation`` that point at ``value`` (a row, or ``OuterRef("pk")``)."""
    rows = relation.related_model._default_manager.filter(**{relation.field.name: value})
    # No ORDER BY: the related model's default ordering would sort what is only counted.
    return rows.order_by()


def uses_of(obj: models.Model) -> list[str]:
    """The kinds of rows that use ``obj``, e.g. ``["patient cases", "users"]``."""
    return [
        str(relation.related_model._meta.verbose_name_plural)
        for relation in _use_relations(type(obj), protected=False)
        if _rows_using(relation, obj).exists()
    ]


def protected_uses(obj: models.Model) -> dict[str, int]:
    """Rows that point at ``obj`` and forbid its deletion (``on_delete=PROTECT``), counted.

    ``{"patient chart cases": 42}`` (``{"patient chart case": 1}``): what a refused delete
    tells the user.
    """
    found = {}
    for relation in _use_relations(type(obj), protected=True):
        count = _rows_using(relation, obj).count()
        if count:
            meta = relation.related_model._meta
            found[str(meta.verbose_name if count == 1 else meta.verbose_name_plural)] = count
    return found


def _has_clinic(model) -> bool:
    return any(field.name == "clinic" for field in model._meta.concrete_fields)


def with_in_use(queryset: models.QuerySet, *, protected: bool = False) -> models.QuerySet:
    """``queryset`` with ``in_use``: True on a row that ``uses_of`` (or, ``protected``,
    ``protected_uses``) would name anything for, so that its delete would be refused."""
    uses = []
    for relation in _use_relations(queryset.model, protected=protected):
        rows = _rows_using(relation, OuterRef("pk"))
        if _has_clinic(relation.related_model) and _has_clinic(queryset.model):
            # Rows of the outer row's own clinic: every index leads with it.
            rows = rows.filter(clinic=OuterRef("clinic"))
        uses.append(Exists(rows))
    in_use = functools.reduce(operator.or_, uses) if uses else Value(False)
    return queryset.annotate(in_use=ExpressionWrapper(in_use, output_field=BooleanField()))


def in_use(obj: models.Model, *, protected: bool = False) -> bool:
    """``with_in_use`` for one row, in one query: whether its delete would be refused."""
    rows = type(obj)._default_manager.filter(pk=obj.pk)
    return bool(with_in_use(rows, protected=protected).values_list("in_use", flat=True).first())
