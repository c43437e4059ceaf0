"""What a reader can change about their own subscription: status, schedule, preferences, follows, their data.

Handlers parse a command and call one method here; this module checks the value with the domain parsers,
writes through the repositories, reschedules the next delivery whenever timing changed, and hands back a
fresh :class:`ReaderProfile` for the renderer (``bot.render.settings``). It never imports ``telegram``.

Values are read by ``bot.rules.timezones`` and ``bot.rules.preferences``, whose :class:`PreferenceError` messages
already say what was wrong and give an example; handlers show them as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Unpack
from zoneinfo import ZoneInfo

from bot.digest.model import ItemKind
from bot.features.services import Services
from bot.render.callbacks import author_token
from bot.render.profile import Change, FollowOutcome, ReaderProfile, UnfollowOutcome
from bot.rules.authors import AuthorEntry, AuthorIndex, normalize
from bot.rules.chats import ChatKind
from bot.rules.preferences import ALL_SECTIONS, PreferenceError, Preferences, parse_format
from bot.rules.quiet import parse_quiet_hours
from bot.rules.schedule import next_delivery
from storage import AuthorStat, PreferenceChanges, Subscriber, SubscriberStatus
from storage.timestamps import to_epoch

if TYPE_CHECKING:
    from bot.rules.timezones import TimezoneChoice

SUGGESTIONS = 3
"""How many authors an unknown name is answered with ("did you mean…")."""

SECTION_SETTINGS: dict[str, ItemKind] = {
    "stories": ItemKind.STORY,
    "opinions": ItemKind.OPINION,
    "briefs": ItemKind.BRIEF,
}
"""Panel setting names (``set:<name>:on|off``) of the three sections."""

_SWITCH = {"on": True, "off": False}
_QUIET_MODES = {"silent": False, "hold": True}
"""Breaking alerts inside quiet hours: sent silently, or held until the hours end."""


class NotSubscribed(Exception):
    """The chat has no subscriber row: it never sent /start, or it sent /forget."""


class Unsubscribed(Exception):
    """The reader left (/stop) or blocked the bot; /start brings them back before pausing makes sense."""


class Subscriptions:
    """A reader's own subscription. Cheap to build (it only holds ``services``); build one per update."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @property
    def _now(self) -> dt.datetime:
        return self._services.clock.now()

    # --- reading ---------------------------------------------------------------------------------

    async def profile(self, chat_id: int) -> ReaderProfile:
        """The reader as stored now. Raises :class:`NotSubscribed`."""
        services = self._services
        async with services.db.snapshot():
            subscriber = await services.subscribers.get(chat_id)
            if subscriber is None:
                raise NotSubscribed(chat_id)
            followed = await services.subscribers.followed(chat_id)
            received = await services.deliveries.count_sent(chat_id)
        return ReaderProfile(subscriber, preferences_of(subscriber), tuple(followed), received, self._now)

    # --- status ----------------------------------------------------------------------------------

    async def start(
        self,
        chat_id: int,
        *,
        user_id: int | None = None,
        first_name: str | None = None,
        username: str | None = None,
        language: str | None = None,
        chat_kind: ChatKind = ChatKind.PRIVATE,
        thread_id: int | None = None,
    ) -> tuple[Subscriber, bool]:
        """``/start``: subscribe with the default time and timezone, or refresh a known reader's profile.

        A new reader, one coming back after /stop or a block, and one without a next delivery get it in
        the same write: computed from their own time and timezone (the defaults for a new one). A group
        is subscribed as a whole (``chat_kind``; the handler has checked that an admin asked), a forum
        topic by its ``thread_id``. Returns the subscriber and whether they are new.
        """
        services = self._services
        settings = services.settings
        now = self._now
        async with services.db.atomic():
            known = await services.subscribers.get(chat_id)
            if known is None:
                at = next_delivery(now, settings.default_delivery_time, settings.timezone)
            else:
                at = next_delivery(now, known.delivery_time, ZoneInfo(known.timezone), paused_until=known.paused_until)
            return await services.subscribers.upsert_on_start(
                chat_id=chat_id,
                user_id=user_id,
                first_name=first_name,
                username=username,
                language=language,
                timezone=settings.default_timezone,
                delivery_time=settings.default_delivery_time,
                next_delivery_at=at,
                chat_kind=chat_kind,
                thread_id=thread_id,
            )

    async def stop(self, chat_id: int) -> bool:
        """Unsubscribe (status ``left``); settings and follows stay for a return by /start. False if already."""
        await self.profile(chat_id)
        return await self._services.subscribers.set_status(chat_id, SubscriberStatus.LEFT)

    async def pause(self, chat_id: int, text: str | None) -> ReaderProfile:
        """Pause for the days in ``text`` ("3", "2 weeks"), or until /resume when there are none.

        Raises:
            PreferenceError: an unreadable or out-of-range number of days.
            Unsubscribed: the reader left; pausing would be meaningless.
        """
        from bot.rules.timezones import parse_pause_days  # the readers of times and zones load when used

        days = parse_pause_days(text)
        await self._require_receiving(chat_id)
        until = None if days is None else self._now + dt.timedelta(days=days)
        return await self._set_status(chat_id, SubscriberStatus.PAUSED, until=until)

    async def resume(self, chat_id: int) -> tuple[ReaderProfile, bool]:
        """End a pause now; the bool is False when the reader was not paused. Raises :class:`Unsubscribed`."""
        profile = await self._require_receiving(chat_id)
        if profile.subscriber.status is not SubscriberStatus.PAUSED:
            return profile, False
        return await self._set_status(chat_id, SubscriberStatus.ACTIVE), True

    async def _require_receiving(self, chat_id: int) -> ReaderProfile:
        profile = await self.profile(chat_id)
        if not profile.receiving:
            raise Unsubscribed(chat_id)
        return profile

    async def _set_status(
        self, chat_id: int, status: SubscriberStatus, *, until: dt.datetime | None = None
    ) -> ReaderProfile:
        services = self._services
        async with services.db.atomic():
            await services.subscribers.set_status(chat_id, status, until=until)
            await self._reschedule(chat_id)
        return await self.profile(chat_id)

    # --- timing ----------------------------------------------------------------------------------

    async def set_delivery_time(self, chat_id: int, text: str) -> ReaderProfile:
        """``/time 07:30``. Raises PreferenceError (with an example) or :class:`NotSubscribed`."""
        from bot.rules.timezones import parse_delivery_time

        return await self._update(chat_id, delivery_time=parse_delivery_time(text))

    async def set_quiet(self, chat_id: int, text: str) -> ReaderProfile:
        """``/quiet 22:00-07:00`` in the reader's local time, or ``/quiet off``. Raises PreferenceError."""
        quiet = parse_quiet_hours(text)
        subscriber = await self._services.subscribers.update_preferences(chat_id, quiet=quiet)
        if subscriber is None:
            raise NotSubscribed(chat_id)
        return await self.profile(chat_id)

    async def set_timezone(self, chat_id: int, text: str) -> tuple[ReaderProfile, TimezoneChoice]:
        """``/timezone Berlin`` (or "UTC+3", or "it's 14:35 here", read against the current time)."""
        from bot.rules.timezones import parse_timezone

        choice = parse_timezone(text, now=self._now)
        return await self._update(chat_id, timezone=choice.tz_name), choice

    async def _update(self, chat_id: int, **values: Unpack[PreferenceChanges]) -> ReaderProfile:
        """Write preferences and, in the same transaction, the next delivery they imply."""
        services = self._services
        async with services.db.atomic():
            subscriber = await services.subscribers.update_preferences(chat_id, **values)
            if subscriber is None:
                raise NotSubscribed(chat_id)
            await services.scheduler.schedule(subscriber, self._now)
        return await self.profile(chat_id)

    async def _reschedule(self, chat_id: int) -> None:
        subscriber = await self._services.subscribers.get(chat_id)
        if subscriber is None:
            raise NotSubscribed(chat_id)
        await self._services.scheduler.schedule(subscriber, self._now)

    # --- the /settings panel ---------------------------------------------------------------------

    async def change(self, chat_id: int, name: str, value: str) -> Change:
        """Apply one panel button (``set:<name>:<value>``).

        Names: ``format`` (full|headlines), ``stories``/``opinions``/``briefs`` (on|off), ``alerts`` and
        ``push`` (on|off), ``time`` (HH:MM). Buttons carry the value to set, not "toggle", so a double tap
        changes nothing the second time.

        Raises:
            PreferenceError: an unknown setting or value (a forged or outdated button), or turning off
                the last section.
            NotSubscribed: the reader is gone.
        """
        # One transaction from read to write: two quick taps (stories off, briefs off) each start from the
        # other's result instead of both from the same old sections.
        async with self._services.db.atomic():
            return await self._change(chat_id, name, value)

    async def _change(self, chat_id: int, name: str, value: str) -> Change:
        before = await self.profile(chat_id)
        prefs = before.preferences
        if name == "format":
            fmt = parse_format(value)
            return await self._changed(chat_id, before, name, prefs.format is not fmt, format=fmt)
        if name in SECTION_SETTINGS:
            kind = SECTION_SETTINGS[name]
            wanted = prefs.sections | {kind} if _switch(value) else prefs.sections - {kind}
            if not wanted:
                raise PreferenceError(
                    "Keep at least one section, or the digest would be empty. To stop it for a while, send /pause."
                )
            return await self._changed(chat_id, before, name, wanted != prefs.sections, sections=wanted)
        if name == "alerts":
            on = _switch(value)
            return await self._changed(chat_id, before, name, on != prefs.breaking_alerts, breaking_alerts=on)
        if name == "push":
            on = _switch(value)
            return await self._changed(
                chat_id, before, name, on != prefs.followed_push_on_publish, push_followed_on_publish=on
            )
        if name == "quiet":
            if value != "off":
                raise PreferenceError("Quiet hours are set with /quiet 22:00-07:00. Send /settings for the panel.")
            return await self._changed(chat_id, before, name, before.subscriber.quiet is not None, quiet=None)
        if name == "quietmode":
            if value not in _QUIET_MODES:
                raise PreferenceError(f'"{value}" is neither silent nor hold. Send /settings for the current panel.')
            hold = _QUIET_MODES[value]
            return await self._changed(chat_id, before, name, hold != before.subscriber.quiet_hold, quiet_hold=hold)
        if name == "time":
            from bot.rules.timezones import parse_delivery_time

            when = parse_delivery_time(value)
            if when == prefs.delivery_time:
                return Change(before, name, changed=False)
            return Change(await self._update(chat_id, delivery_time=when), name, changed=True)
        raise PreferenceError(f'Unknown setting "{name}". Send /settings for the current panel.')

    async def _changed(
        self, chat_id: int, before: ReaderProfile, setting: str, differs: bool, **values: Unpack[PreferenceChanges]
    ) -> Change:
        if not differs:
            return Change(before, setting, changed=False)
        subscriber = await self._services.subscribers.update_preferences(chat_id, **values)
        if subscriber is None:
            raise NotSubscribed(chat_id)
        return Change(await self.profile(chat_id), setting, changed=True)

    # --- follows ---------------------------------------------------------------------------------

    async def follow(self, chat_id: int, query: str) -> FollowOutcome:
        """Follow an author of the archive by whatever the reader typed ("trenin", "Dmitri Trenin").

        Only authors with a byline in a published issue can be followed: a follow is matched against
        bylines, so a name nobody has written under would silently never match, and a typo would be
        kept as a phantom follow. An unknown name is answered with the closest authors instead.

        Raises:
            PreferenceError: no name given (the message lists a few authors as examples).
            NotSubscribed: the reader is gone.
        """
        rows, index = await self._services.authors.load(self._services.digests)
        if not query.strip():
            examples = ", ".join(f"/follow {row.name}" for row in rows[:SUGGESTIONS]) or "/follow Trenin"
            raise PreferenceError(f"No author given. Send a name, for example {examples}.")
        await self.profile(chat_id)
        matches = index.match(query)
        if not matches:
            return FollowOutcome(suggestions=tuple(_closest(rows, query)))
        best = [match for match in matches if match.score == matches[0].score]
        if len(matches) > 1 and (len(best) > 1 or matches[0].score < 1.0):
            return FollowOutcome(candidates=tuple(matches))
        return await self._follow(chat_id, matches[0].name)

    async def follow_by_token(self, chat_id: int, token: str) -> FollowOutcome | None:
        """The author a "did you mean" button names; None when the archive no longer has them."""
        author = await self._services.authors.by_token(self._services.digests, token)
        if author is None:
            return None
        await self.profile(chat_id)
        return await self._follow(chat_id, author.name)

    async def set_following(self, chat_id: int, token: str, follow: bool) -> bool:
        """Follow (or stop following) the author a button names, as Follow/Unfollow on an author's page do;
        False when there is no such author to follow. Raises :class:`NotSubscribed`."""
        if follow:
            return await self.follow_by_token(chat_id, token) is not None
        await self.unfollow_by_token(chat_id, token)
        return True

    async def _follow(self, chat_id: int, name: str) -> FollowOutcome:
        if await self._services.subscribers.follow(chat_id, name):
            return FollowOutcome(followed=name)
        return FollowOutcome(already=name)

    async def unfollow(self, chat_id: int, query: str) -> UnfollowOutcome:
        """Stop following, matching the query against the reader's own follows as /follow does.

        Raises:
            PreferenceError: no name given; the example is one of the reader's own follows.
        """
        profile = await self.profile(chat_id)
        if not query.strip():
            example = profile.followed[0].author_name if profile.followed else "Trenin"
            raise PreferenceError(f"No author given. Send a name, for example /unfollow {example}.")
        by_key = {followed.author_key: followed for followed in profile.followed}
        index = AuthorIndex(AuthorEntry(followed.author_name) for followed in profile.followed)
        matches = [by_key[match.key] for match in index.match(query) if match.key in by_key]
        if not matches:
            return UnfollowOutcome(not_followed=True)
        if len(matches) > 1:
            return UnfollowOutcome(candidates=tuple(matches))
        await self._services.subscribers.unfollow(chat_id, matches[0].author_key)
        return UnfollowOutcome(unfollowed=matches[0].author_name)

    async def unfollow_by_token(self, chat_id: int, token: str) -> tuple[ReaderProfile, str | None]:
        """An unfollow button; the name is None when the author was no longer followed (a double tap)."""
        profile = await self.profile(chat_id)
        for followed in profile.followed:
            if author_token(followed.author_key) == token:
                await self._services.subscribers.unfollow(chat_id, followed.author_key)
                return await self.profile(chat_id), followed.author_name
        return profile, None

    # --- forgetting ------------------------------------------------------------------------------

    async def forget(self, chat_id: int, token: str) -> bool:
        """Delete everything about the reader, if ``token`` still names their subscription.

        Follows, deliveries and broadcast deliveries go with the row (ON DELETE CASCADE); status history
        stays only as anonymous counts. The audit entry records that a reader was forgotten, not who.
        """
        services = self._services
        async with services.db.atomic():
            subscriber = await services.subscribers.get(chat_id)
            if subscriber is None or str(to_epoch(subscriber.created_at)) != token:
                return False
            await services.subscribers.delete(chat_id)
            await services.audit.record(None, "reader.forget")
        return True


def preferences_of(subscriber: Subscriber) -> Preferences:
    """The domain view of a stored reader's settings."""
    return Preferences(
        timezone=subscriber.timezone,
        delivery_time=subscriber.delivery_time,
        format=subscriber.format,
        # Storage can hold no sections at all (an old import); the digest then shows everything.
        sections=subscriber.sections or ALL_SECTIONS,
        breaking_alerts=subscriber.breaking_alerts,
        followed_push_on_publish=subscriber.push_followed_on_publish,
    )


def _switch(value: str) -> bool:
    if value not in _SWITCH:
        raise PreferenceError(f'"{value}" is neither on nor off. Send /settings for the current panel.')
    return _SWITCH[value]


def _closest(rows: Sequence[AuthorStat], query: str, limit: int = SUGGESTIONS) -> list[AuthorStat]:
    """The authors most like ``query`` however far off, for "no such author; the closest are…"."""
    from rapidfuzz import process  # loaded when a name is not found, not when the application starts
    from rapidfuzz.distance import OSA

    found = process.extract(normalize(query), [row.key for row in rows], scorer=OSA.normalized_similarity, limit=limit)
    return [rows[index] for _, _, index in found]
