"""The ``/stats`` chart: subscribers over time and deliveries per hour, as PNG bytes.

Drawn with matplotlib's object-oriented :class:`~matplotlib.figure.Figure` on an explicit Agg canvas, never
through pyplot: no global figure registry, no GUI backend picked at import, and safe in a worker thread (the
handler runs it in ``asyncio.to_thread`` so the bot keeps answering meanwhile).
"""

from __future__ import annotations

import io

from bot.render.editor import CHART_SENT, CHART_SUBSCRIBERS, short_day, tick_labels
from storage.stats import Stats

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 6.0, 100
LINE_COLOUR, BAR_COLOUR = "#1f5fa8", "#d9822b"


def render_chart(stats: Stats) -> bytes:
    """Two panels, one above the other; positions on the x axis, so ticks need no date locale."""
    # matplotlib (with numpy, PIL, pyparsing) costs 1.5 s and 60 MB to import: only /stats pays for it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    top, bottom = figure.subplots(2, 1)

    days = [day for day, _ in stats.subscribed_by_day]
    top.plot(range(len(days)), [count for _, count in stats.subscribed_by_day], color=LINE_COLOUR, marker="o", ms=3)
    top.set_title(CHART_SUBSCRIBERS, loc="left")
    top.set_xticks(range(len(days)), tick_labels([short_day(day) for day in days], every=5))
    top.set_ylim(bottom=0)
    top.grid(axis="y", alpha=0.3)

    hours = [hour for hour, _ in stats.sent_by_hour]
    bottom.bar(range(len(hours)), [count for _, count in stats.sent_by_hour], color=BAR_COLOUR)
    bottom.set_title(CHART_SENT, loc="left")
    bottom.set_xticks(range(len(hours)), tick_labels([f"{hour:%H}:00" for hour in hours], every=3))
    bottom.set_ylim(bottom=0)
    bottom.grid(axis="y", alpha=0.3)

    for axes in (top, bottom):
        axes.spines[["top", "right"]].set_visible(False)
        # Whole readers and whole messages: no "2.5" ticks on a small chart.
        axes.yaxis.get_major_locator().set_params(integer=True)

    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()
