"""Reader preferences: the frozen value, the section and format parsers, and the /settings summary."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from bot.digest.model import ItemKind
from bot.rules.preferences import (
    ALL_SECTIONS,
    SECTIONS_EXAMPLE,
    Format,
    PreferenceError,
    Preferences,
    describe,
    format_offset,
    next_delivery_for,
    parse_format,
    parse_sections,
)

STORY, OPINION, BRIEF = ItemKind.STORY, ItemKind.OPINION, ItemKind.BRIEF


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def test_defaults_match_the_configured_defaults() -> None:
    prefs = Preferences()
    assert prefs.timezone == "UTC"
    assert prefs.delivery_time == dt.time(8, 0)
    assert prefs.format is Format.FULL
    assert prefs.sections == ALL_SECTIONS == frozenset({STORY, OPINION, BRIEF})
    assert prefs.breaking_alerts is True
    assert prefs.followed_push_on_publish is False


def test_preferences_are_frozen_and_replaced() -> None:
    prefs = Preferences()
    with pytest.raises(dataclasses.FrozenInstanceError):
        prefs.timezone = "Europe/Berlin"  # type: ignore[misc]  # assigning to a frozen field on purpose
    changed = dataclasses.replace(prefs, timezone="Europe/Berlin")
    assert changed.timezone == "Europe/Berlin"
    assert prefs.timezone == "UTC"


def test_plain_strings_are_refused_where_enums_belong() -> None:
    with pytest.raises(TypeError, match="format must be a Format"):
        Preferences(format="headlines")  # type: ignore[arg-type]  # a plain string on purpose
    with pytest.raises(TypeError, match="sections must be ItemKinds"):
        Preferences(sections=frozenset({"story"}))  # type: ignore[arg-type]  # plain strings on purpose
    built = Preferences(timezone="Europe/Berlin", format=Format.HEADLINES, sections=frozenset({STORY, BRIEF}))
    assert hash(built) == hash(dataclasses.replace(built))


def test_invalid_preferences_are_refused() -> None:
    with pytest.raises(PreferenceError, match='Unknown timezone "Mars/Olympus"'):
        Preferences(timezone="Mars/Olympus")
    with pytest.raises(PreferenceError, match=re.escape('Unknown timezone "../etc/passwd"')):
        Preferences(timezone="../etc/passwd")
    with pytest.raises(PreferenceError, match="at least one section"):
        Preferences(sections=frozenset())
    with pytest.raises(ValueError, match="must be naive"):
        Preferences(delivery_time=dt.time(8, 0, tzinfo=dt.UTC))
    with pytest.raises(ValueError):
        parse_format("tiny")


def test_preference_error_is_a_value_error() -> None:
    assert issubclass(PreferenceError, ValueError)


def test_zone() -> None:
    assert Preferences(timezone="Europe/Berlin").zone.key == "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stories, opinions", {STORY, OPINION}),
        ("stories,opinions", {STORY, OPINION}),
        ("Stories and Opinions", {STORY, OPINION}),
        ("stories + briefs", {STORY, BRIEF}),
        ("story", {STORY}),
        ("only briefs", {BRIEF}),
        ("all", {STORY, OPINION, BRIEF}),
        ("everything", {STORY, OPINION, BRIEF}),
        ("no briefs", {STORY, OPINION}),
        ("-briefs", {STORY, OPINION}),
        ("no briefs, no opinions", {STORY}),
        ("no briefs, opinions", {OPINION}),
        ("all except opinions", {STORY, BRIEF}),
        ("all but briefs and opinions", {STORY}),
        ("everything without briefs", {STORY, OPINION}),
        ("stories, opinions, briefs, no briefs", {STORY, OPINION}),
    ],
)
def test_sections(text: str, expected: set[ItemKind]) -> None:
    assert parse_sections(text) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"No sections given. {SECTIONS_EXAMPLE}"),
        (" , ", f"No sections given. {SECTIONS_EXAMPLE}"),
        (
            "stories, sports",
            f'Unknown section "sports". The sections are stories, opinions and briefs. {SECTIONS_EXAMPLE}',
        ),
        ("none", f'Unknown section "none". The sections are stories, opinions and briefs. {SECTIONS_EXAMPLE}'),
        (
            "no stories, no opinions, no briefs",
            'That leaves no sections, and the digest would be empty. Keep at least one, like "stories", '
            "or pause the digest instead.",
        ),
        (
            "all except stories, opinions and briefs",
            'That leaves no sections, and the digest would be empty. Keep at least one, like "stories", '
            "or pause the digest instead.",
        ),
    ],
)
def test_section_refusals(text: str, message: str) -> None:
    with pytest.raises(PreferenceError) as caught:
        parse_sections(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("full", Format.FULL),
        ("FULL", Format.FULL),
        (" complete ", Format.FULL),
        ("headlines", Format.HEADLINES),
        ("Headlines only", Format.HEADLINES),
        ("short", Format.HEADLINES),
    ],
)
def test_format(text: str, expected: Format) -> None:
    assert parse_format(text) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'No format given. Choose "full" or "headlines".'),
        ("tiny", 'Unknown format "tiny". Choose "full" or "headlines".'),
    ],
)
def test_format_refusals(text: str, message: str) -> None:
    with pytest.raises(PreferenceError) as caught:
        parse_format(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (dt.timedelta(0), "UTC"),
        (None, "UTC"),
        (dt.timedelta(hours=3), "UTC+03:00"),
        (dt.timedelta(hours=-5), "UTC-05:00"),
        (dt.timedelta(hours=5, minutes=45), "UTC+05:45"),
        (dt.timedelta(hours=-9, minutes=-30), "UTC-09:30"),
        (dt.timedelta(hours=14), "UTC+14:00"),
    ],
)
def test_format_offset(offset: dt.timedelta | None, text: str) -> None:
    assert format_offset(offset) == text


def test_next_delivery_for_delegates_to_the_schedule() -> None:
    prefs = Preferences(timezone="Europe/Berlin", delivery_time=dt.time(2, 30))
    assert next_delivery_for(prefs, utc(2024, 3, 30, 12)) == utc(2024, 3, 31, 1, 0)
    assert next_delivery_for(prefs, utc(2024, 3, 30, 12), utc(2024, 4, 2)) == utc(2024, 4, 2, 0, 30)


def test_describe_for_settings() -> None:
    prefs = Preferences(
        timezone="Europe/Berlin",
        delivery_time=dt.time(7, 30),
        format=Format.HEADLINES,
        sections=frozenset({BRIEF, STORY}),
        breaking_alerts=False,
        followed_push_on_publish=True,
    )
    assert describe(prefs, utc(2024, 3, 20, 12, 0), followed_authors=["Anna K.", "Ivan P."]) == [
        ("Delivery time", "07:30"),
        ("Timezone", "Europe/Berlin, UTC+01:00 (now 13:00 there)"),
        ("Next delivery", "Thu 21 Mar 07:30 (in 18 h 30 min)"),
        ("Format", "headlines only"),
        ("Sections", "stories, briefs"),
        ("Breaking alerts", "off"),
        ("Followed authors", "Anna K., Ivan P."),
        ("New pieces by followed authors", "sent when published"),
    ]


def test_describe_defaults_and_offsets() -> None:
    now = utc(2024, 6, 1, 7, 55)
    assert describe(Preferences(), now) == [
        ("Delivery time", "08:00"),
        ("Timezone", "UTC (now 07:55 there)"),
        ("Next delivery", "Sat 1 Jun 08:00 (in 5 min)"),
        ("Format", "full stories"),
        ("Sections", "stories, opinions, briefs"),
        ("Breaking alerts", "on"),
        ("Followed authors", "none"),
        ("New pieces by followed authors", "in the daily digest"),
    ]
    etc = dict(describe(Preferences(timezone="Etc/GMT-3"), now))
    assert etc["Timezone"] == "UTC+03:00, no daylight saving (now 10:55 there)"
    assert etc["Next delivery"] == "Sun 2 Jun 08:00 (in 21 h 5 min)"


def test_describe_while_paused() -> None:
    now = utc(2024, 3, 20, 12, 0)
    paused = dict(describe(Preferences(timezone="Etc/GMT-3"), now, paused_until=now + dt.timedelta(days=3)))
    assert paused["Next delivery"] == "Sun 24 Mar 08:00 (in 3 days 17 h), paused until Sat 23 Mar 15:00"
    one_day = dict(describe(Preferences(), now, paused_until=now + dt.timedelta(hours=12)))
    assert one_day["Next delivery"] == "Thu 21 Mar 08:00 (in 20 h), paused until Thu 21 Mar 00:00"
    over = dict(describe(Preferences(), now, paused_until=now - dt.timedelta(days=1)))
    assert over["Next delivery"] == "Thu 21 Mar 08:00 (in 20 h)"
    forever = dict(describe(Preferences(), now, paused_indefinitely=True))
    assert forever["Next delivery"] == "paused until you resume"
