"""Telegram-facing handlers. :func:`register` is the one place that wires them, in an explicit order.

Order matters: commands first, then callback buttons by prefix, then the catch-alls (plain text as a
search, unknown commands, stale buttons) last.
"""

from __future__ import annotations

from bot.telegram.context import BriefingApplication
from handlers import chats, common, editor, reader, subscription


def register(app: BriefingApplication) -> None:
    common.register(app)
    # -- feature handlers go here, each module registering its own commands and callback prefixes --
    editor.register(app)
    reader.register(app)
    subscription.register(app)
    chats.register(app)
    reader.register_fallbacks(app)
    common.register_fallbacks(app)
    app.add_error_handler(common.on_error)
