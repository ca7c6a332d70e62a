"""Whether anything points at a row, so that a delete can be refused before it loses data."""

from django.db import models


def uses_of(obj: models.Model) -> list[str]:
    """The kinds of rows that point at ``obj``, e.g. ``["patient cases", "users"]``."""
    found = []
    for relation in obj._meta.related_objects:
        accessor = relation.get_accessor_name()
        if not accessor:
            continue
        if relation.one_to_one:
            related = relation.related_model._default_manager.filter(**{relation.field.name: obj})
        else:
            related = getattr(obj, accessor).all()
        if related.exists():
            found.append(str(relation.related_model._meta.verbose_name_plural))
    return found


def protected_uses(obj: models.Model) -> dict[str, int]:
    """Rows that point at ``obj`` and forbid its deletion (``on_delete=PROTECT``), counted.

    ``{"patient chart cases": 42}`` (``{"patient chart case": 1}``): what a refused delete
    tells the user.
    """
    found = {}
    for relation in obj._meta.related_objects:
        if relation.on_delete is not models.PROTECT or relation.many_to_many:
            continue
        count = relation.related_model._default_manager.filter(**{relation.field.name: obj}).count()
        if count:
            meta = relation.related_model._meta
            found[str(meta.verbose_name if count == 1 else meta.verbose_name_plural)] = count
    return found
