"""Reading /timezone, /time and /pause: every accepted form, every refusal and what it tells the reader."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from zoneinfo import ZoneInfo

import pytest

from bot.rules.preferences import PreferenceError
from bot.rules.timezones import (
    ALIASES,
    CITIES,
    MAX_PAUSE_DAYS,
    PARTIAL_HOUR_ZONES,
    PAUSE_EXAMPLE,
    TIMEZONE_EXAMPLE,
    TimezoneChoice,
    infer_offset,
    parse_delivery_time,
    parse_pause_days,
    parse_timezone,
)

NOW = dt.datetime(2024, 6, 1, 11, 35, tzinfo=dt.UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def offset_of(tz_name: str, when: dt.datetime = NOW) -> dt.timedelta | None:
    return when.astimezone(ZoneInfo(tz_name)).utcoffset()


@pytest.mark.parametrize(
    ("text", "tz_name"),
    [
        # IANA names, any case, old names resolved.
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  EUROPE/BERLIN ", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("Asia/Tel_Aviv", "Asia/Jerusalem"),
        ("Japan", "Asia/Tokyo"),
        ("Etc/UTC", "UTC"),
        ("Europe/Oslo", "Europe/Oslo"),
        # Aliases.
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "UTC"),
        ("Zulu", "UTC"),
        ("CET", "Europe/Berlin"),
        ("MSK", "Europe/Moscow"),
        ("Moscow time", "Europe/Moscow"),
        ("EST", "America/New_York"),
        ("PST", "America/Los_Angeles"),
        ("IST", "Asia/Kolkata"),
        # Cities that are zones.
        ("Berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New-York", "America/New_York"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Kyiv", "Europe/Kyiv"),
        ("Kiev", "Europe/Kyiv"),
        ("Tbilisi", "Asia/Tbilisi"),
        ("Yerevan", "Asia/Yerevan"),
        ("Almaty", "Asia/Almaty"),
        ("Riga", "Europe/Riga"),
        ("London", "Europe/London"),
        ("Paris", "Europe/Paris"),
        ("Los Angeles", "America/Los_Angeles"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("port au prince", "America/Port-au-Prince"),
        ("Oslo", "Europe/Oslo"),
        ("Zürich", "Europe/Zurich"),
        # Cities that are not.
        ("Saint Petersburg", "Europe/Moscow"),
        ("St. Petersburg", "Europe/Moscow"),
        ("st petersburg", "Europe/Moscow"),
        ("San Francisco", "America/Los_Angeles"),
        ("Beijing", "Asia/Shanghai"),
        ("Mumbai", "Asia/Kolkata"),
        ("Delhi", "Asia/Kolkata"),
        ("Tel Aviv", "Asia/Jerusalem"),
        ("München", "Europe/Berlin"),
        ("NYC", "America/New_York"),
        # A city with its country, a city with "time".
        ("Berlin, Germany", "Europe/Berlin"),
        ("London time", "Europe/London"),
        # Countries with one time.
        ("Germany", "Europe/Berlin"),
        ("India", "Asia/Kolkata"),
        ("UK", "Europe/London"),
        # Typos.
        ("Berlni", "Europe/Berlin"),
        ("Moskow", "Europe/Moscow"),
        ("Londn", "Europe/London"),
        ("Sidney", "Australia/Sydney"),
    ],
)
def test_named_timezones(text: str, tz_name: str) -> None:
    assert parse_timezone(text, now=NOW) == TimezoneChoice(tz_name, tz_name)


@pytest.mark.parametrize(
    ("text", "tz_name", "label", "hours"),
    [
        ("UTC+3", "Etc/GMT-3", "UTC+03:00", 3),
        ("utc+3", "Etc/GMT-3", "UTC+03:00", 3),
        ("UTC +3", "Etc/GMT-3", "UTC+03:00", 3),
        ("GMT+2", "Etc/GMT-2", "UTC+02:00", 2),
        ("+03:00", "Etc/GMT-3", "UTC+03:00", 3),
        ("+3", "Etc/GMT-3", "UTC+03:00", 3),
        ("UTC-5", "Etc/GMT+5", "UTC-05:00", -5),
        ("-0500", "Etc/GMT+5", "UTC-05:00", -5),
        ("UTC+14", "Etc/GMT-14", "UTC+14:00", 14),
        ("UTC-12", "Etc/GMT+12", "UTC-12:00", -12),
        ("UTC+0", "UTC", "UTC", 0),
        ("+00:00", "UTC", "UTC", 0),
        # An Etc name typed as is keeps its POSIX meaning, and the label says which offset that is.
        ("Etc/GMT+3", "Etc/GMT+3", "UTC-03:00", -3),
        ("etc/gmt-3", "Etc/GMT-3", "UTC+03:00", 3),
    ],
)
def test_whole_hour_offsets_use_etc_zones_with_inverted_signs(text: str, tz_name: str, label: str, hours: int) -> None:
    choice = parse_timezone(text, now=NOW)
    assert choice == TimezoneChoice(tz_name, label)
    assert offset_of(choice.tz_name) == dt.timedelta(hours=hours)
    assert offset_of(choice.tz_name, utc(2024, 1, 1)) == dt.timedelta(hours=hours)  # no daylight saving


@pytest.mark.parametrize(
    ("text", "tz_name", "label"),
    [
        ("UTC+05:30", "Asia/Kolkata", "UTC+05:30 (Asia/Kolkata)"),
        ("+0530", "Asia/Kolkata", "UTC+05:30 (Asia/Kolkata)"),
        ("UTC+5:45", "Asia/Kathmandu", "UTC+05:45 (Asia/Kathmandu)"),
        ("UTC-03:30", "America/St_Johns", "UTC-03:30 (America/St_Johns)"),
        ("GMT+9.30", "Australia/Darwin", "UTC+09:30 (Australia/Darwin)"),
        ("UTC+12:45", "Pacific/Chatham", "UTC+12:45 (Pacific/Chatham)"),
    ],
)
def test_partial_hour_offsets_use_a_real_zone(text: str, tz_name: str, label: str) -> None:
    assert parse_timezone(text, now=NOW) == TimezoneChoice(tz_name, label)


@pytest.mark.parametrize(("minutes", "zone"), sorted(PARTIAL_HOUR_ZONES.items()))
def test_every_partial_hour_zone_uses_its_offset(minutes: int, zone: str) -> None:
    """Each zone shows the offset it stands for in January or July (daylight saving counts)."""
    offsets = {offset_of(zone, utc(2025, 1, 15)), offset_of(zone, utc(2025, 7, 15))}
    assert dt.timedelta(minutes=minutes) in offsets


@pytest.mark.parametrize(
    ("text", "now", "tz_name"),
    [
        ("it's 14:35 here", utc(2024, 6, 1, 11, 35), "Etc/GMT-3"),
        ("it’s 14:35 here", utc(2024, 6, 1, 11, 35), "Etc/GMT-3"),
        ("14:35", utc(2024, 6, 1, 11, 35), "Etc/GMT-3"),
        ("2:35 pm", utc(2024, 6, 1, 11, 35), "Etc/GMT-3"),
        ("It's 2.35pm!", utc(2024, 6, 1, 11, 35), "Etc/GMT-3"),
        # A minute or two of typing, or a slow clock, still lands on the offset.
        ("it's 14:35 here", utc(2024, 6, 1, 11, 38, 40), "Etc/GMT-3"),
        ("it's 14:35 here", utc(2024, 6, 1, 11, 30), "Etc/GMT-3"),
        ("it is 9am now", utc(2024, 6, 1, 6, 2), "Etc/GMT-3"),
        # Only the hour, so only whole-hour offsets: 9am at 11:35 UTC is UTC-3 (08:35), not UTC-02:30.
        ("it is 9am now", utc(2024, 6, 1, 11, 35), "Etc/GMT+3"),
        ("it's 9 here", utc(2024, 6, 1, 11, 35), "Etc/GMT+3"),
        ("it's 0935 here", utc(2024, 6, 1, 11, 35), "Etc/GMT+2"),
        ("08:05", utc(2024, 6, 1, 13, 5), "Etc/GMT+5"),
        ("17:05", utc(2024, 6, 1, 11, 35), "Asia/Kolkata"),
        ("17:20", utc(2024, 6, 1, 11, 35), "Asia/Kathmandu"),
        # Across midnight: the day is unknown, only the time of day counts.
        ("it's 02:50 here", utc(2024, 6, 1, 23, 50), "Etc/GMT-3"),
        ("it's 21:10 here", utc(2024, 6, 2, 0, 10), "Etc/GMT+3"),
        # 00:10 when UTC says 23:50 is 20 minutes ahead: no zone is, UTC is the nearest.
        ("it's 00:10 here", utc(2024, 6, 1, 23, 50), "UTC"),
        ("it's 23:50 here", utc(2024, 6, 2, 0, 10), "UTC"),
        # The edges of the map: +13 (New Zealand summer) over -11, -10 (Hawaii) over +14, +12 over -12.
        ("it's 23:00 here", utc(2024, 6, 1, 10, 0), "Etc/GMT-13"),
        ("it's 00:00 here", utc(2024, 6, 1, 10, 0), "Etc/GMT+10"),
        ("it's 22:00 here", utc(2024, 6, 1, 10, 0), "Etc/GMT-12"),
        ("it's 00:30 here", utc(2024, 6, 1, 10, 0), "Pacific/Marquesas"),
    ],
)
def test_local_time_infers_the_offset(text: str, now: dt.datetime, tz_name: str) -> None:
    assert parse_timezone(text, now=now).tz_name == tz_name


def test_inferred_offset_is_what_the_reader_said() -> None:
    now = utc(2024, 6, 1, 11, 35)
    choice = parse_timezone("it's 14:35 here", now=now)
    assert choice.label == "UTC+03:00"
    assert now.astimezone(ZoneInfo(choice.tz_name)).strftime("%H:%M") == "14:35"


def test_infer_offset_directly() -> None:
    assert infer_offset(dt.time(14, 35), utc(2024, 6, 1, 11, 35)) == dt.timedelta(hours=3)
    assert infer_offset(dt.time(17, 5), utc(2024, 6, 1, 11, 35)) == dt.timedelta(hours=5, minutes=30)
    assert infer_offset(dt.time(17, 5), utc(2024, 6, 1, 11, 35), whole_hours=True) in (
        dt.timedelta(hours=5),
        dt.timedelta(hours=6),
    )
    # Every time of day maps into the range of real offsets.
    for minute in range(0, 24 * 60, 7):
        offset = infer_offset(dt.time(minute // 60, minute % 60), utc(2024, 6, 1, 11, 35))
        assert dt.timedelta(hours=-12) <= offset <= dt.timedelta(hours=14)


def test_local_time_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_timezone("it's 14:35 here", now=dt.datetime(2024, 6, 1, 11, 35))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mars", f'Unknown timezone "Mars". {TIMEZONE_EXAMPLE}'),
        ("", f"No timezone given. {TIMEZONE_EXAMPLE}"),
        ("   ", f"No timezone given. {TIMEZONE_EXAMPLE}"),
        ("Earth", f'Unknown timezone "Earth". {TIMEZONE_EXAMPLE}'),
        ("utc3", f'Unknown timezone "utc3". {TIMEZONE_EXAMPLE}'),
        ("UTC+15", '"UTC+15" is UTC+15:00, outside the offsets in use (UTC-12 to UTC+14). Try "UTC+3".'),
        ("UTC-13", '"UTC-13" is UTC-13:00, outside the offsets in use (UTC-12 to UTC+14). Try "UTC+3".'),
        ("UTC+3:75", 'There is no minute 75 in "UTC+3:75". Try "UTC+3" or "UTC-05:30".'),
        (
            "UTC-05:30",
            'No timezone uses UTC-05:30 ("UTC-05:30"). The nearest in use are UTC-06:00 and UTC-05:00; '
            'or send a city ("Berlin").',
        ),
        (
            "UTC+2:15",
            'No timezone uses UTC+02:15 ("UTC+2:15"). The nearest in use are UTC+02:00 and UTC+03:00; '
            'or send a city ("Berlin").',
        ),
        (
            "3",
            '"3" could be an offset or a time. Try "UTC+3" for an offset, '
            'or "it\'s 03:00 here" to tell me your local time.',
        ),
        (
            "1435",
            '"1435" could be an offset or a time. Try "UTC+3" for an offset, '
            'or "it\'s 14:35 here" to tell me your local time.',
        ),
        (
            "it's 25:00 here",
            'There is no hour 25 in "25:00" (hours go from 00 to 23). Tell me your local time like "it\'s 14:35 here".',
        ),
        ("Russia", 'Russia has several timezones. Send your city instead, like "Kaliningrad".'),
        ("United States", 'United States has several timezones. Send your city instead, like "New York".'),
    ],
)
def test_timezone_refusals(text: str, message: str) -> None:
    with pytest.raises(PreferenceError) as caught:
        parse_timezone(text, now=NOW)
    assert str(caught.value) == message


def test_every_iana_name_is_accepted_and_loads() -> None:
    """Each name keeps its meaning, except abbreviations readers mean loosely ("EST" in July is New York's EDT)."""
    for name in zoneinfo.available_timezones() - {"localtime", "Factory"}:
        if name.casefold() in ALIASES:
            continue
        choice = parse_timezone(name, now=NOW)
        assert offset_of(choice.tz_name) == offset_of(name), name


@pytest.mark.parametrize("zone", sorted(set(CITIES.values()) | set(ALIASES.values())))
def test_every_table_entry_is_a_zone(zone: str) -> None:
    ZoneInfo(zone)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", dt.time(7, 30)),
        ("7:30", dt.time(7, 30)),
        ("0730", dt.time(7, 30)),
        ("730", dt.time(7, 30)),
        ("7.30", dt.time(7, 30)),
        ("7", dt.time(7, 0)),
        ("19", dt.time(19, 0)),
        ("7am", dt.time(7, 0)),
        ("7 AM", dt.time(7, 0)),
        ("7 a.m.", dt.time(7, 0)),
        ("7:30 pm", dt.time(19, 30)),
        ("7:30pm", dt.time(19, 30)),
        ("7:30 p.m.", dt.time(19, 30)),
        ("12am", dt.time(0, 0)),
        ("12:15 am", dt.time(0, 15)),
        ("12pm", dt.time(12, 0)),
        ("19h30", dt.time(19, 30)),
        ("19h", dt.time(19, 0)),
        ("00:00", dt.time(0, 0)),
        ("23:59", dt.time(23, 59)),
        (" 08:00 ", dt.time(8, 0)),
        ("noon", dt.time(12, 0)),
        ("midnight", dt.time(0, 0)),
        ("７:３０", dt.time(7, 30)),
    ],
)
def test_delivery_times(text: str, expected: dt.time) -> None:
    assert parse_delivery_time(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'No time given. Try "07:30" or "7:30 pm".'),
        ("25:00", 'There is no hour 25 in "25:00" (hours go from 00 to 23). Try "07:30" or "7:30 pm".'),
        ("24:00", 'There is no hour 24 in "24:00" (hours go from 00 to 23). Try "07:30" or "7:30 pm".'),
        ("7:60", 'There is no minute 60 in "7:60" (minutes go from 00 to 59). Try "07:30" or "7:30 pm".'),
        ("7:5", 'Write the minutes with two digits in "7:5", like "7:05". Try "07:30" or "7:30 pm".'),
        ("7:", 'The minutes are missing in "7:". Try "07:30" or "7:30 pm".'),
        ("13pm", 'With am/pm the hour goes from 1 to 12, not 13 in "13pm". Try "07:30" or "7:30 pm".'),
        ("0am", 'With am/pm the hour goes from 1 to 12, not 0 in "0am". Try "07:30" or "7:30 pm".'),
        ("soon", 'Cannot read "soon" as a time. Try "07:30" or "7:30 pm".'),
        ("-7", 'Cannot read "-7" as a time. Try "07:30" or "7:30 pm".'),
        ("12345", 'Cannot read "12345" as a time. Try "07:30" or "7:30 pm".'),
    ],
)
def test_delivery_time_refusals(text: str, message: str) -> None:
    with pytest.raises(PreferenceError) as caught:
        parse_delivery_time(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "days"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("forever", None),
        ("7", 7),
        ("1", 1),
        ("365", 365),
        ("7 days", 7),
        ("1 day", 1),
        ("3d", 3),
        ("a week", 7),
        ("week", 7),
        ("2 weeks", 14),
        ("a month", 30),
        ("12 months", 360),
        ("one day", 1),
    ],
)
def test_pause_days(text: str | None, days: int | None) -> None:
    assert parse_pause_days(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "0",
            f"A pause lasts from 1 to 365 days, not 0. {PAUSE_EXAMPLE}",
        ),
        (
            "-3",
            f"A pause lasts from 1 to 365 days, not -3. {PAUSE_EXAMPLE}",
        ),
        (
            "400",
            f"A pause lasts from 1 to 365 days, not 400. {PAUSE_EXAMPLE}",
        ),
        (
            "13 months",
            f"A pause lasts from 1 to 365 days, not 390. {PAUSE_EXAMPLE}",
        ),
        (
            "soon",
            f'Cannot read "soon" as a number of days. {PAUSE_EXAMPLE}',
        ),
        (
            "1.5",
            f'Cannot read "1.5" as a number of days. {PAUSE_EXAMPLE}',
        ),
        ("a", f'Cannot read "a" as a number of days. {PAUSE_EXAMPLE}'),
    ],
)
def test_pause_refusals(text: str, message: str) -> None:
    with pytest.raises(PreferenceError) as caught:
        parse_pause_days(text)
    assert str(caught.value) == message
    assert MAX_PAUSE_DAYS == 365
