"""Who used the CPUs while the screens were loaded (Linux /proc only; elsewhere nothing).

The bench usually shares its machine: tests, editors, other servers. Their CPU time is what makes
two runs disagree, so the bench reports it beside the figures instead of pretending it is alone.
"""

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_busy() -> int:
    fields = [int(value) for value in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait
    return sum(fields[:8]) - fields[3] - fields[4]


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(command, parent pid, CPU ticks of the process and its reaped children)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    command = text[text.index("(") + 1 : text.rindex(")")]
    rest = text[text.rindex(")") + 2 :].split()
    # after the command: state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based
    return command, int(rest[1]), sum(int(value) for value in rest[11:15])


def _snapshot(server_pid: int) -> dict[str, int]:
    stats = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat:
                stats[int(entry.name)] = stat
    server = {server_pid} | {pid for pid, (_, ppid, _) in stats.items() if ppid == server_pid}
    groups = {"bench client": 0, "gunicorn": 0, "PostgreSQL": 0}
    for pid, (command, _, ticks) in stats.items():
        if pid == os.getpid():
            groups["bench client"] += ticks
        elif pid in server:
            groups["gunicorn"] += ticks
        elif command == "postgres" or command.startswith("postgres:"):
            groups["PostgreSQL"] += ticks
    groups["machine"] = _machine_busy()
    return groups


class CpuMeter:
    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.available = (PROC / "stat").exists()
        self.before = _snapshot(server_pid) if self.available else {}

    def shares(self, elapsed_s: float) -> dict[str, float] | None:
        """Percent of the whole machine (all CPUs) each group used since the meter started;
        "other" is everything the bench did not start (PostgreSQL is counted whole)."""
        if not self.available or elapsed_s <= 0:
            return None
        after = _snapshot(self.server_pid)
        capacity = elapsed_s * TICKS * (os.cpu_count() or 1)
        used = {key: max(0, after[key] - self.before.get(key, 0)) for key in after}
        shares = {key: 100 * value / capacity for key, value in used.items() if key != "machine"}
        shares["other"] = max(0.0, 100 * used["machine"] / capacity - sum(shares.values()))
        return shares
