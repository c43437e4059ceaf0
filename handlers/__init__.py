"""Telegram-facing handlers. :func:`register` is the one place that wires them, in an explicit order."""

from __future__ import annotations

from telegram.ext import Application, CommandHandler, MessageHandler, filters

from handlers import common


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", common.start))
    app.add_handler(CommandHandler("help", common.help_command))
    # Last: anything that looks like a command but matched nothing above.
    app.add_handler(MessageHandler(filters.COMMAND, common.unknown_command))
    app.add_error_handler(common.on_error)
