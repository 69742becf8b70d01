"""The summary chart (PNG): how answers came in, which groups lag, how long agencies took.

Three panels from the report's rows: acknowledgements and completions over time
(cumulative), the acknowledgement rate by agency group, and the distribution of the time
to acknowledge. matplotlib's object API with the Agg canvas (no pyplot, no display, safe in
a worker thread) and DejaVu Sans, which ships with matplotlib and has every Vietnamese
diacritic. matplotlib is imported here only, so the bot starts without paying for it.
"""

from __future__ import annotations

import html
import io
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from bot.reports.summary import Report
from bot.texts import t

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from matplotlib.axes import Axes

FONT = "DejaVu Sans"
SIZE_INCHES = (15.0, 5.0)
DPI = 100  # 1500 × 500 pixels
MAX_GROUPS = 12


def _plain(lang: str, key: str, **params: object) -> str:
    """A catalogue text for a picture, not for Telegram: no HTML escapes."""
    return html.unescape(t(lang, key, **params))


def build_chart(report: Report, lang: str = "vi") -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    with _font():
        timeline, by_group, delays = figure.subplots(1, 3, width_ratios=(1.3, 1, 1))
        d = report.directive
        figure.suptitle(_plain(lang, "chart.title", number=d.number, count=report.counts.total))
        _timeline(timeline, report, lang)
        _groups(by_group, report, lang)
        _delays(delays, report, lang)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _font() -> AbstractContextManager[None]:
    from matplotlib import rc_context

    # Every label is plain text: a letter number like "12/$X$" or a group name with "$" must
    # not be read as mathtext, which raised on an unbalanced "$" and broke /report.
    return rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT],
            "text.parse_math": False,
            "text.usetex": False,
        }
    )


def _cumulative(
    times: list[datetime], start: datetime, end: datetime
) -> tuple[list[datetime], list[int]]:
    """A step curve from 0 at the first send to the count at the report's time."""
    ordered = sorted(times)
    return [start, *ordered, max(end, ordered[-1])], [0, *range(1, len(ordered) + 1), len(ordered)]


def _timeline(ax: Axes, report: Report, lang: str) -> None:
    from matplotlib import dates as mdates

    tz = report.timezone
    acks = [r.acknowledged_at.astimezone(tz) for r in report.rows if r.acknowledged_at]
    dones = [r.completed_at.astimezone(tz) for r in report.rows if r.completed_at]
    start = (report.counts.first_sent_at or report.directive.created_at).astimezone(tz)
    for times, key in ((acks, "chart.acknowledged"), (dones, "chart.completed")):
        if times:
            xs, ys = _cumulative(times, min(start, *times), report.now.astimezone(tz))
            label = _plain(lang, key, count=len(times))
            # matplotlib plots datetimes; its stubs only know arrays of numbers.
            ax.step(cast(Any, xs), ys, where="post", label=label)
    ax.axhline(report.counts.total, color="grey", linestyle=":", linewidth=1)
    ax.set_ylim(0, max(1, report.counts.total) * 1.05)
    ax.set_title(_plain(lang, "chart.timeline"))
    ax.set_ylabel(_plain(lang, "chart.agencies"))
    # Ticks that suit any span, from seconds (the demo) to weeks; not annotated for mypy.
    locator = mdates.AutoDateLocator(tz=tz)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(date_formatter(locator, tz))
    if acks or dones:
        ax.legend(loc="upper left")
    else:
        _empty(ax, lang)


# Dates as a Vietnamese clerk writes them (02/12/2026), never English month names. The
# levels are years, months, days, hours, minutes, seconds.
TICK_FORMATS = ["%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M", "%H:%M:%S"]
ZERO_FORMATS = ["", "%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M"]
OFFSET_FORMATS = ["", "%Y", "%m/%Y", "%d/%m/%Y", "%d/%m/%Y", "%d/%m/%Y %H:%M"]


def date_formatter(locator: Any, tz: Any) -> Any:
    """matplotlib's concise date labels, in dd/mm/yyyy form."""
    from matplotlib import dates as mdates

    return mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
        locator,
        tz=tz,
        formats=TICK_FORMATS,
        zero_formats=ZERO_FORMATS,
        offset_formats=OFFSET_FORMATS,
    )


def group_bars(report: Report) -> list[tuple[str, float]]:
    """(label, acknowledgement rate in %) per group, the largest group at the top of the
    chart (last), labelled with the group's name as a clerk reads it and its size."""
    totals: dict[str, int] = defaultdict(int)
    acked: dict[str, int] = defaultdict(int)
    for row in report.rows:
        totals[row.group] += 1
        acked[row.group] += row.acknowledged_at is not None
    groups = sorted(totals, key=lambda g: (-totals[g], g))[:MAX_GROUPS][::-1]
    return [(f"{report.group_name(g)} ({totals[g]})", 100 * acked[g] / totals[g]) for g in groups]


def _groups(ax: Axes, report: Report, lang: str) -> None:
    bars = group_bars(report)
    ax.barh([label for label, _ in bars], [rate for _, rate in bars], color="#2a7ab0")
    ax.set_xlim(0, 100)
    ax.set_title(_plain(lang, "chart.by_group"))
    ax.set_xlabel(_plain(lang, "chart.rate"))
    if not bars:
        _empty(ax, lang)


# The histogram's unit: the largest whose values are not all below 2 of it.
UNITS = ((86400.0, "chart.days"), (3600.0, "chart.hours"), (60.0, "chart.minutes"))


def _delays(ax: Axes, report: Report, lang: str) -> None:
    from matplotlib.ticker import MaxNLocator

    seconds = [
        max(0.0, (r.acknowledged_at - r.sent_at).total_seconds())
        for r in report.rows
        if r.acknowledged_at and r.sent_at
    ]
    longest = max(seconds, default=0.0)
    unit, key = next(((u, k) for u, k in UNITS if longest >= 2 * u), (1.0, "chart.seconds"))
    if seconds:
        values = [s / unit for s in seconds]
        ax.hist(values, bins=min(30, max(5, len(values) // 5)), color="#e07b39")
    else:
        _empty(ax, lang)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(_plain(lang, "chart.delays"))
    ax.set_xlabel(_plain(lang, key))
    ax.set_ylabel(_plain(lang, "chart.agencies"))


def _empty(ax: Axes, lang: str) -> None:
    ax.text(
        0.5, 0.5, _plain(lang, "chart.no_data"), ha="center", va="center", transform=ax.transAxes
    )
