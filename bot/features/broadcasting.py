"""Breaking-news broadcasts, the editor's side: draft, confirm once, cancel, each step in the audit log.

Sending is the delivery engine's job (:mod:`bot.delivery.engine`): confirming queues the recipients in
SQLite and wakes the engine, which claims broadcast recipients ahead of any daily push. Nothing here talks
to Telegram, so the same steps serve the chat and could serve a command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.features.services import Services
from bot.render.editor import render_progress
from bot.render.message import RenderedMessage, messages
from storage import Broadcast, BroadcastStatus


@dataclass(frozen=True, slots=True)
class Draft:
    broadcast: Broadcast
    recipients: int
    """Readers it would reach if confirmed now."""
    parts: list[RenderedMessage]
    """Exactly what each reader will be sent (the engine renders the stored text the same way)."""


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
    parts = messages(html)
    broadcast = await services.broadcasts.create(editor_id, html)
    return Draft(broadcast, await services.broadcasts.recipient_count(), parts)


async def confirm(services: Services, broadcast_id: int, editor_id: int) -> Confirmation:
    """draft → sending: queue the recipients, record who sent it, and wake the engine."""
    if not await services.broadcasts.confirm(broadcast_id):
        return Confirmation(await why_not(services, broadcast_id))
    recipients = await services.broadcasts.start(broadcast_id) or 0
    await services.audit.record(editor_id, "broadcast.send", target=broadcast_id, details={"recipients": recipients})
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
