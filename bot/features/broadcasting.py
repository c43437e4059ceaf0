"""Breaking-news broadcasts, the editor's side: draft, confirm once, cancel, each step in the audit log.

Sending is the delivery engine's job (:mod:`bot.delivery.engine`): confirming queues the recipients in
SQLite and wakes the engine, which claims broadcast recipients ahead of any daily push. Nothing here talks
to Telegram, so the same steps serve the chat and could serve a command line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.features.services import Services
from bot.render.callbacks import BROADCAST_OPTIONS
from bot.render.editor import broadcast_confirmation, render_progress
from bot.render.message import RenderedMessage, messages
from storage import Broadcast, BroadcastStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Draft:
    broadcast: Broadcast
    recipients: int
    """Readers it would reach if confirmed now."""
    parts: list[RenderedMessage]
    """Exactly what each reader will be sent (the engine renders the stored text the same way)."""
    quiet: QuietNow = field(default_factory=lambda: QuietNow(0, 0))
    """Of the recipients, how many are in their quiet hours right now."""
    channels: int = 0
    """Channels configured (CHANNELS): where the "to the channels too" toggle would post it."""

    def question(self) -> RenderedMessage:
        """The question under the preview: who gets it, who is in quiet hours, the toggles, Send / Cancel."""
        broadcast = self.broadcast
        return broadcast_confirmation(
            broadcast.id,
            self.recipients,
            # An urgent alert is held for nobody: those who hold alerts get it silently too.
            quiet_silent=self.quiet.silent + self.quiet.held if broadcast.urgent else self.quiet.silent,
            quiet_held=0 if broadcast.urgent else self.quiet.held,
            urgent=broadcast.urgent,
            channels=self.channels,
            to_channels=broadcast.to_channels,
        )


@dataclass(frozen=True, slots=True)
class QuietNow:
    silent: int
    """Recipients in quiet hours who get it silently."""
    held: int
    """Recipients in quiet hours who asked to hold alerts: they get it when their quiet hours end."""


async def quiet_now(services: Services) -> QuietNow:
    """How many broadcast recipients are in their quiet hours at this moment (the preview says so)."""
    now = services.clock.now()
    silent = held = 0
    for reader in await services.subscribers.quiet_readers():
        if reader.quiet.is_quiet(now, ZoneInfo(reader.timezone)):
            if reader.hold:
                held += 1
            else:
                silent += 1
    return QuietNow(silent, held)


class Confirmed(StrEnum):
    STARTED = "started"
    ALREADY_SENT = "already_sent"
    """A second press, or another editor was quicker: nothing is sent twice."""
    CANCELLED = "cancelled"
    FINISHED = "finished"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Confirmation:
    outcome: Confirmed
    recipients: int = 0


async def draft(services: Services, editor_id: int, html: str) -> Draft:
    """Store a draft and render it as readers will get it.

    Raises:
        ValueError: the HTML is not markup Telegram accepts (checked before anything is stored).
    """
    messages(html)  # refuses markup Telegram would refuse, before anything is stored
    broadcast = await services.broadcasts.create(editor_id, html)
    return await _draft(services, broadcast)


async def _draft(services: Services, broadcast: Broadcast) -> Draft:
    return Draft(
        broadcast,
        await services.broadcasts.recipient_count(),
        messages(broadcast.text),
        await quiet_now(services),
        len(services.settings.channels),
    )


async def set_option(services: Services, broadcast_id: int, editor_id: int, option: str) -> Draft | None:
    """A toggle under the preview (``urgent``/``calm``, ``channels``/``readers``); None once it is confirmed."""
    name, on = BROADCAST_OPTIONS[option]
    if name == "channels" and on and not services.settings.channels:
        return None
    changed = await services.broadcasts.set_options(
        broadcast_id, urgent=on if name == "urgent" else None, to_channels=on if name == "channels" else None
    )
    if changed is None:
        return None
    await services.audit.record(editor_id, "broadcast.option", target=broadcast_id, details={name: on})
    return await _draft(services, changed)


async def confirm(services: Services, broadcast_id: int, editor_id: int) -> Confirmation:
    """draft → sending: queue the recipients, record who sent it, and wake the engine."""
    if not await services.broadcasts.confirm(broadcast_id):
        return Confirmation(await why_not(services, broadcast_id))
    recipients = await services.broadcasts.start(broadcast_id) or 0
    await services.audit.record(editor_id, "broadcast.send", target=broadcast_id, details={"recipients": recipients})
    logger.info("broadcast #%d started by editor %d: %d recipients", broadcast_id, editor_id, recipients)
    services.delivery.wake()
    return Confirmation(Confirmed.STARTED, recipients)


async def why_not(services: Services, broadcast_id: int) -> Confirmed:
    """Why a press on a preview's button did nothing: the broadcast is gone, cancelled, finished or sending."""
    broadcast = await services.broadcasts.get(broadcast_id)
    if broadcast is None:
        return Confirmed.UNKNOWN
    if broadcast.status is BroadcastStatus.CANCELLED:
        return Confirmed.CANCELLED
    if broadcast.status is BroadcastStatus.DONE:
        return Confirmed.FINISHED
    return Confirmed.ALREADY_SENT


async def started_progress(services: Services, broadcast_id: int) -> RenderedMessage:
    """The progress message of a broadcast that has just started sending."""
    tally = await services.broadcasts.tally(broadcast_id)
    return render_progress(broadcast_id, BroadcastStatus.SENDING, tally, None)


async def discard(services: Services, broadcast_id: int, editor_id: int) -> bool:
    """Cancel under the preview: only a draft can be discarded, so a late press never stops a sending one."""
    if not await services.broadcasts.discard(broadcast_id):
        return False
    await services.audit.record(editor_id, "broadcast.cancel", target=broadcast_id, details={"stage": "draft"})
    return True


async def stop(services: Services, editor_id: int) -> Broadcast | None:
    """``/cancel``: stop the editor's newest running broadcast (or, failing that, anyone's).

    Any editor may stop a broadcast, since a wrong alert must be stoppable by whoever notices it; the audit
    log says who did. Returns the broadcast stopped, or None when nothing was running.
    """
    running = await services.broadcasts.unfinished()
    own = [b for b in running if b.editor_id == editor_id]
    for broadcast in reversed(own or running):
        if await services.broadcasts.cancel(broadcast.id):
            tally = await services.broadcasts.tally(broadcast.id)
            await services.audit.record(
                editor_id,
                "broadcast.cancel",
                target=broadcast.id,
                details={"stage": str(broadcast.status), "sent": tally.sent, "not_sent": tally.skipped},
            )
            return broadcast
    return None
