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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")
"""What @BotFather hands out: the bot's numeric id, a colon, and a 35-character secret."""

SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
"""Telegram's charset and length for setWebhook's secret_token."""

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
"""Plain-http webhook URLs are accepted only here: a local Bot API server (tests, the sandbox)."""

DEFAULT_WEBHOOK_PORT = 8080
"""Where the HTTP server listens in webhook mode when HTTP_PORT is not set."""

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
    "HTTP_HOST": "the address the HTTP server listens on, like 127.0.0.1 or 0.0.0.0",
    "HTTP_PORT": "a TCP port from 1 to 65535 (empty = no HTTP server in polling mode)",
    "WEBHOOK_URL": "the public https:// URL Telegram posts updates to, like https://bot.example.org/telegram",
    "WEBHOOK_SECRET": "1 to 256 characters from A-Z, a-z, 0-9, _ and -",
    "LOG_FORMAT": "text or json",
    "DELIVERY_LAG_WARN": "a whole number of minutes from 1 to 1440",
    "DELIVERY_RETRY_HOURS": "hours to keep retrying a delivery that failed for a reason that may pass, 1 to 168",
    "MAX_ISSUE_MESSAGES": "the most messages one issue may take per reader, a whole number from 2 to 100",
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


SECRET_NAMES = frozenset({"TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET"})
"""Variables whose values are never shown: not in errors, logs or ``briefing check``."""


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
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, ge=1, le=65535)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    log_format: Literal["text", "json"] = "text"
    delivery_lag_warn: int = Field(default=15, ge=1, le=1440)
    delivery_retry_hours: float = Field(default=6, ge=1, le=168)
    max_issue_messages: int = Field(default=12, ge=2, le=100)
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

    @field_validator("http_host", mode="before")
    @classmethod
    def _http_host(cls, value: Any) -> Any:
        value = str(value).strip()
        if not value or any(c.isspace() for c in value):
            raise ValueError("not a host")
        return value

    @field_validator("http_port", "delivery_lag_warn", mode="before")
    @classmethod
    def _empty_number(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: Any) -> Any:
        if value is None:
            return None
        value = str(value).strip()
        if not value:
            return None
        parts = urlsplit(value)
        secure = parts.scheme == "https" and bool(parts.hostname)
        local = parts.scheme == "http" and parts.netloc.rsplit(":", 1)[0] in LOOPBACK_HOSTS
        if not (secure or local) or parts.query or parts.fragment:
            raise ValueError("not an https URL")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None
            if not SECRET_PATTERN.match(value):
                raise ValueError("bad secret")
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format(cls, value: Any) -> Any:
        return str(value).strip().lower()

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

    @property
    def webhook_mode(self) -> bool:
        """Telegram posts updates to WEBHOOK_URL instead of the bot long-polling for them."""
        return self.webhook_url is not None

    @property
    def listen_port(self) -> int | None:
        """Where the HTTP server listens: HTTP_PORT, else 8080 in webhook mode, else no server at all."""
        if self.http_port is not None:
            return self.http_port
        return DEFAULT_WEBHOOK_PORT if self.webhook_mode else None

    @property
    def webhook_path(self) -> str:
        """The path of WEBHOOK_URL: the one path the HTTP server accepts updates on."""
        return urlsplit(self.webhook_url or "").path or "/"

    def masked(self) -> list[tuple[str, str]]:
        """Every variable and its value as the bot sees it, secrets masked (for ``briefing check``)."""
        shown: list[tuple[str, str]] = []
        for name in EXPECTED:
            value = getattr(self, name.lower())
            if name in SECRET_NAMES:
                text = "(not set)" if value is None else _mask(name, value.get_secret_value())
            elif value is None or value == () or value == frozenset():
                text = "(not set)"
            elif isinstance(value, tuple | frozenset):
                text = ",".join(str(v) for v in sorted(value))
            elif isinstance(value, dt.time):
                text = value.strftime("%H:%M")
            else:
                text = str(value)
            shown.append((name, text))
        return shown

    def secrets(self) -> list[str]:
        """Every secret value in clear, for the log redactor."""
        return [s.get_secret_value() for s in (self.telegram_bot_token, self.webhook_secret) if s is not None]


def app_version() -> str:
    """The installed package's version (``briefing --version``, the build_info metric)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("briefing-bot")
    except PackageNotFoundError:
        return "0+unknown"


def _mask(name: str, secret: str) -> str:
    if name == "TELEGRAM_BOT_TOKEN":
        # The part before the colon is the bot's public id; the rest is the secret.
        return secret.split(":", 1)[0] + ":" + "*" * 8
    return "*" * 8


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
            return _checked(Settings(_env_file=env_file, **overrides))
        values = {k.lower(): v for k, v in environ.items() if k.upper() in EXPECTED}
        values.update(overrides)
        # model_validate skips the settings sources, so nothing leaks in from the real environment.
        return _checked(Settings.model_validate(values))
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _checked(settings: Settings) -> Settings:
    """Rules across variables: webhook mode needs its secret."""
    if settings.webhook_mode and settings.webhook_secret is None:
        raise ConfigError(f"WEBHOOK_SECRET is required when WEBHOOK_URL is set: expected {EXPECTED['WEBHOOK_SECRET']}")
    return settings


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
    expected = EXPECTED.get(name, "a valid value")
    shown = "" if name in SECRET_NAMES else f" (got {error.get('input')!r})"
    return f"{name} is invalid{shown}: expected {expected}"
