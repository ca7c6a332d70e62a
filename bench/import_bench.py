#!/usr/bin/env python
"""Benchmark the import of therapy records: time, rows per second and peak memory.

    .venv/bin/python bench/import_bench.py [--size RECORDS:PATIENTS ...] [--database-url URL]

For each size (default 50,000 records for 2,500 patients, then 200,000 for 10,000: the same
20 records a patient, so the two show how time and memory grow with the file) it recreates a
PostgreSQL database of its own, makes a clinic with its staff, writes a CSV file in the
documented format (docs/import-format.md) and runs ``manage.py import_therapy_records`` on it
in a process of its own, measuring the wall time and that process's peak resident memory
(``wait4``'s ``ru_maxrss``). Then it runs the same file again (which must add nothing) and a
one-row file (the memory of the process without the import's own work). Figures are printed
and written to bench/results/import-<time>.json. It asserts nothing.
"""

import argparse
import csv
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import check_disposable, log, migrate, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fusion_import_bench"
RESULTS = ROOT / "bench" / "results"
SERVICES = ["Speech Therapy", "Occupational Therapy", "Physical Therapy"]
THERAPISTS = 30
# Of every 20 rows of a patient: goals, daily notes, evaluations, reminders, appointments.
MIX = ["goal"] * 3 + ["daily_note"] * 11 + ["evaluation"] * 2 + ["reminder"] * 2
MIX += ["appointment"] * 2
HEADER = [
    "patient_id", "first_name", "last_name", "date_of_birth", "service_type", "kind", "subtype",
    "date", "end_date", "start_time", "duration_minutes", "appointment_type", "author_email",
    "text", "subjective", "objective", "assessment", "plan", "recommendations", "status",
    "signed", "signed_at", "record_id", "location",
]  # fmt: skip
# Appointments: most are visits of the past (recorded as they went), a few are booked ahead.
# Each patient and service keeps one therapist, and each therapist's visits get slots of their
# own (each service on its own two weekdays, 08:00-16:00 every hour), so no row clashes: an
# import without --skip-invalid keeps nothing if one does.
PAST_STATUSES = ["completed"] * 8 + ["no_show", "cancelled"]
FUTURE_SHARE = 0.05
PAST_MONDAY = datetime.date(2023, 1, 2)
SLOTS_PER_WEEK = 16  # two days of eight hours


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size",
        action="append",
        help="RECORDS:PATIENTS (repeatable; default 50000:2500 and 200000:10000)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="database to WIPE and fill; its name must contain 'bench'",
    )
    args = parser.parse_args()
    sizes = args.size or ["50000:2500", "200000:10000"]
    args.sizes = [tuple(int(part) for part in size.split(":")) for size in sizes]
    return args


def build_clinic() -> int:
    from django.contrib.auth.models import Group
    from django_scopes import scopes_disabled

    from accounts.models import User
    from clinic.models import AppointmentType, Clinic, ServiceType
    from core.roles import ADMINISTRATOR, THERAPIST
    from scheduling.models import ClinicHours, Location, TherapistAvailability

    with scopes_disabled():
        clinic = Clinic.objects.create(name="Import Bench Clinic")
        # One location, open Monday to Saturday 08:00-17:00, every therapist there then (the
        # future rows are booked through every booking rule).
        location = Location.objects.create(
            clinic=clinic, name="Main Clinic", time_zone=clinic.time_zone
        )
        hours = {
            "clinic": clinic,
            "location": location,
            "start": datetime.time(8),
            "end": datetime.time(17),
        }
        ClinicHours.objects.bulk_create(
            ClinicHours(weekday=weekday, **hours) for weekday in range(6)
        )
        services = [ServiceType.objects.create(clinic=clinic, name=name) for name in SERVICES]
        AppointmentType.objects.create(clinic=clinic, name="Treatment", default_duration_minutes=45)
        admin = User.objects.create_user("admin@bench.test", clinic=clinic)
        admin.groups.add(Group.objects.get(name=ADMINISTRATOR))
        therapists = Group.objects.get(name=THERAPIST)
        for n in range(THERAPISTS):
            user = User.objects.create_user(f"therapist{n}@bench.test", clinic=clinic)
            user.groups.add(therapists)
            user.service_types.add(services[n % len(services)])
            TherapistAvailability.objects.bulk_create(
                TherapistAvailability(therapist=user, weekday=weekday, **hours)
                for weekday in range(6)
            )
    return clinic.pk


def write_csv(path: Path, records: int, patients: int, seed: int = 11) -> None:
    """``records`` rows, the patients' rows together, as a clinic's export would have them."""
    rng = random.Random(seed)
    per_patient, extra = divmod(records, patients)
    start = datetime.date(2024, 1, 1)
    today = datetime.date.today()
    future_monday = today + datetime.timedelta(days=7 - today.weekday() + 7)
    # therapist -> slots given out (past, future)
    slots_used: dict[int, list[int]] = {}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for p in range(patients):
            first, last = rng.choice(["Ava", "Ben", "Chloe", "Dev"]), f"Patient{p}"
            born = datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randrange(4000))
            services = rng.sample(range(len(SERVICES)), rng.choice([1, 1, 2]))
            for r in range(per_patient + (1 if p < extra else 0)):
                service = services[r % len(services)]
                author = f"therapist{service + len(SERVICES) * rng.randrange(10)}@bench.test"
                kind = MIX[r % len(MIX)]
                day = start + datetime.timedelta(days=rng.randrange(600))
                row = dict.fromkeys(HEADER, "")
                row.update(
                    patient_id=f"B{p:06d}",
                    first_name=first,
                    last_name=last,
                    date_of_birth=born.isoformat(),
                    service_type=SERVICES[service],
                    kind=kind,
                    date=day.isoformat(),
                    author_email=author,
                    record_id=f"{p}-{r}",
                )
                if kind == "goal":
                    row.update(
                        text=f"Goal {r}: will produce target sounds with 80% accuracy.",
                        end_date=(day + datetime.timedelta(days=180)).isoformat(),
                        subtype=rng.choice(["long_term", "short_term"]),
                        status=rng.choice(["active", "active", "met"]),
                    )
                elif kind == "daily_note":
                    row.update(
                        subjective="Came in cheerful; practised at home.",
                        objective=f"Targets: {rng.randrange(20)}/20 correct.",
                        assessment="Steady progress.",
                        plan="Continue the current plan.",
                        signed=rng.choice(["yes", "yes", "yes", "no"]),
                    )
                elif kind == "evaluation":
                    row.update(
                        text="Findings of the standardised assessment.",
                        recommendations="Twice weekly for 12 weeks.",
                        signed="yes",
                    )
                elif kind == "reminder":
                    row.update(text="Send the progress report", status=rng.choice(["open", "done"]))
                else:
                    therapist = service + len(SERVICES) * (p % 10)
                    future = rng.random() < FUTURE_SHARE
                    used = slots_used.setdefault(therapist, [0, 0])
                    slot = used[future]
                    used[future] += 1
                    week, in_week = divmod(slot, SLOTS_PER_WEEK)
                    monday = future_monday if future else PAST_MONDAY
                    day = monday + datetime.timedelta(days=week * 7 + 2 * service + in_week // 8)
                    row.update(
                        date=day.isoformat(),
                        author_email=f"therapist{therapist}@bench.test",
                        start_time=f"{8 + in_week % 8:02d}:00",
                        duration_minutes="45",
                        appointment_type="Treatment",
                        status="booked" if future else rng.choice(PAST_STATUSES),
                        location="Main Clinic",
                    )
                writer.writerow(row.values())


def run_import(path: Path, clinic_pk: int, env: dict) -> dict:
    """Run the command in a process of its own; its wall time and peak memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "import_therapy_records",
            str(path),
            "--clinic",
            str(clinic_pk),
            "--no-progress",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        sys.exit(f"The import failed:\n{output}")
    found = re.search(r"Time: ([\d.]+) s; ([\d,]+) rows/s", output)
    return {
        "wall_seconds": round(seconds, 2),
        "import_seconds": float(found[1]) if found else None,
        "rows_per_second": int(found[2].replace(",", "")) if found else None,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "output": output.strip().splitlines(),
    }


def row_counts() -> dict:
    from django.db import connection

    tables = {
        "patients": "charts_patient",
        "chart cases": "charts_patientchartcase",
        "goals": "charts_goal",
        "daily notes": "charts_dailynote",
        "evaluations": "charts_evaluation",
        "reminders": "charts_reminder",
        "appointments": "scheduling_appointment",
        "ledger": "importing_importedrecord",
        "audit entries": "core_auditentry",
    }
    with connection.cursor() as cursor:
        counts = {}
        for label, table in tables.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (fixed names)
            counts[label] = cursor.fetchone()[0]
    return counts


def main() -> None:
    args = parse_args()
    check_disposable(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connections

    env = {**os.environ}
    results = []
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    for records, patients in args.sizes:
        log(f"== {records:,} records for {patients:,} patients")
        connections.close_all()
        recreate_database(args.database_url)
        migrate()
        clinic_pk = build_clinic()
        connections.close_all()
        path = workdir / f"records-{records}.csv"
        write_csv(path, records, patients)
        tiny = workdir / "tiny.csv"
        with open(path, encoding="utf-8") as source, open(tiny, "w", encoding="utf-8") as out:
            out.write(source.readline() + source.readline())
        size_mb = path.stat().st_size / 1024 / 1024
        log(f"  file: {size_mb:.1f} MB")
        baseline = run_import(tiny, clinic_pk, env)
        first = run_import(path, clinic_pk, env)
        log(
            f"  import: {first['wall_seconds']} s wall, {first['rows_per_second']:,} rows/s, "
            f"peak {first['peak_rss_mb']} MB (one-row file: {baseline['peak_rss_mb']} MB)"
        )
        for line in first["output"][-8:]:
            log(f"    {line}")
        again = run_import(path, clinic_pk, env)
        log(f"  second run: {again['wall_seconds']} s wall; {again['output'][-4]}")
        counts = row_counts()
        connections.close_all()
        log(f"  rows: {counts}")
        results.append(
            {
                "records": records,
                "patients": patients,
                "file_mb": round(size_mb, 1),
                "first": first,
                "second": again,
                "one_row_file": baseline,
                "counts": counts,
            }
        )
        path.unlink()
    print()
    print(
        f"{'records':>9} {'patients':>9} {'file MB':>8} {'seconds':>8} {'rows/s':>8} "
        f"{'peak MB':>8} {'re-run s':>9} {'1-row MB':>9}"
    )
    for result in results:
        print(
            f"{result['records']:>9,} {result['patients']:>9,} {result['file_mb']:>8} "
            f"{result['first']['wall_seconds']:>8} {result['first']['rows_per_second']:>8,} "
            f"{result['first']['peak_rss_mb']:>8} {result['second']['wall_seconds']:>9} "
            f"{result['one_row_file']['peak_rss_mb']:>9}"
        )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"import-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
