"""The canonical text form of a digest: what it looks like, and that the parser reads it back unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.digest.parser import ParseError, parse_text
from bot.digest.text import render_as_text

FIXTURES = Path(__file__).parents[1] / "fixtures"

DIGEST = Digest(
    newsletter="The Real Russia. Today.",
    date=dt.date(2022, 1, 7),
    title="Kazakhstan’s ‘terrorists’ are now to be shot on sight",
    summary="Police are ordered to shoot to kill.\n\nOpinions: three views on the Kremlin’s aims",
    sections=(
        Section(
            None,
            (
                Item(ItemKind.STORY, "Day six of Kazakhstan’s unrest", read_minutes=4, body=("Order is restored.",)),
                Item(ItemKind.BRIEF, "Gig-economy recruitment: a bounty", body=("Tatarstan pays.", "It doubled."),
                     emoji="💰", link="https://meduza.io/en/news/1"),
            ),
        ),
        Section(
            "Opinions on Russia’s geopolitical aims",
            (
                Item(ItemKind.OPINION, "Putin must atone", author="Dmitry Trenin", words=2760,
                     body=("Trenin says so.",)),
            ),
        ),
    ),
)  # fmt: skip


def test_render_looks_like_the_newsletter() -> None:
    assert render_as_text(DIGEST) == (
        "The Real Russia. Today. Kazakhstan’s ‘terrorists’ are now to be shot on sight\n"
        "Friday, January 7, 2022\n\n"
        "Police are ordered to shoot to kill.\n\n"
        "Opinions: three views on the Kremlin’s aims\n\n"
        "### Day six of Kazakhstan’s unrest (4-min read)\n\n"
        "Order is restored.\n\n"
        "- 💰 **[Gig-economy recruitment: a bounty](https://meduza.io/en/news/1)**: Tatarstan pays.\n\n"
        "  It doubled.\n\n"
        "## Opinions on Russia’s geopolitical aims\n\n"
        "### Dmitry Trenin: Putin must atone (2,760 words)\n\n"
        "Trenin says so.\n"
    )


def test_round_trip_of_a_hand_made_digest() -> None:
    assert parse_text(render_as_text(DIGEST)) == DIGEST


def test_round_trip_without_masthead_or_date() -> None:
    digest = Digest(
        newsletter=None,
        date=None,
        title="A quiet day",
        summary=None,
        sections=(Section("Feature stories", (Item(ItemKind.STORY, "Why now?", author="Kevin Rothrock", emoji="🕵️"),)),),
    )
    text = render_as_text(digest)
    assert text.startswith("# A quiet day\n\n## Feature stories\n\n### 🕵️ Why now?\n\nBy Kevin Rothrock\n")
    assert parse_text(text) == digest


def test_an_issue_without_items_is_refused_when_read_back() -> None:
    digest = Digest("This was Russia today", dt.date(2024, 10, 11), "Putin goes to Turkmenistan", None)
    with pytest.raises(ParseError, match="no items found"):
        parse_text(render_as_text(digest))


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.name)
def test_round_trip_of_every_parsed_sample(path: Path) -> None:
    digest = parse_text(path.read_text(encoding="utf-8"))
    assert parse_text(render_as_text(digest)) == digest
