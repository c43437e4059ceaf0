"""Builders shared by the storage tests (the ``clock`` and ``db`` fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.rules.clock import ManualClock

T0 = dt.datetime(2024, 10, 11, 6, 0, tzinfo=dt.UTC)


def make_clock() -> ManualClock:
    return ManualClock(T0)


def make_digest(
    day: dt.date = dt.date(2024, 10, 11),
    *,
    newsletter: str | None = "The Real Russia. Today.",
    title: str = "Putin goes to Turkmenistan",
    extra: str = "",
) -> Digest:
    """A small issue with all three kinds of item; ``extra`` changes the content (a correction)."""
    return Digest(
        newsletter=newsletter,
        date=day,
        title=title,
        summary=f"Howdy, readers! Putin traveled to Turkmenistan today.{extra}",
        source=f"fixtures/{day.isoformat()}.txt",
        sections=(
            Section(
                "Today's main story",
                (
                    Item(
                        kind=ItemKind.STORY,
                        title="Russia's counterattack in the Kursk region",
                        read_minutes=4,
                        words=820,
                        body=(
                            "Russia launched a large-scale offensive in the Kursk region on Thursday.",
                            "The Ukrainian OSINT project DeepState reported losses near Olgovka.",
                        ),
                        link="https://meduza.io/en/feature/kursk",
                    ),
                ),
            ),
            Section(
                "Opinion",
                (
                    Item(
                        kind=ItemKind.OPINION,
                        title="Why the Kremlin courts Central Asia",
                        author="Kevin Rothrock",
                        read_minutes=3,
                        body=("Moscow wants a new world order, and Ashgabat is a stage for it.",),
                    ),
                ),
            ),
            Section(
                None,
                (
                    Item(
                        kind=ItemKind.BRIEF,
                        title="Assassination attempt in Moscow",
                        emoji="🚨",
                        body=("A car bomb went off in northern Moscow.",),
                    ),
                    Item(
                        kind=ItemKind.BRIEF,
                        title="Café owners fined",
                        emoji="☕",
                        body=("Moscow fined three café owners for foreign-language menus.",),
                    ),
                ),
            ),
        ),
    )
