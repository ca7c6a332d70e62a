"""Small readers for settings that come from the environment.

Each one fails loudly on a value it cannot understand: a typo in production configuration
must stop the process at start-up, not be read as a silent default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    items = [item.strip() for item in value.split(",") if item.strip()]
    # Hosts and origins never contain spaces: "a.example b.example" is a list written with the
    # wrong separator, and read as one item it would refuse every request.
    for item in items:
        if any(char.isspace() for char in item):
            raise ImproperlyConfigured(
                f"{name}={value!r}: {item!r} contains a space (separate items with commas)."
            )
    return items


_CACHE_BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}


def env_cache(name: str, default: str) -> dict:
    """A ``CACHES`` entry from a URL: ``locmem://`` (this process only), ``redis://host:6379/0``
    (``rediss://`` with TLS; shared by every app server) or ``dummy://`` (no cache)."""
    value = env_str(name, default)
    scheme, separator, rest = value.partition("://")
    if not separator or scheme not in _CACHE_BACKENDS:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a cache URL (use locmem://, redis://host:port/db or "
            "dummy://)."
        )
    entry = {"BACKEND": _CACHE_BACKENDS[scheme]}
    if scheme.startswith("redis"):
        if not rest.strip("/"):
            raise ImproperlyConfigured(f"{name}={value!r} names no Redis host.")
        entry["LOCATION"] = value
    elif scheme == "locmem":
        entry["LOCATION"] = rest or "fusion"
    return entry


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = env_str(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value
