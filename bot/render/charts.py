"""The ``/stats`` chart: subscribers over time and deliveries per hour, as PNG bytes.

Drawn with matplotlib's object-oriented :class:`~matplotlib.figure.Figure` on an explicit Agg canvas, never
through pyplot: no global figure registry, no GUI backend picked at import, and safe in a worker thread (the
handler runs it in ``asyncio.to_thread`` so the bot keeps answering meanwhile).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.render.editor import CHART_NO_DELIVERIES, CHART_SUBSCRIBERS, chart_hours, short_day, tick_labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from storage.stats import Stats

# matplotlib (with numpy, PIL, pyparsing) costs 1.5 s and 60 MB to import: it loads when /stats draws.

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 6.0, 100
LINE_COLOUR, BAR_COLOUR = "#1f5fa8", "#d9822b"


def render_chart(stats: Stats) -> bytes:
    """The chart as PNG bytes, exactly WIDTH_INCHES x HEIGHT_INCHES at DPI (no tight cropping)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(chart_figure(stats)).print_png(buffer)
    return buffer.getvalue()


def chart_figure(stats: Stats) -> Figure:
    """Two panels, one above the other; positions on the x axis, so ticks need no date locale."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    top, bottom = figure.subplots(2, 1)

    days = [day for day, _ in stats.subscribed_by_day]
    subscribed = [count for _, count in stats.subscribed_by_day]
    top.plot(range(len(days)), subscribed, color=LINE_COLOUR, marker="o", ms=3)
    top.set_title(CHART_SUBSCRIBERS, loc="left")
    top.set_xticks(range(len(days)), tick_labels([short_day(day) for day in days], every=5))
    _whole_numbers(top, max(subscribed, default=0))

    title, hours = chart_hours(stats)
    sent = [count for _, count in stats.sent_by_hour]
    bottom.set_title(title, loc="left")
    bottom.set_xticks(range(len(hours)), tick_labels(hours, every=3))
    if any(sent):
        bottom.bar(range(len(hours)), sent, color=BAR_COLOUR)
        _whole_numbers(bottom, max(sent))
    else:
        # An empty bar chart on a 0-0.05 scale says nothing: say it in words.
        bottom.set_xlim(-0.5, max(len(hours), 1) - 0.5)
        bottom.set_yticks([])
        bottom.text(0.5, 0.5, CHART_NO_DELIVERIES, transform=bottom.transAxes, ha="center", va="center", color="0.4")

    for axes in (top, bottom):
        axes.spines[["top", "right"]].set_visible(False)
    return figure


def _whole_numbers(axes: Axes, highest: int) -> None:
    """A y axis from 0 with room above the highest value, ticked in whole readers or messages."""
    from matplotlib.ticker import MaxNLocator

    axes.set_ylim(0, max(1, highest) * 1.15)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    axes.grid(axis="y", alpha=0.3)
