"""Fixed replies the bot sends. Texts built from digests live in the renderer; these are the rest."""

from __future__ import annotations

from html import escape

from bot.commands import EDITOR_COMMANDS, READER_COMMANDS, Command

APOLOGY = "Sorry, something went wrong on our side. Please try again in a minute."
EDITORS_ONLY = "This command is for editors."
STALE_BUTTON = "That button has expired. Send /today for the latest issue."


def welcome(first_name: str | None, delivery_time: str, timezone: str, *, returning: bool = False) -> str:
    name = escape(first_name or "there")
    greeting = f"Welcome back, {name}!" if returning else f"Hello, {name}!"
    return (
        f"{greeting} This is <b>The Real Russia. Today.</b> — a daily briefing in Telegram.\n\n"
        f"You are subscribed: the digest arrives every day at <b>{escape(delivery_time)}</b> "
        f"({escape(timezone)}).\n\n"
        "Send /help to see everything I can do."
    )


def _command_lines(commands: tuple[Command, ...]) -> list[str]:
    return [f"/{c.name}{' ' + escape(c.usage) if c.usage else ''} — {escape(c.description)}" for c in commands]


def help_text(*, editor: bool = False) -> str:
    lines = ["<b>What I can do</b>", *_command_lines(READER_COMMANDS)]
    if editor and EDITOR_COMMANDS:
        lines += ["", "<b>For editors</b>", *_command_lines(EDITOR_COMMANDS)]
    return "\n".join(lines)


def unknown_command(command: str) -> str:
    return f"I don't know {escape(command)}.\n\n" + help_text()
