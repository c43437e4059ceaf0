"""Settings: read once from the environment (and an optional ``.env``), validated, then frozen.

A bad value stops start-up with one line that names the variable and the form it expects, so an operator
never has to read a pydantic traceback to find a typo in ``.env``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")
"""What @BotFather hands out: the bot's numeric id, a colon, and a 35-character secret."""

TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

# The form each variable expects, said to the operator when a value is wrong.
EXPECTED: dict[str, str] = {
    "TELEGRAM_BOT_TOKEN": "the token from @BotFather, like 123456789:AAH...(35 characters)",
    "TELEGRAM_API_URL": "an http(s) URL of a Bot API server, like https://api.telegram.org",
    "BRIEFING_DB": "a path to the SQLite database file",
    "ADMIN_IDS": "comma-separated numeric Telegram user ids, like 11111111,22222222",
    "DEFAULT_TIMEZONE": "an IANA timezone name, a city or an offset, like Europe/Berlin, Berlin or UTC+3",
    "DEFAULT_DELIVERY_TIME": "a 24-hour time HH:MM, like 08:00",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "FEED_URL": "one or more http(s) feed URLs, comma-separated",
    "FEED_POLL_MINUTES": "a whole number of minutes from 1 to 1440",
    "LATE_ISSUE_POLICY": "send or skip",
    "DELIVERY_RATE": "messages per second, a number from 1 to 1000 (default 30, or 1000 with paid broadcast)",
    "ALLOW_PAID_BROADCAST": "true or false",
    "NEWSLETTER_NAME": "the briefing's name, like The Morning Wire (empty: the name the latest issue prints)",
    "FEED_MODE": "issue (each feed entry is an issue) or daily (a day's entries make one digest)",
    "DIGEST_CUTOFF": "a 24-hour time HH:MM, like 20:00 (when FEED_MODE=daily assembles the day's digest)",
    "CHANNELS": "comma-separated channel @usernames or numeric ids (like -1001234567890) where the bot is an admin",
    "CHANNEL_POST_TIME": "a 24-hour time HH:MM in DEFAULT_TIMEZONE, like 07:00, or empty to post on publication",
}

FREE_BROADCAST_RATE = 30.0
PAID_BROADCAST_RATE = 1000.0
"""Telegram's overall limits: about 30 messages/s, and up to 1000/s with allow_paid_broadcast (paid in Stars)."""

MISSING_TOKEN_HELP = (
    "TELEGRAM_BOT_TOKEN is not set. Talk to @BotFather in Telegram, send /newbot, and put the token it "
    "gives you in .env as TELEGRAM_BOT_TOKEN=... (or try the bot without a token: briefing sandbox)"
)


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line fit to show the operator."""


class Settings(BaseSettings):
    """Every setting of the bot. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        case_sensitive=False,
        env_ignore_empty=True,
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    briefing_db: Path = Path("./briefing.db")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "UTC"
    default_delivery_time: dt.time = dt.time(8, 0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    feed_url: Annotated[tuple[str, ...], NoDecode] = ()
    feed_poll_minutes: int = Field(default=30, ge=1, le=1440)
    late_issue_policy: Literal["send", "skip"] = "send"
    delivery_rate: float | None = Field(default=None, ge=1, le=1000)
    allow_paid_broadcast: bool = False
    newsletter_name: str | None = None
    feed_mode: Literal["issue", "daily"] = "issue"
    digest_cutoff: dt.time = dt.time(20, 0)
    channels: Annotated[tuple[str, ...], NoDecode] = ()
    channel_post_time: dt.time | None = None

    @field_validator("newsletter_name", mode="before")
    @classmethod
    def _newsletter_name(cls, value: Any) -> Any:
        if isinstance(value, str):
            return " ".join(value.split()) or None
        return value

    @field_validator("feed_mode", mode="before")
    @classmethod
    def _feed_mode(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower() or "issue"
        return value

    @field_validator("digest_cutoff", mode="before")
    @classmethod
    def _digest_cutoff(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return dt.time(20, 0)
            match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
            if not match:
                raise ValueError("not HH:MM")
            return dt.time(int(match[1]), int(match[2]))  # ValueError past 23:59
        return value

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, values: Any) -> Any:
        """``NAME=`` (or only spaces) means the default, for every setting and from every source.

        ``env_ignore_empty`` covers the environment and ``.env``; this covers values passed in directly
        (``load_settings(environ=...)``) and blank-but-not-empty ones, in one place for all fields.
        """
        if isinstance(values, Mapping):
            return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}
        return values

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not TOKEN_PATTERN.match(value):
                raise ValueError("malformed token")
        return value

    @field_validator("telegram_api_url", mode="before")
    @classmethod
    def _api_url(cls, value: Any) -> Any:
        value = str(value).strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("non-numeric id")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("feed_url", mode="before")
    @classmethod
    def _feed_urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(p.strip() for p in re.split(r"[,\s]+", value) if p.strip())
        for url in value:
            if not re.match(r"^https?://", url):
                raise ValueError("not an http(s) URL")
        return tuple(value)

    @field_validator("channels", mode="before")
    @classmethod
    def _channels(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(p.strip() for p in value.split(",") if p.strip())
        for channel in value:
            if not re.fullmatch(r"@[A-Za-z][A-Za-z0-9_]{3,31}|-\d{5,20}", channel):
                raise ValueError("not a channel @username or id")
        return tuple(value)

    @field_validator("channel_post_time", mode="before")
    @classmethod
    def _channel_post_time(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None  # empty: post as soon as the issue is published
        return _time_of_day(value)

    @field_validator("default_timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> Any:
        # What /timezone accepts ("Berlin", "UTC+3", "europe/kiev"), stored as the canonical IANA name.
        from bot.rules.preferences import PreferenceError
        from bot.rules.timezones import parse_timezone

        try:
            name = parse_timezone(str(value), now=dt.datetime.now(dt.UTC)).tz_name
            ZoneInfo(name)
        except (PreferenceError, ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown timezone") from exc
        return name

    @field_validator("default_delivery_time", mode="before")
    @classmethod
    def _delivery_time(cls, value: Any) -> Any:
        return _time_of_day(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> Any:
        return str(value).strip().upper()

    @property
    def token(self) -> str:
        """The bot token in clear, for the one place that needs it (the HTTP client)."""
        if self.telegram_bot_token is None:
            raise ConfigError(MISSING_TOKEN_HELP)
        return self.telegram_bot_token.get_secret_value()

    @property
    def send_rate(self) -> float:
        """Messages per second for pushes and broadcasts: DELIVERY_RATE, else Telegram's limit for the mode."""
        if self.delivery_rate is not None:
            return self.delivery_rate
        return PAID_BROADCAST_RATE if self.allow_paid_broadcast else FREE_BROADCAST_RATE

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.default_timezone)


def _time_of_day(value: Any) -> Any:
    """``HH:MM`` text as a time; anything else is left to pydantic."""
    if isinstance(value, str):
        match = TIME_PATTERN.match(value.strip())
        if not match:
            raise ValueError("not HH:MM")
        return dt.time(int(match[1]), int(match[2]))
    return value


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: str | Path | None = ".env",
    **overrides: Any,
) -> Settings:
    """Build the settings, turning validation errors into a one-line :class:`ConfigError`.

    ``environ`` replaces the process environment (tests pass a dict); ``overrides`` win over both.
    """
    try:
        if environ is None:
            return Settings(_env_file=env_file, **overrides)
        values = {k.lower(): v for k, v in environ.items() if k.upper() in EXPECTED}
        values.update(overrides)
        # model_validate skips the settings sources, so nothing leaks in from the real environment.
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
    expected = EXPECTED.get(name, "a valid value")
    shown = "" if name == "TELEGRAM_BOT_TOKEN" else f" (got {error.get('input')!r})"
    return f"{name} is invalid{shown}: expected {expected}"
