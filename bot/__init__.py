"""briefing-bot: a Telegram bot that delivers a daily news briefing."""

__version__ = "0.1.0"
