"""What the chart screens share: roles, paging, and the form-screen helper."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from charts import services
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST

STAFF = (ADMINISTRATOR, SCHEDULER, THERAPIST)
READERS = (ADMINISTRATOR, THERAPIST)
PAGE_SIZE = 25
NOTES_PER_PAGE = 20


def _apply(form, call):
    """Run a service; put its ValidationError back on the form. True when it succeeded."""
    try:
        return call() or True
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False


def _chart_url(chart_case) -> str:
    return reverse("charts:chart_case_detail", args=[chart_case.patient_id, chart_case.pk])


def _read_only_form(request, chart_case) -> bool:
    """Opening a form on a discharged case: saving would be refused, so say so now rather than
    after the therapist typed it all."""
    if request.method == "GET" and not chart_case.is_active:
        messages.error(request, services.READ_ONLY)
        return True
    return False


def _chart_case_form(
    request,
    chart_case,
    form,
    *,
    template,
    heading,
    button,
    save,
    success,
    save_needs_active=True,
    **extra,
):
    """GET shows the form; a valid POST calls ``save(cleaned_data)`` (a service) and goes back to
    the chart, or to ``extra["next_url"]``; bad input is answered with the form and a 400."""
    next_url = extra.pop("next_url", None) or _chart_url(chart_case)
    context = {"form": form, "chart_case": chart_case, "heading": heading, "button": button}
    context.update(extra)
    if save_needs_active and _read_only_form(request, chart_case):
        return redirect(_chart_url(chart_case))
    if request.method == "POST":
        saved = form.is_valid() and _apply(form, lambda: save(form.cleaned_data))
        if saved:
            messages.success(request, success)
            # ``next_url`` may depend on what was saved ("Save and sign" goes on to sign it).
            return redirect(next_url(saved) if callable(next_url) else next_url)
        return render(request, template, context, status=400)
    return render(request, template, context)
