"""Day view benchmark: the Schedule day view of 30 therapists with 600 appointments, in a
clinic holding many appointments, beside the bare view, through gunicorn.

    .venv/bin/python bench/day_view.py                        # 200,000 appointments
    .venv/bin/python bench/day_view.py --appointments 2000000 # the issue's scale (slow to build)

It drops and rebuilds its database (PostgreSQL ``fusion_dayview_bench`` by default; the name
must contain "bench"), then prints requests per second, p50 and p95 for the day view and the
bare view (interleaved in rounds so that a noisy machine affects both alike) and the day
view's queries per request.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THERAPISTS = 30
PER_DAY = 20  # per therapist: 08:00-18:00 in 30-minute visits
BATCH = 10_000


def parse_args(
    description: str | None = None,
    *,
    database: str = "fusion_dayview_bench",
    appointments: int = 200_000,
    patients: int = 20_000,
    port: int = 8159,
):
    """The day view benchmark's options."""
    parser = argparse.ArgumentParser(description=description or __doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}"
        ),
    )
    parser.add_argument("--appointments", type=int, default=appointments)
    parser.add_argument("--patients", type=int, default=patients)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=port)
    return parser.parse_args()


def build(appointments: int, patients: int) -> dict:
    """One clinic, one location open 07:00-19:00 every day, 30 speech therapists working
    there, ``patients`` patients with a speech case, and ``appointments`` appointments: 600 on
    the measured day (tomorrow), the rest on the days before it."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from bench import dataset
    from cases.models import PatientCase, PatientCaseServiceType
    from charts.models import Patient, PatientChartCase
    from clinic.models import AppointmentType, Clinic, ServiceType
    from scheduling import slots
    from scheduling.models import Appointment

    started = time.perf_counter()
    with scopes_disabled():
        clinic = Clinic.objects.create(name="Day View Clinic", time_zone="America/New_York")
        speech = ServiceType.objects.create(clinic=clinic, name="Speech Therapy")
        treatment = AppointmentType.objects.create(
            clinic=clinic, name="Treatment", default_duration_minutes=30
        )
        scheduler = User.objects.create_user(
            email="scheduler@dayview.bench", clinic=clinic, first_name="Sam", last_name="S"
        )
        scheduler.groups.set(Group.objects.filter(name="Scheduler"))
        therapist_group = Group.objects.get(name="Therapist")
        therapists = []
        for number in range(THERAPISTS):
            user = User.objects.create_user(
                email=f"t{number}@dayview.bench",
                clinic=clinic,
                first_name=f"Therapist{number:02d}",
                last_name="Bench",
            )
            user.groups.add(therapist_group)
            user.service_types.add(speech)
            therapists.append(user)
        case = PatientCase.objects.create(
            clinic=clinic, name="Speech Therapy", created_by=scheduler, updated_by=scheduler
        )
        PatientCaseServiceType.objects.create(clinic=clinic, case=case, service_type=speech)
        location = dataset.open_location(clinic, therapists, name="Main")
        Patient.objects.bulk_create(
            (
                Patient(
                    clinic=clinic,
                    first_name=f"P{n}",
                    last_name=f"Bench{n % 997}",
                    date_of_birth=datetime.date(2015, 1, 1),
                )
                for n in range(patients)
            ),
            batch_size=BATCH,
        )
        patient_ids = list(Patient.objects.filter(clinic=clinic).values_list("pk", flat=True))
        today = clinic.today()
        PatientChartCase.objects.bulk_create(
            (
                PatientChartCase(
                    clinic=clinic,
                    patient_id=pk,
                    case=case,
                    started_on=today - datetime.timedelta(days=3000),
                )
                for pk in patient_ids
            ),
            batch_size=BATCH,
        )
        chart_cases = dict(
            PatientChartCase.objects.filter(clinic=clinic).values_list("patient_id", "pk")
        )
        day = today + datetime.timedelta(days=1)
        tz = location.tzinfo
        per_day = THERAPISTS * PER_DAY
        days = max(1, appointments // per_day)

        def rows():
            for back in range(days):
                date = day - datetime.timedelta(days=back)
                status = "scheduled" if back == 0 else "completed"
                for t, therapist in enumerate(therapists):
                    for k in range(PER_DAY):
                        # Within a day every (therapist, slot) has its own patient.
                        patient = patient_ids[(back * per_day + t * PER_DAY + k) % len(patient_ids)]
                        start = slots.wall(date, datetime.time(8 + k // 2, 30 * (k % 2)), tz)
                        yield Appointment(
                            clinic=clinic,
                            chart_case_id=chart_cases[patient],
                            patient_id=patient,
                            therapist=therapist,
                            location=location,
                            appointment_type=treatment,
                            start=start,
                            end=start + datetime.timedelta(minutes=30),
                            duration_minutes=30,
                            status=status,
                            created_by=scheduler,
                        )

        if connection.vendor == "postgresql":
            _copy_appointments(rows())
        else:
            batch = []
            for row in rows():
                batch.append(row)
                if len(batch) == BATCH:
                    Appointment.objects.bulk_create(batch)
                    batch = []
            if batch:
                Appointment.objects.bulk_create(batch)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
                cursor.execute("CHECKPOINT")
        print(
            f"Built {Appointment.objects.count():,} appointments, {patients:,} patients in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        return {"scheduler": scheduler, "location": location.pk, "day": day.isoformat()}


def _copy_appointments(rows) -> None:
    """COPY the rows in, with the two exclusion constraints dropped meanwhile and built again
    after (one GiST build is far faster than two million insertions into it)."""
    import importlib
    import uuid

    from django.db import connection, transaction

    no_double_booking = importlib.import_module("scheduling.migrations.0002_no_double_booking")
    columns = (
        "clinic_id, chart_case_id, patient_id, therapist_id, location_id, appointment_type_id, "
        '"start", "end", duration_minutes, status, visit, cancel_reason, override_reason, '
        "version, created_by_id, created_at"
    )
    now = datetime.datetime.now(datetime.UTC)
    with connection.cursor() as cursor:
        for statement in no_double_booking.BACKWARD:
            cursor.execute(statement)
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY scheduling_appointment ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row.clinic_id,
                        row.chart_case_id,
                        row.patient_id,
                        row.therapist_id,
                        row.location_id,
                        row.appointment_type_id,
                        row.start,
                        row.end,
                        row.duration_minutes,
                        row.status,
                        uuid.uuid4(),
                        "",
                        "",
                        1,
                        row.created_by_id,
                        now,
                    )
                )
    # Outside the COPY's transaction: its deferred foreign-key checks must run first.
    with connection.cursor() as cursor:
        for statement in no_double_booking.FORWARD[1:]:
            cursor.execute(statement)


def main():
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    from bench.booking_race import reset_database

    reset_database(args.database_url)
    import django

    django.setup()
    from django.conf import settings

    from bench.load import drive, wait_until_up
    from bench.run import count_queries, make_session, start_gunicorn, stop_gunicorn

    data = build(args.appointments, args.patients)
    cookies = [
        f"{settings.SESSION_COOKIE_NAME}={make_session(data['scheduler'])}"
        for _ in range(args.concurrency)
    ]
    day_path = f"/schedule/?location={data['location']}&date={data['day']}"
    (queries,) = count_queries([(day_path, cookies[0])], show=False)
    server = start_gunicorn(args.port, args.workers, Path(f"/tmp/day_view_{args.port}.log"))
    results = {}
    try:
        wait_until_up(args.port, "/bench/bare/", seconds=30, alive=lambda: server.poll() is None)
        screens = {
            "bare view": ("/bench/bare/", [None] * args.concurrency),
            "day view": (day_path, cookies),
        }
        for path, jar in screens.values():
            drive(port=args.port, path=path, cookies=jar, seconds=1, max_requests=10**6)
        for _ in range(args.rounds):
            for label, (path, jar) in screens.items():
                result = drive(
                    port=args.port,
                    path=path,
                    cookies=jar,
                    seconds=args.seconds / args.rounds,
                    max_requests=10**6,
                )
                if label in results:
                    results[label].merge(result)
                else:
                    results[label] = result
    finally:
        stop_gunicorn(server)
    print(
        f"Day view at 30 therapists / 600 appointments, {args.appointments:,} in the clinic "
        f"({args.workers} gunicorn workers, {args.concurrency} clients):"
    )
    for label, result in results.items():
        errors = sum(result.errors.values())
        print(
            f"  {label:10s} {result.requests_per_second:7.1f} req/s  p50 "
            f"{result.percentile(0.5):6.1f} ms  p95 {result.percentile(0.95):6.1f} ms"
            f"  errors {errors}"
        )
    print(
        f"  day view: {queries['queries']} queries, {queries['bytes'] / 1024:.0f} KiB, "
        f"status {queries['status']}, in-process {queries['app_ms']:.0f} ms "
        f"(SQL {queries['sql_ms']:.0f} ms)"
    )


if __name__ == "__main__":
    main()
