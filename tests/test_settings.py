"""Configuration from the environment: a bad value stops start-up with a message naming it, and
the production values pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured

import fusion.settings
from fusion.env import env_bool, env_int, env_list, env_str

PROJECT = Path(__file__).resolve().parent.parent
NAME = "FUSION_TEST_SETTING"


# --- env_bool -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " true "])
def test_env_bool_reads_true(value, monkeypatch):
    monkeypatch.setenv(NAME, value)

    assert env_bool(NAME, default=False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "off", ""])
def test_env_bool_reads_false(value, monkeypatch):
    monkeypatch.setenv(NAME, value)

    assert env_bool(NAME, default=True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_is_the_default(default, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)

    assert env_bool(NAME, default=default) is default


@pytest.mark.parametrize("value", ["maybe", "2", "yess", "tru", "enabled"])
def test_env_bool_fails_loudly_on_anything_else(value, monkeypatch):
    monkeypatch.setenv(NAME, value)

    with pytest.raises(ImproperlyConfigured, match=f"{NAME}=.*is not a boolean"):
        env_bool(NAME, default=False)


# --- env_int --------------------------------------------------------------------------------


def test_env_int_reads_a_number(monkeypatch):
    monkeypatch.setenv(NAME, " 42 ")

    assert env_int(NAME, 7) == 42


@pytest.mark.parametrize("value", [None, "", "  "])
def test_env_int_unset_or_empty_is_the_default(value, monkeypatch):
    if value is None:
        monkeypatch.delenv(NAME, raising=False)
    else:
        monkeypatch.setenv(NAME, value)

    assert env_int(NAME, 7) == 7


@pytest.mark.parametrize("value", ["abc", "1.5", "30m", "0x10", "1e3"])
def test_env_int_fails_loudly_on_a_non_number(value, monkeypatch):
    monkeypatch.setenv(NAME, value)

    with pytest.raises(ImproperlyConfigured, match=f"{NAME}=.*is not a whole number"):
        env_int(NAME, 7)


def test_env_int_fails_loudly_below_the_minimum(monkeypatch):
    monkeypatch.setenv(NAME, "0")

    with pytest.raises(ImproperlyConfigured, match=f"{NAME}='0' must be at least 1"):
        env_int(NAME, 30, minimum=1)


# --- env_list and env_str -------------------------------------------------------------------


def test_env_list_reads_comma_separated_items(monkeypatch):
    monkeypatch.setenv(NAME, " clinic.example.com, www.clinic.example.com ,")

    assert env_list(NAME) == ["clinic.example.com", "www.clinic.example.com"]


def test_env_list_unset_is_the_default_and_empty_is_none(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert env_list(NAME, ["localhost"]) == ["localhost"]

    monkeypatch.setenv(NAME, "")
    assert env_list(NAME, ["localhost"]) == []


@pytest.mark.parametrize("value", ["a.example b.example", "a.example,b.example c.example"])
def test_env_list_fails_loudly_on_items_separated_by_spaces(value, monkeypatch):
    monkeypatch.setenv(NAME, value)

    with pytest.raises(ImproperlyConfigured, match="separate items with commas"):
        env_list(NAME)


def test_env_str_required_fails_loudly_when_missing(monkeypatch):
    monkeypatch.setenv(NAME, "")

    with pytest.raises(ImproperlyConfigured, match=f"{NAME} must be set"):
        env_str(NAME, required=True)


# --- the settings module, started as a real process -----------------------------------------


def _run(code_or_args, **env):
    """Run Python in the project with only ``env`` (plus PATH) in its environment."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=60
    )


SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def test_settings_refuse_to_load_without_a_secret_key_when_debug_is_off():
    result = _run(SETUP, DJANGO_SETTINGS_MODULE="fusion.settings")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_settings_load_without_a_secret_key_in_debug():
    result = _run(SETUP, DJANGO_SETTINGS_MODULE="fusion.settings", DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "ture", "DEBUG='ture' is not a boolean"),
        ("SESSION_IDLE_TIMEOUT_MINUTES", "half an hour", "is not a whole number"),
        ("AXES_FAILURE_LIMIT", "0", "AXES_FAILURE_LIMIT='0' must be at least 1"),
        ("ALLOWED_HOSTS", "a.example b.example", "separate items with commas"),
    ],
)
def test_settings_refuse_to_load_with_a_bad_value(variable, value, message):
    env = {"DJANGO_SETTINGS_MODULE": "fusion.settings", "SECRET_KEY": "x" * 50, variable: value}

    result = _run(SETUP, **env)

    assert result.returncode != 0
    assert message in result.stderr


def test_deploy_checks_pass_with_production_values():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="clinic.example.com",
        CSRF_TRUSTED_ORIGINS="https://clinic.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_checks_fail_with_a_weak_secret_key():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY="too-short",
        ALLOWED_HOSTS="clinic.example.com",
    )

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


# --- what the test run itself uses ----------------------------------------------------------


def test_passwords_are_hashed_with_argon2(settings):
    # The suite swaps in a fast hasher (tests/conftest.py); put the real list back.
    settings.PASSWORD_HASHERS = fusion.settings.PASSWORD_HASHERS

    assert make_password("Lantern-Orchard-42").startswith("argon2$")
