"""Settings: defaults, parsing, and one-line errors that name the variable (in-process and via the CLI)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from tests.processes import ENV_NAMES

TOKEN = "123456789:" + "A" * 35


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.briefing_db == Path("./briefing.db")
    assert settings.admin_ids == frozenset()
    assert settings.default_timezone == "UTC"
    assert settings.default_delivery_time == dt.time(8, 0)
    assert settings.telegram_bot_token is None


def test_values_are_parsed() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "ADMIN_IDS": " 11, 22 ,33",
            "DEFAULT_TIMEZONE": "Europe/Berlin",
            "DEFAULT_DELIVERY_TIME": "7:30",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.token == TOKEN
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.default_delivery_time == dt.time(7, 30)
    assert settings.log_level == "DEBUG"


def test_token_is_masked_in_repr() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(Exception, match="frozen"):
        settings.log_level = "ERROR"  # type: ignore[misc]  # assigning to frozen settings on purpose


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "IANA timezone"),
        ("DEFAULT_DELIVERY_TIME", "25:00", "HH:MM"),
        ("DEFAULT_DELIVERY_TIME", "7:60", "HH:MM"),
        ("ADMIN_IDS", "12,abc", "numeric Telegram user ids"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "@BotFather"),
        ("TELEGRAM_API_URL", "ftp://example", "http(s) URL"),
        ("LOG_LEVEL", "chatty", "DEBUG, INFO"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({variable: value})
    message = str(info.value)
    assert message.startswith(f"{variable} is invalid")
    assert expected in message
    assert "\n" not in message


def test_bad_token_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({"TELEGRAM_BOT_TOKEN": "123:secret-but-short"})
    assert "secret-but-short" not in str(info.value)


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text("DEFAULT_TIMEZONE=Asia/Tokyo\nADMIN_IDS=5\n")
    for name in ("DEFAULT_TIMEZONE", "ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(env_file=env)
    assert settings.default_timezone == "Asia/Tokyo"
    assert settings.admin_ids == frozenset({5})


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "DEFAULT_TIMEZONE": "Nowhere/Land"}, "DEFAULT_TIMEZONE is invalid"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "DEFAULT_DELIVERY_TIME": "25:00"}, "DEFAULT_DELIVERY_TIME is invalid"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_IDS": "x1"}, "ADMIN_IDS is invalid"),
        ({"TELEGRAM_BOT_TOKEN": "12345"}, "TELEGRAM_BOT_TOKEN is invalid"),
        ({}, "@BotFather"),
    ],
)
def test_run_refuses_bad_configuration_with_one_line(env: dict[str, str], expected: str, tmp_path: Path) -> None:
    result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("name", sorted(ENV_NAMES))
@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_value_means_the_default_for_every_setting(name: str, empty: str) -> None:
    assert load_settings({name: empty}) == load_settings({})


def test_an_empty_value_in_the_env_file_means_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text("".join(f"{name}=\n" for name in ENV_NAMES))
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    assert load_settings(env_file=env) == load_settings({})


@pytest.mark.parametrize(
    ("value", "stored"),
    [("Berlin", "Europe/Berlin"), ("europe/kiev", "Europe/Kyiv"), ("UTC+3", "Etc/GMT-3"), ("UTC", "UTC")],
)
def test_default_timezone_accepts_what_the_timezone_command_accepts(value: str, stored: str) -> None:
    assert load_settings({"DEFAULT_TIMEZONE": value}).default_timezone == stored


def test_newsletter_feed_mode_and_cutoff() -> None:
    defaults = load_settings({"NEWSLETTER_NAME": "", "FEED_MODE": "", "DIGEST_CUTOFF": ""})
    assert (defaults.newsletter_name, defaults.feed_mode, defaults.digest_cutoff) == (None, "issue", dt.time(20, 0))
    settings = load_settings({"NEWSLETTER_NAME": " The  Morning Wire ", "FEED_MODE": "Daily", "DIGEST_CUTOFF": "6:30"})
    assert (settings.newsletter_name, settings.feed_mode, settings.digest_cutoff) == (
        "The Morning Wire",
        "daily",
        dt.time(6, 30),
    )
    with pytest.raises(ConfigError, match="FEED_MODE"):
        load_settings({"FEED_MODE": "weekly"})
    with pytest.raises(ConfigError, match="DIGEST_CUTOFF"):
        load_settings({"DIGEST_CUTOFF": "evening"})
