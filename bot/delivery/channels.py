"""Posting to the publisher's channels (CHANNELS): today's issue once, and the broadcasts meant for them.

Today's issue is what :meth:`storage.DigestRepository.latest_published` calls today's (the rule that keeps
back-filled older issues out), and only if it is dated today in DEFAULT_TIMEZONE: a channel is a
newspaper's front page, and yesterday's issue published late is not news there. It goes out as soon as it
is published, or at CHANNEL_POST_TIME if that is set. Each (channel, issue) is reserved in SQLite before it
is sent, so the minute tick can ask every minute and a restart never posts twice; a post that failed for good
is recorded and not retried. Sends are paced like any group's, 20 messages a minute per channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram.error import TelegramError

from bot.delivery.failures import Action, classify
from bot.delivery.pacing import ChatPacer
from bot.delivery.sender import ApiSender
from bot.render.channel import render_channel_broadcast, render_channel_post
from bot.render.message import RenderedMessage
from storage import BroadcastStatus, Repositories

if TYPE_CHECKING:
    from bot.config import Settings  # a type only: pydantic loads with load_settings, not with the app

logger = logging.getLogger(__name__)

MAX_TRIES = 5
"""Network errors and 5xx are tried this many times; flood waits (429) are not counted."""
BROADCAST_WINDOW = dt.timedelta(hours=1)
"""A broadcast confirmed longer ago than this is no longer posted to a channel that missed it."""


@dataclass
class ChannelStats:
    posted: int = 0
    failed: int = 0


class ChannelPoster:
    """Posts to each configured channel what is due there; :meth:`post_due` is safe to call any time."""

    def __init__(
        self,
        repos: Repositories,
        sender: ApiSender,
        settings: Settings,
        bot_username: str,
        *,
        pacer: ChatPacer | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._repos = repos
        self._sender = sender
        self._settings = settings
        self._bot_username = bot_username
        self._pacer = pacer or ChatPacer()
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._ids: dict[str, int] = {}
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self.stats = ChannelStats()

    @property
    def channels(self) -> tuple[str, ...]:
        return self._settings.channels

    async def start(self) -> None:
        """Post in the background whenever woken (an issue published, a broadcast confirmed), and each minute."""
        if self.channels and self._runner is None:
            await self._sender.initialize()
            self._runner = asyncio.create_task(self._run(), name="channel-poster")

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
            await self._sender.shutdown()

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.post_due()
            except Exception:
                logger.exception("posting to the channels failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=60)

    async def post_due(self) -> int:
        """Post today's issue and recent channel broadcasts wherever they are not yet; returns posts made."""
        if not self.channels:
            return 0
        async with self._lock:
            posted = 0
            digest_id, parts = await self._todays_issue()
            broadcasts = await self._repos.broadcasts.for_channels(self._now() - BROADCAST_WINDOW)
            for channel in self.channels:
                if digest_id is not None and await self._due(channel, digest_id=digest_id):
                    posted += await self._post(channel, parts, digest_id=digest_id)
                for broadcast in broadcasts:
                    if broadcast.status not in (BroadcastStatus.SENDING, BroadcastStatus.DONE):
                        continue
                    if await self._due(channel, broadcast_id=broadcast.id):
                        rendered = render_channel_broadcast(broadcast.text, bot_username=self._bot_username)
                        posted += await self._post(channel, rendered, broadcast_id=broadcast.id)
            return posted

    async def _due(self, channel: str, *, digest_id: int | None = None, broadcast_id: int | None = None) -> bool:
        """Reserve the post, or take over one reserved but never finished (the process stopped mid-send).

        Only one poster runs per process and it holds the lock, so a reservation still ``pending`` here is
        one that was interrupted: like the engine's rows left ``sending``, it is sent (at least once).
        """
        channels = self._repos.channels
        if await channels.claim(channel, digest_id=digest_id, broadcast_id=broadcast_id):
            return True
        post = await channels.find(channel, digest_id=digest_id, broadcast_id=broadcast_id)
        return post is not None and post.status == "pending"

    def _now(self) -> dt.datetime:
        return self._repos.db.clock.now()

    async def _todays_issue(self) -> tuple[int | None, list[RenderedMessage]]:
        stored = await self._repos.digests.latest_published()
        if stored is None:
            return None, []
        local = self._now().astimezone(self._settings.timezone)
        if stored.digest.date is not None and stored.digest.date != local.date():
            return None, []
        post_time = self._settings.channel_post_time
        if post_time is not None and local.time() < post_time:
            return None, []
        digest = stored.digest.named(self._settings.newsletter_name)
        return stored.id, render_channel_post(digest, digest_id=stored.id, bot_username=self._bot_username)

    async def _post(
        self,
        channel: str,
        parts: Sequence[RenderedMessage],
        *,
        digest_id: int | None = None,
        broadcast_id: int | None = None,
    ) -> int:
        post = await self._repos.channels.find(channel, digest_id=digest_id, broadcast_id=broadcast_id)
        assert post is not None
        message_ids: list[int] = []
        chat_id = self._ids.get(channel)
        try:
            for part in parts:
                message_id, chat_id = await self._send(channel, part)
                message_ids.append(message_id)
        except _Failed as exc:
            await self._repos.channels.mark_failed(post.id, str(exc))
            logger.error("posting to channel %s failed: %s", channel, exc)
            self.stats.failed += 1
            return 0
        assert chat_id is not None
        await self._repos.channels.mark_sent(post.id, chat_id, message_ids)
        what = f"issue {digest_id}" if digest_id is not None else f"broadcast {broadcast_id}"
        logger.info("posted %s to channel %s", what, channel)
        self.stats.posted += 1
        return 1

    async def _send(self, channel: str, part: RenderedMessage) -> tuple[int, int]:
        tries = 0
        target: int | str = self._ids.get(channel, channel if channel.startswith("@") else int(channel))
        while True:
            known = self._ids.get(channel)
            if known is not None:
                await self._pacer.acquire(known, shared=True)
            try:
                message_id, chat_id = await self._sender.post(target, part)
            except TelegramError as exc:
                failure = classify(exc)
                if failure.action is Action.RETRY_AFTER:
                    await self._sleep(failure.retry_after)
                    continue
                if failure.action is Action.BACKOFF and tries + 1 < MAX_TRIES:
                    tries += 1
                    await self._sleep(2.0**tries)
                    continue
                raise _Failed(failure.reason) from exc
            if known is None:
                self._ids[channel] = chat_id
                self._pacer.reserve(chat_id, shared=True)  # the first post counts towards the minute too
            return message_id, chat_id


class _Failed(Exception):
    """The channel refused the post for good (the bot is no admin there, the channel is gone...)."""


def build_channel_poster(repos: Repositories, settings: Settings, bot_username: str) -> ChannelPoster:
    """A poster with a small connection pool of its own (a few posts a day need no more)."""
    sender = ApiSender(f"{settings.telegram_api_url}/bot{settings.token}", connection_limit=2)
    return ChannelPoster(repos, sender, settings, bot_username)
