"""Merge Patient Cases (Admin > Basic Setup > Patient Cases > Merge) and its undo from the
target's History. Administrators only; the writes are ``cases.merge``'s services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from cases.access import get_case_for
from cases.forms_merge import CaseMergeForm
from cases.merge import BUSY, STALE, case_merge, undoable_merge
from cases.merge_preview import merge_preview
from cases.merge_undo import UndoRefused, case_merge_undo
from core.permissions import role_required
from core.roles import ADMINISTRATOR

TEMPLATE = "cases/case_merge.html"


def _render(request, form, preview=None, status=200, refusal=""):
    return render(
        request, TEMPLATE, {"form": form, "preview": preview, "refusal": refusal}, status=status
    )


def _preview(form):
    sources = list(form.cleaned_data["sources"])
    return merge_preview(target=form.cleaned_data["target"], sources=sources)


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def case_merge_view(request):
    """GET without a choice: the form; GET with one: the preview and the confirmation;
    POST: the merge."""
    if request.method == "GET":
        if "target" not in request.GET:
            initial = {"sources": request.GET.getlist("sources")[:50]}
            return _render(request, CaseMergeForm(user=request.user, initial=initial))
        form = CaseMergeForm(request.GET, user=request.user)
        if not form.is_valid():
            return _render(request, form, status=400)
        return _render(request, form, _preview(form))
    form = CaseMergeForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render(request, form, status=400)
    return _merge(request, form)


def _merge(request, form):
    target, sources = form.cleaned_data["target"], list(form.cleaned_data["sources"])
    try:
        merge = case_merge(
            target=target, sources=sources, token=form.cleaned_data["token"], by=request.user
        )
    except ValidationError as error:
        if error.messages[0] in (STALE, BUSY):
            # The preview is shown again as it is now, to be confirmed again.
            fresh = CaseMergeForm(request.POST, user=request.user)
            fresh.is_valid()
            return _render(request, fresh, _preview(fresh), 409, error.messages[0])
        for message in error.messages:
            form.add_error(None, message)
        return _render(request, form, status=400)
    names = ", ".join(f"“{source.name}”" for source in sources)
    plan = merge.plan
    messages.success(
        request,
        f"Merged {names} into “{target.name}”: {len(plan['repointed'])} "
        f"{ngettext('chart case', 'chart cases', len(plan['repointed']))} moved "
        f"onto it and {len(plan['folded'])} became one with the patient's own. You can undo "
        "it from this History while nothing is written on those charts.",
    )
    return redirect("cases:case_history", pk=target.pk)


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def case_merge_undo_view(request, pk):
    case = get_case_for(request.user, pk, write=True)
    merge = undoable_merge(case)
    if merge is None:
        raise Http404("No merge into this case to undo.")
    context = {"case": case, "merge": merge, "sources": _source_names(merge)}
    if request.method == "POST":
        try:
            case_merge_undo(merge=merge, by=request.user)
        except UndoRefused as refused:
            context |= {"refusal": refused.messages[0], "changes": refused.changes}
            return render(request, "cases/case_merge_undo.html", context, status=409)
        messages.success(
            request,
            f"The merge of {context['sources']} into “{case.name}” was undone: every chart "
            "case and row it moved is back where it was.",
        )
        return redirect("cases:case_history", pk=case.pk)
    return render(request, "cases/case_merge_undo.html", context)


def _source_names(merge) -> str:
    from cases.models import PatientCase

    names = PatientCase.objects.filter(pk__in=merge.sources).order_by("name")
    return ", ".join(f"“{name}”" for name in names.values_list("name", flat=True))
