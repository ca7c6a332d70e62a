"""Move one goal, daily note, evaluation or reminder to another of the patient's cases, with
a reason (issue 22). A therapist who documents on both cases, or an administrator; the write
is ``charts.services.move.documentation_move``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from charts.access import get_chart_case_for, may_write_documentation
from charts.services import move as move_service
from charts.services.move import MOVABLE_DOCUMENTS, NO_REASON, move_targets
from charts.views.common import READERS, _apply, _chart_url
from core.audit import record_access
from core.forms import PlainChoicesMixin
from core.permissions import role_required
from core.roles import ADMINISTRATOR, has_role


class DocumentationMoveForm(PlainChoicesMixin, forms.Form):
    to_chart_case = forms.ModelChoiceField(
        label="Move to",
        queryset=None,
        empty_label=None,
        error_messages={
            "invalid_choice": "Choose one of this patient's active cases that you may document on."
        },
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Both cases will show it, with your name and the date.",
        error_messages={"required": NO_REASON},
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_chart_case"].queryset = targets
        self.fields["to_chart_case"].label_from_instance = lambda chart_case: (
            f"{chart_case.case.name} (since {chart_case.started_on:%b %-d, %Y})"
        )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def documentation_move(request, pk, kind, item_pk):
    model = MOVABLE_DOCUMENTS.get(kind)
    if model is None:
        raise Http404
    chart_case = get_chart_case_for(request.user, pk, documentation=True)
    if not (
        has_role(request.user, ADMINISTRATOR) or may_write_documentation(request.user, chart_case)
    ):
        raise PermissionDenied
    item = get_object_or_404(model.objects.filter(chart_case=chart_case), pk=item_pk)
    item.chart_case = chart_case
    form = DocumentationMoveForm(
        request.POST or None, targets=move_targets(request.user, chart_case)
    )
    record_access(request, obj=chart_case, patient=chart_case.patient, what=f"Move {item}")
    if request.method == "POST" and form.is_valid():
        to_chart_case = form.cleaned_data["to_chart_case"]
        result = _apply(
            form,
            lambda: move_service.documentation_move(
                item=item,
                to_chart_case=to_chart_case,
                reason=form.cleaned_data["reason"],
                by=request.user,
            ),
        )
        if result:
            messages.success(
                request,
                f"Moved “{item}” from {chart_case.case.name} to {to_chart_case.case.name}. "
                "Both cases' History shows the move and your reason.",
            )
            for words in result.stayed:
                messages.warning(request, words)
            return redirect(_chart_url(to_chart_case))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "charts/documentation_move.html",
        {"chart_case": chart_case, "item": item, "form": form, "kind": kind},
        status=status,
    )
