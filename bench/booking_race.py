"""Booking race: N parallel clients try to book overlapping slots of one therapist through
gunicorn, then the database is searched for double bookings.

    .venv/bin/python bench/booking_race.py                      # PostgreSQL fusion_race_bench
    .venv/bin/python bench/booking_race.py --database-url sqlite:////tmp/fusion_race_bench.sqlite3

Every attempt POSTs the + Appointment form for a random patient at one of 40 quarter-hour
starts tomorrow from 08:00 (``--starts``), 45 minutes long, so most attempts collide, many of
them while another booking of an overlapping slot is in flight. It prints how many
bookings were accepted (302), refused with the form's message (400), errors (anything else,
including 500s and broken connections) and the overlapping pairs found afterwards, which must
be 0. The database is dropped and rebuilt each run (its name must contain "bench").
"""

import argparse
import datetime
import http.client
import os
import random
import secrets
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fusion_race_bench"
        ),
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--attempts", type=int, default=1000, help="in total, over all clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8157)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument(
        "--starts",
        type=int,
        default=40,
        help="quarter-hour starts from 08:00 the clients pick from (45-minute bookings)",
    )
    return parser.parse_args()


def reset_database(url: str) -> None:
    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the name must contain 'bench'")
    if parsed.scheme.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path("/" + name + suffix).unlink(missing_ok=True)
        return
    import psycopg

    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def build(patients: int) -> dict:
    """A clinic open every day 07:00-20:00, one therapist, patients with a speech case each,
    a scheduler's session."""
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from cases.models import PatientCase, PatientCaseServiceType
    from charts.models import Patient, PatientChartCase
    from clinic.models import AppointmentType, Clinic, ServiceType
    from scheduling.models import ClinicHours, Location, TherapistAvailability

    with scopes_disabled():
        clinic = Clinic.objects.create(name="Race Clinic", time_zone="America/New_York")
        speech = ServiceType.objects.create(clinic=clinic, name="Speech Therapy")
        treatment = AppointmentType.objects.create(
            clinic=clinic, name="Treatment", default_duration_minutes=45
        )
        scheduler = User.objects.create_user(
            email="scheduler@race.bench", clinic=clinic, first_name="Sam", last_name="S"
        )
        scheduler.groups.set(Group.objects.filter(name="Scheduler"))
        therapist = User.objects.create_user(
            email="slp@race.bench", clinic=clinic, first_name="Sophie", last_name="Speech"
        )
        therapist.groups.set(Group.objects.filter(name="Therapist"))
        therapist.service_types.set([speech])
        case = PatientCase.objects.create(
            clinic=clinic, name="Speech Therapy", created_by=scheduler, updated_by=scheduler
        )
        PatientCaseServiceType.objects.create(clinic=clinic, case=case, service_type=speech)
        location = Location.objects.create(clinic=clinic, name="Main", time_zone=clinic.time_zone)
        for weekday in range(7):
            ClinicHours.objects.create(
                clinic=clinic,
                location=location,
                weekday=weekday,
                start=datetime.time(7),
                end=datetime.time(20),
            )
            TherapistAvailability.objects.create(
                clinic=clinic,
                therapist=therapist,
                location=location,
                weekday=weekday,
                start=datetime.time(7),
                end=datetime.time(20),
            )
        chart_cases = []
        for number in range(patients):
            patient = Patient.objects.create(
                clinic=clinic,
                first_name=f"P{number}",
                last_name="Race",
                date_of_birth=datetime.date(2015, 1, 1),
            )
            chart_cases.append(
                PatientChartCase.objects.create(
                    clinic=clinic, patient=patient, case=case, started_on=clinic.today()
                )
            )
        session = SessionStore()
        session["_auth_user_id"] = str(scheduler.pk)
        session["_auth_user_backend"] = "accounts.backends.ClinicUserBackend"
        session["_auth_user_hash"] = scheduler.get_session_auth_hash()
        session.create()
        return {
            "session": session.session_key,
            "chart_cases": [(row.patient_id, row.pk) for row in chart_cases],
            "therapist": therapist.pk,
            "location": location.pk,
            "type": treatment.pk,
            "day": (clinic.today() + datetime.timedelta(days=1)).isoformat(),
        }


def race(data: dict, *, port: int, clients: int, attempts: int, starts: int) -> Counter:
    counts: Counter = Counter()
    lock = threading.Lock()
    per_client = attempts // clients

    def client(seed: int) -> None:
        rng = random.Random(seed)
        token = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and field
        headers = {
            "Cookie": f"sessionid={data['session']}; csrftoken={token}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/",
        }
        for _ in range(per_client):
            patient, chart_case = rng.choice(data["chart_cases"])
            quarter = rng.randrange(starts)
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "patient": patient,
                    "therapists": data["therapist"],
                    "location": data["location"],
                    "appointment_type": data["type"],
                    "date": data["day"],
                    "time": f"{8 + quarter // 4:02d}:{15 * (quarter % 4):02d}",
                    "case": f"chart:{chart_case}",
                }
            )
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("POST", "/schedule/appointments/add/", body, headers)
                status = connection.getresponse().status
                connection.close()
            except (OSError, http.client.HTTPException):
                status = "connection error"
            outcome = {302: "accepted", 400: "refused"}.get(status, f"error {status}")
            with lock:
                counts[outcome] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def double_bookings() -> int:
    from django.db.models import Exists, OuterRef
    from django_scopes import scopes_disabled

    from scheduling.models import Appointment

    with scopes_disabled():
        live = Appointment.objects.not_cancelled()
        clash = live.filter(start__lt=OuterRef("end"), end__gt=OuterRef("start")).exclude(
            pk=OuterRef("pk")
        )
        return (
            live.filter(Exists(clash.filter(therapist=OuterRef("therapist")))).count()
            + live.filter(Exists(clash.filter(patient=OuterRef("patient")))).count()
        )


def main():
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    reset_database(args.database_url)
    import django

    django.setup()
    from bench.run import start_gunicorn, stop_gunicorn

    data = build(args.patients)
    log = Path("/tmp") / f"booking_race_{args.port}.log"
    server = start_gunicorn(args.port, args.workers, log)
    try:
        for _ in range(100):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                probe.request("GET", "/bench/bare/")
                probe.getresponse()
                break
            except OSError:
                time.sleep(0.1)
        started = time.perf_counter()
        counts = race(
            data,
            port=args.port,
            clients=args.clients,
            attempts=args.attempts,
            starts=args.starts,
        )
        elapsed = time.perf_counter() - started
    finally:
        stop_gunicorn(server)
    vendor = "SQLite" if args.database_url.startswith("sqlite") else "PostgreSQL"
    print(
        f"{vendor}: {args.clients} clients, {sum(counts.values())} attempts in {elapsed:.1f} s "
        f"({args.workers} gunicorn workers)"
    )
    for outcome in ("accepted", "refused"):
        print(f"  {outcome}: {counts.pop(outcome, 0)}")
    print(f"  errors: {sum(counts.values())} {dict(counts) if counts else ''}")
    print(f"  double bookings found afterwards: {double_bookings()}")


if __name__ == "__main__":
    main()
