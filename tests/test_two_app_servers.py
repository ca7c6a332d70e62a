"""App servers hold no state: a session made by logging in on one gunicorn is valid on another.

Two real gunicorn processes on two ports share one database (a fresh SQLite file here, so the
test runs the same on both suites; PostgreSQL shares sessions the same way) and, in the second
case, a Redis cache with sessions read from it first. The log-in is a real one: the log-in page,
its CSRF token, the e-mail and password posted to server A; then server B is asked for a page
that needs a logged-in user, with A's session cookie, and a log-out on B ends it on A too.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
GUNICORN = PROJECT / ".venv" / "bin" / "gunicorn"
EMAIL = "two.servers@example.com"
PASSWORD = "two-servers-pass-2026"
REDIS = ("127.0.0.1", 6379)

MAKE_USER = f"""
import django
django.setup()
from django.contrib.auth.models import Group
from accounts.models import User
from clinic.models import Clinic
clinic = Clinic.objects.create(name="Two Servers Clinic", time_zone="America/New_York")
user = User.objects.create_user({EMAIL!r}, {PASSWORD!r}, clinic=clinic, first_name="Tess")
user.groups.add(Group.objects.get(name="Administrator"))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


def _request(port, method, path, *, cookies=None, body=None):
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


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn on port {port} exited with {process.returncode}")
        try:
            _request(port, "GET", "/accounts/login/")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn on port {port} did not start")


@pytest.fixture
def environment(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "CACHE_URL", "SESSION_STORE", "FAKE_NOW"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="fusion.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        DEBUG="false",
        # Every app server must share the secret key: sessions are checked against it.
        SECRET_KEY="two-servers-test-key-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        PLAIN_STATIC_STORAGE="true",
        LOG_LEVEL="ERROR",
    )
    return env


@pytest.mark.parametrize("store", ["db", "cached_db"])
def test_a_session_made_on_one_app_server_is_valid_on_another(environment, store):
    env = dict(environment)
    if store == "cached_db":
        if not _redis_up():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        env.update(SESSION_STORE="cached_db", CACHE_URL="redis://127.0.0.1:6379/3")
    python = str(PROJECT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=PROJECT, check=True
    )
    subprocess.run([python, "-c", MAKE_USER], env=env, cwd=PROJECT, check=True)

    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [
                str(GUNICORN),
                "fusion.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=PROJECT,
            start_new_session=True,
        )  # fmt: skip
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_until_up(port, server)
        a, b = ports

        # Log in on A.
        status, _, page, cookies = _request(a, "GET", "/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, location, _, set_cookies = _request(
            a,
            "POST",
            "/accounts/login/",
            cookies=cookies,
            body=f"csrfmiddlewaretoken={token}&username={EMAIL}&password={PASSWORD}",
        )
        assert status == 302, "the log-in on server A was refused"
        cookies.update(set_cookies)
        assert "sessionid" in cookies

        # The same session on B: the patients list, which needs a logged-in user.
        status, location, page, _ = _request(b, "GET", "/patients/", cookies=cookies)
        assert status == 200, f"server B answered {status} (to {location}), not the page"
        assert "Tess" in page

        # Logged out on B: A no longer knows the session either.
        status, _, page, _ = _request(b, "GET", "/patients/", cookies=cookies)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, _, _ = _request(
            b, "POST", "/accounts/logout/", cookies=cookies, body=f"csrfmiddlewaretoken={token}"
        )
        assert status == 302
        status, location, _, _ = _request(a, "GET", "/patients/", cookies=cookies)
        assert status == 302 and "/accounts/login/" in location
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_a_cache_url_that_cannot_be_read_stops_start_up(environment):
    env = dict(environment, CACHE_URL="memcache://127.0.0.1")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "CACHE_URL='memcache://127.0.0.1' is not a cache URL" in result.stderr


def test_sessions_are_never_kept_in_one_process_memory(environment):
    env = dict(environment, SESSION_STORE="cached_db", CACHE_URL="locmem://")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "needs a cache every app server shares" in result.stderr
