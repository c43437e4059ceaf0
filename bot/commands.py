"""The bot's commands: one list that feeds the Telegram command menu and the /help text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str
    usage: str = ""
    """Arguments shown in /help, e.g. "<author or N>"."""


READER_COMMANDS: tuple[Command, ...] = (
    Command("start", "Subscribe and see what the bot does"),
    Command("help", "All commands"),
)

EDITOR_COMMANDS: tuple[Command, ...] = ()
