"""Appointment requests benchmark: the portal's request screen (slots of one case over the
60-day horizon, 10 therapists with booked weeks) and the scheduler's queue (500 pending
requests), beside the bare view, through gunicorn.

    .venv/bin/python bench/requests.py

It drops and rebuilds its database (PostgreSQL ``fusion_requests_bench`` by default; the name
must contain "bench"; the clinic is ``bench/day_view.py``'s, with 10 therapists), then prints
requests per second, p50 and p95 and each screen's queries per request.
"""

import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PENDING = 500


def parse_args():
    from bench import day_view

    return day_view.parse_args(
        __doc__.splitlines()[0],
        database="fusion_requests_bench",
        appointments=20_000,
        patients=5_000,
        port=8163,
    )


def build(appointments: int, patients: int) -> dict:
    """``day_view.build`` with 10 therapists, then: requests on, the location open to them,
    Treatment (30 min) allowed for the case, every other half hour of the next 60 days booked
    for each therapist, 500 pending requests, a portal parent of the first patient."""
    from django.contrib.auth.models import Group
    from django_scopes import scopes_disabled

    from bench import day_view

    day_view.THERAPISTS = 10
    data = day_view.build(appointments, patients)
    from accounts.models import User
    from cases.models import AppointmentTypeRule, PatientCase
    from charts.models import PatientChartCase
    from clinic.models import AppointmentType
    from portal.models import PortalLink
    from scheduling import slots
    from scheduling.models import Appointment, AppointmentRequest, Location

    with scopes_disabled():
        location = Location.objects.get(pk=data["location"])
        clinic = location.clinic
        clinic.requests_enabled = True
        clinic.save()
        location.available_for_requests = True
        location.save()
        case = PatientCase.objects.get(clinic=clinic)
        treatment = AppointmentType.objects.get(clinic=clinic)
        AppointmentTypeRule.objects.create(
            clinic=clinic,
            case=case,
            appointment_type=treatment,
            allow_requests=True,
            duration_minutes=30,
        )
        scheduler = data["scheduler"]
        therapists = list(User.objects.filter(clinic=clinic, groups__name="Therapist"))
        chart_cases = list(
            PatientChartCase.objects.filter(clinic=clinic).values_list("pk", "patient_id")
        )
        tz = location.tzinfo
        first = datetime.date.fromisoformat(data["day"]) + datetime.timedelta(days=1)
        rows, n = [], 0
        for offset in range(60):
            day = first + datetime.timedelta(days=offset)
            for therapist in therapists:
                for k in range(0, 20, 2):
                    chart_case, patient = chart_cases[1 + n % (len(chart_cases) - 1)]
                    n += 1
                    start = slots.wall(day, datetime.time(8 + k // 2, 30 * (k % 2)), tz)
                    rows.append(
                        Appointment(
                            clinic=clinic,
                            chart_case_id=chart_case,
                            patient_id=patient,
                            therapist=therapist,
                            location=location,
                            appointment_type=treatment,
                            start=start,
                            end=start + datetime.timedelta(minutes=30),
                            duration_minutes=30,
                            created_by=scheduler,
                        )
                    )
        Appointment.objects.bulk_create(rows, batch_size=5000)
        parent = User.objects.create_user(
            email="parent@requests.bench", clinic=clinic, first_name="Pat", last_name="Parent"
        )
        parent.groups.set(Group.objects.filter(name="Patient"))
        own_case, own_patient = chart_cases[0]
        PortalLink.objects.create(
            clinic=clinic, user=parent, patient_id=own_patient, relationship="parent"
        )
        AppointmentRequest.objects.bulk_create(
            AppointmentRequest(
                clinic=clinic,
                chart_case_id=chart_cases[1 + i][0],
                patient_id=chart_cases[1 + i][1],
                appointment_type=treatment,
                location=location,
                therapist=therapists[i % len(therapists)],
                start=slots.wall(
                    first + datetime.timedelta(days=1 + i % 50),
                    datetime.time(8 + (i % 10), 30),
                    tz,
                ),
                duration_minutes=30,
                note="Bench request",
                created_by=parent,
            )
            for i in range(PENDING)
        )
    return {
        "scheduler": scheduler,
        "parent": parent,
        "request_path": (
            f"/portal/cases/{own_case}/request/?type={treatment.pk}&location={location.pk}"
        ),
    }


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
    name = settings.SESSION_COOKIE_NAME
    staff = [f"{name}={make_session(data['scheduler'])}" for _ in range(args.concurrency)]
    parents = [f"{name}={make_session(data['parent'])}" for _ in range(args.concurrency)]
    screens = {
        "bare view": ("/bench/bare/", [None] * args.concurrency),
        "request screen": (data["request_path"], parents),
        "queue (500)": ("/schedule/requests/", staff),
    }
    queries = {
        label: count_queries(path, jar[0], show=False)
        for label, (path, jar) in screens.items()
        if jar[0]
    }
    server = start_gunicorn(args.port, args.workers, Path(f"/tmp/requests_{args.port}.log"))
    results = {}
    try:
        wait_until_up(args.port, "/bench/bare/", seconds=30, alive=lambda: server.poll() is None)
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
    print(f"Appointment requests ({args.workers} gunicorn workers, {args.concurrency} clients):")
    for label, result in results.items():
        errors = sum(result.errors.values())
        print(
            f"  {label:15s} {result.requests_per_second:7.1f} req/s  p50 "
            f"{result.percentile(0.5):6.1f} ms  p95 {result.percentile(0.95):6.1f} ms"
            f"  errors {errors}"
        )
    for label, counted in queries.items():
        print(
            f"  {label}: {counted['queries']} queries, {counted['bytes'] / 1024:.0f} KiB, "
            f"status {counted['status']}, in-process {counted['app_ms']:.0f} ms "
            f"(SQL {counted['sql_ms']:.0f} ms)"
        )


if __name__ == "__main__":
    main()
