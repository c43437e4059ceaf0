"""What every Bot API method implementation shares: state, logs, limits and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import ApiError
from bot.sandbox.limits import FloodControl
from bot.sandbox.params import Params
from bot.sandbox.records import SentLog, SentRecord
from bot.sandbox.state import SandboxState
from bot.sandbox.stats import RequestStats
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.webhook import WebhookPoster


@dataclass(frozen=True, slots=True)
class MethodContext:
    """What method implementations share; one per server, so servers never see each other."""

    state: SandboxState
    updates: UpdateQueue
    log: SentLog
    stats: RequestStats
    flood: FloodControl
    bot_user: dict[str, Any]
    clock: Callable[[], float]
    webhook: WebhookPoster

    def admit(self, chat_id: int | None, params: Params) -> None:
        """Apply flood control to a sending request; a rejected one is not carried out."""
        chat = self.state.chats.get(chat_id) if chat_id is not None else None
        shared = chat is not None and chat.shared
        retry_after = self.flood.admit(chat_id, paid=params.flag("allow_paid_broadcast"), shared=shared)
        if retry_after is not None:
            self.stats.flood_rejected(chat_id)
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def record(self, method: str, params: Params, **fields: Any) -> SentRecord:
        record = SentRecord(
            method=method,
            params=params.as_record(),
            at=self.clock(),
            wall=time.time(),
            fault=params.fault,
            **fields,
        )
        self.log.append(record)
        return record
