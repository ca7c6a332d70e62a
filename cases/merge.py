"""Merging duplicate patient cases, and undoing a merge (issue 22).

``case_merge`` is one transaction. It locks the cases, then the chart cases it will change
(every chart case of the sources, and the target's on the charts of their patients), so a
therapist saving a note on one of them waits for it and then sees the chart case as the merge
left it (``charts.services.common._require_active`` re-reads it under a lock). Per patient:

- no chart case of the target: each source chart case is moved onto the target case (the
  row keeps everything under it); two active ones become one, as below;
- a chart case of the target (the active one, else the latest): every source chart case's
  rows (``cases.merge_rows.MOVABLE_ROWS``) move onto it, and the emptied chart case is marked
  ``merged_into`` it and leaves the chart. The kept chart case starts at the earliest start
  and is active if either was.

Every moved row gets a ``MoveRecord`` and an audit entry; the sources are archived as
"merged into" the target. ``case_merge_undo`` puts every row back while nothing has been
written on the chart cases the merge touched (the audit trail after the merge's last entry).

The preview read is ``cases.merge_preview.merge_preview``.
"""

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import ngettext

from cases.merge_models import CaseMerge
from cases.merge_plan import MergePlan, plan_merge
from cases.merge_preview import chart_counts, live_chart_cases, target_on_same_chart
from cases.merge_records import record_moves
from cases.merge_rows import MOVABLE_ROWS, chart_case_model, patient_model
from cases.models import PatientCase
from core import audit

CHUNK = 2000

STALE = (
    "The charts changed since this preview was shown (a case was added to a chart, or one "
    "was merged). Nothing was merged: review the new preview and merge again."
)
BUSY = (
    "Someone is changing one of these cases or merging it right now. Nothing was merged: "
    "try again in a moment."
)


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def check_merge(target: PatientCase, sources: list[PatientCase]) -> None:
    """The refusals of a merge, beside the field they are about."""
    if not sources:
        raise ValidationError({"sources": "Choose at least one case to merge."})
    if any(source.pk == target.pk for source in sources):
        raise ValidationError(
            {"target": f"“{target}” cannot be merged into itself. Choose another target."}
        )
    if any(source.clinic_id != target.clinic_id for source in sources):
        raise ValidationError({"sources": "Choose cases of your own clinic."})
    if target.is_archived:
        raise ValidationError(
            {"target": f"“{target}” is archived. Restore it first, or merge into another case."}
        )
    for source in sources:
        if source.merged_into_id:
            raise ValidationError({"sources": f"“{source}” was already merged into another case."})


def _lock_cases(clinic_id: int, ids: list[int]) -> dict[int, PatientCase]:
    """Lock the cases in id order (two merges never wait on each other in a circle); on
    PostgreSQL a case another transaction holds (a running merge) is refused at once."""
    cases = PatientCase.objects.filter(clinic_id=clinic_id, pk__in=ids).order_by("pk")
    try:
        with transaction.atomic():
            return {
                case.pk: case
                for case in cases.select_for_update(nowait=connection.vendor == "postgresql")
            }
    except DatabaseError as error:
        raise ValidationError(BUSY) from error


def _lock_chart_cases(clinic_id: int, target_id: int, source_ids: list[int]) -> list[tuple]:
    """Lock the rows that will move, then the chart cases, in the order a therapist's save
    takes them (a document, then its chart case), so the two wait for each other rather
    than deadlock. Rows without a key change (NO KEY): a note's progress may still name a
    goal while the merge waits."""
    sources = live_chart_cases(clinic_id, source_ids)
    folding = sources.filter(target_on_same_chart(clinic_id, target_id, "patient_id"))
    try:
        with transaction.atomic():
            for kind in MOVABLE_ROWS:
                list(
                    kind.model_class.objects.select_for_update(no_key=True)
                    .filter(clinic_id=clinic_id, **{f"{kind.column}__in": folding.values("pk")})
                    .values_list("pk", flat=True)
                )
            return _lock_chart_case_rows(clinic_id, target_id, source_ids, sources)
    except DatabaseError as error:
        raise ValidationError(BUSY) from error


def _lock_chart_case_rows(clinic_id, target_id, source_ids, sources) -> list[tuple]:
    rows = (
        chart_case_model()
        .objects.on_chart()
        .select_for_update()
        .filter(clinic_id=clinic_id)
        .filter(
            Q(case_id__in=source_ids)
            | Q(case_id=target_id, patient_id__in=Subquery(sources.values("patient_id")))
        )
        .order_by("pk")
        .values_list("pk", "patient_id", "case_id", "status", "started_on", "discharged_on")
    )
    return list(rows)


def _patients(clinic_id: int, ids) -> dict:
    found = {}
    for chunk in _chunks(set(ids)):
        found |= patient_model().objects.filter(clinic_id=clinic_id).in_bulk(chunk)
    return found


def _archived_state(sources) -> dict:
    """Sources archived before the merge, with when and by whom: undo keeps them archived."""
    return {
        str(source.pk): [source.archived_at.isoformat(), source.archived_by_id]
        for source in sources
        if source.is_archived
    }


@transaction.atomic
def case_merge(*, target: PatientCase, sources: list[PatientCase], token: str, by) -> CaseMerge:
    """Merge ``sources`` into ``target`` as previewed (``token`` is the preview's)."""
    clinic_id = target.clinic_id
    source_ids = sorted({source.pk for source in sources})
    check_merge(target, sources)
    locked = _lock_cases(clinic_id, [target.pk, *source_ids])
    if len(locked) != len(source_ids) + 1:
        raise ValidationError(STALE)
    target, sources = locked[target.pk], [locked[pk] for pk in source_ids]
    check_merge(target, sources)
    rows = _lock_chart_cases(clinic_id, target.pk, source_ids)
    if chart_counts(clinic_id, [target.pk, *source_ids])[1] != token:
        raise ValidationError(STALE)
    plan = plan_merge(rows, target.pk)
    merge = CaseMerge.objects.create(
        clinic_id=clinic_id,
        target=target,
        sources=source_ids,
        by=by,
        plan=plan.as_json() | {"archived": _archived_state(sources)},
    )
    names = {case.pk: case.name for case in [target, *sources]}
    patients = _patients(clinic_id, plan.patient_of.values())
    _apply_chart_cases(clinic_id, plan, target.pk)
    entries = _chart_case_entries(clinic_id, plan, names, patients, by, target)
    try:
        with transaction.atomic():
            moved = _move_rows(merge, plan, names, patients, by)
    except IntegrityError as error:
        raise ValidationError(
            "Two of a patient's chart cases hold rows that cannot be on one chart case "
            f"(the database said: {error}). Nothing was merged."
        ) from error
    last = _archive_sources(merge, target, sources, plan, moved, by)
    merge.last_entry_id = max([last, *(entry.pk for entry in entries)])
    merge.save(update_fields=["last_entry_id"])
    return merge


def _apply_chart_cases(clinic_id: int, plan: MergePlan, target_id: int) -> None:
    model = chart_case_model()
    folded = [model(pk=pk, clinic_id=clinic_id, merged_into_id=k) for pk, k in plan.folded.items()]
    model.objects.bulk_update(folded, ["merged_into"], batch_size=500)
    for chunk in _chunks(plan.repointed):
        model.objects.filter(clinic_id=clinic_id, pk__in=chunk).update(case_id=target_id)
    keepers = [
        model(pk=pk, clinic_id=clinic_id, status=status, started_on=start, discharged_on=end)
        for pk, (status, start, end) in plan.keepers_after.items()
    ]
    model.objects.bulk_update(keepers, ["status", "started_on", "discharged_on"], batch_size=500)


def _chart_case_entries(clinic_id, plan, names, patients, by, target) -> list:
    """One entry per chart case the merge moved or emptied, on that chart case's history."""
    chart_case_type = str(chart_case_model()._meta.verbose_name)
    entries = []
    for pk, case_id in plan.repointed.items():
        entries.append(
            audit.entry(
                clinic_id=clinic_id,
                actor=by,
                action="move",
                object_type=chart_case_type,
                object_id=pk,
                object_repr=f"{names[case_id]} → {target.name}",
                patient=patients.get(plan.patient_of[pk]),
                changes=[["Case", names[case_id], target.name]],
                details=f"Moved onto the case “{target.name}” by a merge of patient cases.",
            )
        )
    for pk, keeper in plan.folded.items():
        entries.append(
            audit.entry(
                clinic_id=clinic_id,
                actor=by,
                action="merge",
                object_type=chart_case_type,
                object_id=pk,
                object_repr=names[plan.case_of[pk]],
                patient=patients.get(plan.patient_of[pk]),
                details=f"Its documentation and visits moved onto the patient's “{target.name}” "
                f"(chart case {keeper}) by a merge of patient cases.",
            )
        )
    return audit.record_many(entries)


def _rows_to_move(kind, clinic_id: int, plan: MergePlan) -> list[tuple[int, int]]:
    """``[(row id, from chart case id), ...]`` of one kind on the emptied chart cases; a row
    whose ``unique_on`` values its new chart case already has stays."""
    model, column = kind.model_class, kind.column
    rows = []
    for chunk in _chunks(plan.folded):
        rows += model.objects.filter(clinic_id=clinic_id, **{f"{column}__in": chunk}).values_list(
            "pk", column, *kind.unique_on
        )
    if not kind.unique_on:
        return [(row[0], row[1]) for row in rows]
    taken = set()
    for chunk in _chunks(set(plan.folded.values())):
        taken |= set(
            model.objects.filter(clinic_id=clinic_id, **{f"{column}__in": chunk}).values_list(
                column, *kind.unique_on
            )
        )
    moving = []
    for pk, origin, *values in sorted(rows):
        key = (plan.folded[origin], *values)
        if key not in taken:
            taken.add(key)
            moving.append((pk, origin))
    return moving


def _move_rows(merge, plan: MergePlan, names, patients, by) -> dict[str, int]:
    """Move each kind's rows onto the kept chart cases: one UPDATE a kind (a chunk), each
    row taking its chart case's ``merged_into``; a record and an audit entry per row."""
    clinic_id, moved = merge.clinic_id, {}
    new_chart_case = Subquery(
        chart_case_model().objects.filter(pk=OuterRef("chart_case_id")).values("merged_into_id")
    )
    for kind in MOVABLE_ROWS:
        rows = _rows_to_move(kind, clinic_id, plan)
        model, column = kind.model_class, kind.column
        for chunk in _chunks(rows):
            expression = new_chart_case
            if column != "chart_case_id":
                expression = Subquery(
                    chart_case_model().objects.filter(pk=OuterRef(column)).values("merged_into_id")
                )
            model.objects.filter(clinic_id=clinic_id, pk__in=[pk for pk, _ in chunk]).update(
                **{column: expression}
            )
        moves = [(pk, origin, plan.folded[origin]) for pk, origin in rows]
        record_moves(
            clinic_id=clinic_id,
            kind=kind.kind,
            moves=moves,
            by=by,
            merge=merge,
            from_names={o: names[plan.case_of[o]] for _, o, _ in moves},
            # Every kept chart case is on the target now, the moved-onto ones included.
            to_names={k: names[merge.target_id] for _, _, k in moves},
            patients={o: patients.get(plan.patient_of[o]) for _, o, _ in moves},
            details="(a merge of patient cases)",
        )
        moved[kind.plural] = len(rows)
    return moved


def _archive_sources(merge, target, sources, plan, moved, by) -> int:
    """Archive each source as merged into the target, recount, and write the cases' history
    entries; returns the last entry's id."""
    now = timezone.now()
    PatientCase.objects.filter(pk__in=[source.pk for source in sources]).update(
        is_archived=True,
        archived_at=now,
        archived_by=by,
        merged_into=target,
        version=F("version") + 1,
    )
    PatientCase.objects.filter(pk__in=[target.pk, *(s.pk for s in sources)]).recount_patients()
    for source in sources:
        audit.record(
            clinic_id=target.clinic_id,
            actor=by,
            action="merge",
            obj=source,
            changes=[
                [
                    "Status",
                    "Active" if not source.is_archived else "Archived",
                    f"Merged into “{target.name}”",
                ]
            ],
            details=f"Merged into “{target.name}”: its charts are now under that case.",
        )
    summary = ", ".join(f"{count} {plural}" for plural, count in moved.items() if count)
    names = ", ".join(f"“{source.name}”" for source in sources)
    entry = audit.record(
        clinic_id=target.clinic_id,
        actor=by,
        action="merge",
        obj=target,
        changes=[["Merged in", "", names]],
        details=(
            f"Merged {names} into this case: {len(plan.repointed)} "
            f"{ngettext('chart case', 'chart cases', len(plan.repointed))} moved onto it, "
            f"{len(plan.folded)} became one with the patient's own"
            + (f" ({summary} moved onto them)." if summary else ".")
        ),
    )
    return entry.pk


def undoable_merge(target: PatientCase) -> CaseMerge | None:
    """The latest merge into ``target`` that has not been undone."""
    return (
        CaseMerge.objects.filter(clinic_id=target.clinic_id, target=target, undone_at=None)
        .order_by("-at", "-pk")
        .first()
    )


__all__ = [
    "BUSY",
    "STALE",
    "case_merge",
    "check_merge",
    "undoable_merge",
]
