"""What a reader sees without running anything: ``bench/results/README.md`` with the last full
run's tables and targets, and two plain SVG charts beside it (no plotting library needed).

Written by ``run.py`` after a full run at the default scale (not after ``--only`` or another
scale, so that a quick run does not replace the committed figures).
"""

from html import escape
from pathlib import Path

from bench import screens

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 380
PLOT_WIDTH = 460
SCALE_COLOURS = {"small": "#9ecae1", "default": "#3182bd", "large": "#08519c"}


def write(result: dict, directory: Path) -> list[Path]:
    if result["scale"]["name"] != "default" or result.get("partial"):
        return []
    directory.mkdir(exist_ok=True)
    written = []
    for name, text in (
        ("screens.svg", screens_svg(result)),
        ("growth.svg", growth_svg(result)),
        ("README.md", readme(result)),
    ):
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" '
            f'role="img" aria-label="{escape(title)}">',
            f"<title>{escape(title)}</title>",
            '<rect width="100%" height="100%" fill="#fff"/>',
            *body,
            "</svg>",
            "",
        ]
    )


def screens_svg(result: dict) -> str:
    """One bar per screen: one request in process, with the bare view and the budget's line."""
    rows = [row for row in result["screens"] if row.get("kind") != screens.BASELINE]
    bare = next((row for row in result["screens"] if row["label"] == screens.BARE_LOGGED_IN), None)
    limit = screens.IN_PROCESS_FACTOR * bare["app_ms"] if bare else 0
    top = max([limit, *(row["app_ms"] for row in rows)]) * 1.1 or 1
    x = LABEL_WIDTH

    def px(ms: float) -> float:
        return x + ms / top * PLOT_WIDTH

    title = "One request in process (ms) against the logged-in bare view"
    body = [f'<text x="10" y="20" font-weight="bold">{escape(title)}</text>']
    y = 40
    for row in rows:
        over = limit and row["app_ms"] > limit and row.get("kind") == screens.STAFF
        colour = "#d62728" if over else "#3182bd"
        if row.get("kind") == screens.REFERENCE:
            colour = "#999"
        body.append(
            f'<text x="{x - 8}" y="{y + 13}" text-anchor="end">{escape(row["label"])}</text>'
        )
        body.append(
            f'<rect x="{x}" y="{y}" width="{px(row["app_ms"]) - x:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{colour}"/>'
        )
        body.append(
            f'<text x="{px(row["app_ms"]) + 4:.1f}" y="{y + 13}">{row["app_ms"]:.1f} ms, '
            f"{row['queries']} q</text>"
        )
        y += BAR_HEIGHT + GAP
    if bare:
        for ms, text, dash in (
            (bare["app_ms"], f"bare {bare['app_ms']:.1f} ms", ""),
            (limit, f"{screens.IN_PROCESS_FACTOR:g}x bare", ' stroke-dasharray="4 3"'),
        ):
            body.append(
                f'<line x1="{px(ms):.1f}" y1="32" x2="{px(ms):.1f}" y2="{y}" stroke="#333"{dash}/>'
            )
            body.append(f'<text x="{px(ms) + 3:.1f}" y="{y + 14}">{escape(text)}</text>')
    return _svg(LABEL_WIDTH + PLOT_WIDTH + 140, y + 30, body, title)


def growth_svg(result: dict) -> str:
    """Per screen, one bar per scale it was measured at."""
    by_scale = result.get("growth") or {}
    scales = [name for name in ("small", "default", "large") if name in by_scale]
    labels = []
    for name in scales:
        labels += [label for label in by_scale[name] if label not in labels]
    top = max(
        (figure["app_ms"] for name in scales for figure in by_scale[name].values()), default=1
    )
    x = LABEL_WIDTH
    title = "Growth: one request in process (ms) at each scale"
    body = [f'<text x="10" y="20" font-weight="bold">{escape(title)}</text>']
    legend_x = x
    for name in scales:
        patients = {"small": "2,000", "default": "50,000", "large": "500,000"}[name]
        body.append(
            f'<rect x="{legend_x}" y="30" width="12" height="12" fill="{SCALE_COLOURS[name]}"/>'
        )
        body.append(f'<text x="{legend_x + 16}" y="41">{name} ({patients} patients)</text>')
        legend_x += 190
    y = 54
    bar = 12
    for label in labels:
        present = [name for name in scales if label in by_scale[name]]
        block = len(present) * bar
        body.append(
            f'<text x="{x - 8}" y="{y + block / 2 + 4:.0f}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        for name in present:
            figure = by_scale[name][label]
            width = figure["app_ms"] / top * PLOT_WIDTH
            body.append(
                f'<rect x="{x}" y="{y}" width="{width:.1f}" height="{bar - 1}" '
                f'fill="{SCALE_COLOURS[name]}"/>'
            )
            body.append(
                f'<text x="{x + width + 4:.1f}" y="{y + 10}" font-size="10">'
                f"{figure['app_ms']:.1f} ms, {figure['queries']} q</text>"
            )
            y += bar
        y += GAP + 2
    return _svg(LABEL_WIDTH + PLOT_WIDTH + 140, y + 10, body, title)


def readme(result: dict) -> str:
    machine = result["machine"]
    load = result["load"]
    lines = [
        "# Last benchmark results",
        "",
        "Written by `make bench` (`bench/run.py`, default scale) on "
        f"{result['when'][:4]}-{result['when'][4:6]}-{result['when'][6:8]}; run it again to "
        "replace them. What the columns mean: `bench/README.md`.",
        "",
        f"Machine: {machine['cpu']}, {machine['cpus']} CPUs, {machine['memory']}; "
        f"Python {machine['python']}, Django {machine['django']}, gunicorn {machine['gunicorn']} "
        f"({machine['workers']} sync workers); {machine['database']}. Load: "
        f"{load['concurrency']} client threads, {load['seconds']:g} s per screen in "
        f"{load['rounds']} slices."
        + (
            " CPU while measuring: "
            + ", ".join(f"{k} {v:.0f}%" for k, v in load["cpu_percent"].items())
            + "."
            if load.get("cpu_percent")
            else ""
        ),
        "",
        "Data: " + ", ".join(f"{k} {v:,}" for k, v in result["rows_in_database"].items()) + ".",
        "",
        "## Targets",
        "",
        "| target | measured | wanted | |",
        "| --- | --- | --- | --- |",
    ]
    for target in result.get("targets", []):
        lines.append(
            f"| {target['what']} | {target['measured']} | {target['wanted']} | "
            f"{'holds' if target['holds'] else '**missed**'} |"
        )
    lines += [
        "",
        "## Screens",
        "",
        "![one request in process per screen](screens.svg)",
        "",
        "| screen | req/s | p50 ms | p95 ms | queries | 1 req ms | of it SQL | KB | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["screens"]:
        lines.append(
            f"| {row['label']} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | "
            f"{row['queries']} | {row['app_ms']:.1f} | {row['sql_ms']:.1f} | "
            f"{row['bytes'] / 1024:.0f} | {row['error_count']} |"
        )
    latency_rows = [row for row in result["screens"] if row.get("at_workers")]
    if latency_rows:
        clients = latency_rows[0]["at_workers"]["clients"]
        lines += [
            "",
            f"Latency targets, driven again at {clients} client threads = {clients} gunicorn "
            "workers (so no request waits in the queue for a worker; the main table's p95 at "
            f"{load['concurrency']} clients includes that wait):",
            "",
            "| screen | req/s | p50 ms | p95 ms | errors |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for row in latency_rows:
            figure = row["at_workers"]
            lines.append(
                f"| {row['label']} | {figure['rps']:.1f} | {figure['p50_ms']:.1f} | "
                f"{figure['p95_ms']:.1f} | {figure['error_count']} |"
            )
    by_scale = result.get("growth") or {}
    if len(by_scale) > 1:
        scales = [name for name in ("small", "default", "large") if name in by_scale]
        labels = []
        for name in scales:
            labels += [label for label in by_scale[name] if label not in labels]
        lines += [
            "",
            "## Growth",
            "",
            "One request in process at each scale: queries, ms (of it SQL). Small: 2,000 "
            "patients; default: 50,000; large: 500,000 (lists and search only).",
            "",
            "![growth across scales](growth.svg)",
            "",
            "| screen | " + " | ".join(scales) + " |",
            "| --- |" + " ---: |" * len(scales),
        ]
        for label in labels:
            cells = []
            for name in scales:
                figure = by_scale[name].get(label)
                cells.append(
                    f"{figure['queries']}, {figure['app_ms']:.1f} ({figure['sql_ms']:.1f})"
                    if figure
                    else "–"
                )
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    renames = result.get("renames")
    if isinstance(renames, list):
        lines += ["", "## Renames", "", "| rename | charts | median ms | queries |"]
        lines.append("| --- | ---: | ---: | ---: |")
        for timing in renames:
            lines.append(
                f"| {timing['label']} | {timing['charts']:,} | {timing['median_ms']:.2f} | "
                f"{timing['queries']} |"
            )
    horizon = result.get("slot_horizon")
    if isinstance(horizon, dict):
        lines += [
            "",
            "## Slot computation over the whole horizon",
            "",
            f"`request_slots` for one case, {horizon['therapists']} therapists with booked "
            f"weeks, {horizon['days']} days ({horizon['slots']:,} distinct starts), in process: "
            f"median {horizon['median_ms']:.1f} ms, {horizon['queries']} queries. The portal's "
            "request screen computes only the week it shows (its rows above).",
        ]
    return "\n".join(lines) + "\n"
