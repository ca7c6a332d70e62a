"""What a merge of patient cases would move, read before anything changes: a fixed number of
queries whatever the number of charts (pinned by tests/cases/test_merge_queries.py)."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q

from cases.history import describe_rule
from cases.merge_rows import MOVABLE_ROWS, chart_case_model
from cases.models import AppointmentTypeRule, PatientCase, PatientCaseServiceType
from core.roles import THERAPIST


@dataclass
class KindCount:
    plural: str
    total: int  # on the sources' chart cases
    onto_target: int  # of those, on the charts of patients who also have the target


@dataclass
class RuleDifference:
    source: str
    appointment_type: str
    source_words: str
    target_words: str


@dataclass
class MergePreview:
    target: PatientCase
    sources: list[PatientCase]
    charts: dict[int, int]  # case id -> chart cases on it
    patients_with_both: int
    kinds: list[KindCount] = field(default_factory=list)
    missing_services: list[str] = field(default_factory=list)
    therapists_losing_sight: list[str] = field(default_factory=list)
    rule_differences: list[RuleDifference] = field(default_factory=list)
    token: str = ""

    @property
    def source_rows(self) -> list[tuple[PatientCase, int]]:
        return [(source, self.charts.get(source.pk, 0)) for source in self.sources]

    @property
    def target_charts(self) -> int:
        return self.charts.get(self.target.pk, 0)


def live_chart_cases(clinic_id: int, case_ids):
    """The chart cases of these cases that are on a chart (not folded into another by an
    earlier merge)."""
    return (
        chart_case_model()
        .objects.on_chart()
        .filter(clinic_id=clinic_id, case_id__in=list(case_ids))
    )


def chart_counts(clinic_id: int, case_ids) -> tuple[dict[int, int], str]:
    """``({case id: chart cases}, token)``: the token changes when a chart case is added to
    any of the cases (their count and their newest id), so a preview shown before is stale."""
    rows = (
        live_chart_cases(clinic_id, case_ids)
        .order_by()
        .values("case_id")
        .annotate(count=Count("pk"), newest=Max("pk"))
    )
    by_case = {row["case_id"]: (row["count"], row["newest"]) for row in rows}
    token = ";".join(
        f"{case_id}:{by_case.get(case_id, (0, 0))[0]}:{by_case.get(case_id, (0, 0))[1]}"
        for case_id in sorted(case_ids)
    )
    return {case_id: count for case_id, (count, _newest) in by_case.items()}, token


def target_on_same_chart(clinic_id: int, target_id: int, patient_ref: str):
    """EXISTS a chart case of the target on the chart of ``patient_ref``'s patient."""
    return Exists(live_chart_cases(clinic_id, [target_id]).filter(patient_id=OuterRef(patient_ref)))


def _kind_counts(clinic_id: int, target: PatientCase, source_ids: list[int]) -> list[KindCount]:
    counts = []
    for kind in MOVABLE_ROWS:
        prefix = kind.chart_case_field
        onto = target_on_same_chart(clinic_id, target.pk, f"{prefix}__patient_id")
        totals = kind.model_class.objects.filter(
            clinic_id=clinic_id,
            **{f"{prefix}__case_id__in": source_ids, f"{prefix}__merged_into__isnull": True},
        ).aggregate(total=Count("pk"), onto=Count("pk", filter=Q(onto)))
        counts.append(KindCount(kind.plural, totals["total"], totals["onto"]))
    return counts


def _services(clinic_id, target, sources) -> tuple[list[str], list[int], list[int]]:
    """(names of the sources' services the target lacks, their ids, the target's ids)."""
    links = PatientCaseServiceType.objects.filter(
        clinic_id=clinic_id, case_id__in=[target.pk, *(source.pk for source in sources)]
    ).values_list("case_id", "service_type_id", "service_type__name")
    target_ids = {service for case, service, _name in links if case == target.pk}
    missing = sorted(
        {(service, name) for case, service, name in links if service not in target_ids},
        key=lambda pair: pair[1].lower(),
    )
    return [name for _, name in missing], [pk for pk, _ in missing], sorted(target_ids)


def therapists_losing_sight(clinic_id: int, lost_ids: list[int], target_ids: list[int]):
    """Active therapists who see a source's documentation through a service the target lacks
    and share no service with the target: the rule of ``documentable_by`` (a therapist sees a
    case sharing one of their service types), asked of the two sets of services."""
    user_model = get_user_model()
    through = user_model._meta.get_field("service_types").remote_field.through
    of_user = through.objects.filter(user_id=OuterRef("pk"))
    return (
        user_model.objects.filter(clinic_id=clinic_id, is_active=True, groups__name=THERAPIST)
        .filter(Exists(of_user.filter(servicetype_id__in=lost_ids or [0])))
        .exclude(Exists(of_user.filter(servicetype_id__in=target_ids or [0])))
        .order_by("last_name", "first_name", "pk")
    )


def _rule_differences(clinic_id, target, sources) -> list[RuleDifference]:
    rules = AppointmentTypeRule.objects.filter(
        clinic_id=clinic_id, case_id__in=[target.pk, *(source.pk for source in sources)]
    ).values_list("case_id", "appointment_type__name", "allow_requests", "duration_minutes")
    words: dict[tuple[int, str], str] = {
        (case, name): describe_rule(allow, minutes) for case, name, allow, minutes in rules
    }
    names = sorted({name for _case, name in words}, key=str.lower)
    differences = []
    for source in sources:
        for name in names:
            source_words = words.get((source.pk, name), "Not allowed")
            target_words = words.get((target.pk, name), "Not allowed")
            if source_words != target_words:
                differences.append(RuleDifference(source.name, name, source_words, target_words))
    return differences


def merge_preview(*, target: PatientCase, sources: list[PatientCase]) -> MergePreview:
    """Everything a merge of ``sources`` into ``target`` would move, in eight queries plus
    one for each kind of row in ``MOVABLE_ROWS``."""
    clinic_id = target.clinic_id
    source_ids = [source.pk for source in sources]
    charts, token = chart_counts(clinic_id, [target.pk, *source_ids])
    patients_with_both = (
        live_chart_cases(clinic_id, source_ids)
        .filter(target_on_same_chart(clinic_id, target.pk, "patient_id"))
        .order_by()
        .values("patient_id")
        .distinct()
        .count()
    )
    missing, lost_ids, target_ids = _services(clinic_id, target, sources)
    therapists = [str(user) for user in therapists_losing_sight(clinic_id, lost_ids, target_ids)]
    return MergePreview(
        target=target,
        sources=sources,
        charts=charts,
        patients_with_both=patients_with_both,
        kinds=_kind_counts(clinic_id, target, source_ids),
        missing_services=missing,
        therapists_losing_sight=therapists,
        rule_differences=_rule_differences(clinic_id, target, sources),
        token=token,
    )
