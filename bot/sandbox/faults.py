"""Injected failures: make the next few requests fail the way Telegram sometimes does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

FaultKind = Literal["5xx", "timeout", "429", "network"]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))


@dataclass(slots=True)
class Fault:
    """One injected failure mode and how many more requests it will hit.

    Attributes:
        kind: ``5xx`` answers ``status``; ``timeout`` holds the answer ``delay`` seconds;
            ``429`` answers Too Many Requests with ``retry_after``; ``network`` drops the
            connection without an answer.
        methods: lower-cased method names it applies to; ``None`` means every method
            except ``getUpdates`` (so a polling bot does not swallow the faults).
        delivered: carry out the request anyway, as Telegram sometimes does when the
            answer is lost: the message arrives although the bot saw a failure.
    """

    kind: FaultKind
    remaining: int
    methods: frozenset[str] | None = None
    retry_after: int = 1
    delay: float = 30.0
    delivered: bool = False
    status: int = 500

    def matches(self, method: str) -> bool:
        lowered = method.lower()
        if self.methods is None:
            return lowered != "getupdates"
        return lowered in self.methods


class FaultPlan:
    """Queued faults, applied first come first served to the requests they match."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.injected = 0

    def add(self, fault: Fault) -> None:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; use one of {sorted(FAULT_KINDS)}")
        if fault.remaining > 0:
            self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str) -> Fault | None:
        """The fault this request suffers, if any; each use counts against ``remaining``."""
        if not self._faults:
            return None
        for fault in self._faults:
            if fault.matches(method):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                self.injected += 1
                return fault
        return None
