#!/usr/bin/env python
"""Where one bench screen spends its time: cProfile over repeated requests in process.

    .venv/bin/python bench/profile_screen.py "Chart page" [--requests 30] [--sort tottime]
                                             [--lines 40] [--database-url URL]

Uses the data set the last ``bench/run.py`` built in that database (run it once with
``--in-process-only`` first); builds nothing and drops nothing. Prints the screens matched, the
median milliseconds of a request without the profiler, then the profile's top lines. The issue
asks for a screen that misses its budget to come with its profile: this is how it is taken.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import DEFAULT_DATABASE_URL, check_disposable, sessions_by_user  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("label", help="part of a screen's label, as in bench/screens.py")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    args = parser.parse_args()
    check_disposable(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.chdir(ROOT)

    import django

    django.setup()
    from django.test import Client

    from bench import screens

    cookies = {key: values[0] for key, values in sessions_by_user(1).items()}
    chosen = [s for s in screens.SCREENS if args.label.lower() in s.label.lower()]
    chosen.append(next(s for s in screens.SCREENS if s.label == screens.BARE_LOGGED_IN))
    for screen in chosen:
        path = screen.resolve()
        client = Client()
        if cookies.get(screen.user):
            name, value = cookies[screen.user].split("=", 1)
            client.cookies[name] = value
        for _ in range(3):
            client.get(path)
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"{screen.label}: {path} -> {response.status_code}, "
            f"median {statistics.median(times):.1f} ms over {args.requests}"
        )
    screen = chosen[0]
    path = screen.resolve()
    client = Client()
    if cookies.get(screen.user):
        name, value = cookies[screen.user].split("=", 1)
        client.cookies[name] = value
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        client.get(path)
    profiler.disable()
    print(f"\nProfile of {screen.label}, {args.requests} requests:")
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    # As bench/run.py: the harness reads the bench clinic's rows directly (the screens' paths);
    # every request still runs in the clinic scope the middleware sets.
    from django_scopes import scopes_disabled

    with scopes_disabled():
        main()
