"""Settings for the benchmark: the product's own settings, served the way production serves them.

``bench/run.py`` sets DATABASE_URL before this is imported, and passes the same environment to
gunicorn, so the builder, the query counter and the server all use one database.
"""

import os
import warnings

# Production-like: DEBUG off (so no query log and no debug toolbar-ish costs), plain http on
# 127.0.0.1, and no collectstatic step.
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-key-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("PLAIN_STATIC_STORAGE", "true")
os.environ.setdefault("LOG_LEVEL", "ERROR")

from fusion.settings import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
# "testserver" is the in-process test client that counts queries.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False

# The bench serves no static files (PLAIN_STATIC_STORAGE, no collectstatic), so WhiteNoise's
# warning about the missing STATIC_ROOT is noise here.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
