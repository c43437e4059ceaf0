"""The live progress message of a broadcast: a JobQueue job edits it until the broadcast ends, then reports.

Progress is read from SQLite (the recipients' rows), never from the engine's memory, so the job works the
same whichever process or restart did the sending. After a restart, :func:`resume_progress` gives every
unfinished broadcast a new progress message, since the old one is far up the chat and its job is gone.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application, JobQueue

from bot.render.editor import render_progress, render_report
from bot.telegram.context import BriefingContext
from bot.telegram.messages import edit_rendered_at, send_rendered
from storage import BroadcastStatus, BroadcastTally

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 3.0
"""How often the progress message is refreshed: often enough to feel live, rarely enough for flood limits."""
SETTLE_SECONDS = 30.0
"""After a cancel, wait up to this long for the sends already in flight to be recorded before reporting."""
_FINISHED = (BroadcastStatus.DONE, BroadcastStatus.CANCELLED)


@dataclass
class ProgressWatch:
    """What one progress job remembers between refreshes."""

    broadcast_id: int
    chat_id: int
    message_id: int
    resumed: bool = False
    baseline: tuple[float, int] | None = None
    """(monotonic time, recipients done) when watching began: the rate is measured from there."""
    shown: str | None = None
    """The HTML on screen, so an unchanged refresh is not sent (Telegram answers 400 "not modified")."""
    settling_since: float | None = None
    """When the broadcast was first seen cancelled with sends still in flight."""
    finished: bool = False


def job_name(broadcast_id: int) -> str:
    return f"broadcast-progress-{broadcast_id}"


def watch(job_queue: JobQueue[Any], progress: ProgressWatch) -> bool:
    """Start refreshing ``progress``; False when a job already watches that broadcast."""
    name = job_name(progress.broadcast_id)
    if job_queue.get_jobs_by_name(name):
        return False
    job_queue.run_repeating(
        _refresh,
        interval=PROGRESS_SECONDS,
        first=PROGRESS_SECONDS,
        name=name,
        data=progress,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    return True


async def resume_progress(app: Application[Any, BriefingContext, Any, Any, Any, Any]) -> int:
    """Call once at start-up, after the services exist: a new progress message per unfinished broadcast.

    Best called before the engine starts, so that a broadcast the engine finishes at once still gets its
    report. Idempotent: a broadcast already watched is left alone. Returns how many it resumed.
    """
    services = app.bot_data.services
    assert app.job_queue is not None and services is not None
    resumed = 0
    for broadcast in await services.broadcasts.unfinished():
        if app.job_queue.get_jobs_by_name(job_name(broadcast.id)):
            continue
        tally = await services.broadcasts.tally(broadcast.id)
        rendered = render_progress(broadcast.id, broadcast.status, tally, None, resumed=True)
        try:
            [sent] = await send_rendered(app.bot, broadcast.editor_id, [rendered])
        except TelegramError as exc:
            logger.warning("cannot show the progress of broadcast %s to %s: %s", broadcast.id, broadcast.editor_id, exc)
            continue
        progress = ProgressWatch(
            broadcast.id,
            broadcast.editor_id,
            sent.message_id,
            resumed=True,
            baseline=(time.monotonic(), tally.done),
            shown=rendered.html,
        )
        resumed += watch(app.job_queue, progress)
    return resumed


async def _refresh(context: BriefingContext) -> None:
    job = context.job
    assert job is not None
    progress = job.data
    assert isinstance(progress, ProgressWatch), "progress jobs carry their ProgressWatch"
    if progress.finished:
        return
    services = context.services
    broadcasts = services.broadcasts
    broadcast = await broadcasts.get(progress.broadcast_id)
    if broadcast is None:
        job.schedule_removal()
        return
    tally = await broadcasts.tally(broadcast.id)
    if broadcast.status is BroadcastStatus.SENDING and tally.pending == tally.sending == 0:
        # Everyone has an outcome: close it now rather than wait for the engine's next round.
        await broadcasts.finish(broadcast.id)
        broadcast = await broadcasts.get(broadcast.id) or broadcast
    finished = broadcast.status in _FINISHED
    if finished and tally.sending:
        # Cancelled with sends in flight: report once the engine has recorded them (or gave up on them).
        now = time.monotonic()
        progress.settling_since = progress.settling_since or now
        finished = now - progress.settling_since >= SETTLE_SECONDS
    rendered = render_progress(broadcast.id, broadcast.status, tally, _rate(progress, tally), resumed=progress.resumed)
    if rendered.html != progress.shown:
        try:
            await edit_rendered_at(context.bot, progress.chat_id, progress.message_id, rendered)
            progress.shown = rendered.html
        except TelegramError as exc:  # the editor deleted it, or Telegram is busy: the report still comes
            logger.warning("progress of broadcast %s not updated: %s", broadcast.id, exc)
    if finished:
        progress.finished = True
        job.schedule_removal()
        await send_rendered(context.bot, progress.chat_id, render_report(broadcast, tally))


def _rate(progress: ProgressWatch, tally: BroadcastTally) -> float | None:
    """Messages per second since the job first looked; None until there is something to measure."""
    now = time.monotonic()
    if progress.baseline is None:
        progress.baseline = (now, tally.done)
        return None
    started, done = progress.baseline
    if now <= started or tally.done <= done:
        return None
    return (tally.done - done) / (now - started)
