"""The /stats chart: axes that show the data, "no deliveries yet" instead of an empty plot, the size it says."""

from __future__ import annotations

import dataclasses
import datetime as dt
import struct

from bot.render.charts import DPI, HEIGHT_INCHES, WIDTH_INCHES, chart_figure, render_chart
from storage.stats import Stats
from tests.render.test_editor import T0, stats


def series(sent: list[int], subscribed: list[int]) -> Stats:
    hours = tuple((T0 - dt.timedelta(hours=len(sent) - 1 - n), count) for n, count in enumerate(sent))
    days = tuple((T0.date() - dt.timedelta(days=len(subscribed) - 1 - n), c) for n, c in enumerate(subscribed))
    return dataclasses.replace(stats(None), sent_by_hour=hours, subscribed_by_day=days)


def texts(axes) -> list[str]:
    return [text.get_text() for text in axes.texts]


def test_no_deliveries_says_so_instead_of_an_empty_axis() -> None:
    top, bottom = chart_figure(series([0] * 24, [0] * 30)).axes
    assert any("No deliveries" in text for text in texts(bottom))
    assert bottom.get_yticks().size == 0  # no 0.00…0.05 scale for nothing
    low, high = top.get_ylim()
    assert low == 0 and high >= 1  # whole readers, never a 0-0.05 axis
    assert all(float(tick).is_integer() for tick in top.get_yticks())


def test_a_little_data_fills_the_axis_with_whole_numbers() -> None:
    top, bottom = chart_figure(series([0] * 23 + [3], [2] * 29 + [3])).axes
    low, high = bottom.get_ylim()
    assert low == 0 and 3 <= high <= 5
    assert all(float(tick).is_integer() for tick in bottom.get_yticks())
    assert not any("No deliveries" in text for text in texts(bottom))
    low, high = top.get_ylim()
    assert low == 0 and 3 <= high <= 5


def test_the_png_has_the_size_it_declares() -> None:
    for figures in (series([0] * 24, [0] * 30), series([5000] * 24, [1_234_567] * 30)):
        png = render_chart(figures)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (int(WIDTH_INCHES * DPI), int(HEIGHT_INCHES * DPI))


def test_the_hours_are_the_publishers_with_the_zone_named() -> None:
    from zoneinfo import ZoneInfo

    figures = dataclasses.replace(series([1] * 24, [1] * 30), timezone=ZoneInfo("Europe/Moscow"))
    _, bottom = chart_figure(figures).axes
    labels = [label.get_text() for label in bottom.get_xticklabels()]
    assert labels[-1] == "09:00", labels  # T0 is 06:00 UTC
    assert "MSK" in bottom.get_title(loc="left") and "UTC" not in bottom.get_title(loc="left")
