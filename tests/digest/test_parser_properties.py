"""Properties of the parser: it never fails on its own account, and it reads back what the renderer writes.

The round trip's domain is "reasonable digests": titles, names and paragraphs made of words, numbers, quotes,
colons and emoji as the newsletter prints them, with the constraints the text format documents (opinions have
authors, briefs have none, a section titled "Opinions…" holds opinions, only the first section may be
untitled, sections are not empty, the issue has a headline, teaser sentences end with a full stop).
"""

from __future__ import annotations

import datetime as dt
import random
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


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


# Words are picked by a seeded generator from one drawn integer per title or paragraph: hundreds of tiny
# draws per digest made generation, not parsing, the cost of this test.
_seeds = st.integers(0, 2**32 - 1)


def _opening(rng: random.Random) -> str:
    return rng.choice(_CAPITALISED) if rng.random() < 0.4 else _capitalise(rng.choice(_WORDS))


def _title_from(seed: int) -> str:
    """A headline: a capitalised phrase, sometimes "Phrase: more words", sometimes a question."""
    rng = random.Random(seed)
    head = [_opening(rng), rng.choice(_WORDS), *rng.choices(_TOKENS + _CAPITALISED, k=rng.randint(0, 6))]
    title = " ".join(head)
    if rng.random() < 0.5:
        title += ": " + " ".join(rng.choices(_TOKENS, k=rng.randint(1, 6)))
    return title + rng.choice(["", "", "", "?", "!"])


def _paragraph_from(seed: int, endings: tuple[str, ...]) -> str:
    """One to three sentences, some opening with a lead-in ("The gist: …") as the 2024 issues do."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(rng.randint(1, 3)):
        lead = rng.choice(["", "", "", "The gist: ", "What happened? "])
        words = [_opening(rng), *rng.choices(_TOKENS + _CAPITALISED, k=rng.randint(3, 14))]
        sentences.append(lead + " ".join(words) + rng.choice(endings))
    return " ".join(sentences)


_titles = _seeds.map(_title_from)
_paragraphs = _seeds.map(lambda seed: _paragraph_from(seed, (".", ".", "?", "!", ".”")))
_teaser_paragraphs = _seeds.map(lambda seed: _paragraph_from(seed, (".",)))
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
_bodies = st.lists(_paragraphs, max_size=3).map(tuple)

_stories = st.builds(
    Item, kind=st.just(ItemKind.STORY), title=_titles, author=st.one_of(st.none(), _names), read_minutes=_minutes,
    words=_word_counts, body=_bodies, link=_links, emoji=_emoji,
)  # fmt: skip
_opinions = st.builds(
    Item, kind=st.just(ItemKind.OPINION), title=_titles, author=_names, read_minutes=_minutes, words=_word_counts,
    body=_bodies, link=_links, emoji=_emoji,
)  # fmt: skip
_briefs = st.builds(
    Item, kind=st.just(ItemKind.BRIEF), title=_titles, body=st.lists(_paragraphs, max_size=2).map(tuple),
    link=_links, emoji=_emoji,
)  # fmt: skip
_any_items = st.lists(st.one_of(_stories, _opinions, _briefs), min_size=1, max_size=5).map(tuple)
_opinion_sections = st.builds(
    Section, st.sampled_from(_OPINION_SECTION_TITLES), st.lists(_opinions, min_size=1, max_size=3).map(tuple)
)
_titled_sections = st.builds(Section, st.sampled_from(_SECTION_TITLES), _any_items)
_first_sections = st.builds(Section, st.one_of(st.none(), st.sampled_from(_SECTION_TITLES)), _any_items)
_later_sections = st.one_of(_titled_sections, _titled_sections, _titled_sections, _opinion_sections)
_sections = st.one_of(
    st.tuples(st.one_of(_first_sections, _opinion_sections), st.lists(_later_sections, max_size=3)).map(
        lambda pair: (pair[0], *pair[1])
    ),
)  # an issue without items is refused (tested in test_parser), so the round trip needs at least one
_digests = st.builds(
    Digest,
    newsletter=st.sampled_from([None, "The Real Russia. Today.", "This was Russia today"]),
    date=st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))),
    title=_titles,
    summary=st.one_of(st.none(), st.lists(_teaser_paragraphs, min_size=1, max_size=3).map("\n\n".join)),
    sections=_sections,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_digests)
def test_parse_reads_back_what_render_writes(digest: Digest) -> None:
    assert parse_text(render_as_text(digest)) == digest
