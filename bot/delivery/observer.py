"""What the delivery layer reports as it works, for whoever watches (the metrics of the running bot).

The engine and the scheduler call a :class:`DeliveryObserver`; they never import a metrics library. The
running bot passes one that feeds Prometheus (:mod:`bot.telegram.metrics`); everything else gets
:data:`NO_OBSERVER`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Final, Protocol


class SendResult(StrEnum):
    """How one sendMessage ended."""

    OK = "ok"
    RATE_LIMITED = "429"
    BLOCKED = "blocked"
    ERROR = "error"


class DeliveryObserver(Protocol):
    def message_sent(self, result: SendResult) -> None:
        """One sendMessage answered (or, for ERROR, given up on)."""

    def retried(self, reason: str) -> None:
        """A send is tried again: ``"429"`` (flood limit) or ``"network"`` (network error or 5xx)."""

    def delivered(self, lag: dt.timedelta | None) -> None:
        """A recipient got everything; ``lag`` from when the issue was due for them (None: a broadcast)."""

    def ticked(self, due: int, queued: int) -> None:
        """The minute tick finished: ``due`` readers looked at, ``queued`` deliveries added."""


class _Nobody:
    def message_sent(self, result: SendResult) -> None:
        pass

    def retried(self, reason: str) -> None:
        pass

    def delivered(self, lag: dt.timedelta | None) -> None:
        pass

    def ticked(self, due: int, queued: int) -> None:
        pass


NO_OBSERVER: Final[DeliveryObserver] = _Nobody()
