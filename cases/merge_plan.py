"""What a merge does to each patient's chart cases, decided from plain values (no ORM), so it
can be read and tested on its own."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

ACTIVE = "active"


@dataclass
class MergePlan:
    # chart case id -> the case it was on, for those moved onto the target case
    repointed: dict[int, int] = field(default_factory=dict)
    # chart case id -> the chart case its rows move onto (its ``merged_into``)
    folded: dict[int, int] = field(default_factory=dict)
    # kept chart case id -> (status, started_on, discharged_on) before and after
    keepers_before: dict[int, tuple] = field(default_factory=dict)
    keepers_after: dict[int, tuple] = field(default_factory=dict)
    patient_of: dict[int, int] = field(default_factory=dict)
    case_of: dict[int, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        """What undo needs, as JSON (keys become strings, dates ISO text)."""

        def state(values):
            status, start, end = values
            return [status, start.isoformat(), end.isoformat() if end else None]

        return {
            "repointed": {str(pk): case for pk, case in self.repointed.items()},
            "folded": {str(pk): keeper for pk, keeper in self.folded.items()},
            "keepers": {str(pk): state(v) for pk, v in self.keepers_before.items()},
            "patients": {str(pk): patient for pk, patient in self.patient_of.items()},
            "cases": {str(pk): case for pk, case in self.case_of.items()},
        }


def _keeper_of_target(target_rows: list[tuple]) -> tuple:
    """The patient's target chart case that stays: the active one, else the latest."""
    active = [row for row in target_rows if row[3] == ACTIVE]
    if active:
        return active[0]
    return max(target_rows, key=lambda row: (row[4], row[0]))


def _fold(plan: MergePlan, keeper: tuple, folded: list[tuple]) -> None:
    pk, _patient, _case, status, start, end = keeper
    before = (status, start, end)
    for row in folded:
        plan.folded[row[0]] = pk
    if not folded:
        return
    earliest = min([start, *(row[4] for row in folded)])
    if status == ACTIVE or any(row[3] == ACTIVE for row in folded):
        after = (ACTIVE, earliest, None)
    else:
        after = (status, earliest, end)
    if after != before:
        plan.keepers_before[pk] = before
        plan.keepers_after[pk] = after


def plan_merge(rows: list[tuple], target_id: int) -> MergePlan:
    """``rows``: ``(id, patient id, case id, status, started_on, discharged_on)`` of every
    chart case of the sources and the target's on the same charts. A patient with the target
    keeps that chart case and the sources' fold into it; a patient without it has the
    sources' chart cases moved onto the target case, all but the first active one folding
    into it when several are active (a case is once active on a chart)."""
    plan = MergePlan()
    by_patient: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_patient[row[1]].append(row)
        plan.patient_of[row[0]] = row[1]
        plan.case_of[row[0]] = row[2]
    for patient_rows in by_patient.values():
        patient_rows.sort(key=lambda row: (row[4], row[0]))
        targets = [row for row in patient_rows if row[2] == target_id]
        sources = [row for row in patient_rows if row[2] != target_id]
        if not sources:
            continue
        if targets:
            _fold(plan, _keeper_of_target(targets), sources)
            continue
        active = [row for row in sources if row[3] == ACTIVE]
        keeper = active[0] if active else None
        for row in sources:
            if row[3] == ACTIVE and row is not keeper:
                continue
            plan.repointed[row[0]] = row[2]
        if keeper is not None:
            _fold(plan, keeper, active[1:])
    return plan


def parse_state(values: list) -> tuple:
    status, start, end = values
    return (
        status,
        datetime.date.fromisoformat(start),
        datetime.date.fromisoformat(end) if end else None,
    )
