"""A chart case's documentation: goals, daily notes, evaluations, addenda, reminders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from charts import services
from charts.access import (
    get_chart_case_for,
    may_write_documentation,
)
from charts.forms import (
    AddendumForm,
    DailyNoteForm,
    DiscardForm,
    EvaluationForm,
    GoalCreateForm,
    GoalProgressForm,
    GoalUpdateForm,
    ReminderForm,
)
from charts.models import Addendum, Evaluation, Goal
from charts.search import parse_date
from charts.views.clinical import sign_confirmation, sign_url
from charts.views.common import (
    READERS,
    _apply,
    _chart_case_form,
    _chart_url,
    _read_only_form,
    _refused_status,
    _versioned,
)
from core.audit import record_access
from core.inputs import parse_id
from core.permissions import role_required
from core.roles import ADMINISTRATOR, THERAPIST, has_role

# Goals ------------------------------------------------------------------------------------


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def goal_create(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    return _chart_case_form(
        request,
        chart_case,
        GoalCreateForm(request.POST or None, chart_case=chart_case),
        template="charts/goal_form.html",
        heading="Add Goal",
        button="Save Goal",
        save=lambda data: services.goal_create(chart_case=chart_case, by=request.user, **data),
        success="Goal added.",
    )


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def goal_update(request, pk, goal_pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    goal = get_object_or_404(chart_case.goals, pk=goal_pk)
    return _chart_case_form(
        request,
        chart_case,
        GoalUpdateForm(request.POST or None, instance=goal),
        template="charts/goal_form.html",
        heading="Update Goal",
        button="Save Goal",
        save=lambda data: services.goal_update(goal=goal, by=request.user, **_versioned(data)),
        success="Goal saved.",
        goal=goal,
    )


# Daily notes ------------------------------------------------------------------------------


def _progress_forms(request, chart_case, note=None):
    goals = chart_case.goals.filter(status=Goal.Status.ACTIVE).order_by("kind", "start_date", "pk")
    existing = {}
    if note is not None:
        existing = {entry.goal_id: entry for entry in note.goal_progress.all()}
    forms = []
    for goal in goals:
        initial = {}
        if goal.pk in existing:
            initial = {"status": existing[goal.pk].status, "note": existing[goal.pk].note}
        forms.append(GoalProgressForm(request.POST or None, goal=goal, initial=initial))
    return forms


def _progress_inputs(progress_forms):
    return [
        services.ProgressInput(
            goal=form.goal, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
        for form in progress_forms
    ]


def _note_form(request, context, *, save, success, next_url):
    """The daily note screen: the note and one progress form per active goal, saved together."""
    form, progress_forms = context["form"], context["progress_forms"]
    # "Save and sign" only for the author: nobody else may sign the draft.
    note = context.get("note")
    context["sign_button"] = note is None or note.author_id == request.user.pk
    if request.method == "POST":
        saved = (
            form.is_valid()
            and all(progress.is_valid() for progress in progress_forms)
            and _same_day_check(request, context)
            and _apply(form, lambda: save(form.cleaned_data, _progress_inputs(progress_forms)))
        )
        if saved:
            messages.success(request, success)
            if request.POST.get("and_sign"):
                return redirect(sign_url(context["chart_case"], "notes", saved))
            return redirect(next_url)
        return render(request, "charts/dailynote_form.html", context, status=_refused_status(form))
    return render(request, "charts/dailynote_form.html", context)


def _same_day_check(request, context) -> bool:
    """A pulled-forward note dated a day that already has a note of this chart case would be a
    silent copy: refuse it and point at the existing note."""
    form = context["form"]
    if not request.POST.get("pulled_forward") or context.get("note") is not None:
        return True
    existing = _note_on(context["chart_case"], form.cleaned_data["date_of_service"])
    if existing is None:
        return True
    context["same_day_note"] = existing
    form.add_error(
        "date_of_service",
        f"This case already has a note of {existing.date_of_service:%b %-d, %Y}: open it "
        "rather than pulling forward a copy, or choose another date.",
    )
    return False


def _note_on(chart_case, day):
    return chart_case.daily_notes.filter(date_of_service=day).order_by("-pk").first()


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def note_create(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    if _read_only_form(request, chart_case):
        return redirect(_chart_url(chart_case))
    previous = services.previous_signed_note(chart_case)
    initial = {}
    same_day_note = None
    if request.GET.get("pull_forward") and previous is not None:
        same_day_note = _note_on(chart_case, chart_case.clinic.today())
        if same_day_note is None:
            initial = {
                field: getattr(previous, field)
                for field in ("subjective", "objective", "assessment", "plan")
            }
    pulled_forward = bool(initial) or bool(request.POST.get("pulled_forward"))
    # A link may name the date of service (the Today list's appointments do).
    date_of_service = parse_date(request.GET.get("date_of_service", ""))
    if date_of_service:
        initial["date_of_service"] = date_of_service
    form = DailyNoteForm(request.POST or None, initial=initial)
    progress_forms = _progress_forms(request, chart_case)
    context = {
        "form": form,
        "progress_forms": progress_forms,
        "chart_case": chart_case,
        "previous": previous,
        "same_day_note": same_day_note,
        "pulled_forward": pulled_forward,
        "heading": "New Daily Note",
        "button": "Save Daily Note",
    }
    return _note_form(
        request,
        context,
        save=lambda data, progress: services.note_create(
            chart_case=chart_case, progress=progress, by=request.user, **data
        ),
        success="Daily note saved. Sign it when it is complete.",
        next_url=_chart_url(chart_case),
    )


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def note_update(request, pk, doc_pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    note = get_object_or_404(chart_case.daily_notes, pk=doc_pk)
    if note.is_signed:
        messages.error(request, services.SIGNED)
        return _document_page(request, "notes", chart_case, note, status=409)
    form = DailyNoteForm(request.POST or None, instance=note)
    progress_forms = _progress_forms(request, chart_case, note)
    context = {
        "form": form,
        "progress_forms": progress_forms,
        "chart_case": chart_case,
        "note": note,
        "heading": f"Edit {note}",
        "button": "Save Daily Note",
    }
    return _note_form(
        request,
        context,
        save=lambda data, progress: services.note_update(
            note=note, progress=progress, by=request.user, **_versioned(data)
        ),
        success="Daily note saved.",
        next_url=reverse(
            "charts:document_detail",
            kwargs={"pk": chart_case.pk, "kind": "notes", "doc_pk": note.pk},
        ),
    )


# Evaluations ------------------------------------------------------------------------------


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def evaluation_create(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    return _chart_case_form(
        request,
        chart_case,
        EvaluationForm(request.POST or None, chart_case=chart_case, initial=_asked_for(request)),
        template="charts/evaluation_form.html",
        heading="New Evaluation",
        button="Save Evaluation",
        save=lambda data: services.evaluation_create(
            chart_case=chart_case, by=request.user, **data
        ),
        success="Evaluation saved. Sign it when it is complete.",
        sign_button=True,
        next_url=lambda evaluation: _after_evaluation_save(request, chart_case, evaluation),
    )


def _asked_for(request) -> dict:
    """What a link to a new evaluation presets: its kind ("Re-evaluation due" on the home page
    opens a re-evaluation) and the reminder it answers."""
    initial = {}
    if request.GET.get("kind") in Evaluation.Kind.values:
        initial["kind"] = request.GET["kind"]
    if (reminder := parse_id(request.GET.get("reminder", ""))) is not None:
        initial["reminder"] = reminder
    return initial


def _after_evaluation_save(request, chart_case, evaluation) -> str:
    if request.POST.get("and_sign"):
        return sign_url(chart_case, "evaluations", evaluation)
    if request.resolver_match.url_name == "evaluation_create":
        return _chart_url(chart_case)
    return reverse(
        "charts:document_detail",
        kwargs={"pk": chart_case.pk, "kind": "evaluations", "doc_pk": evaluation.pk},
    )


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def evaluation_update(request, pk, doc_pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    evaluation = get_object_or_404(chart_case.evaluations, pk=doc_pk)
    if evaluation.is_signed:
        messages.error(request, services.SIGNED)
        return _document_page(request, "evaluations", chart_case, evaluation, status=409)
    return _chart_case_form(
        request,
        chart_case,
        EvaluationForm(request.POST or None, instance=evaluation),
        template="charts/evaluation_form.html",
        heading=f"Edit {evaluation}",
        button="Save Evaluation",
        save=lambda data: services.evaluation_update(
            evaluation=evaluation, by=request.user, **_versioned(data)
        ),
        success="Evaluation saved.",
        evaluation=evaluation,
        sign_button=evaluation.author_id == request.user.pk,
        next_url=lambda saved: _after_evaluation_save(request, chart_case, saved),
    )


# Signed documents: notes and evaluations alike --------------------------------------------

DOCUMENTS = {
    "notes": {
        "related": "daily_notes",
        "sign": services.note_sign,
        "delete": services.note_delete,
        "field": "note",
        "template": "charts/dailynote_detail.html",
        "noun": "Daily note",
    },
    "evaluations": {
        "related": "evaluations",
        "sign": services.evaluation_sign,
        "delete": services.evaluation_delete,
        "field": "evaluation",
        "template": "charts/evaluation_detail.html",
        "noun": "Evaluation",
    },
}


def _document(request, pk, kind, doc_pk, *, write):
    spec = DOCUMENTS[kind]
    chart_case = get_chart_case_for(request.user, pk, documentation=True, write=write)
    queryset = getattr(chart_case, spec["related"]).select_related("author", "signed_by")
    document = get_object_or_404(queryset, pk=doc_pk)
    return spec, chart_case, document


def _document_page(request, kind, chart_case, document, *, form=None, status=200):
    spec = DOCUMENTS[kind]
    link = "daily_note" if spec["field"] == "note" else "evaluation"
    addenda = Addendum.objects.filter(**{link: document})
    context = {
        "chart_case": chart_case,
        "document": document,
        "addenda": addenda.select_related("author"),
        "addendum_form": form or AddendumForm(),
        "may_write": may_write_documentation(request.user, chart_case),
        "may_discard": has_role(request.user, ADMINISTRATOR),
        "noun": spec["noun"],
        "kind": kind,
    }
    if spec["field"] == "note":
        context["progress"] = document.goal_progress.select_related("goal").order_by("goal__pk")
    return render(request, spec["template"], context, status=status)


@role_required(*READERS)
def document_detail(request, pk, kind, doc_pk):
    spec, chart_case, document = _document(request, pk, kind, doc_pk, write=False)
    record_access(request, obj=document, patient=chart_case.patient, what=str(document))
    return _document_page(request, kind, chart_case, document)


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def document_sign(request, pk, kind, doc_pk):
    """GET shows the attestation and asks to confirm; POST signs."""
    spec, chart_case, document = _document(request, pk, kind, doc_pk, write=True)
    if request.method == "GET":
        if document.is_signed or not chart_case.is_active:
            messages.error(request, services.SIGNED if document.is_signed else services.READ_ONLY)
            return redirect("charts:document_detail", pk=pk, kind=kind, doc_pk=doc_pk)
        try:
            # Only the author is asked to attest: the page would offer what the POST refuses.
            services.require_author(document, request.user, "sign")
        except services.NotTheAuthorError as error:
            messages.error(request, error.messages[0])
            return _document_page(request, kind, chart_case, document, status=403)
        return sign_confirmation(
            request, kind=kind, chart_case=chart_case, document=document, spec=spec
        )
    # The version the confirmation page showed: a draft saved by someone else since is not
    # signed unseen (no version, as from an older page, skips the check).
    expected = parse_id(request.POST.get("version", ""))
    try:
        spec["sign"](**{spec["field"]: document, "by": request.user, "expected_version": expected})
    except ValidationError as error:
        messages.error(request, error.messages[0])
        status = 403 if isinstance(error, services.NotTheAuthorError) else 400
        return _document_page(request, kind, chart_case, document, status=status)
    messages.success(request, f"{spec['noun']} signed.")
    return redirect("charts:document_detail", pk=pk, kind=kind, doc_pk=doc_pk)


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def document_delete(request, pk, kind, doc_pk):
    spec, chart_case, document = _document(request, pk, kind, doc_pk, write=True)
    context = {"chart_case": chart_case, "document": document, "noun": spec["noun"], "kind": kind}
    if request.method == "POST":
        try:
            spec["delete"](**{spec["field"]: document, "by": request.user})
        except ValidationError as error:
            context["error"] = error.messages[0]
            status = 403 if isinstance(error, services.NotTheAuthorError) else 400
            return render(request, "charts/document_delete.html", context, status=status)
        messages.success(request, f"{spec['noun']} deleted.")
        return redirect(_chart_url(chart_case))
    return render(request, "charts/document_delete.html", context)


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def document_discard(request, pk, kind, doc_pk):
    """An administrator deletes a draft its author abandoned, with a reason kept in the audit
    trail."""
    spec, chart_case, document = _document(request, pk, kind, doc_pk, write=False)
    form = DiscardForm(request.POST or None)
    context = {
        "chart_case": chart_case,
        "document": document,
        "noun": spec["noun"],
        "kind": kind,
        "form": form,
    }
    if request.method == "POST":
        if form.is_valid() and _apply(
            form,
            lambda: services.document_discard(
                document=document, reason=form.cleaned_data["reason"], by=request.user
            ),
        ):
            messages.success(request, f"{spec['noun']} deleted; the reason is in the audit log.")
            return redirect(_chart_url(chart_case))
        return render(request, "charts/document_discard.html", context, status=400)
    return render(request, "charts/document_discard.html", context)


@role_required(THERAPIST)
@require_POST
def document_addendum(request, pk, kind, doc_pk):
    spec, chart_case, document = _document(request, pk, kind, doc_pk, write=True)
    form = AddendumForm(request.POST)
    if form.is_valid() and _apply(
        form,
        lambda: services.addendum_add(
            document=document, text=form.cleaned_data["text"], by=request.user
        ),
    ):
        messages.success(request, "Addendum added.")
        return redirect("charts:document_detail", pk=pk, kind=kind, doc_pk=doc_pk)
    # A refusal about the document (unsigned, not the author's, read-only) comes when the page
    # does not show the addendum form, so it would not be seen on the form: say it up top.
    for error in form.non_field_errors():
        messages.error(request, error)
    return _document_page(request, kind, chart_case, document, form=form, status=400)


# Reminders --------------------------------------------------------------------------------


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def reminder_create(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    return _chart_case_form(
        request,
        chart_case,
        ReminderForm(request.POST or None),
        template="charts/reminder_form.html",
        heading="Add Reminder",
        button="Save Reminder",
        save=lambda data: services.reminder_create(chart_case=chart_case, by=request.user, **data),
        success="Reminder added.",
    )


@role_required(THERAPIST)
@require_POST
def reminder_done(request, pk, reminder_pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    reminder = get_object_or_404(chart_case.reminders, pk=reminder_pk)
    try:
        services.reminder_done(reminder=reminder, by=request.user)
    except ValidationError as error:
        # A discharged chart case is read-only: say so on the chart, with a 409.
        messages.error(request, error.messages[0])
        return render(request, "charts/refused.html", {"chart_case": chart_case}, status=409)
    messages.success(request, f"Reminder “{reminder.text}” marked done.")
    # Only two places to go back to: never a URL taken from the request.
    return redirect("home" if request.POST.get("back") == "home" else _chart_url(chart_case))
