"""Webhook mode of the local Bot API server: updates are POSTed to the bot instead of waiting for getUpdates.

Like Telegram, and like the self-hosted telegram-bot-api server in ``--local`` mode (which is why plain
``http://`` to a loopback address and any port are accepted here): each update is POSTed as JSON with the
``X-Telegram-Bot-Api-Secret-Token`` header when a secret was set; an answer other than 2xx (or no answer)
is recorded as the webhook's last error and the update is tried again shortly, in order; ``getUpdates`` is
refused with 409 while a webhook is set. Updates go one at a time, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.sandbox.errors import bad_request
from bot.sandbox.updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(frozen=True, slots=True)
class WebhookPost:
    """One POST the server made: which update, and the HTTP status it got (None: no answer)."""

    update_id: int
    status: int | None


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebhookPoster:
    """The webhook of one server: where to POST, with which secret, and how the last POSTs went."""

    def __init__(self, updates: UpdateQueue, *, retry_delay: float = 0.5, timeout: float = 10.0) -> None:
        self._updates = updates
        self._retry_delay = retry_delay
        self._timeout = timeout
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.posts: list[WebhookPost] = []
        self._task: asyncio.Task[None] | None = None

    def set(self, url: str, secret: str | None, max_connections: int | None) -> None:
        """Check like Telegram, then start POSTing (replacing an earlier webhook)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if not is_loopback(parts.hostname):
            # Nothing but this machine can be reached from the sandbox; say so the way Telegram would.
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
        if secret is not None and not (1 <= len(secret) <= 256 and set(secret) <= _SECRET_CHARS):
            raise bad_request("secret token contains unallowed characters")
        if max_connections is not None and not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        self._stop_task()
        self.url, self.secret = url, secret
        self.max_connections = max_connections or 40
        self.last_error_date = self.last_error_message = None
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sandbox-webhook")

    def delete(self) -> None:
        self._stop_task()
        self.url, self.secret = "", None

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def info(self) -> dict[str, Any]:
        """getWebhookInfo's answer."""
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates.pending()),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            info["ip_address"] = urlsplit(self.url).hostname
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    def _stop_task(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self._timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                pending = self._updates.pending()
                if not pending:
                    await self._updates.changed()
                    continue
                update = pending[0]
                if await self._post(session, update):
                    self._updates.confirm(update["update_id"] + 1)
                else:
                    await asyncio.sleep(self._retry_delay)

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        headers = {"Content-Type": "application/json"}
        if self.secret is not None:
            headers[SECRET_HEADER] = self.secret
        status: int | None = None
        try:
            async with session.post(self.url, data=json.dumps(update), headers=headers) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._failed(f"Connection failed: {type(exc).__name__}")
        self.posts.append(WebhookPost(update["update_id"], status))
        if status is None:
            return False
        if 200 <= status < 300:
            return True
        self._failed(f"Wrong response from the webhook: {status}")
        return False

    def _failed(self, message: str) -> None:
        self.last_error_date = int(time.time())
        self.last_error_message = message
