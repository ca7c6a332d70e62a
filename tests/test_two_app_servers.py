"""App servers hold no state: a session made by logging in on one gunicorn is valid on another.

Two real gunicorn processes on two ports share one database (a fresh SQLite file here, so the
test runs the same on both suites; PostgreSQL shares sessions the same way) and, in the second
case, a Redis cache with sessions read from it first. The log-in is a real one: the log-in page,
its CSRF token, the e-mail and password posted to server A; then server B is asked for a page
that needs a logged-in user, with A's session cookie, and a log-out on B ends it on A too.
"""

import socket
import subprocess
import sys

import pytest

from tests.served import (
    PROJECT,
    Gunicorn,
    csrf_token,
    log_in,
    python,
    request,
    server_environment,
)

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


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("store", ["db", "cached_db"])
def test_a_session_made_on_one_app_server_is_valid_on_another(tmp_path, store, migrated_database):
    extra = {}
    if store == "cached_db":
        if not _redis_up():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        extra = {"SESSION_STORE": "cached_db", "CACHE_URL": "redis://127.0.0.1:6379/3"}
    env = server_environment(tmp_path, **extra)
    python(env, MAKE_USER)

    with Gunicorn(env) as a, Gunicorn(env) as b:
        cookies = log_in(a, EMAIL, PASSWORD)
        assert "sessionid" in cookies

        # The same session on B: the patients list, which needs a logged-in user.
        status, location, page, _ = request(b, "GET", "/patients/", cookies=cookies)
        assert status == 200, f"server B answered {status} (to {location}), not the page"
        assert "Tess" in page

        # Logged out on B: A no longer knows the session either.
        status, _, _, _ = request(
            b, "POST", "/accounts/logout/", cookies=cookies,
            body=f"csrfmiddlewaretoken={csrf_token(page)}",
        )  # fmt: skip
        assert status == 302
        status, location, _, _ = request(a, "GET", "/patients/", cookies=cookies)
        assert status == 302 and "/accounts/login/" in location


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"CACHE_URL": "memcache://127.0.0.1"}, "CACHE_URL='memcache://127.0.0.1' is not a cache"),
        (
            {"SESSION_STORE": "cached_db", "CACHE_URL": "locmem://"},
            "needs a cache every app server shares",
        ),
    ],
)
def test_a_configuration_that_would_keep_state_in_one_server_stops_start_up(
    tmp_path, extra, message
):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=server_environment(tmp_path, **extra),
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert message in result.stderr
