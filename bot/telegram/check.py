"""``briefing check``: is this configuration ready to run? Each problem is one line an operator can act on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import Settings
from bot.delivery.transport import AiohttpRequest
from bot.telegram.startup import network_reason
from storage import Database, current_version

FAILING_WEBHOOK = dt.timedelta(minutes=10)
"""A webhook error this recent, with updates waiting, means readers are not being answered right now."""


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    """What was found, in order (configuration, database, bot, webhook)."""
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


async def check(settings: Settings) -> CheckReport:
    """Print-ready findings: configuration (masked), database opened and migrated, getMe, getWebhookInfo."""
    report = CheckReport()
    report.lines.append("configuration (secrets masked):")
    report.lines.extend(f"  {name}={value}" for name, value in settings.masked())
    await _check_database(settings, report)
    if settings.telegram_bot_token is None:
        report.problems.append("TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in .env")
        return report
    await _check_bot(settings, report)
    return report


async def _check_database(settings: Settings, report: CheckReport) -> None:
    try:
        async with await Database.open(settings.briefing_db) as db:
            await db.check_writable()
            version = await current_version(db)
    except Exception as exc:
        report.problems.append(f"database {settings.briefing_db}: cannot open, migrate or write it: {exc}")
        return
    report.lines.append(f"database {settings.briefing_db}: migrated (schema version {version}), writable")


async def _check_bot(settings: Settings, report: CheckReport) -> None:
    request = AiohttpRequest(connection_limit=2)
    try:
        await _ask_bot_api(settings, report, request)
    finally:
        await request.shutdown()


async def _ask_bot_api(settings: Settings, report: CheckReport, request: AiohttpRequest) -> None:
    bot = Bot(
        settings.token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
        request=request,
    )
    try:
        # initialize() calls getMe: a rejected token fails here.
        await bot.initialize()
    except InvalidToken:
        report.problems.append(f"TELEGRAM_BOT_TOKEN was rejected by the Bot API at {settings.telegram_api_url}")
        return
    except NetworkError as exc:
        report.problems.append(f"cannot reach {settings.telegram_api_url} ({network_reason(exc)})")
        return
    except TelegramError as exc:
        report.problems.append(f"the Bot API at {settings.telegram_api_url} answered: {exc}")
        return
    try:
        report.lines.append(f"bot: @{bot.username} (id {bot.id})")
        info = await bot.get_webhook_info()
        if settings.webhook_mode:
            error = "none"
            if info.last_error_message:
                when = f" at {info.last_error_date:%Y-%m-%d %H:%M} UTC" if info.last_error_date else ""
                error = f"{info.last_error_message}{when}"
            current = info.url or "(none yet: `briefing run` sets it)"
            report.lines.append(
                f"webhook: {current}; {info.pending_update_count} updates pending; last error: {error}"
            )
            if info.url and info.url != settings.webhook_url:
                report.lines.append(f"  `briefing run` will point it at {settings.webhook_url}")
            elif (
                info.url
                and info.pending_update_count
                and info.last_error_date is not None
                and dt.datetime.now(dt.UTC) - info.last_error_date < FAILING_WEBHOOK
            ):
                report.problems.append(
                    f"the Bot API cannot deliver updates to {info.url} ({info.last_error_message}; "
                    f"{info.pending_update_count} waiting): is `briefing run` up, and does the proxy pass "
                    f"that path on to HTTP_HOST:HTTP_PORT unchanged?"
                )
        elif info.url:
            report.lines.append(f"polling mode: the webhook {info.url} is removed when `briefing run` starts")
    except TelegramError as exc:
        report.problems.append(f"getWebhookInfo failed: {exc}")
    finally:
        await bot.shutdown()
