"""What the bot posts to the publisher's channels: an overview of today's issue that leads readers into the bot.

A channel post cannot carry callback buttons that act for the reader (the bot does not know who pressed
them in a channel), so every button is a ``t.me/<bot>?start=...`` deep link: one per story and opinion to
read it in the bot, and "Get it at your own time" to subscribe.
"""

from __future__ import annotations

from dataclasses import replace

from bot.digest.model import Digest, ItemKind
from bot.render import texts
from bot.render.digest import OPENABLE, render_overview
from bot.render.keyboard import Button, Keyboard, label
from bot.render.message import RenderedMessage, messages

SUBSCRIBE_PAYLOAD = "subscribe"
"""``/start subscribe``: the channel's "Get it at your own time" button."""
GET_IT = "🕗 Get it at your own time"
_KIND_WORDS = {ItemKind.STORY: "story", ItemKind.OPINION: "opinion"}


def deep_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def render_channel_post(digest: Digest, *, digest_id: int, bot_username: str) -> list[RenderedMessage]:
    """The issue's headline, teaser and items, with a deep-link button per story and opinion (1-based per kind)."""
    overview = render_overview(digest, digest_id=digest_id)
    rows: list[tuple[Button, ...]] = []
    if digest.date is not None:
        numbers = dict.fromkeys(OPENABLE, 0)
        for item in digest.items():
            if item.kind not in OPENABLE:
                continue
            numbers[item.kind] += 1
            payload = f"{_KIND_WORDS[item.kind]}-{digest.date.isoformat()}-{numbers[item.kind]}"
            marker = texts.KIND_MARKERS[item.kind]
            rows.append((Button(label(f"{marker} {item.title}"), url=deep_link(bot_username, payload)),))
    rows.append((Button(GET_IT, url=deep_link(bot_username, SUBSCRIBE_PAYLOAD)),))
    # The overview's own buttons open items in a private chat; in a channel the deep links replace them.
    *first, last = overview
    return [*(replace(part, keyboard=None) for part in first), replace(last, keyboard=Keyboard(tuple(rows)))]


def render_channel_broadcast(html: str, *, bot_username: str) -> list[RenderedMessage]:
    """A breaking update as posted to a channel: the editor's text and the way into the bot."""
    return messages(html, Keyboard(((Button(GET_IT, url=deep_link(bot_username, SUBSCRIBE_PAYLOAD)),),)))
