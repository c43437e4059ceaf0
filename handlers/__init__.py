"""Telegram-facing handlers. :func:`register` is the one place that wires them, in an explicit order.

Order matters: commands first, then callback buttons by prefix, then the catch-alls (plain text as a
search, unknown commands, stale buttons) last.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import chats, common, editor, reader, subscription


def register(app: Application) -> None:  # type: ignore[type-arg]
    common.register(app)
    # -- feature handlers go here, each module registering its own commands and callback prefixes --
    editor.register(app)
    reader.register(app)
    subscription.register(app)
    chats.register(app)
    reader.register_fallbacks(app)
    common.register_fallbacks(app)
    app.add_error_handler(common.on_error)
