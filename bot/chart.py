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

from bot.summary import Report
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

    return rc_context({"font.family": "sans-serif", "font.sans-serif": [FONT]})


def _cumulative(times: list[datetime]) -> tuple[list[datetime], list[int]]:
    ordered = sorted(times)
    return ordered, list(range(1, len(ordered) + 1))


def _timeline(ax: Axes, report: Report, lang: str) -> None:
    from matplotlib import dates as mdates

    tz = report.timezone
    acks = [r.acknowledged_at.astimezone(tz) for r in report.rows if r.acknowledged_at]
    dones = [r.completed_at.astimezone(tz) for r in report.rows if r.completed_at]
    for times, key in ((acks, "chart.acknowledged"), (dones, "chart.completed")):
        if times:
            xs, ys = _cumulative(times)
            label = _plain(lang, key, count=len(times))
            # matplotlib plots datetimes; its stubs only know arrays of numbers.
            ax.step(cast(Any, xs), ys, where="post", label=label)
    ax.axhline(report.counts.total, color="grey", linestyle=":", linewidth=1)
    ax.set_ylim(0, max(1, report.counts.total) * 1.05)
    ax.set_title(_plain(lang, "chart.timeline"))
    ax.set_ylabel(_plain(lang, "chart.agencies"))
    # matplotlib's DateFormatter is not annotated: mypy sees an untyped call.
    formatter = mdates.DateFormatter("%d/%m\n%H:%M", tz=tz)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    if acks or dones:
        ax.legend(loc="lower right")
    else:
        _empty(ax, lang)


def _groups(ax: Axes, report: Report, lang: str) -> None:
    totals: dict[str, int] = defaultdict(int)
    acked: dict[str, int] = defaultdict(int)
    for row in report.rows:
        totals[row.group] += 1
        acked[row.group] += row.acknowledged_at is not None
    groups = sorted(totals, key=lambda g: (-totals[g], g))[:MAX_GROUPS][::-1]
    rates = [100 * acked[g] / totals[g] for g in groups]
    labels = [f"{g} ({totals[g]})" for g in groups]
    ax.barh(labels, rates, color="#2a7ab0")
    ax.set_xlim(0, 100)
    ax.set_title(_plain(lang, "chart.by_group"))
    ax.set_xlabel(_plain(lang, "chart.rate"))
    if not groups:
        _empty(ax, lang)


def _delays(ax: Axes, report: Report, lang: str) -> None:
    hours = [
        max(0.0, (r.acknowledged_at - r.sent_at).total_seconds() / 3600)
        for r in report.rows
        if r.acknowledged_at and r.sent_at
    ]
    if hours:
        ax.hist(hours, bins=min(30, max(5, len(hours) // 5)), color="#e07b39")
    else:
        _empty(ax, lang)
    ax.set_title(_plain(lang, "chart.delays"))
    ax.set_xlabel(_plain(lang, "chart.hours"))
    ax.set_ylabel(_plain(lang, "chart.agencies"))


def _empty(ax: Axes, lang: str) -> None:
    ax.text(
        0.5, 0.5, _plain(lang, "chart.no_data"), ha="center", va="center", transform=ax.transAxes
    )
