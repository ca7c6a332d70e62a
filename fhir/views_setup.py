"""Admin > Basic Setup > Integrations: an administrator registers and revokes the clinic's
OAuth2 clients of the FHIR API."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from core.permissions import role_required
from core.roles import ADMINISTRATOR
from fhir import services
from fhir.access import get_integration_for
from fhir.forms import IntegrationForm, apply_application_errors
from fhir.models import Integration


@role_required(ADMINISTRATOR)
def integration_list(request):
    integrations = (
        Integration.objects.for_clinic(request.user.clinic_id)
        .select_related("application", "created_by", "revoked_by")
        .order_by("revoked_at", "-created_at", "-pk")
    )
    return render(request, "fhir/integration_list.html", {"integrations": integrations})


@role_required(ADMINISTRATOR)
def integration_create(request):
    form = IntegrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            integration, secret = services.integration_register(
                clinic=request.user.clinic,
                by=request.user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                redirect_uris=form.cleaned_data["redirect_uris"],
            )
        except ValidationError as error:
            apply_application_errors(form, error)
        else:
            messages.success(
                request,
                f"“{integration}” is registered. Copy its secret now: it is not shown again.",
            )
            # Shown on this response only, never stored in clear nor put in a URL.
            return render(
                request,
                "fhir/integration_created.html",
                {"integration": integration, "secret": secret},
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "fhir/integration_form.html", {"form": form}, status=status)


@role_required(ADMINISTRATOR)
def integration_revoke(request, pk):
    integration = get_integration_for(request.user, pk, write=True)
    if request.method == "POST":
        services.integration_revoke(integration=integration, by=request.user)
        messages.success(
            request,
            f"“{integration}” is revoked: its tokens no longer work and it gets no new one.",
        )
        return redirect("fhir:integration_list")
    return render(request, "fhir/integration_revoke.html", {"integration": integration})
