"""The period a dashboard shows and the tables it is made of (screen and CSV alike)."""

import html
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.utils.safestring import SafeString, mark_safe

from ..services import LONDON, local_midnight, monday

CHANNELS = ("999", "101")
DEFAULT_DAYS = 28
DEFAULT_HOURS = Decimal("2")
AGE_BANDS = ((0, 7, "Under 7 days"), (7, 28, "7–27 days"), (28, 90, "28–89 days"))
AGE_OLDEST = "90 days or more"
PAGE_ROWS = 50
TOP_DWELLINGS = 10
BUSIEST_CANDIDATES = (100, 5000)  # tried in turn until the top ten is proved


@dataclass(frozen=True)
class Week:
    monday: date
    first: date  # first day of the week inside the range
    last: date

    @property
    def partial(self) -> bool:
        return (self.last - self.first).days < 6


@dataclass(frozen=True)
class Period:
    """The filters of a dashboard view: London days start..end inclusive, channel, hours."""

    start: date
    end: date
    channel: str = ""  # "" = both channels
    hours: Decimal = DEFAULT_HOURS

    @classmethod
    def default(cls, today: date) -> "Period":
        return cls(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)

    @property
    def channels(self) -> tuple[str, ...]:
        return (self.channel,) if self.channel else CHANNELS

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        """The first instant after the range (exclusive bound)."""
        return local_midnight(self.end + timedelta(days=1))

    @property
    def weeks(self) -> list[Week]:
        weeks, week = [], monday(self.start)
        while week <= self.end:
            weeks.append(Week(week, max(week, self.start), min(week + timedelta(6), self.end)))
            week += timedelta(days=7)
        return weeks

    @property
    def hours_label(self) -> str:
        return f"{self.hours.normalize():f}"

    def params(self) -> dict[str, str]:
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.channel:
            params["channel"] = self.channel
        if self.hours != DEFAULT_HOURS:
            params["hours"] = self.hours_label
        return params

    @property
    def query(self) -> str:
        return urlencode(self.params())

    def describe(self) -> str:
        channel = f"{self.channel} calls only" if self.channel else "999 and 101 calls"
        return f"{day_text(self.start)} to {day_text(self.end)}, {channel}"


def day_text(day: date) -> str:
    """A day as people read it everywhere (SCREENS.md): 7 Dec 2026."""
    return f"{day.day} {day:%b %Y}"


def short_day_text(day: date) -> str:
    """A day on a chart's axis, where the range gives the year: 7 Dec."""
    return f"{day.day} {day:%b}"


def moment_text(moment: datetime) -> str:
    """A moment as people read it everywhere, in London time: 7 Dec 2026 14:05."""
    local = moment.astimezone(LONDON)
    return f"{day_text(local)} {local:%H:%M}"


@dataclass(frozen=True)
class Words:
    """A coded cell: the words people read on the page, and the text the CSV export has
    always carried (codes and labels that integrations read are never changed).

    ``secondary`` is a small label shown after the words (a rule's id); ``href`` links
    the cell to its record.
    """

    text: str
    export: str
    secondary: str = ""
    href: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text | int | pct | hours | date | datetime | duration
    export_label: str = ""  # the CSV header, where it differs from what the page says

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "pct", "pct2", "hours")

    @property
    def header(self) -> str:
        """The CSV header (without its unit)."""
        return self.export_label or self.label


def _pct(part, whole, digits: int = 1) -> float | None:
    return None if not whole else round(100 * part / whole, digits)


def _cell_text(value, kind: str, *, csv: bool = False) -> str:
    if value is None:
        return "" if csv else "–"
    if isinstance(value, Words):
        return value.export if csv else value.text
    if isinstance(value, str):
        return value
    if kind == "pct":
        return f"{value:.1f}" if csv else f"{value:.1f}%"
    if kind == "pct2":  # small shares, such as the repeat-caller share (0.14% in Farmington)
        return f"{value:.2f}" if csv else f"{value:.2f}%"
    if kind == "hours":  # rounded half up, as the page's cards round (floatformat)
        tenths = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{tenths:.1f}" if csv else f"{tenths:,.1f}"
    if kind == "int":
        return str(value) if csv else f"{value:,}"
    if kind == "date":
        return value.isoformat() if csv else day_text(value)
    if kind == "datetime":
        local = value.astimezone(LONDON)
        return local.isoformat(timespec="seconds") if csv else moment_text(local)
    if kind == "duration":
        seconds = int(value.total_seconds())
        return str(seconds) if csv else f"{seconds // 60} min {seconds % 60} s"
    return str(value)


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list = field(default_factory=list)
    note: str = ""
    total: tuple | None = None  # an optional totals row
    empty: str = "Nothing in this period."  # what the page says when there are no rows
    marked: frozenset = frozenset()  # (row, column) cells to pick out, as on a diagonal

    def text_rows(self) -> list[list[str]]:
        """The rows as shown on screen."""
        return [
            [_cell_text(v, c.kind) for v, c in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]

    def as_html(self) -> SafeString:
        """The table as HTML, built here rather than in a template: a year of days is
        thousands of cells, and the template engine would spend most of the request on them."""
        opening = ['<td class="num">' if c.numeric else "<td>" for c in self.columns]
        marked = self.marked

        def row(values, r=None):
            cells = [
                _cell_html(o, v, c, marked=(r, i) in marked)
                for i, (o, v, c) in enumerate(zip(opening, values, self.columns, strict=True))
            ]
            return "<tr>" + "".join(cells) + "</tr>"

        head = "".join(
            ('<th scope="col" class="num">' if c.numeric else '<th scope="col">')
            + html.escape(c.label)
            + "</th>"
            for c in self.columns
        )
        body = "\n".join(row(values, r) for r, values in enumerate(self.rows)) or (
            f'<tr><td colspan="{len(self.columns)}" class="empty-row">'
            f"{html.escape(self.empty)}</td></tr>"
        )
        foot = f"<tfoot>{row(self.total)}</tfoot>" if self.total else ""
        return mark_safe(  # noqa: S308 - every text is escaped above
            f'<table class="data"><caption>{html.escape(self.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody>{foot}</table>"
        )

    def csv_header(self) -> list[str]:
        labels = []
        for col in self.columns:
            unit = {"pct": " (%)", "pct2": " (%)", "duration": " (seconds)"}.get(col.kind, "")
            labels.append(col.header + unit)
        return labels

    def csv_rows(self):
        rows = list(self.rows) + ([self.total] if self.total else [])
        for row in rows:
            yield [
                _cell_text(value, col.kind, csv=True)
                for value, col in zip(row, self.columns, strict=True)
            ]


def _cell_html(opening: str, value, column: Column, *, marked: bool = False) -> str:
    if marked:
        opening = '<td class="num marked">' if column.numeric else '<td class="marked">'
    text = html.escape(_cell_text(value, column.kind))
    if isinstance(value, Words):
        if value.href:
            text = f'<a href="{html.escape(value.href)}">{text}</a>'
        if value.secondary:
            text += f' <span class="rule-id">{html.escape(value.secondary)}</span>'
    return opening + text + "</td>"


_LABELS = {"awol": "AWOL", "NHS_111": "NHS 111", "GP": "GP", "s136_handover": "s136 handover"}


def _label(value: str) -> str:
    """An engine code as the CSV exports have always written it (MENTAL_HEALTH_CRISIS ->
    Mental health crisis): kept for the files integrations read. Pages use ``Words``."""
    if not value:
        return "(none)"
    return _LABELS.get(value) or value.replace("_", " ").capitalize()
