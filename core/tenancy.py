"""Tenancy: every query on clinic data runs inside one clinic's scope."""

from django.db import models
from django_scopes import ScopedManager
from django_scopes.manager import DisabledQuerySet


class ClinicQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)


def clinic_scoped(queryset_class: type[models.QuerySet] = ClinicQuerySet) -> models.Manager:
    """A manager that filters every query to the active clinic scope and refuses to run
    outside one (django-scopes, as pretix does): a forgotten ``.for_clinic()`` can no longer
    return every clinic's rows. Requests are scoped by ``core.middleware``; a management
    command or task says which clinic with ``django_scopes.scope(clinic=...)``, or that it works
    across clinics with ``scopes_disabled()``."""
    manager_class = models.Manager.from_queryset(queryset_class)
    scoped = ScopedManager(clinic="clinic", _manager_class=manager_class)
    # Outside a scope django-scopes hands out a queryset that raises on use; mixing our own
    # queryset in keeps its methods (``.pickable()``...) raising ScopeError too, not
    # AttributeError. ``.all()`` and ``.none()`` stay lazy so that a ModelForm can name the
    # model's rows at import time.
    refusing = type(
        f"Unscoped{queryset_class.__name__}",
        (DisabledQuerySet, queryset_class),
        {"all": lambda self: self._clone()},
    )

    class ClinicScopedManager(type(scoped)):
        def get_queryset(self):
            queryset = super().get_queryset()
            if isinstance(queryset, DisabledQuerySet):
                return refusing(self.model, using=self._db, missing_scopes=["clinic"])
            return queryset

    return ClinicScopedManager()
