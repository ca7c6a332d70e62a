from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from charts import services
from charts.access import (
    documentation_access,
    get_chart_case_for,
    get_patient_for,
    may_write_documentation,
)
from charts.forms import (
    AddendumForm,
    ChartCaseAddForm,
    DailyNoteForm,
    DischargeForm,
    EvaluationForm,
    GoalCreateForm,
    GoalProgressForm,
    GoalUpdateForm,
    PatientForm,
    ReminderForm,
    ReopenForm,
)
from charts.models import Addendum, Goal, GoalProgress, Patient, PatientChartCase
from fusion.permissions import role_required
from fusion.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role

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
        if form.is_valid() and _apply(form, lambda: save(form.cleaned_data)):
            messages.success(request, success)
            return redirect(next_url)
        return render(request, template, context, status=400)
    return render(request, template, context)


# Patients ---------------------------------------------------------------------------------


@role_required(*STAFF)
def patient_list(request):
    query = request.GET.get("q", "")
    patients = (
        Patient.objects.visible_to(request.user)
        .search(query)
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "charts/patient_list.html",
        {
            "page_obj": page,
            "patients": page.object_list,
            "q": query,
            "query": urlencode({"q": query}) if query else "",
            "may_add": has_role(request.user, ADMINISTRATOR, SCHEDULER),
        },
    )


@role_required(ADMINISTRATOR, SCHEDULER)
@require_http_methods(["GET", "POST"])
def patient_create(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            patient = services.patient_create(clinic=request.user.clinic, **form.cleaned_data)
            messages.success(request, f"Patient {patient} added.")
            return redirect("charts:patient_detail", pk=patient.pk)
        return render(request, "charts/patient_form.html", {"form": form}, status=400)
    return render(request, "charts/patient_form.html", {"form": form})


@role_required(ADMINISTRATOR, SCHEDULER)
@require_http_methods(["GET", "POST"])
def patient_update(request, pk):
    patient = get_patient_for(request.user, pk)
    form = PatientForm(request.POST or None, instance=patient)
    context = {"form": form, "patient": patient}
    if request.method == "POST":
        if form.is_valid():
            services.patient_update(patient=patient, **form.cleaned_data)
            messages.success(request, f"Patient {patient} saved.")
            return redirect("charts:patient_detail", pk=patient.pk)
        return render(request, "charts/patient_form.html", context, status=400)
    return render(request, "charts/patient_form.html", context)


# The chart --------------------------------------------------------------------------------


def _documentation(request, chart_case):
    """Everything a chart-case tab shows, in a fixed number of queries."""
    progress = GoalProgress.objects.select_related("author").order_by("-date", "-pk")
    goals = list(
        chart_case.goals.select_related("parent", "created_by")
        .prefetch_related(Prefetch("progress", queryset=progress))
        .order_by("kind", "start_date", "pk")
    )
    notes = chart_case.daily_notes.select_related("author", "signed_by").order_by(
        "-date_of_service", "-pk"
    )
    notes_page = Paginator(notes, NOTES_PER_PAGE).get_page(request.GET.get("notes"))
    evaluations = chart_case.evaluations.select_related("author", "signed_by").order_by(
        "-date", "-pk"
    )
    reminders = chart_case.reminders.open().order_by("due_on", "pk")
    return {
        "long_term_goals": [goal for goal in goals if goal.kind == Goal.Kind.LONG_TERM],
        "short_term_goals": [goal for goal in goals if goal.kind == Goal.Kind.SHORT_TERM],
        "notes_page": notes_page,
        "evaluations": list(evaluations),
        "reminders": list(reminders),
    }


@role_required(*STAFF)
def patient_detail(request, pk, chart_case_pk=None):
    patient = get_patient_for(request.user, pk)
    chart_cases = list(
        PatientChartCase.objects.visible_to(request.user)
        .filter(patient=patient)
        .for_tabs()
        .order_by("status", "started_on", "pk")
    )
    if chart_case_pk is None:
        selected = chart_cases[0] if chart_cases else None
    else:
        selected = next((cc for cc in chart_cases if cc.pk == chart_case_pk), None)
        if selected is None:
            raise Http404
    context = {
        "patient": patient,
        "chart_cases": chart_cases,
        "selected": selected,
        "may_edit_patient": has_role(request.user, ADMINISTRATOR, SCHEDULER),
        "may_add_case": has_role(request.user, THERAPIST),
    }
    if selected is not None:
        selected.patient = patient
        context["may_read"], context["may_write"] = documentation_access(request.user, selected)
        if context["may_read"]:
            context.update(_documentation(request, selected))
    return render(request, "charts/patient_detail.html", context)


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def chart_case_add(request, pk):
    patient = get_patient_for(request.user, pk)
    cases = services.cases_addable(patient=patient, by=request.user)
    form = ChartCaseAddForm(request.POST or None, cases=cases)
    context = {"form": form, "patient": patient}
    if request.method == "POST":
        if form.is_valid():
            chart_case = _apply(
                form,
                lambda: services.chart_case_add(
                    patient=patient,
                    case=form.cleaned_data["case"],
                    started_on=form.cleaned_data["started_on"],
                    by=request.user,
                ),
            )
            if chart_case:
                messages.success(request, f"“{chart_case.case.name}” added to {patient}'s chart.")
                return redirect(_chart_url(chart_case))
        return render(request, "charts/chart_case_add.html", context, status=400)
    return render(request, "charts/chart_case_add.html", context)


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def chart_case_discharge(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    if request.method == "GET" and not chart_case.is_active:
        messages.info(request, "This case is already discharged.")
        return redirect(_chart_url(chart_case))
    return _chart_case_form(
        request,
        chart_case,
        DischargeForm(request.POST or None, chart_case=chart_case),
        template="charts/chart_case_discharge.html",
        heading=f"Discharge {chart_case.case.name}",
        button="Discharge",
        save=lambda data: services.chart_case_discharge(
            chart_case=chart_case, by=request.user, **data
        ),
        success=f"“{chart_case.case.name}” discharged.",
    )


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def chart_case_reopen(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    return _chart_case_form(
        request,
        chart_case,
        ReopenForm(request.POST or None),
        template="charts/chart_case_reopen.html",
        heading=f"Reopen {chart_case.case.name}",
        button="Reopen",
        save=lambda data: services.chart_case_reopen(
            chart_case=chart_case, reason=data["reason"], by=request.user
        ),
        success=f"“{chart_case.case.name}” reopened.",
        save_needs_active=False,
    )


@role_required(*READERS)
def chart_case_history(request, pk):
    chart_case = get_chart_case_for(request.user, pk, documentation=True)
    events = chart_case.events.select_related("by").order_by("-at", "-pk")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "charts/chart_case_history.html",
        {"chart_case": chart_case, "events": page.object_list, "page_obj": page},
    )


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
        save=lambda data: services.goal_update(goal=goal, by=request.user, **data),
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


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def note_create(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    if _read_only_form(request, chart_case):
        return redirect(_chart_url(chart_case))
    previous = services.previous_signed_note(chart_case)
    initial = {}
    if request.GET.get("pull_forward") and previous is not None:
        initial = {
            field: getattr(previous, field)
            for field in ("subjective", "objective", "assessment", "plan")
        }
    form = DailyNoteForm(request.POST or None, initial=initial)
    progress_forms = _progress_forms(request, chart_case)
    context = {
        "form": form,
        "progress_forms": progress_forms,
        "chart_case": chart_case,
        "previous": previous,
        "pulled_forward": bool(initial),
        "heading": "New Daily Note",
        "button": "Save Daily Note",
    }
    if request.method == "POST":
        if (
            form.is_valid()
            and all(progress.is_valid() for progress in progress_forms)
            and _apply(
                form,
                lambda: services.note_create(
                    chart_case=chart_case,
                    progress=_progress_inputs(progress_forms),
                    by=request.user,
                    **form.cleaned_data,
                ),
            )
        ):
            messages.success(request, "Daily note saved. Sign it when it is complete.")
            return redirect(_chart_url(chart_case))
        return render(request, "charts/dailynote_form.html", context, status=400)
    return render(request, "charts/dailynote_form.html", context)


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
    if request.method == "POST":
        if (
            form.is_valid()
            and all(progress.is_valid() for progress in progress_forms)
            and _apply(
                form,
                lambda: services.note_update(
                    note=note,
                    progress=_progress_inputs(progress_forms),
                    by=request.user,
                    **form.cleaned_data,
                ),
            )
        ):
            messages.success(request, "Daily note saved.")
            return redirect(
                "charts:document_detail", pk=chart_case.pk, kind="notes", doc_pk=note.pk
            )
        return render(request, "charts/dailynote_form.html", context, status=400)
    return render(request, "charts/dailynote_form.html", context)


# Evaluations ------------------------------------------------------------------------------


@role_required(THERAPIST)
@require_http_methods(["GET", "POST"])
def evaluation_create(request, pk):
    chart_case = get_chart_case_for(request.user, pk, write=True)
    return _chart_case_form(
        request,
        chart_case,
        EvaluationForm(request.POST or None),
        template="charts/evaluation_form.html",
        heading="New Evaluation",
        button="Save Evaluation",
        save=lambda data: services.evaluation_create(
            chart_case=chart_case, by=request.user, **data
        ),
        success="Evaluation saved. Sign it when it is complete.",
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
            evaluation=evaluation, by=request.user, **data
        ),
        success="Evaluation saved.",
        evaluation=evaluation,
        next_url=reverse(
            "charts:document_detail",
            kwargs={"pk": chart_case.pk, "kind": "evaluations", "doc_pk": evaluation.pk},
        ),
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
        "noun": spec["noun"],
        "kind": kind,
    }
    if spec["field"] == "note":
        context["progress"] = document.goal_progress.select_related("goal").order_by("goal__pk")
    return render(request, spec["template"], context, status=status)


@role_required(*READERS)
def document_detail(request, pk, kind, doc_pk):
    spec, chart_case, document = _document(request, pk, kind, doc_pk, write=False)
    return _document_page(request, kind, chart_case, document)


@role_required(THERAPIST)
@require_POST
def document_sign(request, pk, kind, doc_pk):
    spec, chart_case, document = _document(request, pk, kind, doc_pk, write=True)
    try:
        spec["sign"](**{spec["field"]: document, "by": request.user})
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return _document_page(request, kind, chart_case, document, status=400)
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
            return render(request, "charts/document_delete.html", context, status=400)
        messages.success(request, f"{spec['noun']} deleted.")
        return redirect(_chart_url(chart_case))
    return render(request, "charts/document_delete.html", context)


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
    services.reminder_done(reminder=reminder, by=request.user)
    messages.success(request, f"Reminder “{reminder.text}” marked done.")
    # Only two places to go back to: never a URL taken from the request.
    return redirect("home" if request.POST.get("back") == "home" else _chart_url(chart_case))
