"""The bot's commands: one list that feeds the Telegram command menu and the /help text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    """A bot command as the menu and /help list it."""

    name: str
    description: str
    usage: str = ""
    """Arguments shown in /help, e.g. "<author or N>"."""


READER_COMMANDS: tuple[Command, ...] = (
    Command("start", "Subscribe and see what the bot does"),
    Command("help", "All commands"),
    Command("today", "Today's issue"),
    Command("digest", "The issue of a given day", "<2022-01-07, yesterday or monday>"),
    Command("archive", "Recent issues, page by page"),
    Command("stories", "Today's stories, or the archive's on a topic", "[topic]"),
    Command("story", "Read one of today's stories, or find stories on a topic", "<N or topic>"),
    Command("opinions", "Today's opinions, or the archive's on a topic", "[topic]"),
    Command("opinion", "Find an opinion by author, topic or both, or today's by number", "<author, topic or N>"),
    Command("authors", "Everyone who writes for the archive, with their pieces"),
    Command("search", "Search the whole archive", "<words>"),
    Command("latest", "The latest breaking update from the editors"),
    Command("settings", "Delivery time, timezone, format, sections, alerts"),
    Command("time", "When your digest arrives", "<07:30>"),
    Command("timezone", "Your timezone: a city, an offset or your local time", "<Berlin, UTC+3 or “it's 14:35 here”>"),
    Command("quiet", "Quiet hours: alerts arrive silently (or wait) at night", "<22:00-07:00 or off>"),
    Command("pause", "Pause the digest, for some days or until /resume", "[days]"),
    Command("resume", "Get the digest again after a pause"),
    Command("follow", "Flag an author's new pieces in your digest", "<author>"),
    Command("unfollow", "Stop following an author", "<author>"),
    Command("mydata", "Everything the bot stores about you"),
    Command("forget", "Delete everything the bot stores about you"),
    Command("stop", "Unsubscribe (send /start to come back)"),
)

EDITOR_COMMANDS: tuple[Command, ...] = (
    Command("broadcast", "Send breaking news to readers, after a preview", "<text>"),
    Command("cancel", "Stop the broadcast being sent"),
    Command("publish", "Publish the issue in the message you reply to (or send a file)"),
    Command("withdraw", "Withdraw an issue from reading and pushing, after you confirm", "[2022-01-07]"),
    Command("republish", "Bring back a withdrawn issue", "<2022-01-07>"),
    Command("stats", "Subscribers, deliveries and the last broadcast, with a chart"),
)
"""Shown in each editor's own chat only (a per-chat command scope), never in readers' menus."""


def editor_menu() -> tuple[Command, ...]:
    """An editor's command menu: the readers' commands, then the editors'."""
    return READER_COMMANDS + EDITOR_COMMANDS
