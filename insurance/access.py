"""The one gate that loads insurance rows for a user: what they may not see is a 404, what
they may see but not change is a 403 (administrators and schedulers change authorizations;
therapists read those of their chart cases)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from charts.access import get_chart_case_for
from core.roles import ADMINISTRATOR, SCHEDULER, role_names
from insurance.models import Authorization, Payer, SharedLimit

FRONT_DESK = {ADMINISTRATOR, SCHEDULER}


def _require_write(user, write: bool) -> None:
    if write and not role_names(user) & FRONT_DESK:
        raise PermissionDenied


def get_payer_for(user, pk, *, write: bool = False) -> Payer:
    payer = get_object_or_404(Payer.objects.for_clinic(user.clinic_id), pk=pk)
    if write and ADMINISTRATOR not in role_names(user):
        raise PermissionDenied
    return payer


def get_insured_chart_case_for(user, pk, *, write: bool = False):
    """A chart case as ``charts.access`` loads it for the user, for its authorizations."""
    chart_case = get_chart_case_for(user, pk)
    _require_write(user, write)
    return chart_case


def get_authorization_for(user, pk, *, write: bool = False) -> Authorization:
    authorization = get_object_or_404(
        Authorization.objects.visible_to(user).select_related(
            "chart_case__case", "chart_case__patient", "payer", "shared_limit"
        ),
        pk=pk,
    )
    _require_write(user, write)
    return authorization


def get_shared_limit_for(user, pk, *, write: bool = False) -> SharedLimit:
    limit = get_object_or_404(SharedLimit.objects.visible_to(user).select_related("patient"), pk=pk)
    _require_write(user, write)
    return limit
