#!/usr/bin/env python
"""Benchmark a merge of patient cases: "Feeding" on 25,000 charts merged into "Feeding Therapy".

    .venv/bin/python bench/merge_bench.py [--charts N] [--both SHARE] [--database-url URL]

It recreates a database of its own (PostgreSQL ``fusion_merge_bench`` by default; its name
must contain "bench"), builds one clinic with the two cases, ``--charts`` patients with
"Feeding" on their chart, each with 2 goals, 3 signed daily notes, an evaluation and a
reminder, and a share of them (``--both``, 10 %) with "Feeding Therapy" too (their chart cases
become one: every row under theirs moves). Then it times the preview, the merge and its undo,
each one transaction as on the screen, and prints the times and what moved. It asserts
nothing.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import check_disposable, log, migrate, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fusion_merge_bench"
BATCH = 5000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--charts", type=int, default=25_000)
    parser.add_argument("--both", type=float, default=0.10, help="share with both cases")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_MERGE_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="database to WIPE and fill; its name must contain 'bench'",
    )
    return parser.parse_args()


def build(charts: int, both: float):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import User
    from cases.models import PatientCase, PatientCaseServiceType
    from charts.models import (
        DailyNote,
        Evaluation,
        Goal,
        Patient,
        PatientChartCase,
        Reminder,
    )
    from clinic.models import Clinic, ServiceType
    from core.roles import ADMINISTRATOR, THERAPIST

    clinic = Clinic.objects.create(name="Merge Bench Clinic")
    speech = ServiceType.objects.create(clinic=clinic, name="Speech Therapy")
    admin = User.objects.create(clinic=clinic, email="admin@merge.bench", first_name="Ada")
    admin.groups.add(Group.objects.get(name=ADMINISTRATOR))
    therapist = User.objects.create(clinic=clinic, email="slp@merge.bench", first_name="Sam")
    therapist.groups.add(Group.objects.get(name=THERAPIST))
    cases = []
    for name in ("Feeding", "Feeding Therapy"):
        case = PatientCase.objects.create(
            clinic=clinic, name=name, created_by=admin, updated_by=admin
        )
        PatientCaseServiceType.objects.create(clinic=clinic, case=case, service_type=speech)
        cases.append(case)
    feeding, feeding_therapy = cases
    today, now = clinic.today(), timezone.now()
    start = today - datetime.timedelta(days=200)
    patients = Patient.objects.bulk_create(
        [
            Patient(
                clinic=clinic,
                first_name=f"P{n}",
                last_name="Bench",
                date_of_birth=datetime.date(2015, 1, 1),
            )
            for n in range(charts)
        ],
        batch_size=BATCH,
    )
    every = max(1, round(1 / both)) if both else 0
    chart_cases = [
        PatientChartCase(clinic=clinic, patient=p, case=feeding, started_on=start) for p in patients
    ] + [
        PatientChartCase(clinic=clinic, patient=p, case=feeding_therapy, started_on=today)
        for n, p in enumerate(patients)
        if every and n % every == 0
    ]
    chart_cases = PatientChartCase.objects.bulk_create(chart_cases, batch_size=BATCH)
    sources = [row for row in chart_cases if row.case_id == feeding.pk]
    rows = []
    for row in sources:
        common = {"clinic": clinic, "chart_case": row}
        rows += [
            Goal(
                **common,
                text=f"Goal {k}",
                start_date=start,
                target_date=today,
                created_by=therapist,
            )
            for k in range(2)
        ]
        rows += [
            DailyNote(
                **common,
                author=therapist,
                date_of_service=today,
                subjective="Came in.",
                assessment="Progressing.",
                signed_at=now,
                signed_by=therapist,
                signature="Electronically signed by Sam",
            )
            for _ in range(3)
        ]
        rows += [Evaluation(**common, author=therapist, date=start, findings="Findings.")]
        rows += [Reminder(**common, text="Re-evaluate", due_on=today, created_by=therapist)]
    for model in (Goal, DailyNote, Evaluation, Reminder):
        model.objects.bulk_create([r for r in rows if type(r) is model], batch_size=BATCH)
    PatientCase.objects.filter(clinic=clinic).recount_patients()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a load this size
    return clinic, admin, feeding, feeding_therapy, len(rows)


def timed(label: str, call):
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    log(f"  {label}: {seconds:.2f} s")
    return result, seconds


def main() -> None:
    args = parse_args()
    check_disposable(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django_scopes import scope, scopes_disabled

    from cases.merge import case_merge
    from cases.merge_preview import merge_preview
    from cases.merge_undo import case_merge_undo

    log(f"Merge bench: {args.charts:,} charts on one case, {args.both:.0%} with both cases")
    recreate_database(args.database_url)
    migrate()
    with scopes_disabled():
        (clinic, admin, source, target, documents), _ = timed(
            "built", lambda: build(args.charts, args.both)
        )
    with scope(clinic=clinic):
        preview, preview_s = timed(
            "preview", lambda: merge_preview(target=target, sources=[source])
        )
        merge, merge_s = timed(
            "merge",
            lambda: case_merge(target=target, sources=[source], token=preview.token, by=admin),
        )
        _, undo_s = timed("undo", lambda: case_merge_undo(merge=merge, by=admin))
    plan = merge.plan
    print(
        f"Merge of a case on {args.charts:,} charts ({documents:,} documents): "
        f"preview {preview_s:.2f} s, merge {merge_s:.2f} s, undo {undo_s:.2f} s; "
        f"{len(plan['repointed']):,} chart cases moved onto the target, "
        f"{len(plan['folded']):,} became one with the patient's own "
        f"({sum(k.onto_target for k in preview.kinds):,} rows moved under them)."
    )


if __name__ == "__main__":
    main()
