#!/usr/bin/env python
"""Benchmark: build a data set, serve it with gunicorn, load each screen, print the figures.

    .venv/bin/python bench/run.py [--scale small|default] [--database-url URL]
                                  [--seconds N] [--concurrency N] [--keep-data]

See bench/README.md for what the figures mean. This is not a test: it asserts nothing, it
prints numbers (and writes them to bench/results/ as JSON).
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402  (after the path: run as a script)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fusion_bench"
RESULTS = ROOT / "bench" / "results"
SERVER_PATH_FOR_HEALTH = "/bench/bare/"
SCALE_NAMES = ["small", "default", "large"]
# Growth: after a run at the default scale, every screen is measured in process at the small
# scale, and the screens marked ``large`` at the large one (500,000 patients), each scale in a
# database of its own named after the main one (fusion_bench_small, fusion_bench_large).
GROWTH_SCALES = {"default": ["small", "large"]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALE_NAMES, default="default")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="database to WIPE and fill; its name must contain 'bench' "
        f"(default: $BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="measured time per screen")
    parser.add_argument(
        "--rounds", type=int, default=5, help="slices each screen's time is cut into"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--max-requests", type=int, default=20_000, help="hard cap on requests per screen"
    )
    parser.add_argument(
        "--renames", type=int, default=20, help="timed renames per case (0 skips the timing)"
    )
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="reuse the database if it already holds a finished build at this scale",
    )
    parser.add_argument(
        "--only", action="append", default=[], help="measure only screens whose label has this"
    )
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL each screen runs"
    )
    parser.add_argument(
        "--no-growth",
        dest="growth",
        action="store_false",
        help="skip the in-process measurements at the other scales (small, large)",
    )
    parser.add_argument(
        "--in-process-only",
        action="store_true",
        help="measure one request in process only (no gunicorn, no load, no renames)",
    )
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.concurrency, args.workers, args.rounds) < 1 or args.seconds <= 0:
        parser.error("--concurrency, --workers and --rounds must be at least 1, --seconds > 0")
    return args


def log(message: str) -> None:
    print(message, flush=True)


# --- the database ---------------------------------------------------------------------------


def database_settings(url: str) -> dict:
    import dj_database_url

    return dj_database_url.parse(url)


def check_disposable(url: str) -> None:
    """The bench wipes its database: refuse one that does not look like it was made for it."""
    name = str(database_settings(url)["NAME"])
    if "bench" not in Path(name).name.lower():
        sys.exit(
            f"Refusing to use database {name!r}: the bench wipes and refills its database, so "
            "its name must contain 'bench' (e.g. fusion_bench)."
        )


def _pg_admin_connection(db: dict):
    import psycopg

    return psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def database_exists(url: str) -> bool:
    db = database_settings(url)
    if "postgresql" in db["ENGINE"]:
        with _pg_admin_connection(db) as admin:
            row = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
            ).fetchone()
            return row is not None
    return Path(db["NAME"]).exists()


def recreate_database(url: str) -> None:
    db = database_settings(url)
    if "postgresql" in db["ENGINE"]:
        from psycopg import sql

        with _pg_admin_connection(db) as admin:
            name = sql.Identifier(db["NAME"])
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
    elif "sqlite" in db["ENGINE"]:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
    else:
        sys.exit(f"Unsupported database engine {db['ENGINE']}")


def migrate() -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"  migrated in {time.perf_counter() - started:.1f} s")


# --- sessions -------------------------------------------------------------------------------


def make_session(user) -> str:
    """A logged-in session made directly, as ``login()`` would leave it: no password round-trip,
    so django-axes never sees a login attempt."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
    from django.http import HttpRequest
    from django.utils.module_loading import import_string

    # The first configured backend that can load a user from a session, as the test client's
    # force_login picks it (axes' backend cannot).
    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    store = SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()

    probe = HttpRequest()
    probe.session = SessionStore(session_key=store.session_key)
    if get_user(probe).pk != user.pk:
        sys.exit(f"A session made for {user} does not log in (backend {backend}).")
    return store.session_key


def sessions_by_user(count: int) -> dict[str, list[str | None]]:
    """``count`` separate sessions per bench user: one per client thread, as real users each
    have their own (the product saves the session on every request). A user the data set
    does not have yet (its app not written) gets none, and its screens are skipped."""
    from django.conf import settings

    from accounts.models import User
    from bench import screens

    cookies: dict[str, list[str | None]] = {screens.ANONYMOUS: [None] * count}
    for key, email in screens.EMAILS.items():
        user = User.objects.filter(email=email).first()
        if user is not None:
            cookies[key] = [
                f"{settings.SESSION_COOKIE_NAME}={make_session(user)}" for _ in range(count)
            ]
    return cookies


# --- queries per request, in process -------------------------------------------------------


IN_PROCESS_ROUNDS = 11


def count_queries(targets: list[tuple[str, str | None]], show: bool) -> list[dict]:
    """Request each path with Django's test client on the same database, in this process: one
    request each warms per-process caches (content types, templates), then the paths are timed
    in turns, one request each per round, so that whatever else the machine does falls on every
    screen alike and their ratios hold (the targets are ratios to the bare view). Reports, per
    path, the queries of the last request, the median wall time and the SQL time within it."""
    from django.test import Client

    from bench.queries import record

    clients = []
    for path, cookie in targets:
        client = Client()
        if cookie:
            name, value = cookie.split("=", 1)
            client.cookies[name] = value
        client.get(path)
        clients.append(client)
    samples = [[] for _ in targets]
    for _ in range(IN_PROCESS_ROUNDS):
        for index, ((path, _), client) in enumerate(zip(targets, clients, strict=True)):
            with record() as queries:
                start = time.perf_counter()
                response = client.get(path)
                wall_ms = (time.perf_counter() - start) * 1000
            samples[index].append((wall_ms, queries.total_ms, queries, response))
    figures = []
    for (path, _), taken in zip(targets, samples, strict=True):
        _, _, queries, response = taken[-1]
        if show:
            log(f"  {path}")
            for number, (sql, ms) in enumerate(queries, 1):
                log(f"    {number:3d}. {ms:7.2f} ms  {sql[:300]}")
        figures.append(
            {
                "status": response.status_code,
                "queries": len(queries),
                "bytes": len(response.content),
                "app_ms": statistics.median(sample[0] for sample in taken),
                "sql_ms": statistics.median(sample[1] for sample in taken),
            }
        )
    return figures


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int, workers: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "fusion.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--no-control-socket",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log_path),
    ]
    # The environment already carries DATABASE_URL, DJANGO_SETTINGS_MODULE=bench.settings and
    # the bench's DEBUG/SSL settings (set by bench/settings.py when it was imported here).
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def drive_in_rounds(args, port, planned, cookies, results, *, clients, log_rounds=False):
    """Drive the screens of ``results`` (index into ``planned``) from ``clients`` threads in
    round-robin slices rather than one block per screen: whatever else the machine does
    meanwhile is spread over all of them, so that their figures stay comparable."""
    for round_ in range(args.rounds):
        if log_rounds:
            log(f"  round {round_ + 1} of {args.rounds}")
        for index, result in results.items():
            screen, path, _ = planned[index]
            result.merge(
                load.drive(
                    port=port,
                    path=path,
                    cookies=cookies[screen.user][:clients],
                    seconds=args.seconds / args.rounds,
                    max_requests=max(0, args.max_requests - result.sent),
                )
            )


def latency_at_workers(args, port: int, planned: list, cookies: dict) -> dict[int, dict]:
    """The screens with a latency target, driven again with as many client threads as gunicorn
    has workers, in round-robin slices with the logged-in bare view: every request finds a free
    worker, so the p95 is the screen's own latency (plus the machine's other load), not time
    spent queued behind the other clients' requests, as it is in the main table when the
    clients outnumber the workers."""
    from bench import screens

    chosen = [
        index
        for index, (screen, _, _) in enumerate(planned)
        if screen.p95_limit_ms is not None or screen.label == screens.BARE_LOGGED_IN
    ]
    if not any(planned[index][0].p95_limit_ms for index in chosen):
        return {}
    log(f"  latency targets at {args.workers} client threads ({args.workers} workers)")
    merged = {index: load.LoadResult() for index in chosen}
    drive_in_rounds(args, port, planned, cookies, merged, clients=args.workers)
    return {
        index: {
            "clients": args.workers,
            "requests": result.ok,
            "rps": result.requests_per_second,
            "p50_ms": result.percentile(0.50),
            "p95_ms": result.percentile(0.95),
            "error_count": sum(result.errors.values()),
        }
        for index, result in merged.items()
    }


# --- reporting ------------------------------------------------------------------------------


def machine_info(workers: int, concurrency: int) -> dict:
    from django.db import connection

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            database = connection.vendor
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": importlib.metadata.version("django"),
        "gunicorn": importlib.metadata.version("gunicorn"),
        "database": database,
        "workers": workers,
        "concurrency": concurrency,
    }


def row_counts() -> dict[str, int]:
    from django.apps import apps

    labels = [
        "accounts.User",
        "cases.PatientCase",
        "cases.AppointmentTypeRule",
        "charts.Patient",
        "charts.PatientChartCase",
        "charts.Goal",
        "charts.GoalProgress",
        "charts.DailyNote",
        "charts.Evaluation",
        "charts.Reminder",
        "charts.Addendum",
        "scheduling.Appointment",
        "scheduling.AppointmentRequest",
    ]
    counts = {}
    for label in labels:
        try:
            counts[label] = apps.get_model(label)._base_manager.count()
        except LookupError:
            pass
    return counts


def print_table(rows: list[dict]) -> None:
    headers = [
        "screen",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "queries",
        "1 req ms",
        "of it SQL",
        "KB",
        "errors",
    ]
    lines = []
    for row in rows:
        lines.append(
            [
                row["label"],
                str(row["requests"]),
                f"{row['rps']:.1f}",
                f"{row['p50_ms']:.1f}",
                f"{row['p95_ms']:.1f}",
                str(row["queries"]),
                f"{row['app_ms']:.1f}",
                f"{row['sql_ms']:.1f}",
                f"{row['bytes'] / 1024:.0f}",
                str(row["error_count"]),
            ]
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]

    def fmt(cells):
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    log(fmt(headers))
    log("  ".join("-" * width for width in widths))
    for line in lines:
        log(fmt(line))


# --- growth: the other scales, in process ------------------------------------------------------


def scale_database_url(url: str, scale: str) -> str:
    """The database of another scale: the main one's name with the scale appended."""
    db = database_settings(url)
    name = str(db["NAME"])
    if "sqlite" in db["ENGINE"]:
        path = Path(name)
        return f"sqlite:///{path.with_name(f'{path.stem}_{scale}{path.suffix}')}"
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}_{scale}"


def measure_growth(args: argparse.Namespace, scale: str) -> dict[str, dict]:
    """Build (or reuse) the scale's data set in its own database and measure its screens in
    process, in a child process (Django is set up for one database per process)."""
    output = RESULTS / f".growth-{scale}.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--scale",
        scale,
        "--database-url",
        scale_database_url(args.database_url, scale),
        "--in-process-only",
        "--json-out",
        str(output),
    ]
    if args.keep_data:
        command.append("--keep-data")
    for part in args.only:
        command += ["--only", part]
    log(f"\n== Growth: scale {scale}, in process")
    subprocess.run(command, check=True, cwd=ROOT)
    figures = json.loads(output.read_text())
    output.unlink()
    return figures


def print_growth(by_scale: dict[str, dict[str, dict]]) -> None:
    scales = [name for name in SCALE_NAMES if name in by_scale]
    labels = []
    for name in scales:
        labels += [label for label in by_scale[name] if label not in labels]
    headers = ["screen", *(f"{name}: queries, ms (SQL)" for name in scales)]
    lines = []
    for label in labels:
        cells = [label]
        for name in scales:
            figure = by_scale[name].get(label)
            cells.append(
                f"{figure['queries']}, {figure['app_ms']:.1f} ({figure['sql_ms']:.1f})"
                if figure
                else "-"
            )
        lines.append(cells)
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    log(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    log("  ".join("-" * width for width in widths))
    for cells in lines:
        log(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
            )
        )


# --- main -----------------------------------------------------------------------------------


def prepare(args: argparse.Namespace):
    """Point Django at the bench database, (re)build the data set, return the scale."""
    url = args.database_url
    check_disposable(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.chdir(ROOT)

    safe_url = url.split("@")[-1] if "@" in url else url
    log(f"Database {safe_url}, scale {args.scale}")

    fresh = not (args.keep_data and database_exists(url))
    if fresh:
        log("Recreating the database")
        recreate_database(url)

    import django

    django.setup()
    from django.db import connections

    from bench import dataset

    scale = dataset.SCALES[args.scale]

    migrate()
    if not fresh and not dataset.matches(scale):
        log("The kept data does not match this scale and schema: rebuilding")
        connections.close_all()
        recreate_database(url)
        migrate()
        fresh = True
    if fresh:
        log(
            f"Building the data set: {scale.staff} staff, {scale.patients:,} patients, "
            f"{scale.cases} cases, {scale.chart_cases:,} chart cases "
            f"({scale.big_case_charts:,} on one case)"
        )
        dataset.build(scale, log=lambda message: log(message))
    else:
        log("Reusing the existing data set")
    return scale


def plan_screens(args: argparse.Namespace, query_cookie: dict) -> list:
    """Resolve each screen's path and measure one request of it in process."""
    from django.urls import NoReverseMatch

    from bench import screens

    resolved = []
    for screen in screens.SCREENS:
        if args.only and not any(part.lower() in screen.label.lower() for part in args.only):
            continue
        if args.scale == "large" and not screen.large:
            continue
        if screen.user not in query_cookie:
            log(f"  skipped {screen.label}: no {screen.user} in this data set")
            continue
        try:
            resolved.append((screen, screen.resolve()))
        except (NoReverseMatch, LookupError) as error:
            log(f"  skipped {screen.label}: {type(error).__name__}: {error}")
    counted = count_queries(
        [(path, query_cookie[screen.user]) for screen, path in resolved], args.show_queries
    )
    planned = []
    for (screen, path), figures in zip(resolved, counted, strict=True):
        if figures["status"] != 200:
            log(f"  note: {screen.label} {path} answered {figures['status']} in process")
        planned.append((screen, path, figures))
    return planned


def main() -> None:
    args = parse_args()
    # A polite kill of the bench must still stop gunicorn (the finally block below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scale = prepare(args)

    from bench import cpu, report, screens

    counts = row_counts()
    log("Rows: " + ", ".join(f"{label} {count:,}" for label, count in counts.items()))
    query_cookie = {key: values[0] for key, values in sessions_by_user(1).items()}
    planned = plan_screens(args, query_cookie)
    in_process = {screen.label: counted for screen, _, counted in planned}

    if args.in_process_only:
        for label, figure in in_process.items():
            log(
                f"  {label}: {figure['queries']} queries, {figure['app_ms']:.1f} ms "
                f"({figure['sql_ms']:.1f} ms SQL)"
            )
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(in_process, indent=2))
        return

    cookies = sessions_by_user(max(args.concurrency, args.workers))
    info = machine_info(args.workers, args.concurrency)
    port = free_port()
    RESULTS.mkdir(exist_ok=True)
    gunicorn_log = RESULTS / "gunicorn.log"
    log(f"Starting gunicorn on 127.0.0.1:{port} with {args.workers} workers (log {gunicorn_log})")
    server = start_gunicorn(port, args.workers, gunicorn_log)
    rows = []
    warmup = min(1.0, args.seconds / 5)
    results = {index: load.LoadResult() for index in range(len(planned))}
    cpu_shares = None
    try:
        load.wait_until_up(
            port, SERVER_PATH_FOR_HEALTH, seconds=30, alive=lambda: server.poll() is None
        )
        for screen, path, _ in planned:
            log(f"  warm-up {screen.label}: {path}")
            load.drive(
                port=port,
                path=path,
                cookies=cookies[screen.user][: args.concurrency],
                seconds=warmup,
                max_requests=args.max_requests,
            )
        meter = cpu.CpuMeter(server.pid)
        measured_from = time.perf_counter()
        drive_in_rounds(
            args, port, planned, cookies, results, clients=args.concurrency, log_rounds=True
        )
        cpu_shares = meter.shares(time.perf_counter() - measured_from)
        at_workers = latency_at_workers(args, port, planned, cookies)
    finally:
        stop_gunicorn(server)
    for index, (screen, path, counted) in enumerate(planned):
        result = results[index]
        for error, count in result.errors.most_common(3):
            log(f"    {screen.label}: error x{count}: {error}")
        rows.append(
            {
                "label": screen.label,
                "path": path,
                "user": screen.user,
                "kind": screen.kind,
                "requests": result.ok,
                "rps": result.requests_per_second,
                "p50_ms": result.percentile(0.50),
                "p95_ms": result.percentile(0.95),
                "queries": counted["queries"],
                "app_ms": counted["app_ms"],
                "sql_ms": counted["sql_ms"],
                "bytes": counted["bytes"],
                "error_count": sum(result.errors.values()),
                "errors": dict(result.errors),
            }
        )
        if index in at_workers:
            rows[-1]["at_workers"] = at_workers[index]

    renames = screens.time_renames(args.renames) if args.renames else "skipped: --renames 0"
    horizon = screens.time_slot_horizon()

    by_scale = {scale.name: in_process}
    if args.growth:
        from django.db import connections

        connections.close_all()
        for other in GROWTH_SCALES.get(scale.name, []):
            by_scale[other] = measure_growth(args, other)

    log("")
    log(
        f"Machine: {info['cpu']}, {info['cpus']} CPUs, {info['memory']}; {info['os']}; "
        f"Python {info['python']}, Django {info['django']}, gunicorn {info['gunicorn']} "
        f"({info['workers']} sync workers); {info['database']}"
    )
    log(
        f"Data: scale {scale.name}; "
        + ", ".join(f"{label} {count:,}" for label, count in counts.items())
    )
    log(
        f"Load: {args.concurrency} client threads on the same machine, {args.seconds:g} s per "
        f"screen in {args.rounds} round-robin slices after a {warmup:g} s warm-up, at most "
        f"{args.max_requests} requests"
    )
    if cpu_shares:
        log(
            "CPU while measuring (% of all CPUs): "
            + ", ".join(f"{name} {share:.0f}%" for name, share in cpu_shares.items())
        )
        if cpu_shares["other"] > 15:
            log(
                "  WARNING: other work on this machine took CPU during the measurements; the "
                "absolute figures are low and noisy, compare screens within this run only."
            )
    log("")
    print_table(rows)
    log("")
    by_label = {row["label"]: row for row in rows}
    for ours, theirs, wanted in screens.COMPARISONS:
        if ours in by_label and theirs in by_label and by_label[theirs]["rps"]:
            a, b = by_label[ours], by_label[theirs]
            log(
                f"{ours} / {theirs}: {a['rps'] / b['rps']:.2f}x the requests per second "
                f"(one request in process: {a['app_ms']:.1f} ms vs {b['app_ms']:.1f} ms); "
                f"wanted: {wanted}"
            )
    latency_rows = [row for row in rows if "at_workers" in row]
    if latency_rows:
        log(
            f"\nLatency at {args.workers} client threads = {args.workers} gunicorn workers "
            "(no request waits for a worker):"
        )
        for row in latency_rows:
            figure = row["at_workers"]
            log(
                f"  {row['label']}: {figure['rps']:.1f} req/s, p50 {figure['p50_ms']:.1f} ms, "
                f"p95 {figure['p95_ms']:.1f} ms, errors {figure['error_count']}"
            )
    log("")
    if isinstance(renames, str):
        log(f"Rename timing {renames}")
    else:
        log(
            f"Rename through cases.services.case_update, {args.renames} times each, in turns "
            "(one row whatever the charts: the two medians should match):"
        )
        for timing in renames:
            log(
                f"  {timing.label:34s} ({timing.charts:>7,} charts): median "
                f"{timing.median_ms:6.2f} ms (min {timing.min_ms:.2f}, max {timing.max_ms:.2f}), "
                f"{timing.queries} queries"
            )
    if isinstance(horizon, str):
        log(f"Slot computation over the horizon {horizon}")
    else:
        log(
            f"Slot computation over the horizon: {horizon.therapists} therapists, "
            f"{horizon.days} days, {horizon.slots} distinct starts: median "
            f"{horizon.median_ms:.1f} ms, {horizon.queries} queries (in process)"
        )
    if len(by_scale) > 1:
        log("\nGrowth: one request in process at each scale (queries, ms, of it SQL ms)")
        print_growth(by_scale)

    found = screens.targets(rows, by_scale)
    log("\nTargets (issue 13):")
    for target in found:
        verdict = "holds" if target.holds else "MISSED"
        log(f"  [{verdict:6s}] {target.what}: {target.measured}; wanted {target.wanted}")
    missed = sum(not target.holds for target in found)
    log(f"  {len(found) - missed} of {len(found)} targets hold")

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    result = {
        "when": stamp,
        "partial": bool(args.only),
        "machine": info,
        "scale": asdict(scale),
        "rows_in_database": counts,
        "load": {
            "cpu_percent": cpu_shares,
            "rounds": args.rounds,
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "max_requests": args.max_requests,
        },
        "screens": rows,
        "growth": by_scale,
        "targets": [asdict(target) for target in found],
        "renames": renames if isinstance(renames, str) else [asdict(t) for t in renames],
        "slot_horizon": horizon if isinstance(horizon, str) else asdict(horizon),
    }
    output = RESULTS / f"bench-{scale.name}-{stamp}.json"
    output.write_text(json.dumps(result, indent=2))
    log(f"\nWritten {output.relative_to(ROOT)}")
    for written in report.write(result, RESULTS):
        log(f"Written {written.relative_to(ROOT)}")


if __name__ == "__main__":
    # The harness reads and checks the bench clinic's rows directly; every request it makes
    # still runs in the clinic scope the middleware sets.
    from django_scopes import scopes_disabled

    with scopes_disabled():
        main()
