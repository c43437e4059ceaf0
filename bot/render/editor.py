"""What editors see: broadcast previews and progress, the outline of an uploaded issue, statistics.

Like the rest of :mod:`bot.render`, this produces Telegram HTML and neutral keyboards and imports nothing
from ``telegram``; every phrase an editor reads is here, so handlers only choose which one to send.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.digest.calendar import MONTHS, format_issue_date, format_short_date
from bot.digest.model import Digest, Item, ItemKind
from bot.render import texts
from bot.render.callbacks import (
    BroadcastDecision,
    BroadcastOption,
    PublishDecision,
    PublishNow,
    RepublishIssue,
    WithdrawDecision,
    encode,
)
from bot.render.digest import full_length
from bot.render.html import escape, quote_input
from bot.render.keyboard import Button, Keyboard
from bot.render.message import RenderedMessage, message, messages
from bot.render.split import PARAGRAPH_SEPARATOR
from bot.rules.issues import IssueDay
from storage import Broadcast, BroadcastStatus, BroadcastTally, SaveOutcome, SubscriberStatus

if TYPE_CHECKING:
    from storage.stats import Forecast, Stats  # the /stats figures load with /stats

TOP_SHOWN = 5
"""Pieces listed under "Most opened" in /stats (the JSON has up to ten)."""

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
SAVED_OPTION = "Changed."
OPTION_TOO_LATE = "This broadcast is no longer a draft (or there are no channels): nothing changed."


def edited_command(name: str) -> str:
    """An editor edited an old message into an editor command: edits never act (they would repeat a send)."""
    return f"Edits are not commands, so nothing happened. To use /{name}, send it again as a new message."


def bad_broadcast_markup(reason: str) -> str:
    return f"Telegram would refuse that formatting ({escape(reason)}). Nothing was saved."


def readers(count: int) -> str:
    return _count(count, "reader", "readers")


def broadcast_confirmation(
    broadcast_id: int,
    recipients: int,
    *,
    quiet_silent: int = 0,
    quiet_held: int = 0,
    urgent: bool = False,
    channels: int = 0,
    to_channels: bool = False,
) -> RenderedMessage:
    """The question under the preview: how many readers it would reach, who is in quiet hours, and Send / Cancel.

    With quiet hours about, an "urgent" toggle (silent but never held); with CHANNELS, a "channels too" toggle.
    """
    who = (
        f"It goes to <b>{readers(recipients)}</b>: the active readers with breaking alerts on."
        if recipients
        else "<b>Nobody</b> would get it right now: no active reader has breaking alerts on."
    )
    lines = [f"⬆️ This is exactly what readers will see.\n{who}"]
    if quiet_silent or quiet_held:
        quiet = f"🌙 {readers(quiet_silent + quiet_held)} in quiet hours right now"
        details = []
        if quiet_silent:
            details.append(f"{quiet_silent} {'gets' if quiet_silent == 1 else 'get'} it silently")
        if quiet_held:
            details.append(f"{quiet_held} when their quiet hours end")
        lines.append(f"{quiet}: {', '.join(details)}.")
    if urgent:
        lines.append("⚡ <b>Urgent</b>: silent in quiet hours, but held for nobody.")
    if channels:
        lines.append(
            f"📢 Also posted to the {_count(channels, 'channel', 'channels')}."
            if to_channels
            else "📢 Not posted to the channels."
        )
    html = "\n".join(lines) + f"\n\nSend broadcast #{broadcast_id}?"
    send = Button(SEND_BUTTON.format(count=readers(recipients)), data=encode(BroadcastDecision(broadcast_id, True)))
    cancel = Button(CANCEL_BUTTON, data=encode(BroadcastDecision(broadcast_id, False)))
    rows: list[tuple[Button, ...]] = [(send, cancel)]
    toggles = [
        Button(
            "✓ ⚡ Urgent" if urgent else "⚡ Mark urgent",
            data=encode(BroadcastOption(broadcast_id, "calm" if urgent else "urgent")),
        )
    ]
    if channels:
        toggles.append(
            Button(
                "✓ 📢 Channels too" if to_channels else "📢 Channels too",
                data=encode(BroadcastOption(broadcast_id, "readers" if to_channels else "channels")),
            )
        )
    rows.append(tuple(toggles))
    return message(html, Keyboard(tuple(rows)))


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
    if tally.retrying:
        lines.append(f"Retrying {tally.retrying} (the network or Telegram failed; they are tried again)")
    if status is BroadcastStatus.CANCELLED and tally.skipped:
        lines.append(f"Not sent: {tally.skipped}")
    if status in (BroadcastStatus.CONFIRMED, BroadcastStatus.SENDING):
        if tally.held:
            lines.append(f"🌙 {readers(tally.held)} held until their quiet hours end")
        remaining = tally.pending + tally.sending - tally.held
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
    if tally.retrying:
        problems += f" · still retrying: {tally.retrying}"
    if tally.possibly_doubled:
        problems += f" · possibly doubled: {tally.possibly_doubled} (an answer was lost, sent again)"
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
ARCHIVE_BUTTON = "✅ Publish to the archive"
SEND_NOW_BUTTON = "📣 Publish and send it now"
DRAFT_BUTTON = "📝 Keep as a draft"
WITHDRAW_BUTTON = "🗑 Withdraw"
KEEP_BUTTON = "✖ Keep it"
REPUBLISH_BUTTON = "↩️ Republish"
ALREADY_WITHDRAWN = "That issue is not published any more; nothing was changed."
ALREADY_PUBLISHED = "That issue is already published."
NOT_WITHDRAWN = "✖ Nothing was withdrawn."
WITHDRAW_USAGE = "Send /withdraw for the newest published issue, or /withdraw 2022-01-07 for the issue of that date."
REPUBLISH_USAGE = "Send /republish 2022-01-07 to bring back the withdrawn issue of that date."


def bad_date(text: str, usage: str) -> str:
    return f"“{escape(text[:40])}” is not a date I can read: write it as YYYY-MM-DD. {usage}"


def no_published_issue(day: dt.date) -> str:
    return f"There is no published issue of {format_issue_date(day)} ({day.isoformat()})."


def nothing_to_republish(day: dt.date) -> str:
    return f"There is no withdrawn issue of {format_issue_date(day)} ({day.isoformat()}) to bring back."


def _date_note(digest: Digest, day: IssueDay, far_past: bool) -> str:
    """What publishing would do, by the issue's date: the warning line of the outline."""
    date = escape(format_issue_date(digest.date)) if digest.date else ""
    if day is IssueDay.FUTURE:
        return (
            f"⚠️ <b>Dated {date}, after tomorrow.</b> Is the year right? It will be kept as a draft, not "
            "published; publish it on its day with <code>briefing publish DATE</code>."
        )
    if day is IssueDay.BACKFILL:
        past = " That is more than a year ago: is the year right?" if far_past else ""
        return (
            f"🗄 <b>Dated {date}, before today.</b>{past} Published to the archive it is searchable and "
            "not sent to readers. Send it now only if it is today's news."
        )
    if day is IssueDay.TOMORROW:
        return f"📅 Dated {date}, tomorrow: readers get it tomorrow at their delivery time."
    if day is IssueDay.UNDATED:
        return "📅 No date found: it becomes today's issue. Readers get it at their delivery time."
    return "Publish it as today's issue? Readers get it at their delivery time (now, if their time has passed)."


def parse_failed(source: str, reason: str) -> str:
    return f"❌ I could not read <b>{escape(source)}</b> as an issue: {escape(reason)}\n\nNothing was stored."


def render_outline(
    digest: Digest,
    token: str,
    *,
    source: str | None = None,
    guessed: Mapping[str, str] | None = None,
    warnings: Sequence[str] = (),
    day: IssueDay = IssueDay.TODAY,
    far_past: bool = False,
    max_messages: int | None = None,
) -> list[RenderedMessage]:
    """What the parser made of an upload, and what publishing it would do, with the buttons that fit its date.

    ``guessed`` names the fields the issue did not print (field → the rule that stood in), so the editor sees
    what was found and what was guessed; ``warnings`` are the parser's. Today's (or tomorrow's) issue:
    Publish / Cancel. An archive issue: publish to the archive, or publish and send it as today's on purpose.
    After tomorrow: keep as a draft / Cancel. With ``max_messages``
    (MAX_ISSUE_MESSAGES), an issue longer than that in full says how readers get it.
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
    if max_messages is not None and (length := full_length(digest)) > max_messages:
        head.append(f"⚠️ <b>{escape(too_long_warning(length, max_messages))}</b>")
    blocks = ["\n".join(head)]
    for number, section in enumerate(digest.sections, start=1):
        title = escape(section.title) if section.title else "<i>untitled section</i>"
        lines = [f"<b>{number}. {title}</b>"]
        lines.extend(_outline_line(item) for item in section.items)
        blocks.append("\n".join(lines))
    blocks.append(_date_note(digest, day, far_past))
    cancel = Button(CANCEL_BUTTON, data=encode(PublishDecision(token, False)))
    if day is IssueDay.FUTURE:
        keep = Button(DRAFT_BUTTON, data=encode(PublishDecision(token, True)))
        rows: tuple[tuple[Button, ...], ...] = ((keep, cancel),)
    elif day is IssueDay.BACKFILL:
        rows = (
            (Button(ARCHIVE_BUTTON, data=encode(PublishDecision(token, True))), cancel),
            (Button(SEND_NOW_BUTTON, data=encode(PublishNow(token))),),
        )
    else:
        rows = ((Button(PUBLISH_BUTTON, data=encode(PublishDecision(token, True))), cancel),)
    return messages(PARAGRAPH_SEPARATOR.join(blocks), Keyboard(rows))


def too_long_warning(length: int, max_messages: int) -> str:
    return (
        f"In full this issue takes {length} messages, more than MAX_ISSUE_MESSAGES ({max_messages}): every reader "
        "gets the headlines, with a button to read each piece."
    )


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


def published(
    digest: Digest,
    digest_id: int,
    outcome: SaveOutcome,
    *,
    republished: bool = False,
    day: IssueDay = IssueDay.TODAY,
    draft: bool = False,
    announced: bool = False,
    queued: int = 0,
) -> str:
    note = {
        SaveOutcome.CREATED: "",
        SaveOutcome.UNCHANGED: " It was already stored with the same text.",
        SaveOutcome.REPLACED: " It replaces the earlier text of that date's issue.",
    }[outcome]
    if draft:
        return (
            f"📝 Kept {_issue_name(digest)} as a draft, issue #{digest_id}: it is dated after tomorrow, so it is "
            f"not published.{note}"
        )
    if republished:
        note += " It had been withdrawn and is back."
    now = f" {readers(queued)} whose time today had passed get it now." if queued else ""
    if announced:
        who = f"Sent on purpose as today's issue:{now or ' nobody was due yet.'} The others get it at their time."
    elif day is IssueDay.BACKFILL:
        who = "It is in the archive (dated before today): searchable, and not sent to readers."
    elif day is IssueDay.TOMORROW:
        who = "Readers get it tomorrow at their delivery time."
    else:
        who = f"Readers get it at their delivery time.{now}"
    return f"✅ Published {_issue_name(digest)} as issue #{digest_id}.{note}\n{who}"


def withdraw_question(digest: Digest, digest_id: int) -> RenderedMessage:
    """Which issue /withdraw would take down, and Withdraw / Keep: nothing happens before the press."""
    html = (
        f"Withdraw {_issue_name(digest)}, issue #{digest_id}?\n"
        "Readers could no longer open it and it would not be pushed. You can bring it back afterwards."
    )
    withdraw = Button(WITHDRAW_BUTTON, data=encode(WithdrawDecision(digest_id, True)))
    keep = Button(KEEP_BUTTON, data=encode(WithdrawDecision(digest_id, False)))
    return message(html, Keyboard(((withdraw, keep),)))


def withdrawn(digest: Digest, digest_id: int) -> RenderedMessage:
    day = f" /republish {digest.date.isoformat()} or" if digest.date else ""
    html = (
        f"🗑 Withdrew {_issue_name(digest)}, issue #{digest_id}. Readers can no longer open it and it is not pushed.\n"
        f"Send{day} press the button to bring it back."
    )
    return message(html, Keyboard(((Button(REPUBLISH_BUTTON, data=encode(RepublishIssue(digest_id))),),)))


def republished(digest: Digest, digest_id: int, queued: int) -> str:
    now = f" {readers(queued)} whose time today had passed get it now." if queued else ""
    return f"↩️ Republished {_issue_name(digest)}, issue #{digest_id}: readers can open it again.{now}"


# --- statistics -------------------------------------------------------------------------------------

CHART_SUBSCRIBERS = "Subscribers (active or paused), by day"
CHART_NO_DELIVERIES = "No deliveries in the last 24 hours yet"
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


def _zone_name(local: dt.datetime) -> str:
    """ "MSK", "CEST", "UTC"; "UTC-03" for a zone whose name is only its offset (America/Sao_Paulo)."""
    name = local.tzname() or ""
    if name.startswith("UTC") or name.isalpha():
        return name
    return f"UTC{name}"


def _clock(when: dt.datetime, zone: dt.tzinfo) -> str:
    """ "08:20 MSK": the time of day in the publisher's ``zone``, named."""
    local = when.astimezone(zone)
    return f"{local:%H:%M} {_zone_name(local)}"


def _instant(when: dt.datetime, zone: dt.tzinfo) -> str:
    """ "Mar 2, 2026 08:00 MSK": a moment in the publisher's ``zone``."""
    return f"{format_short_date(when.astimezone(zone).date())} {_clock(when, zone)}"


def _heading_instant(when: dt.datetime, zone: dt.tzinfo) -> str:
    """:func:`_instant`, with the zone's full name when it has one (once, at the top): "… 09:00 MSK (Europe/Moscow)"."""
    shown = _instant(when, zone)
    key = getattr(zone, "key", None)
    return f"{shown} ({key})" if key and key != _zone_name(when.astimezone(zone)) else shown


def chart_hours(stats: Stats) -> tuple[str, list[str]]:
    """The deliveries panel's title and hour labels, in the publisher's timezone and named as the text names
    it ("… per hour (MSK)", "09:00"), not in UTC."""
    hours = [hour.astimezone(stats.timezone) for hour, _ in stats.sent_by_hour]
    zone = _zone_name(hours[-1] if hours else stats.at.astimezone(stats.timezone))
    return f"Issue messages sent per hour ({zone})", [f"{hour:%H:%M}" for hour in hours]


def _stats_sections(stats: Stats) -> list[tuple[str, list[str]]]:
    """The statistics as (heading, lines) of plain text: the chat and the terminal show the same."""
    from storage.stats import GROWTH_DAYS, TOP_DAYS

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
            [
                f"sent {stats.today.sent} · pending {stats.today.pending} · failed {stats.today.failed}"
                + (f" · retrying {stats.today.retrying}" if stats.today.retrying else ""),
                *(
                    [f"stuck, last error: {quote_input(stats.today.last_error or 'unknown')}"]
                    if stats.today.retrying
                    else []
                ),
            ],
        ),
    ]
    last = stats.last_broadcast
    if last is None:
        broadcast = ["None yet."]
    else:
        when = f" {_instant(last.finished_at, stats.timezone)}" if last.finished_at else ""
        state = "cancelled" if last.status is BroadcastStatus.CANCELLED else "sent"
        broadcast = [
            f"#{last.id}, {state}{when}",
            f"sent {last.sent} of {last.recipients} · blocked {last.blocked} · failed {last.failed}"
            + (f" · not sent {last.skipped}" if last.skipped else ""),
        ]
    sections.append(("Last broadcast", broadcast))
    if stats.forecast is not None:
        sections.extend(_forecast_sections(stats.forecast, stats.timezone))
    if stats.groups:
        sections[0][1].append(f"of them groups: {stats.groups}")
    if stats.channels is not None:
        channels = stats.channels
        sections.append(
            (
                "Channel posts",
                [
                    f"issues {channels.issues} · breaking updates {channels.broadcasts} · failed {channels.failed}",
                    f"reactions counted {channels.reactions}",
                ],
            )
        )
    sections.append(
        (
            f"Most opened, last {TOP_DAYS} days",
            [
                f"{number}. {item.title}"
                + (f" — {item.author}" if item.author else "")
                + f" ({texts.KIND_NAMES[item.kind].lower()}"
                + (f", {format_short_date(item.date)}" if item.date else "")
                + f") · {_count(item.opens, 'open', 'opens')}"
                for number, item in enumerate(stats.top_items[:TOP_SHOWN], start=1)
            ]
            or ["Nothing opened yet."],
        )
    )
    if stats.top_authors:
        sections.append(
            (
                f"Top authors, last {TOP_DAYS} days",
                [f"{author.author} · {_count(author.opens, 'open', 'opens')}" for author in stats.top_authors],
            )
        )
    return sections


def _wait(span: dt.timedelta) -> str:
    minutes = max(0, round(span.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _forecast_sections(forecast: Forecast, zone: dt.tzinfo) -> list[tuple[str, list[str]]]:
    rate = f"{forecast.rate:g}/s"
    lines = [
        f"{_instant(slot.due_at, zone)} — {slot.readers} readers, {slot.messages} messages, "
        f"done by {_clock(slot.finish_at, zone)} (last reader waits {_wait(slot.last_wait)})"
        for slot in forecast.slots
    ] or ["No readers due in the next 24 hours."]
    if forecast.backlog:
        lines.insert(0, f"Already queued: {forecast.backlog} messages")
    for slot in forecast.over:
        lines.append(
            f"⚠ {_instant(slot.due_at, zone)}: the last of {slot.readers} readers would wait {_wait(slot.last_wait)}, "
            f"over DELIVERY_LAG_WARN ({_wait(forecast.lag_warn)}) at {rate}"
        )
    lag = [
        f"{_instant(slot.due_at, zone)} — {slot.sent} sent · p50 {_wait(slot.p50)} · p95 {_wait(slot.p95)} "
        f"· max {_wait(slot.worst)}"
        for slot in sorted(sorted(forecast.yesterday_lag, key=lambda s: -s.sent)[:8], key=lambda s: s.due_at)
    ] or ["No deliveries were due yesterday."]
    return [
        (f"Delivery forecast (next 24 h at {rate})", lines),
        (f"Yesterday's delivery lag ({format_issue_date(forecast.yesterday)})", lag),
    ]


def render_stats(stats: Stats) -> list[RenderedMessage]:
    blocks = [f"📊 <b>Statistics</b> · <i>{escape(_heading_instant(stats.at, stats.timezone))}</i>"]
    for heading, lines in _stats_sections(stats):
        blocks.append("\n".join([f"<b>{escape(heading)}</b>", *(escape(line) for line in lines)]))
    return messages(PARAGRAPH_SEPARATOR.join(blocks))


def stats_text(stats: Stats) -> str:
    """Plain text for ``briefing stats``."""
    blocks = [f"Statistics at {_heading_instant(stats.at, stats.timezone)}"]
    for heading, lines in _stats_sections(stats):
        blocks.append("\n".join([heading, *(f"  {line}" for line in lines)]))
    return "\n\n".join(blocks)


def tick_labels(labels: Sequence[str], every: int) -> list[str]:
    """Every ``every``-th label counting back from the last (today, this hour), blanks in between."""
    last = len(labels) - 1
    return [label if (last - index) % every == 0 else "" for index, label in enumerate(labels)]
