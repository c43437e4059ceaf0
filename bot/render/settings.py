"""What readers see about their own subscription: the /settings panel, /mydata, and the short replies of
/stop, /pause, /resume, /time, /timezone, /follow, /unfollow and /forget.

Every phrase lives here, as plain text escaped on the way into HTML. The values themselves ("Mon 2 Mar
08:00 (in 2 h)", "Europe/Berlin, UTC+01:00") come from ``bot.rules.preferences.describe``, so the panel,
/mydata and the replies always say the same thing the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from bot.digest.calendar import format_short_date
from bot.render.callbacks import (
    ChangeSetting,
    FollowAuthor,
    ForgetDecision,
    UnfollowAuthor,
    author_token,
    encode,
)
from bot.render.html import escape, quote_input, shorten_quotes
from bot.render.keyboard import Button, Keyboard, label
from bot.render.message import RenderedMessage, message, messages
from bot.render.profile import Change, FollowOutcome, ReaderProfile, UnfollowOutcome
from bot.rules.preferences import SECTION_NAMES, Format, describe
from storage import SubscriberStatus

if TYPE_CHECKING:
    from bot.rules.timezones import TimezoneChoice

TIME_PRESETS = (dt.time(6), dt.time(7), dt.time(8), dt.time(9), dt.time(18))
"""Delivery times offered as buttons; any other is one /time away."""
UNFOLLOW_BUTTONS = 10
"""Followed authors listed with a button in the panel; the rest are unfollowed with /unfollow."""

EXAMPLES = {
    "time": "/time 07:30",
    "timezone": "/timezone Europe/Berlin",
    "pause": "/pause 7",
    "follow": "/follow Trenin",
    "unfollow": "/unfollow Trenin",
    "quiet": "/quiet 22:00-07:00",
}
"""A command that works, shown under every complaint about a value."""

SAVED = "Saved"
ALREADY_SO = "Already set"
NOT_SUBSCRIBED = "You are not subscribed. Send /start to subscribe, then try again."
STALE = "That button has expired. Send /settings for a fresh panel."
UNSUBSCRIBED = "You unsubscribed, so there is nothing to pause or resume. Send /start to subscribe again."
NOTHING_STORED = "I store nothing about you: you are not subscribed."
ADMINS_ONLY = (
    "Only this group's admins can subscribe it, change its settings or unsubscribe it. "
    "Everyone can read: /today, /opinion trenin."
)
ADMINS_ONLY_SHORT = "Only the group's admins can change its settings."
QUIET_OFF = "Quiet hours off"
AUTHOR_GONE = "That author is no longer in the archive. Try /follow with their name."
FORGET_CANCELLED = "Nothing was deleted."
FORGET_EXPIRED = "That question has expired: nothing was deleted. Send /forget again if you still want to."
FORGOTTEN = (
    "Done: I deleted your subscription, settings, followed authors and delivery history. "
    "If you want the briefing again one day, send /start."
)

_LABELS = {
    "format": "Format",
    "stories": "Sections",
    "opinions": "Sections",
    "briefs": "Sections",
    "alerts": "Breaking alerts",
    "push": "New pieces by followed authors",
    "time": "Delivery time",
    "quiet": "Quiet hours",
    "quietmode": "Quiet hours",
}
"""Which line of ``describe`` a panel button changes, for the confirmation that names the new value."""
_NEXT = "Next delivery"
_STATUS = {
    SubscriberStatus.ACTIVE: "active",
    SubscriberStatus.PAUSED: "paused",
    SubscriberStatus.LEFT: "unsubscribed (send /start to come back)",
    SubscriberStatus.BLOCKED: "stopped: the bot was blocked (send /start to come back)",
}


class NamedAuthor(Protocol):
    """An author offered with a Follow button (``AuthorMatch`` from the index, ``AuthorStat`` from storage)."""

    @property
    def name(self) -> str: ...
    @property
    def key(self) -> str: ...


# --- values -------------------------------------------------------------------------------------------


def values(profile: ReaderProfile) -> dict[str, str]:
    """``describe``'s label/value pairs for this reader; a reader who left has no next delivery."""
    subscriber = profile.subscriber
    pairs = dict(
        describe(
            profile.preferences,
            profile.now,
            paused_until=subscriber.paused_until,
            paused_indefinitely=profile.paused_indefinitely,
            followed_authors=[followed.author_name for followed in profile.followed],
        )
    )
    pairs["Quiet hours"] = quiet_value(profile)
    if not profile.receiving:
        pairs[_NEXT] = "none, you unsubscribed"
    return pairs


def quiet_value(profile: ReaderProfile) -> str:
    """ "22:00–07:00, alerts silent", "…, alerts held until they end", or "off"."""
    quiet = profile.subscriber.quiet
    if quiet is None:
        return "off"
    mode = "alerts held until they end" if profile.subscriber.quiet_hold else "alerts silent"
    return f"{quiet.describe()}, {mode}"


def _lines(pairs: dict[str, str]) -> list[str]:
    return [f"{escape(name)}: <b>{escape(value)}</b>" for name, value in pairs.items()]


def _local_date(profile: ReaderProfile, instant: dt.datetime) -> str:
    return format_short_date(instant.astimezone(profile.preferences.zone).date())


# --- the panel ----------------------------------------------------------------------------------------


def panel(profile: ReaderProfile, notice: str | None = None) -> RenderedMessage:
    """The /settings panel: current values, one row of buttons per setting, edited in place on each tap.

    ``notice`` is the confirmation of the change just made, shown on top.
    """
    lines = ["<b>⚙️ Your settings</b>"]
    if notice:
        lines.append(f"<i>{escape(notice)}</i>")
    lines.append("")
    lines += _lines(values(profile))
    if profile.subscriber.status is not SubscriberStatus.ACTIVE:
        lines.append(f"Subscription: <b>{escape(_STATUS[profile.subscriber.status])}</b>")
    lines += [
        "",
        escape(
            "Tap a button to change a setting. Another delivery time: /time 07:30. "
            'Your timezone: /timezone Berlin (a city, "UTC+3", or "it\'s 14:35 here"). '
            "Authors: /follow Trenin. Quiet hours: /quiet 22:00-07:00."
        ),
    ]
    if len(profile.followed) > UNFOLLOW_BUTTONS:
        lines.append(escape(f"Only the first {UNFOLLOW_BUTTONS} followed authors have a button; use /unfollow."))
    return message("\n".join(lines), _panel_keyboard(profile))


def _panel_keyboard(profile: ReaderProfile) -> Keyboard:
    prefs = profile.preferences

    def setting(text: str, name: str, value: str) -> Button:
        return Button(text, encode(ChangeSetting(name, value)))

    def ticked(text: str, on: bool) -> str:
        return f"✓ {text}" if on else text

    rows: list[tuple[Button, ...]] = [
        (
            setting(ticked("Full stories", prefs.format is Format.FULL), "format", Format.FULL.value),
            setting(ticked("Headlines only", prefs.format is Format.HEADLINES), "format", Format.HEADLINES.value),
        ),
        tuple(
            setting(
                f"{'☑' if kind in prefs.sections else '☐'} {name.capitalize()}", name, _off_on(kind in prefs.sections)
            )
            for kind, name in SECTION_NAMES.items()
        ),
        (
            setting(
                "🔔 Breaking alerts: on" if prefs.breaking_alerts else "🔕 Breaking alerts: off",
                "alerts",
                _off_on(prefs.breaking_alerts),
            ),
        ),
        (
            setting(
                "⭐ Followed authors: sent when published"
                if prefs.followed_push_on_publish
                else "⭐ Followed authors: in the daily digest",
                "push",
                _off_on(prefs.followed_push_on_publish),
            ),
        ),
        tuple(
            setting(ticked(f"{preset:%H:%M}", preset == prefs.delivery_time), "time", f"{preset:%H:%M}")
            for preset in TIME_PRESETS
        ),
    ]
    if profile.subscriber.quiet is not None:
        hold = profile.subscriber.quiet_hold
        rows.append(
            (
                setting(ticked("🔕 Silent alerts", not hold), "quietmode", "silent"),
                setting(ticked("⏸ Hold alerts", hold), "quietmode", "hold"),
                setting("✖ " + QUIET_OFF, "quiet", "off"),
            )
        )
    rows += [
        (
            Button(
                label(f"✖ Unfollow {followed.author_name}"), encode(UnfollowAuthor(author_token(followed.author_key)))
            ),
        )
        for followed in profile.followed[:UNFOLLOW_BUTTONS]
    ]
    return Keyboard(tuple(rows))


def _off_on(on: bool) -> str:
    """The value a toggle button sets: the opposite of the current one."""
    return "off" if on else "on"


def change_notice(change: Change) -> str:
    """The confirmation line of a panel tap, naming the value now in force."""
    name = _LABELS[change.setting]
    value = values(change.profile)[name]
    if not change.changed:
        return f"{name} was already {value}."
    notice = f"✅ {name}: {value}."
    if change.setting == "time":
        notice += f" Next delivery: {values(change.profile)[_NEXT]}."
    return notice


def unfollowed_notice(name: str | None) -> str:
    return f"✅ No longer following {name}." if name else "You were not following that author any more."


def plain(text: str) -> RenderedMessage:
    """One of the fixed replies above, as a message."""
    return message(escape(text))


# --- status and timing replies ------------------------------------------------------------------------


def bad_value(problem: str, command: str) -> RenderedMessage:
    """A value the reader typed could not be used: what was wrong (the parser's words) and a command that works."""
    problem = shorten_quotes(problem)
    if f"/{command} " in problem:
        return plain(problem)
    return message(f"{escape(problem)}\nFor example: {escape(EXAMPLES[command])}")


def stopped(changed: bool) -> RenderedMessage:
    first = "You are unsubscribed" if changed else "You were already unsubscribed"
    return message(
        escape(
            f"{first}: no more daily digests or breaking alerts. Your settings are kept, so send /start "
            "whenever you want the briefing back. To delete everything I store about you, send /forget."
        )
    )


def paused(profile: ReaderProfile) -> RenderedMessage:
    until = profile.subscriber.paused_until
    if until is None:
        return plain("⏸ Paused until you send /resume.")
    days = max(1, round((until - profile.now) / dt.timedelta(days=1)))
    return plain(
        f"⏸ Paused for {_count(days, 'day')}. Next delivery: {values(profile)[_NEXT]}.\n"
        "Send /resume to get it back sooner, or /pause again to change the length."
    )


def resumed(profile: ReaderProfile, was_paused: bool) -> RenderedMessage:
    first = "Welcome back" if was_paused else "You are not paused"
    return message(escape(f"{first}: the next digest comes {values(profile)[_NEXT]}."))


def time_set(profile: ReaderProfile) -> RenderedMessage:
    pairs = values(profile)
    return message(
        f"✅ Delivery time: <b>{escape(pairs['Delivery time'])}</b>, timezone {escape(pairs['Timezone'])}.\n"
        f"Next delivery: <b>{escape(pairs[_NEXT])}</b>."
    )


def quiet_set(profile: ReaderProfile) -> RenderedMessage:
    """The answer to /quiet: the hours now in force and what happens to alerts inside them."""
    quiet = profile.subscriber.quiet
    if quiet is None:
        return message("🔔 Quiet hours off: breaking alerts arrive with sound whenever they are sent.")
    zone = profile.preferences.timezone
    return message(
        f"🌙 Quiet hours: <b>{escape(quiet.describe())}</b> ({escape(zone)}). Breaking alerts in these hours "
        + ("wait until they end" if profile.subscriber.quiet_hold else "arrive silently")
        + ", and so does the digest if its time falls in them. "
        + escape("Silent or held: /settings. Urgent alerts are never held. Off: /quiet off.")
    )


def timezone_set(profile: ReaderProfile, choice: TimezoneChoice) -> RenderedMessage:
    pairs = values(profile)
    lines = [
        f"✅ Timezone: <b>{escape(pairs['Timezone'])}</b>.",
        f"Next delivery: <b>{escape(pairs[_NEXT])}</b>.",
    ]
    if choice.tz_name.startswith("Etc/"):
        lines.append(
            escape("An offset does not follow daylight saving: if your clocks change, send your city instead.")
        )
    return message("\n".join(lines))


# --- follows ------------------------------------------------------------------------------------------


def follow_reply(outcome: FollowOutcome, query: str) -> RenderedMessage:
    if outcome.followed:
        return followed(outcome.followed)
    if outcome.already:
        return message(escape(f"You already follow {outcome.already}."))
    if outcome.candidates:
        return message(
            escape(f"Several authors fit “{quote_input(query)}”. Which one?"),
            _author_buttons(outcome.candidates),
        )
    text = f"I found no author called “{quote_input(query)}” in the archive."
    if outcome.suggestions:
        text += " The closest are: " + ", ".join(author.name for author in outcome.suggestions) + "."
        return message(escape(text), _author_buttons(outcome.suggestions))
    return message(escape(text + " Authors can be followed once they have written for the briefing."))


def followed(name: str) -> RenderedMessage:
    return message(
        escape(
            f"✅ Following {name}. Their new pieces are flagged ⭐ at the top of your digest; "
            "to get them as soon as an issue is published, switch it on in /settings."
        )
    )


def _author_buttons(authors: Sequence[NamedAuthor]) -> Keyboard:
    return Keyboard(
        tuple(
            (Button(label(f"Follow {author.name}"), encode(FollowAuthor(author_token(author.key)))),)
            for author in authors
        )
    )


def unfollow_reply(outcome: UnfollowOutcome, query: str, profile: ReaderProfile) -> RenderedMessage:
    if outcome.unfollowed:
        return message(escape(f"✅ No longer following {outcome.unfollowed}."))
    if outcome.candidates:
        names = ", ".join(followed.author_name for followed in outcome.candidates)
        return message(escape(f"Several authors you follow fit “{quote_input(query)}”: {names}. Send the full name."))
    follows = ", ".join(followed.author_name for followed in profile.followed)
    if not follows:
        return message(escape(f"You don't follow anyone, so there is no “{quote_input(query)}” to unfollow."))
    return message(escape(f"You don't follow “{quote_input(query)}”. You follow: {follows}."))


# --- /mydata and /forget ------------------------------------------------------------------------------


def my_data(profile: ReaderProfile) -> list[RenderedMessage]:
    """Everything stored about the reader, in plain words; split into parts if their follows run long."""
    subscriber = profile.subscriber
    status = _STATUS[subscriber.status]
    lines = [
        "<b>What I store about you</b>",
        "",
        "<b>From your Telegram profile</b>",
        *_lines(
            {
                "Chat id": str(subscriber.chat_id),
                "User id": "none" if subscriber.user_id is None else str(subscriber.user_id),
                "First name": subscriber.first_name or "none",
                "Username": f"@{subscriber.username}" if subscriber.username else "none",
                "Language": subscriber.language or "none",
            }
        ),
        "",
        "<b>Your subscription</b>",
        *_lines(
            {
                "Subscribed": _local_date(profile, subscriber.created_at),
                "Status": f"{status} since {_local_date(profile, subscriber.status_changed_at)}",
            }
        ),
        *_lines(values(profile)),
        "",
        "<b>Followed authors</b>",
    ]
    lines += [
        f"{escape(followed.author_name)}, since {escape(_local_date(profile, followed.followed_at))}"
        for followed in profile.followed
    ] or ["none"]
    lines += [
        "",
        "<b>Deliveries</b>",
        *_lines({"Issues received": str(profile.deliveries_received)}),
        "",
        escape(
            "I also keep a record of each delivery (which issue, when) and of your status changes. "
            "To delete all of it, send /forget."
        ),
    ]
    return messages("\n".join(lines))


def forget_question(profile: ReaderProfile) -> RenderedMessage:
    token = profile.forget_token()
    return message(
        escape(
            "Delete everything I store about you? That is your subscription, settings, "
            f"{_count(len(profile.followed), 'followed author')} and the record of "
            f"{_count(profile.deliveries_received, 'issue')} delivered. It cannot be undone."
        ),
        Keyboard(
            (
                (
                    Button("🗑 Delete everything", encode(ForgetDecision(token, approve=True))),
                    Button("Cancel", encode(ForgetDecision(token, approve=False))),
                ),
            )
        ),
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
