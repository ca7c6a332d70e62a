"""A per-client limit on FHIR API requests: ``FHIR_RATE_LIMIT_PER_MINUTE`` a minute for each
OAuth2 client, counted in the cache in fixed one-minute windows (with Redis as ``CACHE_URL``
every app server counts together; with locmem each process counts its own)."""

import time

from django.conf import settings
from django.core.cache import cache

from fhir.errors import FhirError


def check(client_key: str) -> None:
    """Count one request of ``client_key``; refuse it (429) past the limit."""
    limit = settings.FHIR_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    key = f"fhir-rate:{client_key}:{window}"
    # add() is atomic on every backend: only the first request of the window creates the key.
    cache.add(key, 0, timeout=120)
    try:
        used = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.add(key, 1, timeout=120)
        used = 1
    if used > limit:
        wait = max(1, int(60 - now % 60))
        raise FhirError(
            429,
            "throttled",
            f"This client has made more than {limit} requests this minute; try again in "
            f"{wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
