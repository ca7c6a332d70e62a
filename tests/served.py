"""Real app servers for tests: gunicorn processes on free ports against a database file of the
test's own, and a small HTTP client that keeps cookies by hand (they are Secure outside DEBUG,
which a cookie jar would refuse to send over plain http).

``migrated_database(folder, tmp_path)`` puts a migrated SQLite file where
``server_environment(tmp_path)`` points: every migration runs once per test run into
``folder`` (shared by the pytest-xdist processes, under a lock) and each test gets a copy,
instead of paying ``manage.py migrate`` (the migration state rendering, some 15 CPU seconds)
for every server it starts. The ``migrated_database`` fixture does this for a test."""

import fcntl
import http.client
import os
import re
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
GUNICORN = PROJECT / ".venv" / "bin" / "gunicorn"
PYTHON = PROJECT / ".venv" / "bin" / "python"


def server_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) on a fresh SQLite file under ``tmp_path``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "CACHE_URL", "SESSION_STORE", "FAKE_NOW"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="fusion.settings",
        DATABASE_URL=f"sqlite:///{database_file(tmp_path)}",
        DEBUG="false",
        # Every app server must share the secret key: sessions are checked against it.
        SECRET_KEY="served-test-key-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        PLAIN_STATIC_STORAGE="true",
        LOG_LEVEL="ERROR",
    )
    env.update(extra)
    return env


def database_file(tmp_path: Path) -> Path:
    return tmp_path / "shared.sqlite3"


def migrated_database(folder: Path, tmp_path: Path) -> Path:
    """A copy of the run's migrated SQLite file at ``database_file(tmp_path)``."""
    template = folder / "migrated.sqlite3"
    with open(folder / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            building = folder / "migrating"
            building.mkdir(exist_ok=True)
            manage(server_environment(building), "migrate", "--noinput", "-v", "0")
            # Through SQLite (not a file copy): whatever is still in the WAL file comes along.
            _copy_database(database_file(building), folder / "migrated.part")
            (folder / "migrated.part").rename(template)
    _copy_database(template, database_file(tmp_path))
    return database_file(tmp_path)


def _copy_database(source_path: Path, target_path: Path) -> None:
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], env=env, cwd=PROJECT, check=True)


def python(env: dict[str, str], code: str) -> str:
    return subprocess.run(
        [str(PYTHON), "-c", code], env=env, cwd=PROJECT, check=True, capture_output=True,
        text=True,
    ).stdout  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port, method, path, *, cookies=None, body=None):
    """(status, Location, text, cookies set) of one request to 127.0.0.1:port."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read().decode()
    set_cookies = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            set_cookies[name] = rest.split(";", 1)[0]
    connection.close()
    return response.status, response.getheader("Location"), content, set_cookies


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def log_in(port: int, email: str, password: str) -> dict[str, str]:
    """Log in through the real log-in form; the cookies of the logged-in session."""
    status, _, page, cookies = request(port, "GET", "/accounts/login/")
    assert status == 200
    status, _, _, set_cookies = request(
        port,
        "POST",
        "/accounts/login/",
        cookies=cookies,
        body=f"csrfmiddlewaretoken={csrf_token(page)}&username={email}&password={password}",
    )
    assert status == 302, f"the log-in of {email} on port {port} was refused"
    cookies.update(set_cookies)
    return cookies


class Gunicorn:
    """``with Gunicorn(env) as port:`` a server of its own, stopped on the way out."""

    def __init__(self, env: dict[str, str], workers: int = 1):
        self.env = env
        self.workers = workers
        self.port = free_port()

    def __enter__(self) -> int:
        self.process = subprocess.Popen(
            [str(GUNICORN), "fusion.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--no-control-socket", "--log-level", "warning"],
            env=self.env, cwd=PROJECT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}")
            try:
                request(self.port, "GET", "/accounts/login/")
                return self.port
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise AssertionError(f"gunicorn on port {self.port} did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
