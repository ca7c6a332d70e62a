"""A burst of mixed requests from many clients against gunicorn on PostgreSQL, with a
PostgreSQL restart in the middle: how many 500s, and when.

    .venv/bin/python bench/burst.py                      # 2,000 requests, 20 clients, a restart
    .venv/bin/python bench/burst.py --no-restart --requests 500

It drops and recreates the database it is given (the name must contain "burst"), migrates it,
loads the demo clinic, serves it with gunicorn (DEBUG off, as production), logs each client in
as a demo user and sends a bounded mix of reads (lists, searches, charts, setup screens) and
writes (reminders, notes, patient edits with their version, stale saves that must be 409). A
third of the way through, PostgreSQL is restarted (``pg_ctlcluster --skip-systemctl-redirect 15
main restart``, which needs root). It prints the status counts and every 5xx with its time
relative to the restart. Not part of the test suite: it needs root, gunicorn and PostgreSQL.
"""

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DEMO_PASSWORD = "demo-pass-2026"
USERS = [
    "admin@demo.clinic",
    "scheduler@demo.clinic",
    "slp@demo.clinic",
    "ot@demo.clinic",
    "pt@demo.clinic",
]


def sh(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)


class Browser:
    """One client: its own cookies (sent by hand: the session cookie is Secure and the server
    is told it runs behind HTTPS), CSRF token and connection."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self.conn

    def request(self, method, path, data=None):
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if method == "POST":
            data = {**(data or {}), "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = "https://127.0.0.1"
            headers["Referer"] = f"https://127.0.0.1{path}"
        for attempt in range(2):
            try:
                conn = self._connection()
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read().decode(errors="replace")
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn = None
                if attempt:
                    return 0, ""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, content

    def log_in(self, email):
        self.request("GET", "/accounts/login/")
        status, _ = self.request(
            "POST", "/accounts/login/", {"username": email, "password": DEMO_PASSWORD}
        )
        return status


def demo_ids(env):
    code = (
        "import json; from django_scopes import scopes_disabled\n"
        "from charts.models import PatientChartCase, Patient\n"
        "from clinic.models import ServiceType\n"
        "with scopes_disabled():\n"
        "    print(json.dumps({'patients': list(Patient.objects.values_list('pk', flat=True)),"
        " 'chart_cases': list(PatientChartCase.objects.filter(status='active')"
        ".values_list('pk', 'patient_id')),"
        " 'services': list(ServiceType.objects.values_list('pk', flat=True))}))"
    )
    out = sh([PYTHON, "manage.py", "shell", "-c", code], env, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def version_of(page):
    match = re.search(r'name="version" value="(\d+)"', page)
    return match.group(1) if match else "1"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/fusion_burst")
    parser.add_argument("--no-restart", action="store_true")
    args = parser.parse_args()
    if "burst" not in args.database_url.rsplit("/", 1)[-1]:
        sys.exit("The database is dropped and recreated: its name must contain 'burst'.")

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "false",
        "SECRET_KEY": "burst-only-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "PLAIN_STATIC_STORAGE": "true",
        "LOG_LEVEL": "ERROR",
        # Many clients share one address: the lock-out must not be what is measured.
        "AXES_ADDRESS_FAILURE_LIMIT": "100000",
    }
    name = args.database_url.rsplit("/", 1)[-1]
    base = args.database_url.rsplit("/", 1)[0]
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name])
    sh(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], env)
    del base
    sh([PYTHON, "manage.py", "migrate", "-v0"], env)
    sh([PYTHON, "manage.py", "load_demo", "--force"], env, capture_output=True)
    ids = demo_ids(env)

    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "fusion.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--no-control-socket",
            "--log-level",
            "error",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        run(args, ids)
    finally:
        server.terminate()
        server.wait(timeout=20)


def run(args, ids):
    lock = threading.Lock()
    results = []  # (time, status, label)
    budget = {"left": args.requests}
    restart = {}
    rng = random.Random(14)
    chart_cases = ids["chart_cases"]

    def take():
        with lock:
            if budget["left"] <= 0:
                return False
            budget["left"] -= 1
            return True

    def client(index):
        browser = Browser(args.port)
        email = USERS[index % len(USERS)]
        status = browser.log_in(email)
        with lock:
            results.append((time.time(), status, "log in"))
        local = random.Random(index)
        while take():
            chart_case, patient = local.choice(chart_cases)
            therapist = email.split("@")[0] in ("slp", "ot", "pt")
            choice = local.random()
            if choice < 0.25:
                label, method, path, data = "patients", "GET", "/patients/", None
            elif choice < 0.4:
                word = local.choice(["li", "no", "em", "2018-04-12", "zz"])
                label, method, path, data = "search", "GET", f"/patients/?q={word}", None
            elif choice < 0.6:
                label, method, path, data = (
                    "chart",
                    "GET",
                    f"/patients/{patient}/cases/{chart_case}/",
                    None,
                )
            elif choice < 0.7:
                label, method, path, data = "home", "GET", "/", None
            elif choice < 0.78:
                label, method, path, data = "setup", "GET", "/setup/patient-cases/", None
            elif choice < 0.88 and therapist:
                label, method, path = (
                    "reminder add",
                    "POST",
                    f"/chart-cases/{chart_case}/reminders/add/",
                )
                data = {"text": f"Burst {index}", "due_on": "2030-01-01"}
            elif choice < 0.94 and email.startswith(("admin", "scheduler")):
                # A patient edit with the version the screen showed: 302, or 409 when another
                # client saved it in between.
                _, page = browser.request("GET", f"/patients/{patient}/edit/")
                label, method, path = "patient edit", "POST", f"/patients/{patient}/edit/"
                data = {
                    "first_name": f"Burst{local.randint(1, 99)}",
                    "last_name": "Patient",
                    "date_of_birth": "2015-05-05",
                    "version": version_of(page),
                }
            else:
                label, method, path, data = "bad input", "GET", "/patients/?q=%00", None
            status, _ = browser.request(method, path, data)
            with lock:
                results.append((time.time(), status, label))

    def restarter():
        while True:
            with lock:
                done = args.requests - budget["left"]
            if done >= args.requests // 3:
                break
            time.sleep(0.05)
        restart["start"] = time.time()
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"], check=True
        )
        restart["end"] = time.time()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    if not args.no_restart:
        threads.append(threading.Thread(target=restarter))
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    del rng

    statuses = Counter(status for _, status, _ in results)
    print(f"{len(results)} requests from {args.clients} clients in {elapsed:.1f} s")
    print("status counts:", dict(sorted(statuses.items())))
    by_label = Counter((label, status) for _, status, label in results)
    for (label, status), count in sorted(by_label.items()):
        print(f"  {label:<14} {status}: {count}")
    failures = [(at, status, label) for at, status, label in results if status >= 500 or not status]
    if restart:
        down = restart["end"] - restart["start"]
        print(f"PostgreSQL restart took {down:.2f} s")
        late = [f for f in failures if f[0] > restart["end"] + 1 or f[0] < restart["start"]]
        for at, status, label in failures:
            print(f"  {status or 'no answer'} {label} at restart{at - restart['end']:+.2f} s")
        print(f"5xx outside the restart and its first second: {len(late)}")
        sys.exit(1 if late else 0)
    print(f"5xx: {len(failures)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
