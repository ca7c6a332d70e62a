"""A small, bounded HTTP load driver: N client threads, GET one path, for a fixed time.

Only ever talks to 127.0.0.1. Each thread keeps its own connection (and its own session
cookie) and reopens it when the server closes it; gunicorn's sync workers close after every
response, so the connect cost is part of each measured latency, as it would be for a browser
behind such a server.
"""

import http.client
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0
    errors: Counter = field(default_factory=Counter)

    @property
    def sent(self) -> int:
        return self.ok + sum(self.errors.values())

    def merge(self, other: "LoadResult") -> None:
        self.latencies_ms.extend(other.latencies_ms)
        self.elapsed_s += other.elapsed_s
        self.errors.update(other.errors)

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    @property
    def requests_per_second(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the successful requests, in milliseconds."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(1, math.ceil(share * len(ordered)))
        return ordered[rank - 1]


def drive(
    *,
    port: int,
    path: str,
    cookies: list[str | None],
    seconds: float,
    max_requests: int,
    timeout: float = 30.0,
) -> LoadResult:
    """GET ``path`` from ``len(cookies)`` threads until ``seconds`` pass or ``max_requests`` are
    sent, whichever comes first. Anything but a 200 is counted as an error, not a latency."""
    result = LoadResult()
    lock = threading.Lock()
    sent = 0
    deadline = time.perf_counter() + seconds

    def take_ticket() -> bool:
        nonlocal sent
        with lock:
            if sent >= max_requests or time.perf_counter() >= deadline:
                return False
            sent += 1
            return True

    def client(cookie: str | None) -> None:
        headers = {"Host": f"{HOST}:{port}", "User-Agent": "fusion-bench"}
        if cookie:
            headers["Cookie"] = cookie
        latencies: list[float] = []
        errors: Counter = Counter()
        connection = None
        while take_ticket():
            if connection is None:
                connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                errors[f"{type(error).__name__}: {error}"] += 1
                connection.close()
                connection = None
                continue
            elapsed_ms = (time.perf_counter() - start) * 1000
            if response.status == 200:
                latencies.append(elapsed_ms)
            else:
                location = response.getheader("Location")
                errors[f"HTTP {response.status}" + (f" -> {location}" if location else "")] += 1
            if response.will_close:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            result.latencies_ms.extend(latencies)
            result.errors.update(errors)

    threads = [threading.Thread(target=client, args=(cookie,), daemon=True) for cookie in cookies]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed_s = time.perf_counter() - started
    return result


def wait_until_up(port: int, path: str, *, seconds: float, alive) -> None:
    """Poll until the server answers ``path`` (any status), or fail after ``seconds``."""
    deadline = time.perf_counter() + seconds
    last_error: Exception | None = None
    while time.perf_counter() < deadline:
        if not alive():
            raise RuntimeError("gunicorn exited during start-up")
        connection = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError as error:
            last_error = error
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer on port {port} within {seconds} s: {last_error}")
