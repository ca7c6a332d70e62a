"""Admin > Basic Setup > Import: upload a file, read its check, import it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.permissions import role_required
from core.roles import ADMINISTRATOR
from importing.format import KIND_LABELS, KINDS
from importing.forms import ImportStartForm, ImportUploadForm
from importing.models import ImportRun
from importing.services import import_run_create, import_run_queue

RECENT_RUNS = 20


def _runs(request):
    return ImportRun.objects.for_clinic(request.user.clinic_id).for_list()


@role_required(ADMINISTRATOR)
def import_list(request):
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted:
        if form.is_valid():
            upload = form.cleaned_data["file"]
            run = import_run_create(
                clinic=request.user.clinic,
                file_name=upload.name,
                content=upload.read(),
                by=request.user,
            )
            if run.status == ImportRun.Status.READY:
                messages.success(request, f"“{run.file_name}” was checked: no bad rows.")
            return redirect("importing:import_detail", pk=run.pk)
        status = 400
    else:
        status = 200
    context = {"form": form, "runs": list(_runs(request)[:RECENT_RUNS])}
    return render(request, "importing/import_list.html", context, status=status)


@role_required(ADMINISTRATOR)
def import_detail(request, pk):
    run = get_object_or_404(_runs(request), pk=pk)
    return _detail(request, run, ImportStartForm())


def _detail(request, run, form, status=200):
    summary = run.summary or {}
    records = summary.get("records", {})
    checked = summary.get("per_kind", {})
    kinds = [
        {
            "label": KIND_LABELS[kind].capitalize(),
            "checked": checked.get(kind, 0),
            "imported": records.get(kind, 0),
        }
        for kind in KINDS
        if checked.get(kind) or records.get(kind)
    ]
    context = {
        "run": run,
        "form": form,
        "summary": summary,
        "kinds": kinds,
        "can_start": run.status == ImportRun.Status.READY
        or (run.status == ImportRun.Status.INVALID and not run.fatal_error),
    }
    return render(request, "importing/import_detail.html", context, status=status)


@require_POST
@role_required(ADMINISTRATOR)
def import_start(request, pk):
    run = get_object_or_404(_runs(request), pk=pk)
    form = ImportStartForm(request.POST)
    form.is_valid()
    try:
        run = import_run_queue(run=run, skip_invalid=form.cleaned_data.get("skip_invalid", False))
    except ValidationError as error:
        form.add_error(None, error)
        run.refresh_from_db()
        return _detail(request, run, form, status=400)
    messages.success(
        request,
        f"“{run.file_name}” is queued for import: this page shows how far it has come.",
    )
    return redirect("importing:import_detail", pk=run.pk)
