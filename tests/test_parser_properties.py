"""Properties of the parser: it never fails on its own account, and it reads back what the renderer writes.

The round trip's domain is "reasonable digests": titles, names and paragraphs made of words, numbers, quotes,
colons and emoji as the newsletter prints them, with the constraints the text format documents (opinions have
authors, briefs have none, a section titled "Opinions…" holds opinions, only the first section may be
untitled, sections are not empty, the issue has a headline, teaser sentences end with a full stop).
"""

from __future__ import annotations

import datetime as dt
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.digest.parser import ParseError, parse_text
from bot.digest.text import render_as_text

# --- never raises ------------------------------------------------------------------------------------------

_FRAGMENTS = [
    "The Real Russia. Today.",
    "This was Russia today,",
    "Friday, January 7, 2022",
    "7 January 2022",
    "2022-01-07",
    "2022-02-30",
    "Skip to main content",
    "  • Share to or",
    "Source: Meduza",
    "Yours, Meduza",
    "Leave A Reply",
    "Feature stories",
    "Opinions on everything",
    "News briefs",
    "• ",
    "- ",
    "* ",
    "1. ",
    "# ",
    "## ",
    "### ",
    "**",
    "__",
    "_",
    "[link](https://meduza.io/x)",
    "[",
    "](",
    "🇩🇪 ",
    "🏳️‍🌈",
    "\u200d",
    "\ufe0f",
    "1️⃣ ",
    "(4-min read)",
    "(2,760 words)",
    "(s)",
    "(",
    ")",
    ": ",
    "Dmitry Trenin: ",
    "By Kevin Rothrock",
    "Story of the day: ",
    "Today’s main story: ",
    "Please donate to Meduza, our readers saved us.",
    "Yuri Kadobnov / AFP / Scanpix / LETA",
    "NazarbayevOpinions: ",
    "It was only last month that Russia amended its media laws.",
    "Police and soldiers have restored order",
    "\n",
    "\n\n",
    "\r\n",
    "  ",
    "\u00a0",
    "…",
    "“",
    "’",
]

_structured_text = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=12)),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), _structured_text))
def test_parse_text_raises_only_parse_error(text: str) -> None:
    try:
        digest = parse_text(text)
    except ParseError as exc:
        assert str(exc)
        return
    assert isinstance(digest, Digest)
    for item in digest.items():
        assert item.title
        assert all(paragraph.strip() for paragraph in item.body)


def test_pathological_lines_parse_quickly() -> None:
    """Long runs of the characters the regular expressions care about must not backtrack for long."""
    header = "The Real Russia. Today. Headline\nFriday, January 7, 2022\n\n"
    nasty = [
        "a" * 60_000,
        "(" * 20_000,
        "*" * 20_000,
        "_a" * 20_000,
        "[" * 20_000 + "](",
        " / " * 10_000,
        "A. " * 10_000,
        "Word: " * 10_000,
        "x" + " " * 50_000 + "#",
        "🇩🇪" * 10_000,
        "1, " * 20_000 + "words)",
    ]
    for line in nasty:
        started = time.perf_counter()
        parse_text(header + line + "\n\nBody text follows here.")
        assert time.perf_counter() - started < 1.0, line[:20]


# --- round trip --------------------------------------------------------------------------------------------

_CAPITALISED = ["Kremlin", "Moscow", "Duma", "Navalny", "Telegram", "Siberia", "Kazakhstan", "Yandex", "Gazprom"]
_WORDS = [
    "police", "court", "reports", "plans", "protest", "election", "budget", "soldiers", "drone", "strike",
    "blogger", "sanctions", "pipeline", "winter", "schools", "prices", "rubles", "villages", "officials",
    "activists", "prison", "border", "market", "reform", "artists", "museum", "river", "factory", "students",
    "doctors", "quietly", "again", "without", "after", "against", "new", "old", "local", "and", "the", "of",
]  # fmt: skip
_TOKENS = [*_WORDS, "14", "120,000", "1.5", "$61", "36%", "“foreign agents”", "‘terrorists’", '"undesirable"']
_EMOJI = ["🇩🇪", "⚖️", "🪖", "📺", "🏳️‍🌈", "⭐", "🕵️", "1️⃣", "🗞", "💰"]
_FIRST_NAMES = ["Dmitry", "Lilia", "Fyodor", "Kassym-Jomart", "Ursula", "Mikhail", "Tatyana", "Aleksandr"]
_LAST_NAMES = ["Trenin", "Shevtsova", "Lukyanov", "Tokayev", "O’Brien", "Gorbachev", "Stanovaya", "Baunov"]
_SECTION_TITLES = [
    "The war in Ukraine",
    "Feature stories",
    "In other news",
    "Culture and society",
    "Major recent events from Meduza’s News Feed",
    "What else happened today",
    "Russia’s regions",
]
_OPINION_SECTION_TITLES = ["Opinions on Russia’s geopolitical aims", "Opinion and analysis"]


def _capitalise(word: str) -> str:
    return word[0].upper() + word[1:]


@st.composite
def _titles(draw: st.DrawFn) -> str:
    """A headline: a capitalised phrase, sometimes "Phrase: more words", sometimes a question."""
    first = draw(st.one_of(st.sampled_from(_CAPITALISED), st.sampled_from(_WORDS).map(_capitalise)))
    head = [first, draw(st.sampled_from(_WORDS)), *draw(st.lists(st.sampled_from(_TOKENS + _CAPITALISED), max_size=6))]
    title = " ".join(head)
    if draw(st.booleans()):
        title += ": " + " ".join(draw(st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=6)))
    return title + draw(st.sampled_from(["", "", "", "?", "!"]))


@st.composite
def _sentences(draw: st.DrawFn, *, endings: tuple[str, ...] = (".",)) -> str:
    first = draw(st.one_of(st.sampled_from(_CAPITALISED), st.sampled_from(_WORDS).map(_capitalise)))
    rest = draw(st.lists(st.sampled_from(_TOKENS + _CAPITALISED), min_size=3, max_size=14))
    lead = draw(st.sampled_from(["", "", "", "The gist: ", "What happened? "]))
    return lead + " ".join([first, *rest]) + draw(st.sampled_from(endings))


def _paragraphs(*, endings: tuple[str, ...] = (".", ".", "?", "!", ".”")) -> st.SearchStrategy[str]:
    return st.lists(_sentences(endings=endings), min_size=1, max_size=3).map(" ".join)


_names = st.builds(
    lambda first, initial, last: " ".join(part for part in (first, initial, last) if part),
    st.sampled_from(_FIRST_NAMES),
    st.sampled_from([None, None, "S.", "von der"]),
    st.sampled_from(_LAST_NAMES),
)
_emoji = st.one_of(st.none(), st.sampled_from(_EMOJI))
_links = st.one_of(st.none(), st.integers(1, 999).map(lambda n: f"https://meduza.io/en/feature/2024/01/02/story-{n}"))
_minutes = st.one_of(st.none(), st.integers(1, 60))
_word_counts = st.one_of(st.none(), st.integers(50, 20_000))


def _stories() -> st.SearchStrategy[Item]:
    return st.builds(
        Item, kind=st.just(ItemKind.STORY), title=_titles(), author=st.one_of(st.none(), _names),
        read_minutes=_minutes, words=_word_counts, body=st.lists(_paragraphs(), max_size=3).map(tuple),
        link=_links, emoji=_emoji,
    )  # fmt: skip


def _opinions() -> st.SearchStrategy[Item]:
    return st.builds(
        Item, kind=st.just(ItemKind.OPINION), title=_titles(), author=_names, read_minutes=_minutes,
        words=_word_counts, body=st.lists(_paragraphs(), max_size=3).map(tuple), link=_links, emoji=_emoji,
    )  # fmt: skip


def _briefs() -> st.SearchStrategy[Item]:
    return st.builds(
        Item, kind=st.just(ItemKind.BRIEF), title=_titles(), body=st.lists(_paragraphs(), max_size=2).map(tuple),
        link=_links, emoji=_emoji,
    )  # fmt: skip


@st.composite
def _sections(draw: st.DrawFn, *, first: bool) -> Section:
    if draw(st.integers(0, 5)) == 0:
        items = draw(st.lists(_opinions(), min_size=1, max_size=3))
        return Section(draw(st.sampled_from(_OPINION_SECTION_TITLES)), tuple(items))
    titles = st.sampled_from(_SECTION_TITLES)
    title = draw(st.one_of(st.none(), titles) if first else titles)
    items = draw(st.lists(st.one_of(_stories(), _opinions(), _briefs()), min_size=1, max_size=5))
    return Section(title, tuple(items))


@st.composite
def _digests(draw: st.DrawFn) -> Digest:
    count = draw(st.integers(0, 4))
    sections = [draw(_sections(first=index == 0)) for index in range(count)]
    summary = draw(st.one_of(st.none(), st.lists(_paragraphs(endings=(".",)), min_size=1, max_size=3)))
    return Digest(
        newsletter=draw(st.sampled_from([None, "The Real Russia. Today.", "This was Russia today"])),
        date=draw(st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)))),
        title=draw(_titles()),
        summary="\n\n".join(summary) if summary else None,
        sections=tuple(sections),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_digests())
def test_parse_reads_back_what_render_writes(digest: Digest) -> None:
    assert parse_text(render_as_text(digest)) == digest
