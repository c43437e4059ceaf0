"""Reading what readers type for /timezone, /time and /pause into values the schedule can use.

Readers rarely know their IANA zone name, so ``parse_timezone`` accepts whatever they are likely to type:
"Europe/Berlin", "berlin", "São Paulo", "MSK", "UTC+3", or just "it's 14:35 here". Every result is an
IANA key that ``ZoneInfo`` loads, so storage and the schedule never see anything else.

How offsets are stored:

* A whole-hour offset becomes an ``Etc/GMT`` zone. POSIX inverts their signs: UTC+3 is ``Etc/GMT-3``.
  Zero is ``UTC``.
* There is no ``Etc`` zone for a non-whole-hour offset, so it becomes the real zone that uses it, named
  in the label: one without daylight saving where there is one (UTC+05:30 is Asia/Kolkata), otherwise
  the zone whose clocks show that offset (UTC-03:30 is America/St_Johns, which moves to UTC-02:30 in
  summer, as its readers' clocks do). See ``PARTIAL_HOUR_ZONES``.
* An offset follows no daylight saving, which the reply says; a city does.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.rules.preferences import PreferenceError, format_offset

TIMEZONE_EXAMPLE = (
    'Try a city ("Berlin"), an IANA name ("Europe/Berlin"), an offset ("UTC+3"), '
    'or tell me your local time ("it\'s 14:35 here").'
)
TIME_EXAMPLE = 'Try "07:30" or "7:30 pm".'
PAUSE_EXAMPLE = 'Try "7", "2 weeks", or nothing at all to pause until you resume.'
MAX_PAUSE_DAYS = 365

MIN_OFFSET = dt.timedelta(hours=-12)
MAX_OFFSET = dt.timedelta(hours=14)
"""The range of offsets in use on Earth (Baker Island to Kiritimati)."""

PARTIAL_HOUR_ZONES: Mapping[int, str] = {
    -9 * 60 - 30: "Pacific/Marquesas",
    -3 * 60 - 30: "America/St_Johns",  # Newfoundland standard time; daylight saving in summer.
    -2 * 60 - 30: "America/St_Johns",  # Newfoundland summer time.
    3 * 60 + 30: "Asia/Tehran",
    4 * 60 + 30: "Asia/Kabul",
    5 * 60 + 30: "Asia/Kolkata",
    5 * 60 + 45: "Asia/Kathmandu",
    6 * 60 + 30: "Asia/Yangon",
    8 * 60 + 45: "Australia/Eucla",
    9 * 60 + 30: "Australia/Darwin",
    10 * 60 + 30: "Australia/Adelaide",  # South Australian summer time; far more readers than Lord Howe.
    12 * 60 + 45: "Pacific/Chatham",  # Chatham standard time; daylight saving in summer.
    13 * 60 + 45: "Pacific/Chatham",  # Chatham summer time.
}
"""The zone to store for each offset (in minutes east of UTC) that is not a whole number of hours."""

_UTC_NAMES = frozenset({"Etc/UTC", "Etc/GMT", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Etc/Greenwich"})
_GEOGRAPHIC_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
)
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})

ALIASES: Mapping[str, str] = {
    **dict.fromkeys(("utc", "gmt", "z", "zulu", "universal", "greenwich", "utc+0", "gmt+0"), "UTC"),
    **dict.fromkeys(("msk", "moscow time"), "Europe/Moscow"),
    **dict.fromkeys(("cet", "cest", "central european time"), "Europe/Berlin"),
    **dict.fromkeys(("eet", "eest", "eastern european time"), "Europe/Athens"),
    **dict.fromkeys(("wet", "west", "western european time"), "Europe/Lisbon"),
    **dict.fromkeys(("bst", "british time", "uk time"), "Europe/London"),
    **dict.fromkeys(("est", "edt", "et", "eastern", "eastern time"), "America/New_York"),
    **dict.fromkeys(("cst", "cdt", "ct", "central", "central time"), "America/Chicago"),
    **dict.fromkeys(("mst", "mdt", "mt", "mountain", "mountain time"), "America/Denver"),
    **dict.fromkeys(("pst", "pdt", "pt", "pacific", "pacific time"), "America/Los_Angeles"),
    **dict.fromkeys(("akst", "akdt", "alaska"), "America/Anchorage"),
    **dict.fromkeys(("hst", "hawaii"), "Pacific/Honolulu"),
    **dict.fromkeys(("ist", "indian time"), "Asia/Kolkata"),
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "hkt": "Asia/Hong_Kong",
    "sgt": "Asia/Singapore",
    **dict.fromkeys(("aest", "aedt"), "Australia/Sydney"),
    **dict.fromkeys(("acst", "acdt"), "Australia/Adelaide"),
    "awst": "Australia/Perth",
    **dict.fromkeys(("nzst", "nzdt"), "Pacific/Auckland"),
    "brt": "America/Sao_Paulo",
}
"""Abbreviations and phrases people use for a zone. Checked before IANA names, because a reader who
types "EST" in July means New York's clock, not the IANA zone ``EST`` that never observes DST."""

CITIES: Mapping[str, str] = {
    **dict.fromkeys(("saint petersburg", "st petersburg", "sankt petersburg", "spb", "leningrad"), "Europe/Moscow"),
    **dict.fromkeys(("kazan", "nizhny novgorod", "sochi", "rostov on don"), "Europe/Moscow"),
    **dict.fromkeys(("odesa", "odessa", "kharkiv", "lviv", "dnipro"), "Europe/Kyiv"),
    **dict.fromkeys(("astana", "nur sultan"), "Asia/Almaty"),
    **dict.fromkeys(("munich", "hamburg", "frankfurt", "cologne", "dusseldorf", "stuttgart"), "Europe/Berlin"),
    **dict.fromkeys(("milan", "naples", "florence"), "Europe/Rome"),
    "barcelona": "Europe/Madrid",
    "geneva": "Europe/Zurich",
    "krakow": "Europe/Warsaw",
    **dict.fromkeys(("edinburgh", "glasgow", "manchester", "birmingham"), "Europe/London"),
    **dict.fromkeys(
        ("los angeles", "la", "san francisco", "sf", "seattle", "san diego", "las vegas"), "America/Los_Angeles"
    ),
    **dict.fromkeys(
        (
            "new york city",
            "nyc",
            "ny",
            "washington",
            "washington dc",
            "dc",
            "boston",
            "philadelphia",
            "atlanta",
            "miami",
        ),
        "America/New_York",
    ),
    **dict.fromkeys(("houston", "dallas", "austin"), "America/Chicago"),
    **dict.fromkeys(("montreal", "ottawa"), "America/Toronto"),
    **dict.fromkeys(("rio de janeiro", "rio", "brasilia"), "America/Sao_Paulo"),
    **dict.fromkeys(("beijing", "peking", "shenzhen", "guangzhou"), "Asia/Shanghai"),
    **dict.fromkeys(
        ("mumbai", "bombay", "delhi", "new delhi", "bangalore", "bengaluru", "chennai", "hyderabad"), "Asia/Kolkata"
    ),
    **dict.fromkeys(("tel aviv", "haifa"), "Asia/Jerusalem"),
    **dict.fromkeys(("osaka", "kyoto"), "Asia/Tokyo"),
    **dict.fromkeys(("hanoi", "ho chi minh city"), "Asia/Ho_Chi_Minh"),
    "moskva": "Europe/Moscow",
    "praha": "Europe/Prague",
    "wien": "Europe/Vienna",
    "roma": "Europe/Rome",
    "lisboa": "Europe/Lisbon",
    "munchen": "Europe/Berlin",
    "koln": "Europe/Berlin",
    "abu dhabi": "Asia/Dubai",
    "bali": "Asia/Makassar",
    "canberra": "Australia/Sydney",
    "wellington": "Pacific/Auckland",
    **dict.fromkeys(("cape town", "pretoria"), "Africa/Johannesburg"),
    "ankara": "Europe/Istanbul",
    **dict.fromkeys(
        ("uk", "united kingdom", "great britain", "britain", "england", "scotland", "wales"), "Europe/London"
    ),
    **dict.fromkeys(("south korea", "korea"), "Asia/Seoul"),
}
"""Places that are not themselves the city of an IANA zone (those are found from tzdata), a few names
in their own language, and countries whose tzdata names are awkward ("Britain (UK)", "Korea (South)")."""

_OFFSET = re.compile(r"^(?:(?:utc|gmt)\s*)?([+-])\s*(\d{1,2})(?:[:.h]?(\d{2}))?$")
_CLOCK = re.compile(
    r"^(?P<hour>\d{1,2})(?:(?P<separator>[:.h])(?P<minute>\d*)|(?P<compact>\d{2}))?\s*(?P<meridiem>am|pm)?$"
)
_MERIDIEM = re.compile(r"(?<![a-z])([ap])\.?\s?m\.?(?![a-z])")
"""Spellings of am/pm: "a.m.", "p. m", "PM"."""
_LOCAL_TIME_WORDS = re.compile(
    r"\b(?:it'?s|it is|the time is|my time is|time here is|local time(?: is)?|here|now|right|at the moment)\b"
)
_PAUSE = re.compile(r"^(?P<count>[+-]?\d+|an?|one)?\s*(?P<unit>d|days?|w|wks?|weeks?|months?)?$")
_PAUSE_UNITS = {
    "": 1,
    "d": 1,
    "day": 1,
    "days": 1,
    "w": 7,
    "wk": 7,
    "wks": 7,
    "week": 7,
    "weeks": 7,
    "month": 30,
    "months": 30,
}
_PAUSE_FOREVER = frozenset({"forever", "indefinitely", "until resume", "until i resume", "until further notice"})
_FUZZY_CUTOFF = 0.8
_SEASONS = (dt.datetime(2025, 1, 15, tzinfo=dt.UTC), dt.datetime(2025, 7, 15, tzinfo=dt.UTC))
"""When countries' zones are compared: a recent year, fixed so the result never depends on the day."""


@dataclass(frozen=True, slots=True)
class TimezoneChoice:
    """A reader's timezone as understood: what to store and what to tell them."""

    tz_name: str
    """An IANA key ``ZoneInfo`` accepts, canonical (``Europe/Kyiv``, never ``Europe/Kiev``)."""
    label: str
    """How the reply names it: the zone's name, or "UTC+03:00" for an offset (never "Etc/GMT-3")."""


def parse_timezone(text: str, *, now: dt.datetime) -> TimezoneChoice:
    """Understand a timezone as a reader types it.

    In order: common abbreviations and phrases ("MSK", "Moscow time"), IANA names in any case
    ("europe/berlin"), offsets ("UTC+3", "GMT-05:30", "+03:00"), the local time ("it's 14:35 here",
    "2:35 pm", "it is 9am now"), cities and single-zone countries ("new york", "São Paulo", "Germany"),
    then city names with a typo ("Berlni").

    Args:
        text: What the reader typed.
        now: When they typed it (the message date), aware. Only the local-time form uses it.

    Raises:
        PreferenceError: The message names what was wrong and gives working examples.
    """
    raw = text.strip()
    key = _normalise(raw)
    if not key:
        raise PreferenceError("No timezone given. " + TIMEZONE_EXAMPLE)
    if key in ALIASES:
        return _named(ALIASES[key])
    if (name := _iana_names().get(raw.casefold().replace(" ", "_"))) is not None:
        return _named(_canonical(name))
    if match := _OFFSET.match(key):
        sign, hours, minutes = match.groups()
        if int(minutes or 0) > 59:
            raise PreferenceError(f'There is no minute {int(minutes)} in "{raw}". Try "UTC+3" or "UTC-05:30".')
        return _offset_choice(raw, (-1 if sign == "-" else 1) * (int(hours) * 60 + int(minutes or 0)))
    if (choice := _local_time_choice(raw, now)) is not None:
        return choice
    return _place_choice(raw, key)


def parse_delivery_time(text: str) -> dt.time:
    """Read a wall-clock time: "07:30", "7:30", "0730", "7.30", "7", "7am", "7:30 pm", "19h30", "noon".

    Raises:
        PreferenceError: naming what was wrong ("there is no hour 25") with an example.
    """
    raw = text.strip()
    if not raw:
        raise PreferenceError("No time given. " + TIME_EXAMPLE)
    try:
        return _read_clock(raw, bare_hour=True)
    except _UnreadableClock as error:
        raise PreferenceError(f"{error} {TIME_EXAMPLE}") from None


def parse_pause_days(text: str | None) -> int | None:
    """Read how long /pause lasts, in days; None (no text, or "forever") pauses until /resume.

    Accepts "7", "7 days", "3d", "a week", "2 weeks", "a month" (30 days), from 1 to ``MAX_PAUSE_DAYS``.
    """
    key = _normalise(text or "").rstrip(".!")
    if not key or key in _PAUSE_FOREVER:
        return None
    match = _PAUSE.match(key)
    if match is None or (match["count"] in (None, "a", "an") and not match["unit"]):
        raise PreferenceError(f'Cannot read "{text}" as a number of days. {PAUSE_EXAMPLE}')
    count = match["count"] or "1"
    number = 1 if count in ("a", "an", "one") else int(count)
    days = number * _PAUSE_UNITS[match["unit"] or ""]
    if not 1 <= days <= MAX_PAUSE_DAYS:
        raise PreferenceError(f"A pause lasts from 1 to {MAX_PAUSE_DAYS} days, not {days}. {PAUSE_EXAMPLE}")
    return days


def infer_offset(local_time: dt.time, now: dt.datetime, *, whole_hours: bool = False) -> dt.timedelta:
    """The UTC offset of a reader whose clock shows ``local_time`` at the instant ``now``.

    Only the time of day is known, so the difference is taken modulo 24 hours; every difference then
    fits the −12…+14 range of real offsets (it is 26 hours wide), and the one question is which side:
    the difference snaps to the nearest offset some zone uses (a whole hour or one of
    ``PARTIAL_HOUR_ZONES``, which on 15-minute steps is rounding to the nearest quarter hour), the closer
    snap wins, and a tie at the edges goes to the side where people live: UTC+13 (New Zealand in
    summer, Tonga) over UTC−11 (Niue), UTC+12 over UTC−12 (uninhabited), UTC−10 (Hawaii) over UTC+14.
    So "00:10" when UTC is 23:50 is 20 minutes ahead, which snaps to UTC.

    ``whole_hours`` is for a reader who named no minutes ("it's 9am"): they rounded, so their half
    hour says nothing, and only whole-hour offsets are considered.
    """
    utc = now.astimezone(dt.UTC)
    utc_minutes = utc.hour * 60 + utc.minute + utc.second / 60
    difference = (local_time.hour * 60 + local_time.minute - utc_minutes) % (24 * 60)
    candidates = (difference, difference - 24 * 60)

    in_use = [offset for offset in _offsets_in_use() if not whole_hours or offset % 60 == 0]

    def closeness(minutes: float) -> tuple[float, bool, int]:
        snapped = min(in_use, key=lambda offset: abs(offset - minutes))
        return abs(snapped - minutes), not -10 * 60 <= snapped <= 13 * 60 + 45, snapped

    return dt.timedelta(minutes=min(closeness(minutes) for minutes in candidates)[2])


class _UnreadableClock(ValueError):
    """A time could not be read; the message says why, without an example (the caller knows which fits)."""


def _read_clock(raw: str, *, bare_hour: bool) -> dt.time:
    text = _MERIDIEM.sub(r"\1m", _simplify(raw)).rstrip(".!")
    if text in ("noon", "midday"):
        return dt.time(12, 0)
    if text == "midnight":
        return dt.time(0, 0)
    match = _CLOCK.match(text)
    if match is None or (not bare_hour and not (match["separator"] or match["compact"] or match["meridiem"])):
        raise _UnreadableClock(f'Cannot read "{raw}" as a time.')
    hour = int(match["hour"])
    minute_digits = match["minute"] if match["minute"] is not None else match["compact"]
    if match["separator"] in (":", ".") and not minute_digits:
        raise _UnreadableClock(f'The minutes are missing in "{raw}".')
    if minute_digits and len(minute_digits) != 2:
        raise _UnreadableClock(f'Write the minutes with two digits in "{raw}", like "7:05".')
    minute = int(minute_digits or 0)
    if minute > 59:
        raise _UnreadableClock(f'There is no minute {minute} in "{raw}" (minutes go from 00 to 59).')
    if match["meridiem"]:
        if not 1 <= hour <= 12:
            raise _UnreadableClock(f'With am/pm the hour goes from 1 to 12, not {hour} in "{raw}".')
        hour = hour % 12 + (12 if match["meridiem"] == "pm" else 0)
    elif hour > 23:
        raise _UnreadableClock(f'There is no hour {hour} in "{raw}" (hours go from 00 to 23).')
    return dt.time(hour, minute)


def _names_minutes(clock: str) -> bool:
    """Whether a time the reader typed says its minutes ("9:00", "0900"), unlike "9am" or "9"."""
    match = _CLOCK.match(_simplify(clock))
    return match is not None and bool(match["minute"] or match["compact"])


def _local_time_choice(raw: str, now: dt.datetime) -> TimezoneChoice | None:
    """ "it's 14:35 here" and bare "14:35" as an offset; None when the text does not start with a time."""
    text = _simplify(raw).replace("’", "'").strip(" .!?,:")
    stripped = " ".join(_LOCAL_TIME_WORDS.sub(" ", text).split()).strip(" .!?,:")
    said_time = stripped != text
    if not stripped[:1].isdigit():
        return None
    if not said_time and stripped.isdigit():
        offset_example = f"UTC+{int(stripped)}" if int(stripped) <= 14 else "UTC+3"
        try:
            time_example = f"{_read_clock(stripped, bare_hour=True):%H:%M}"
        except _UnreadableClock:
            time_example = "14:35"
        raise PreferenceError(
            f'"{raw}" could be an offset or a time. Try "{offset_example}" for an offset, '
            f'or "it\'s {time_example} here" to tell me your local time.'
        )
    try:
        local_time = _read_clock(stripped, bare_hour=said_time)
    except _UnreadableClock as error:
        raise PreferenceError(f'{error} Tell me your local time like "it\'s 14:35 here".') from None
    _require_aware(now)
    offset = infer_offset(local_time, now, whole_hours=not _names_minutes(stripped))
    return _offset_choice(raw, round(offset.total_seconds() / 60))


def _offset_choice(raw: str, minutes: int) -> TimezoneChoice:
    offset = dt.timedelta(minutes=minutes)
    if not MIN_OFFSET <= offset <= MAX_OFFSET:
        raise PreferenceError(
            f'"{raw}" is {format_offset(offset)}, outside the offsets in use (UTC-12 to UTC+14). Try "UTC+3".'
        )
    if minutes == 0:
        return TimezoneChoice("UTC", "UTC")
    if minutes % 60 == 0:
        # POSIX-style names: Etc/GMT-3 is three hours *ahead* of UTC.
        return TimezoneChoice(f"Etc/GMT{-minutes // 60:+d}", format_offset(offset))
    if minutes in PARTIAL_HOUR_ZONES:
        return TimezoneChoice(PARTIAL_HOUR_ZONES[minutes], f"{format_offset(offset)} ({PARTIAL_HOUR_ZONES[minutes]})")
    nearest = sorted(_offsets_in_use(), key=lambda used: (abs(used - minutes), used))[:2]
    raise PreferenceError(
        f'No timezone uses {format_offset(offset)} ("{raw}"). The nearest in use are '
        f"{' and '.join(format_offset(dt.timedelta(minutes=used)) for used in sorted(nearest))}; "
        'or send a city ("Berlin").'
    )


def _place_choice(raw: str, key: str) -> TimezoneChoice:
    places = _places()
    # "Berlin, Germany" and "Moscow time": try the text, then its first part, then without "time".
    for candidate in (key, key.split(",")[0].strip(), key.removesuffix(" time")):
        if candidate in places:
            return _named(places[candidate])
        if candidate in _multi_zone_countries():
            name, example = _multi_zone_countries()[candidate]
            raise PreferenceError(f'{name} has several timezones. Send your city instead, like "{example}".')
    if len(key) >= 4:
        # A typo rarely hits the first letter; requiring it keeps "Earth" from becoming Perth.
        import difflib  # only for a name not found as typed

        close = difflib.get_close_matches(key, places.keys(), n=5, cutoff=_FUZZY_CUTOFF)
        for place in close:
            if place[0] == key[0]:
                return _named(places[place])
    raise PreferenceError(f'Unknown timezone "{raw}". {TIMEZONE_EXAMPLE}')


def _named(name: str) -> TimezoneChoice:
    if name.startswith("Etc/GMT"):
        # Etc/GMT-3 is UTC+3: show readers the offset they mean, not the POSIX-inverted name.
        offset = dt.datetime(2000, 1, 1, tzinfo=zoneinfo.ZoneInfo(name)).utcoffset()
        return TimezoneChoice(name, format_offset(offset))
    return TimezoneChoice(name, name)


def _canonical(name: str) -> str:
    """The name to store: zone.tab's name for a place (Europe/Oslo stays, though tzdata links it to
    Europe/Berlin, because Norwegians look for Oslo), otherwise the link's target (Europe/Kiev becomes
    Europe/Kyiv, US/Eastern America/New_York), and plain UTC for every alias of UTC."""
    target = name if name in _zone_tab_names() else _links().get(name, name)
    return "UTC" if target in _UTC_NAMES or target == "UTC" else target


def _normalise(text: str) -> str:
    """Casefolded, accents and punctuation dropped: "São Paulo" and "sao-paulo" meet at "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = re.sub(r"(?<=[a-z])[-_.'’](?=[a-z])|(?<=[a-z])\.(?=\s)", " ", plain)
    return " ".join(plain.split())


def _simplify(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")


@cache
def _offsets_in_use() -> tuple[int, ...]:
    return (*range(-12 * 60, 14 * 60 + 1, 60), *PARTIAL_HOUR_ZONES)


@cache
def _iana_names() -> dict[str, str]:
    """Every zone key, by its casefolded form."""
    return {name.casefold(): name for name in zoneinfo.available_timezones() - _NOT_ZONES}


@cache
def _links() -> dict[str, str]:
    """Backward-compatible names (``Europe/Kiev``, ``Asia/Calcutta``, ``US/Eastern``) to their zones.

    Read from the tzdata package's ``tzdata.zi``; without it names are kept as typed, which still works.
    """
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    links = {}
    for line in text.splitlines():
        if line.startswith("L "):
            _, target, link = line.split()
            links[link] = target
    return links


@cache
def _places() -> dict[str, str]:
    """Normalised place name → zone: cities of IANA zones, single-zone countries, then ``CITIES`` on top."""
    places: dict[str, str] = {}
    for name in sorted(zoneinfo.available_timezones()):
        area, _, rest = name.partition("/")
        if area in _GEOGRAPHIC_AREAS and rest:
            places.setdefault(_normalise(rest.rsplit("/", 1)[-1]), _canonical(name))
    for country, (_, zones) in _countries().items():
        if _keep_the_same_time(zones):
            places.setdefault(country, _canonical(zones[0]))
    places.update({place: _canonical(zone) for place, zone in CITIES.items()})
    return places


@cache
def _zone_tab_names() -> frozenset[str]:
    return frozenset(zone for _, zones in _countries().values() for zone in zones)


@cache
def _multi_zone_countries() -> dict[str, tuple[str, str]]:
    """Normalised country name → (its name, an example city) for countries with several zones."""
    found = {}
    for country, (name, zones) in _countries().items():
        if not _keep_the_same_time(zones):
            found[country] = (name, zones[0].rsplit("/", 1)[-1].replace("_", " "))
    return found


def _keep_the_same_time(zones: tuple[str, ...]) -> bool:
    """Whether a country's zones show the same time in winter and summer (Germany's Busingen does)."""
    return (
        len({tuple(instant.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() for instant in _SEASONS) for zone in zones})
        == 1
    )


@cache
def _countries() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Normalised country name → (its name, its zones in zone.tab's order)."""
    try:
        folder = resources.files("tzdata").joinpath("zoneinfo")
        iso_lines = folder.joinpath("iso3166.tab").read_text(encoding="utf-8").splitlines()
        zone_lines = folder.joinpath("zone.tab").read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    names = {}
    for line in iso_lines:
        if line and not line.startswith("#"):
            code, name = line.split("\t")[:2]
            names[code] = re.sub(r"\s*\(.*\)", "", name)
    zones: dict[str, list[str]] = {}
    for line in zone_lines:
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            zones.setdefault(code, []).append(zone)
    return {_normalise(names.get(code, code)): (names.get(code, code), tuple(found)) for code, found in zones.items()}
