"""Undoing a merge of patient cases: every row back where it was, while nothing has been
written on the chart cases the merge touched since (else a refusal that says what)."""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import ngettext

from cases.merge_models import CaseMerge, MoveRecord
from cases.merge_plan import parse_state
from cases.merge_records import record_moves
from cases.merge_rows import MOVABLE_ROWS, chart_case_model
from cases.models import PatientCase
from core import audit
from core.models import AuditEntry, action_label

CHUNK = 2000
SHOWN_CHANGES = 5


class UndoRefused(ValidationError):
    """Something was written on the merge's chart cases since: undo would lose or misplace
    it. ``changes`` says what, in plain words."""

    def __init__(self, message: str, changes: list[str] = ()):
        super().__init__(message)
        self.changes = list(changes)


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _touched(plan: dict) -> set[int]:
    return {int(pk) for key in ("repointed", "folded", "keepers") for pk in plan[key]} | {
        int(keeper) for keeper in plan["folded"].values()
    }


def written_since(merge: CaseMerge, touched: set[int]) -> list[str]:
    """What was written on the touched chart cases (or anything on them) after the merge's
    last audit entry, newest first, in plain words; reads are not writes."""
    chart_case_type = str(chart_case_model()._meta.verbose_name)
    entries = (
        AuditEntry.objects.filter(clinic_id=merge.clinic_id, pk__gt=merge.last_entry_id or 0)
        .exclude(action="access")
        .order_by("-pk")
        .values_list(
            "object_type",
            "object_id",
            "parent_type",
            "parent_id",
            "action",
            "actor_name",
            "at",
            "patient_name",
        )
    )
    changes = []
    for object_type, object_id, parent_type, parent_id, action, actor, at, patient in entries:
        on_chart_case = (
            object_type == chart_case_type and object_id.isdigit() and int(object_id) in touched
        )
        under_it = (
            parent_type == chart_case_type and parent_id.isdigit() and int(parent_id) in touched
        )
        if on_chart_case or under_it:
            local = timezone.localtime(at)
            changes.append(
                f"{object_type.capitalize()} {action_label(action).lower()} on {patient}'s chart "
                f"by {actor or 'the system'} on {local:%b %-d, %Y %H:%M}"
            )
    return changes


def _lock(merge: CaseMerge, touched: set[int]) -> CaseMerge:
    merge = CaseMerge.objects.select_for_update().get(pk=merge.pk)
    ids = sorted([merge.target_id, *merge.sources])
    cases = {
        case.pk: case
        for case in PatientCase.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    for chunk in _chunks(sorted(touched)):
        list(chart_case_model().objects.select_for_update().filter(pk__in=chunk).values("pk"))
    if merge.undone_at:
        raise UndoRefused(f"This merge was already undone on {merge.undone_at:%b %-d, %Y}.")
    for source_id in merge.sources:
        if cases[source_id].merged_into_id != merge.target_id:
            raise UndoRefused(
                f"“{cases[source_id]}” is no longer merged into “{cases[merge.target_id]}”, so "
                "this merge cannot be undone."
            )
    merge.locked_cases = cases
    return merge


@transaction.atomic
def case_merge_undo(*, merge: CaseMerge, by) -> CaseMerge:
    """Put every row the merge moved back, restore the sources, and record it."""
    touched = _touched(merge.plan)
    merge = _lock(merge, touched)
    changes = written_since(merge, touched)
    if changes:
        raise UndoRefused(
            ngettext(
                "This merge can no longer be undone: %(count)d change was written on the charts "
                "it touched since. Nothing was changed.",
                "This merge can no longer be undone: %(count)d changes were written on the "
                "charts it touched since. Nothing was changed.",
                len(changes),
            )
            % {"count": len(changes)},
            changes[:SHOWN_CHANGES],
        )
    cases = merge.locked_cases
    names = {pk: case.name for pk, case in cases.items()}
    _rows_back(merge, names, by)
    _chart_cases_back(merge, by)
    _cases_back(merge, cases, by)
    merge.undone_at, merge.undone_by = timezone.now(), by
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


def _rows_back(merge: CaseMerge, names: dict[int, str], by) -> None:
    plan = merge.plan
    patients = _patients_of(merge)
    case_of = {int(pk): case for pk, case in plan["cases"].items()}
    for kind in MOVABLE_ROWS:
        records = MoveRecord.objects.filter(clinic_id=merge.clinic_id, merge=merge, kind=kind.kind)
        back = Subquery(records.filter(row_id=OuterRef("pk")).values("from_chart_case_id")[:1])
        kind.model_class.objects.filter(
            clinic_id=merge.clinic_id, pk__in=records.values("row_id")
        ).update(**{kind.column: back})
        moves = [
            (row, to, origin)
            for row, origin, to in records.values_list(
                "row_id", "from_chart_case_id", "to_chart_case_id"
            )
        ]
        record_moves(
            clinic_id=merge.clinic_id,
            kind=kind.kind,
            moves=moves,
            by=by,
            # Every kept chart case is on the target until the chart cases go back below.
            from_names={frm: names[merge.target_id] for _, frm, _ in moves},
            to_names={to: names[case_of[to]] for _, _, to in moves},
            patients={frm: patients.get(int(plan["patients"][str(frm)])) for _, frm, _ in moves},
            details="(the merge of patient cases was undone)",
        )


def _patients_of(merge: CaseMerge) -> dict:
    from cases.merge_rows import patient_model

    ids = set(merge.plan["patients"].values())
    found = {}
    for chunk in _chunks(ids):
        found |= patient_model().objects.filter(clinic_id=merge.clinic_id).in_bulk(chunk)
    return found


def _chart_cases_back(merge: CaseMerge, by) -> None:
    model, plan, clinic_id = chart_case_model(), merge.plan, merge.clinic_id
    for chunk in _chunks(plan["folded"]):
        model.objects.filter(clinic_id=clinic_id, pk__in=chunk).update(merged_into=None)
    by_case = defaultdict(list)
    for pk, case_id in plan["repointed"].items():
        by_case[case_id].append(int(pk))
    for case_id, ids in by_case.items():
        for chunk in _chunks(ids):
            model.objects.filter(clinic_id=clinic_id, pk__in=chunk).update(case_id=case_id)
    keepers = []
    for pk, values in plan["keepers"].items():
        status, start, end = parse_state(values)
        keepers.append(
            model(
                pk=int(pk), clinic_id=clinic_id, status=status, started_on=start, discharged_on=end
            )
        )
    model.objects.bulk_update(keepers, ["status", "started_on", "discharged_on"], batch_size=500)
    _chart_case_entries_back(merge, by)


def _chart_case_entries_back(merge: CaseMerge, by) -> None:
    chart_case_type = str(chart_case_model()._meta.verbose_name)
    entries = [
        audit.entry(
            clinic_id=merge.clinic_id,
            actor=by,
            action="merge_undo",
            object_type=chart_case_type,
            object_id=pk,
            object_repr="",
            details="Back as it was before the merge of patient cases (the merge was undone).",
        )
        for pk in [*merge.plan["repointed"], *merge.plan["folded"]]
    ]
    audit.record_many(entries)


def _cases_back(merge: CaseMerge, cases: dict[int, PatientCase], by) -> None:
    target = cases[merge.target_id]
    sources = [cases[pk] for pk in merge.sources]
    was_archived = _archived_before(merge)
    for source in sources:
        archived_at, archived_by = was_archived.get(source.pk, (None, None))
        PatientCase.objects.filter(pk=source.pk).update(
            is_archived=archived_at is not None,
            archived_at=archived_at,
            archived_by_id=archived_by,
            merged_into=None,
            version=F("version") + 1,
        )
        audit.record(
            clinic_id=merge.clinic_id,
            actor=by,
            action="merge_undo",
            obj=source,
            changes=[
                ["Status", f"Merged into “{target.name}”", "Archived" if archived_at else "Active"]
            ],
            details=f"The merge into “{target.name}” was undone: its charts are back.",
        )
    PatientCase.objects.filter(pk__in=list(cases)).recount_patients()
    audit.record(
        clinic_id=merge.clinic_id,
        actor=by,
        action="merge_undo",
        obj=target,
        changes=[["Merged in", ", ".join(f"“{s.name}”" for s in sources), ""]],
        details="The merge was undone: every chart case and row it moved is back where it was.",
    )


def _archived_before(merge: CaseMerge) -> dict:
    """Sources that were archived before the merge keep that (their time and who)."""
    archived = merge.plan.get("archived", {})
    return {
        int(pk): (
            datetime.datetime.fromisoformat(at) if at else None,
            by_id,
        )
        for pk, (at, by_id) in archived.items()
    }
