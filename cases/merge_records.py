"""What a moved row leaves behind: one audit entry on the history of the chart case it went to
and one ``MoveRecord``. Written by the merge (``cases.merge``), its undo (``cases.merge_undo``)
and the move of one item by hand (``charts.services.move``)."""

from django.utils import timezone

from cases.merge_models import MoveRecord
from cases.merge_rows import chart_case_model, rows_moved
from core import audit


def chart_case_stub(pk: int):
    """A chart case as an audit entry's parent needs it: its kind and id."""
    return chart_case_model()(pk=pk)


def record_moves(
    *,
    clinic_id,
    kind: str,
    moves,
    by,
    merge=None,
    from_names,
    to_names,
    patients,
    details,
    reason: str = "",
) -> list[MoveRecord]:
    """For each ``(row id, from chart case id, to chart case id)``: one audit entry (on the
    new chart case's history; the old one's lists it through its ``MoveRecord``) and one
    ``MoveRecord``. Shared by the merge, its undo and the move of one item by hand."""
    at = timezone.now()
    by_name = by.get_full_name() or by.email
    when = f"by {by_name} on {timezone.localtime(at):%b %-d, %Y}"
    ending = when + (f" {details}" if details else "") + (f": {reason}" if reason else ".")
    entries = audit.record_many(
        _move_entry(move, clinic_id, kind, by, from_names, to_names, patients, ending)
        for move in moves
    )
    records = [
        MoveRecord(
            clinic_id=clinic_id,
            merge=merge,
            kind=kind,
            row_id=pk,
            from_chart_case_id=origin,
            to_chart_case_id=to,
            from_name=from_names[origin][:100],
            to_name=to_names[to][:100],
            reason=reason,
            by=by,
            by_name=by_name,
            at=at,
            audit_entry_id=entry.pk,
        )
        for (pk, origin, to), entry in zip(moves, entries, strict=True)
    ]
    rows_moved(clinic_id, kind, {chart_case for _, *both in moves for chart_case in both})
    return MoveRecord.objects.bulk_create(records, batch_size=500)


def _move_entry(move, clinic_id, kind, by, from_names, to_names, patients, ending):
    """The audit entry of one moved row, on the history of the chart case it went to;
    ``ending`` says by whom, when and why."""
    pk, origin, to = move
    return audit.entry(
        clinic_id=clinic_id,
        actor=by,
        action="move",
        object_type=kind,
        object_id=pk,
        object_repr=f"{kind.capitalize()} {pk}",
        patient=patients.get(origin),
        parent=chart_case_stub(to),
        changes=[["Case", from_names[origin], to_names[to]]],
        details=f"Moved from {from_names[origin]} to {to_names[to]} {ending}",
    )
