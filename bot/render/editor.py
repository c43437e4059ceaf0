"""What editors see: broadcast previews and progress, the outline of an uploaded issue, statistics.

Like the rest of :mod:`bot.render`, this produces Telegram HTML and neutral keyboards and imports nothing
from ``telegram``; every phrase an editor reads is here, so handlers only choose which one to send.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

from bot.digest.calendar import MONTHS, format_issue_date, format_short_date
from bot.digest.model import Digest, Item, ItemKind
from bot.render import texts
from bot.render.callbacks import BroadcastDecision, PublishDecision, encode
from bot.render.html import escape
from bot.render.keyboard import Button, Keyboard
from bot.render.message import RenderedMessage, message, messages
from bot.render.split import PARAGRAPH_SEPARATOR
from storage import Broadcast, BroadcastStatus, BroadcastTally, SaveOutcome, SubscriberStatus
from storage.stats import GROWTH_DAYS, Stats

# --- broadcasts -------------------------------------------------------------------------------------

BROADCAST_USAGE = (
    "Send /broadcast followed by the news, or reply /broadcast to a message to send it with its formatting. "
    "You will see exactly what readers get before anything is sent."
)
BROADCAST_NO_TEXT = "I can only broadcast text, and the message you replied to has none."
SEND_BUTTON = "📣 Send to {count}"
CANCEL_BUTTON = "✖ Cancel"
ALREADY_SENT = "This broadcast is already on its way."
ALREADY_CANCELLED = "This broadcast was cancelled."
ALREADY_FINISHED = "This broadcast has already gone out."
UNKNOWN_BROADCAST = "I don't know that broadcast any more."
SENDING_NOW = "Sending…"
NOTHING_TO_CANCEL = "No broadcast is being sent right now."
CANCELLED_ANSWER = "Cancelled."


def bad_broadcast_markup(reason: str) -> str:
    return f"Telegram would refuse that formatting ({escape(reason)}). Nothing was saved."


def readers(count: int) -> str:
    return _count(count, "reader", "readers")


def broadcast_confirmation(broadcast_id: int, recipients: int) -> RenderedMessage:
    """The question under the preview: how many readers it would reach, and Send / Cancel."""
    who = (
        f"It goes to <b>{readers(recipients)}</b>: the active readers with breaking alerts on."
        if recipients
        else "<b>Nobody</b> would get it right now: no active reader has breaking alerts on."
    )
    html = f"⬆️ This is exactly what readers will see.\n{who}\n\nSend broadcast #{broadcast_id}?"
    send = Button(SEND_BUTTON.format(count=readers(recipients)), data=encode(BroadcastDecision(broadcast_id, True)))
    cancel = Button(CANCEL_BUTTON, data=encode(BroadcastDecision(broadcast_id, False)))
    return message(html, Keyboard(((send, cancel),)))


def broadcast_discarded(broadcast_id: int) -> RenderedMessage:
    return message(f"✖ Broadcast #{broadcast_id} cancelled. Nothing was sent.")


def cancelling(broadcast_id: int) -> str:
    return f"⛔ Stopping broadcast #{broadcast_id}. Whatever was sent stays sent; the report follows."


def broadcast_resumed(broadcast_id: int) -> str:
    return f"🔄 The bot restarted. Broadcast #{broadcast_id} carries on where it stopped; nobody gets it twice."


def duration(seconds: float) -> str:
    """ "under a second", "12 s", "3 min 5 s", "1 h 2 min"."""
    if seconds < 1:
        return "under a second"
    whole = math.ceil(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def render_progress(
    broadcast_id: int, status: BroadcastStatus, tally: BroadcastTally, rate: float | None, *, resumed: bool = False
) -> RenderedMessage:
    """The live progress message: sent / total, blocked, failed, rate and time left.

    ``rate`` is messages per second measured by the caller (None before there is anything to measure).
    """
    state = {
        BroadcastStatus.CONFIRMED: "starting",
        BroadcastStatus.SENDING: "sending",
        BroadcastStatus.DONE: "done",
        BroadcastStatus.CANCELLED: "cancelled",
    }.get(status, str(status))
    lines = [broadcast_resumed(broadcast_id), ""] if resumed else []
    lines.append(f"📣 <b>Broadcast #{broadcast_id}</b> · {state}")
    lines.append(f"Sent <b>{tally.sent}</b> / {tally.total} · blocked {tally.blocked} · failed {tally.failed}")
    if status is BroadcastStatus.CANCELLED and tally.skipped:
        lines.append(f"Not sent: {tally.skipped}")
    if status in (BroadcastStatus.CONFIRMED, BroadcastStatus.SENDING):
        remaining = tally.pending + tally.sending
        if rate is None or rate <= 0:
            lines.append("Rate: measuring…")
        else:
            lines.append(f"{rate:.1f} msg/s · about {duration(remaining / rate)} left")
    return message("\n".join(lines))


def render_report(broadcast: Broadcast, tally: BroadcastTally) -> list[RenderedMessage]:
    """The final word on a broadcast, sent as a new message so the editor is notified."""
    took = ""
    if broadcast.confirmed_at and broadcast.finished_at:
        took = f" in {duration((broadcast.finished_at - broadcast.confirmed_at).total_seconds())}"
    problems = f"Blocked the bot: {tally.blocked} · failed: {tally.failed}"
    if broadcast.status is BroadcastStatus.CANCELLED:
        html = (
            f"⛔ <b>Broadcast #{broadcast.id} cancelled.</b>\n"
            f"It reached {tally.sent} of {readers(tally.total)} before it was stopped; "
            f"{tally.skipped} did not get it.\n{problems}"
        )
    else:
        html = (
            f"✅ <b>Broadcast #{broadcast.id} sent</b>{took}.\n"
            f"Delivered to {tally.sent} of {readers(tally.total)}.\n{problems}"
        )
    return messages(html)


# --- publishing -------------------------------------------------------------------------------------

PUBLISH_USAGE = (
    "Reply /publish to a message holding the issue's text, or send the issue as a .txt, .md or .html file. "
    "You will see what I read before anything is stored."
)
PUBLISH_BUTTON = "✅ Publish"
UPLOAD_EXPIRED = "That upload has expired. Send the issue again."
PUBLISHED_ANSWER = "Published."
DISCARDED = "Discarded. Nothing was stored."
NOTHING_TO_WITHDRAW = "There is no published issue to withdraw."


def parse_failed(source: str, reason: str) -> str:
    return f"❌ I could not read <b>{escape(source)}</b> as an issue: {escape(reason)}\n\nNothing was stored."


def render_outline(
    digest: Digest,
    token: str,
    *,
    source: str | None = None,
    guessed: Mapping[str, str] | None = None,
    warnings: Sequence[str] = (),
) -> list[RenderedMessage]:
    """What the parser made of an upload, with Publish / Cancel: date, headline, sections, items.

    ``guessed`` names the fields the issue did not print (field → the rule that stood in), so the editor sees
    what was found and what was guessed; ``warnings`` are the parser's.
    """
    guessed = guessed or {}

    def mark(name: str) -> str:
        return f" <i>(guessed: {escape(guessed[name])})</i>" if name in guessed else ""

    head = [f"📄 <b>Parsed {escape(source)}</b>" if source else "📄 <b>Parsed issue</b>"]
    date = escape(format_issue_date(digest.date)) if digest.date else "<i>none found</i>"
    head.append(f"<b>Date:</b> {date}{mark('date')}")
    head.append(f"<b>Headline:</b> {escape(digest.title) if digest.title else '<i>none found</i>'}{mark('title')}")
    if digest.newsletter:
        head.append(f"<b>Newsletter:</b> {escape(digest.newsletter)}{mark('newsletter')}")
    items = list(digest.items())
    counts = ", ".join(_count(sum(1 for item in items if item.kind is kind), *_KIND_COUNTS[kind]) for kind in ItemKind)
    head.append(
        f"<b>Contents:</b> {_count(len(digest.sections), 'section', 'sections')}, "
        f"{_count(len(items), 'item', 'items')} ({counts})"
    )
    head.extend(f"⚠️ {escape(warning)}" for warning in warnings)
    blocks = ["\n".join(head)]
    for number, section in enumerate(digest.sections, start=1):
        title = escape(section.title) if section.title else "<i>untitled section</i>"
        lines = [f"<b>{number}. {title}</b>"]
        lines.extend(_outline_line(item) for item in section.items)
        blocks.append("\n".join(lines))
    if not items:
        blocks.append("<i>No items found.</i>")
    blocks.append("Publish it as the latest issue? Readers get it at their delivery time.")
    keyboard = Keyboard(
        (
            (
                Button(PUBLISH_BUTTON, data=encode(PublishDecision(token, True))),
                Button(CANCEL_BUTTON, data=encode(PublishDecision(token, False))),
            ),
        )
    )
    return messages(PARAGRAPH_SEPARATOR.join(blocks), keyboard)


_KIND_COUNTS = {
    ItemKind.STORY: ("story", "stories"),
    ItemKind.OPINION: ("opinion", "opinions"),
    ItemKind.BRIEF: ("brief", "briefs"),
}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _outline_line(item: Item) -> str:
    """ "📰 <i>story</i> Title — Author"."""
    title = f"{item.emoji} {item.title}" if item.emoji else item.title
    line = f"{texts.KIND_MARKERS[item.kind]} <i>{item.kind.value}</i> {escape(title)}"
    if item.author:
        line += f" — {escape(item.author)}"
    return line


def _issue_name(digest: Digest) -> str:
    title = escape(digest.title or digest.newsletter or texts.DEFAULT_NEWSLETTER)
    date = f" ({escape(format_issue_date(digest.date))})" if digest.date else ""
    return f"“{title}”{date}"


def published(digest: Digest, digest_id: int, outcome: SaveOutcome, *, republished: bool = False) -> str:
    note = {
        SaveOutcome.CREATED: "",
        SaveOutcome.UNCHANGED: " It was already stored with the same text.",
        SaveOutcome.REPLACED: " It replaces the earlier text of that date's issue.",
    }[outcome]
    if republished:
        note += " It had been withdrawn and is back."
    return f"✅ Published {_issue_name(digest)} as issue #{digest_id}.{note}\nReaders get it at their delivery time."


def withdrawn(digest: Digest, digest_id: int) -> str:
    return (
        f"🗑 Withdrew {_issue_name(digest)}, issue #{digest_id}. Readers can no longer open it and it is not pushed.\n"
        "Publish it again to bring it back."
    )


# --- statistics -------------------------------------------------------------------------------------

CHART_SUBSCRIBERS = "Subscribers (active or paused), by day"
CHART_SENT = "Issue messages sent per hour (UTC)"
CHART_CAPTION = "📈 Subscribers over the last 30 days and deliveries over the last 24 hours."

_STATUS_NAMES = {
    SubscriberStatus.ACTIVE: "active",
    SubscriberStatus.PAUSED: "paused",
    SubscriberStatus.BLOCKED: "blocked",
    SubscriberStatus.LEFT: "left",
}


def short_day(day: dt.date) -> str:
    """ "Mar 2": chart ticks, spelled out here so the process locale never changes them."""
    return f"{MONTHS[day.month - 1][:3]} {day.day}"


def _instant(when: dt.datetime) -> str:
    utc = when.astimezone(dt.UTC)
    return f"{format_short_date(utc.date())} {utc:%H:%M} UTC"


def _stats_sections(stats: Stats) -> list[tuple[str, list[str]]]:
    """The statistics as (heading, lines) of plain text: the chat and the terminal show the same."""
    status_line = " · ".join(f"{_STATUS_NAMES[status]} {count}" for status, count in stats.by_status.items())
    sections = [
        ("Subscribers", [status_line, f"Last {GROWTH_DAYS} days: +{stats.new} new, −{stats.lost} lost"]),
        (
            "Readers by delivery hour",
            [f"{hour:02d}:00 — {count}" for hour, count in sorted(stats.by_delivery_hour.items())]
            or ["No active readers."],
        ),
        (
            f"Today's deliveries ({format_issue_date(stats.today.day)})",
            [f"sent {stats.today.sent} · pending {stats.today.pending} · failed {stats.today.failed}"],
        ),
    ]
    last = stats.last_broadcast
    if last is None:
        broadcast = ["None yet."]
    else:
        when = f" {_instant(last.finished_at)}" if last.finished_at else ""
        state = "cancelled" if last.status is BroadcastStatus.CANCELLED else "sent"
        broadcast = [
            f"#{last.id}, {state}{when}",
            f"sent {last.sent} of {last.recipients} · blocked {last.blocked} · failed {last.failed}"
            + (f" · not sent {last.skipped}" if last.skipped else ""),
        ]
    sections.append(("Last broadcast", broadcast))
    return sections


def render_stats(stats: Stats) -> list[RenderedMessage]:
    blocks = [f"📊 <b>Statistics</b> · <i>{escape(_instant(stats.at))}</i>"]
    for heading, lines in _stats_sections(stats):
        blocks.append("\n".join([f"<b>{escape(heading)}</b>", *(escape(line) for line in lines)]))
    return messages(PARAGRAPH_SEPARATOR.join(blocks))


def stats_text(stats: Stats) -> str:
    """Plain text for ``briefing stats``."""
    blocks = [f"Statistics at {_instant(stats.at)}"]
    for heading, lines in _stats_sections(stats):
        blocks.append("\n".join([heading, *(f"  {line}" for line in lines)]))
    return "\n\n".join(blocks)


def tick_labels(labels: Sequence[str], every: int) -> list[str]:
    """Every ``every``-th label counting back from the last (today, this hour), blanks in between."""
    last = len(labels) - 1
    return [label if (last - index) % every == 0 else "" for index, label in enumerate(labels)]
