"""The calendar's grid as plain values for its Jinja2 template
(``scheduling/jinja2/scheduling/calendar_grid.html``): a row per wall-clock time, a cell per
column, a block's cell spanning the rows it covers. Labels, links and the words of each block
are made here once per page (or once per column), so the template only looks values up."""

import bisect
import datetime
import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.http import urlencode

from core.links import link
from scheduling import slots
from scheduling.reads.calendar import STATUS_CLASSES, STATUS_LABELS, Block, Therapist

STEP = datetime.timedelta(minutes=15)
DEFAULT_OPEN, DEFAULT_CLOSE = datetime.time(8), datetime.time(18)
LANE = "Requests – no therapist chosen"


@dataclass
class Column:
    label: str
    day: datetime.date
    therapist: Therapist | None
    working: list = field(default_factory=list)
    blocks: list = field(default_factory=list)
    # A day view's column is a therapist (its label is their name); a week view's is a day.
    therapist_column: bool = True
    # The day view's lane of requests whose patient chose no therapist: no free time to book.
    lane: bool = False
    # The week's heading links to the day.
    href: str = ""


class Shown(NamedTuple):
    """What a block shows: its classes, its link (none: a therapist's view of a request),
    its times, its patient and its line of details. A tuple: the template unpacks it (five
    attribute lookups per block cost more than the block's cell)."""

    css: str
    href: str
    span: str
    patient: str
    detail: str


def make_cell(kind: str, rowspan: int = 1, shown=(), words: str = "") -> tuple:
    """One cell of the body, ``(kind, rowspan, shown, words)``: ``kind`` is free,
    unavailable, lane, book, block or stack; ``shown`` a block's or stack's blocks, or a book
    cell's link, with its words in ``words``. A tuple: the template unpacks it, where an
    attribute lookup per cell cost more than the rest of the cell."""
    return (kind, rowspan, shown, words)


FREE, UNAVAILABLE, LANE_CELL = make_cell("free"), make_cell("unavailable"), make_cell("lane")


def _clock(moment) -> str:
    """``f"{moment:%-I:%M}"`` without strftime (a few times per block)."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d}"


def _repeated(local: datetime.datetime) -> bool:
    """Whether the wall clock shows this time twice (an autumn change's repeated hour)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def span(block: Block, tz) -> str:
    """The block's times as the grid shows them: "9:30–10:15 AM"; across a change of offset,
    or in a repeated hour, each time with its offset's name: "1:30 AM EDT–1:15 AM EST"."""
    local_start, local_end = block.start.astimezone(tz), block.end.astimezone(tz)
    # Only a day with a change has a repeated hour or two offsets (asked once per day).
    if (_changes(local_start.date(), tz) or _changes(local_end.date(), tz)) and (
        local_start.utcoffset() != local_end.utcoffset()
        or _repeated(local_start)
        or _repeated(local_end)
    ):
        return (
            f"{_label(local_start, local_start.tzname())}–{_label(local_end, local_end.tzname())}"
        )
    return f"{_clock(local_start)}–{_clock(local_end)} {'AM' if local_end.hour < 12 else 'PM'}"


_STAND_IN = 987654320


def linker(name: str):
    """``pk -> link(name, pk)``: the URL made once per page, the id put in its place per
    block (a page has hundreds)."""
    head, _, tail = link(name, _STAND_IN).partition(str(_STAND_IN))
    return lambda pk: f"{head}{pk}{tail}"


class Links:
    """The links of a page's blocks."""

    def __init__(self):
        self.appointment = linker("scheduling:appointment_detail")
        self.request = linker("scheduling:request_detail")


def shown(block: Block, tz, links: Links, *, may_book: bool, lane: bool) -> Shown:
    """A request is tentative: said in words ("Requested · pending"), not by its stripes
    alone; only the front desk may open one."""
    if not block.request:
        status = STATUS_LABELS.get(block.status, block.status)
        return Shown(
            f"appointment {STATUS_CLASSES.get(block.status, '')}".strip(),
            links.appointment(block.pk),
            span(block, tz),
            block.patient,
            f"{block.case} · {block.type} · {status}"
            + (" · Over the authorization" if block.over_authorization else ""),
        )
    suggested = f" · suggested: {block.suggested}" if lane else ""
    return Shown(
        "tentative",
        links.request(block.pk) if may_book else "",
        span(block, tz),
        block.patient,
        f"Requested · pending · {block.type}, {block.duration} min{suggested}",
    )


_LATEST = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _working_at(working: list, start: datetime.datetime, end: datetime.datetime) -> bool:
    # ``working`` is merged and sorted (``slots.open_intervals``): one bisect per cell.
    index = bisect.bisect_right(working, (start, _LATEST)) - 1
    return index >= 0 and working[index][0] <= start and end <= working[index][1]


def _quarter(moment: datetime.datetime) -> datetime.datetime:
    """The start of the grid row ``moment`` falls in (every zone's offset is whole quarters)."""
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _clusters(blocks: list[Block]) -> list[list[Block]]:
    """The column's appointments and requests, those sharing a row of the grid grouped: one
    cell each, so a request over an appointment (or another request) is shown beside it, never
    hidden under it."""
    clusters: list[list] = []
    last_row_end = None
    for block in sorted(blocks, key=lambda block: (block.start, block.request, block.pk)):
        if clusters and _quarter(block.start) < last_row_end:
            clusters[-1].append(block)
            last_row_end = max(last_row_end, block.end)
        else:
            clusters.append([block])
            last_row_end = block.end
    return clusters


def _cluster_cell(cluster, rowspan: int, tz, links, *, may_book: bool, lane: bool) -> tuple:
    blocks = [shown(block, tz, links, may_book=may_book, lane=lane) for block in cluster]
    return make_cell("block" if len(blocks) == 1 else "stack", rowspan, blocks)


def _booking(column: Column, location_pk: int) -> tuple[str, str]:
    """The link and words of the column's free cells that book, but for the row's time: made
    once per column, finished per cell as whole strings (the template writes two values)."""
    query = urlencode(
        {"therapist": column.therapist.pk, "location": location_pk, "date": column.day.isoformat()}
    )
    who = column.label if column.therapist_column else column.therapist.name
    words = f"Book {who} on {column.day:%b} {column.day.day} at"
    return f"{link('scheduling:appointment_create')}?{query}&", words


def _column_cells(column: Column, rows, moments, tz, links, *, location_pk, may_book) -> list:
    """One column's cells, top to bottom; a block's rowspan skips the cells it covers. A
    row whose time the column's day does not have (skipped by a spring change, or the second
    pass of an autumn change's repeated hour on another day) is shaded."""
    count = len(rows)
    starts: dict[tuple, list] = {}
    for cluster in _clusters(column.blocks):
        local = cluster[0].start.astimezone(tz)
        starts[(_quarter(local).time(), local.fold)] = cluster
    book = may_book and not column.lane
    if book:
        head, words = _booking(column, location_pk)
    cells, row = [], 0
    while row < count:
        start, at = moments[row], rows[row]
        cluster = starts.get((at.time, at.fold)) if starts else None
        if cluster is not None:
            end = max(block.end for block in cluster)
            covered = row + 1
            while covered < count and (moments[covered] is None or moments[covered] < end):
                covered += 1
            cells.append(
                _cluster_cell(
                    cluster, covered - row, tz, links, may_book=may_book, lane=column.lane
                )
            )
            cells.extend([None] * (covered - row - 1))
            row = covered
            continue
        if column.lane:
            cells.append(LANE_CELL)
        elif start is None or not _working_at(column.working, start, start + STEP):
            cells.append(UNAVAILABLE)
        elif book and at.query:
            cells.append(("book", 1, f"{head}{at.query}", f"{words} {at.label}"))
        else:
            cells.append(FREE)
        row += 1
    return cells


@dataclass(frozen=True, slots=True)
class Row:
    """A row of the grid: a wall-clock time and which of its passes (``fold``, 1 for the
    second pass of an autumn change's repeated hour), its label, and the booking link's
    time ("" where the booking form, which reads a wall-clock time, would take the first)."""

    time: datetime.time
    fold: int
    label: str
    query: str


def _moment(day: datetime.date, time: datetime.time, fold: int, tz):
    """The moment the wall clock shows ``time`` on ``day`` (``fold``: which pass), or None
    when it never does."""
    local = datetime.datetime.combine(day, time, tzinfo=tz).replace(fold=fold)
    moment = local.astimezone(datetime.UTC)
    back = moment.astimezone(tz)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None) or back.fold != fold:
        return None
    return moment


def _label(time, tz_name: str = "") -> str:
    return f"{time:%-I:%M %p} {tz_name}".rstrip()


def _rows(days, times, tz) -> tuple[list[Row], dict]:
    """The rows of ``days`` and each day's moment per row. On a day of a change the clock
    skips times (no moment) or shows some twice: those get a second row after the first
    pass of the repeated hour, and both passes are labelled with their offset's name."""
    moments = {day: [slots.wall(day, time, tz) for time in times] for day in days}
    changing = [day for day in days if _changes(day, tz)]
    exists, repeated = set(range(len(times))) if len(changing) < len(days) else set(), {}
    for day in changing:
        column = moments[day] = [_moment(day, time, 0, tz) for time in times]
        exists.update(index for index, moment in enumerate(column) if moment is not None)
        for index, time in enumerate(times):
            second = _moment(day, time, 1, tz)
            if second is not None and index not in repeated:
                repeated[index] = (day, second)
    rows, second_pass = [], []
    for index, time in enumerate(times):
        if index in repeated:
            day, second = repeated[index]
            first_name = moments[day][index].astimezone(tz).tzname()
            rows.append(Row(time, 0, _label(time, first_name), _query(time)))
            second_name = second.astimezone(tz).tzname()
            second_pass.append(Row(time, 1, _label(time, second_name), ""))
        elif index in exists:
            rows.append(Row(time, 0, _label(time), _query(time)))
        if second_pass and index + 1 not in repeated:
            rows.extend(second_pass)
            second_pass = []
    by_day = {day: _align(day, rows, times, moments[day], tz) for day in days}
    return rows, by_day


def _align(day, rows, times, first_pass, tz) -> list:
    """The day's moment per row: its first-pass moments, the second pass computed."""
    at = {time: moment for time, moment in zip(times, first_pass, strict=True)}
    return [at[row.time] if row.fold == 0 else _moment(day, row.time, 1, tz) for row in rows]


@functools.lru_cache(maxsize=512)
def _changes(day: datetime.date, tz) -> bool:
    """Whether the offset of ``tz`` changes during ``day``."""
    start, end = slots.day_bounds(day, tz)
    return start.astimezone(tz).utcoffset() != end.astimezone(tz).utcoffset()


def _query(time: datetime.time) -> str:
    return urlencode({"time": f"{time:%H:%M}"})


def grid_rows(columns: list[Column], tz, times: list[datetime.time], *, location_pk, may_book):
    """``[(time label, cells)]``: a row per wall-clock time (two for a time an autumn change
    repeats); a cell a block above covers is left out of its row."""
    links = Links()
    rows, moments = _rows(list(dict.fromkeys(column.day for column in columns)), times, tz)
    by_column = [
        _column_cells(
            column, rows, moments[column.day], tz, links, location_pk=location_pk, may_book=may_book
        )
        for column in columns
    ]
    cells_of = zip(*by_column, strict=True) if by_column else [()] * len(rows)
    return [
        (row.label, [cell for cell in cells if cell is not None])
        for row, cells in zip(rows, cells_of, strict=True)
    ]


def grid_times(hours: list[slots.Weekly], blocks: list[Block], tz) -> list[datetime.time]:
    """Every quarter hour from the earliest opening (or appointment, or request) to the latest
    close (or end of one; to midnight for one that ends on a later day)."""

    def minutes(time: datetime.time) -> int:
        return time.hour * 60 + time.minute

    opening = [minutes(row.start) for row in hours] or [minutes(DEFAULT_OPEN)]
    closing = [minutes(row.end) for row in hours] or [minutes(DEFAULT_CLOSE)]
    for block in blocks:
        local_start, local_end = block.start.astimezone(tz), block.end.astimezone(tz)
        opening.append(minutes(local_start.time()))
        same_day = local_end.date() == local_start.date()
        closing.append(minutes(local_end.time()) if same_day else 24 * 60)
    first, last = min(opening), min(max(closing), 24 * 60)
    return [
        datetime.time(quarter // 60, quarter % 60)
        for quarter in range(first - first % 15, last, 15)
    ]
