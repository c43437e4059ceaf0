"""The parser on real issues of *The Real Russia. Today.*, on Markdown pastes, and on text that is no issue.

Expectations are an editor's reading of each sample (see the fixture next to each test), not the parser's
output copied back.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.digest.model import Digest, ItemKind
from bot.digest.outline import format_outline
from bot.digest.parser import ParseError, parse_issue, parse_text
from bot.sources.html import extract_issue_text

FIXTURES = Path(__file__).parents[1] / "fixtures"
STORY, OPINION, BRIEF = ItemKind.STORY, ItemKind.OPINION, ItemKind.BRIEF
FURNITURE = (
    "Skip to main content",
    "Share to",
    "Leave A Reply",
    "Your email address",
    "Source: Meduza",
    "Yours, Meduza",
    "financial support",
    "our readers saved",
    "advertising revenue",
    "Subscribe here",
    "Today’s newsletter is",
)

Row = tuple[ItemKind, str, str | None, int | None, int | None]


def parse_fixture(name: str) -> Digest:
    path = FIXTURES / name
    return parse_text(path.read_text(encoding="utf-8"), source=str(path))


def outline(digest: Digest) -> list[tuple[str | None, list[Row]]]:
    return [
        (section.title, [(i.kind, i.title, i.author, i.read_minutes, i.words) for i in section.items])
        for section in digest.sections
    ]


def all_text(digest: Digest) -> list[str]:
    texts = [digest.title or "", digest.summary or ""]
    for section in digest.sections:
        texts.append(section.title or "")
        for item in section.items:
            texts.extend([item.title, *item.body])
    return texts


# --- the samples, one by one ---------------------------------------------------------------------------------


def test_2022_01_07_lead_story_then_three_opinions() -> None:
    digest = parse_fixture("the-real-russia-today-2022-01-07.txt")

    assert digest.newsletter == "The Real Russia. Today."
    assert digest.date == dt.date(2022, 1, 7)
    assert digest.title == "Kazakhstan’s ‘terrorists’ are now to be shot on sight"
    assert outline(digest) == [
        (None, [(STORY, "Day six of Kazakhstan’s unrest", None, 4, None)]),
        (
            "Opinions on Russia’s geopolitical aims",
            [
                (OPINION, "Putin must atone for his early weakness on NATO", "Dmitry Trenin", None, None),
                (
                    OPINION,
                    "Putin seeks U.S. protection for Russia’s campaign to dominate its neighbors",
                    "Lilia Shevtsova",
                    None,
                    None,
                ),
                (OPINION, "Russia has developed its own brand of interventionism", "Fyodor Lukyanov", None, None),
            ],
        ),
    ]
    lead, trenin, shevtsova, lukyanov = digest.items()
    assert lead.body[0].startswith("Police and soldiers have “essentially” restored order")
    assert len(lead.body) == 1
    assert [len(trenin.body), len(shevtsova.body), len(lukyanov.body)] == [7, 3, 3]
    assert lukyanov.body[-1].endswith("giving the CSTO new “political impetus.”")


def test_2022_01_07_teaser_is_mended_into_two_paragraphs() -> None:
    digest = parse_fixture("the-real-russia-today-2022-01-07.txt")

    assert digest.summary is not None
    assert "NazarbayevOpinions" not in digest.summary
    first, second = digest.summary.split("\n\n")
    assert first.startswith("Kazakhstan: Police are ordered to shoot to kill")
    assert first.endswith("and rumors spread about Nazarbayev")
    assert second.startswith("Opinions: Dmitry Trenin says Putin wants Ukraine settled")
    assert second.endswith("a new era has dawned in the former USSR")


def test_2017_12_21_table_of_contents_is_not_duplicated() -> None:
    digest = parse_fixture("real-russia-today-2017-12-21.txt")

    assert digest.date == dt.date(2017, 12, 21)
    assert digest.title == (
        "Lawmakers plan to shatter the mass media’s legal status in Russia; Navalny targets Putin’s spokesman "
        "again; and Meduza takes a look at the ‘Synthol King’ risking his life for fame"
    )
    assert digest.summary is None
    # The first two contents entries are the two stories the scrape reached; the other five stay, as briefs.
    assert outline(digest) == [
        (
            None,
            [
                (BRIEF, "Navalny’s Anti-Corruption Foundation takes on Putin’s spokesman, again", None, None, None),
                (
                    BRIEF,
                    "Meduza‘s special report on a young man risking life and limb (s) for a shot at fame and fortune",
                    None,
                    None,
                    None,
                ),
                (BRIEF, "Ramzan Kadyrov wants Americans to rest easy about him being blacklisted", None, None, None),
                (
                    BRIEF,
                    "A Moscow university expels the students who beat up a classmate and forced him on camera to "
                    "“apologize” for criticizing sexist religious traditions",
                    None,
                    None,
                    None,
                ),
                (BRIEF, "Internet activists launch a class action lawsuit against the FSB to defend Telegram", None,
                 None, None),
                (
                    STORY,
                    "New amendments to Russia’s laws on foreign agents could shatter the legal status of the mass "
                    "media",
                    None,
                    None,
                    None,
                ),
                (STORY, "Russian art lovers welcome the Tretyakov’s new exhibition with a cosplay flashmob", None,
                 None, None),
            ],
        )
    ]  # fmt: skip
    stories = digest.items_of(STORY)
    assert [story.emoji for story in stories] == ["🗞", "🎨"]
    assert stories[-1].body[-1].endswith("which features 120 p")  # truncated mid-word, kept
    titles = [item.title for item in digest.items()]
    assert not any(title.startswith(("Lawmakers plan a bold", "Check out the Tretyakov")) for title in titles)


def test_2020_11_17_contents_feature_stories_and_truncated_paragraph() -> None:
    digest = parse_fixture("real-russia-today-2020-11-17.txt")

    assert digest.date == dt.date(2020, 11, 17)
    assert digest.title == (
        "A week after the Karabakh truce, plus the strategic challenges ahead in the South Caucasus and Putin’s "
        "double standards on sovereignty"
    )
    assert digest.summary is None
    # Contents entries 1–3 are the three features; "Opinion and analysis: …" and "News briefs: …" preview
    # sections the scrape lost; the fourth feature (vaccine volunteers) was cut off and stays as a brief.
    assert outline(digest) == [
        (
            None,
            [
                (
                    BRIEF,
                    "Volunteers from Russia’s coronavirus vaccine trials are conducting their own studies of its "
                    "effectiveness",
                    None,
                    None,
                    None,
                )
            ],
        ),
        (
            "Feature stories",
            [
                (STORY, "From ‘police’ to ‘cops’ to ‘trash’", None, None, None),
                (STORY, "After the truce", None, None, None),
                (STORY, "Thirsting for democracy", None, None, None),
            ],
        ),
    ]
    assert [item.emoji for item in digest.items_of(STORY)] == ["👮", "🛡️", "🚰"]
    assert digest.items_of(STORY)[-1].body == ("The Novaya Borovaya neighborhood in n",)


def test_2022_07_11_news_feed_briefs_and_feature_contents() -> None:
    digest = parse_fixture("real-russia-today-2022-07-11.txt")

    assert digest.date == dt.date(2022, 7, 11)
    # No printed headline: the lead item is the first with text of its own, not the first bare headline.
    assert digest.title == "Spy games between the FSB and Russia’s libertarian movement"
    assert digest.summary is None  # the only teaser paragraph is a donation appeal
    briefs = [
        "Treason-accused scientist who died in jail was misdiagnosed in police paperwork",
        "Russian contract soldier discharged for refusing to fight will have day in court",
        "Russia captures prominent Ukrainian human rights activist and army volunteer",
        "Ukraine’s richest man to transfer media assets to the state",
        "Russia’s Justice Ministry endorses Chechen crackdown on opposition group",
        "Moscow officials will maintain ban on public assemblies until pandemic’s formal end",
        "Kursk residents report drone-filled skies",
        "Navalny group announces new international organization",
        "Russia expands simplified citizenship process to all Ukrainians",
        "Airstrike against Kharkiv kills at least three people and injures dozens more",
        "Russia moves closer to banning all “gay propaganda”",
        "Court in Nizhny Novgorod fines activist for writing “special operation” in scare quotes",
        "Prosecutors want Moscow court to dissolve Journalists’ and Media Workers’ Union",
        "Oligarch Evgeny Prigozhin again utilizes “right to be forgotten” on Yandex",
        "Using HIMARS, Ukraine attacks 14 warehouses and bases behind enemy lines",
    ]
    assert outline(digest) == [
        ("Major recent events from Meduza’s News Feed", [(BRIEF, title, None, None, None) for title in briefs]),
        (
            "Feature stories",
            [
                (STORY, "Spy games between the FSB and Russia’s libertarian movement", None, 9, None),
                (STORY, "Why Putin won’t share the limelight with his generals", None, None, None),
            ],
        ),
    ]
    news = digest.sections[0].items
    assert [item.emoji for item in news[:3]] == ["⚕️", "⚖️", "🪖"]
    assert news[10].emoji == "🏳️🌈"
    spy_games, generals = digest.sections[1].items
    assert spy_games.emoji == "🕵️"
    assert spy_games.body == (
        "When the FSB asked Vsevolod Osipov to become a spy, he saw little choice but to say yes. Then he became "
        "a double agent.",
        "On May 27, 2021, the Moscow authorities showed up at the apartment where 19-year-old Libertarian Party "
        "member Vsevolod Osipov lived",
    )
    assert generals.body == ()


def test_2024_04_26_two_stories_and_no_appeal() -> None:
    digest = parse_fixture("real-russia-today-2024-04-26.txt")

    assert digest.date == dt.date(2024, 4, 26)
    podolyak = (
        "Zelensky administration adviser Mykhailo Podolyak on what the new U.S. aid package means for the war’s future"
    )
    assert digest.title == podolyak  # the masthead line prints only the date: the lead story's headline
    assert outline(digest) == [
        (
            "The war in Ukraine",
            [
                (STORY, podolyak, None, 10, None),
                (
                    STORY,
                    "What we know about the balance of power between the Russian and Ukrainian armies — and how "
                    "mobilization could change it",
                    None,
                    16,
                    None,
                ),
            ],
        )
    ]
    assert [item.emoji for item in digest.items()] == ["🔮", "🪖"]
    assert not any("interactive map" in text for text in all_text(digest))


def test_2024_07_11_emoji_briefs_then_a_story() -> None:
    digest = parse_fixture("real-russia-today-2024-07-11.txt")

    assert digest.date == dt.date(2024, 7, 11)
    assert digest.title == "CNN reports Russian assassination plot against German arms manufacturer"
    assert outline(digest) == [
        (
            "The war in Ukraine",
            [
                (BRIEF, "CNN reports Russian assassination plot against German arms manufacturer", None, None, None),
                (BRIEF, "Orban and Trump, sitting in a tree", None, None, None),
                (BRIEF, "Gig-economy military recruitment", None, None, None),
                (
                    STORY,
                    "In Russia’s Buryatia, high military death rates make the war impossible to ignore. A new report "
                    "reveals how it’s become normalized.",
                    None,
                    17,
                    None,
                ),
            ],
        )
    ]
    cnn, orban, gig, buryatia = digest.items()
    assert [cnn.emoji, orban.emoji, gig.emoji, buryatia.emoji] == ["🇩🇪", "🇭🇺", "💰", "🪖"]
    assert cnn.body[0].startswith("Multiple U.S. and European officials confirmed to CNN")
    assert orban.body == (
        "Hungarian Prime Minister Viktor Orban traveled to Florida on Thursday and met with former President "
        "Donald Trump. “We discussed ways to make peace. The good news of the day: he’s going to solve it!” Orban "
        "later wrote on social media. This was Orban’s second visit to Mar-a-Lago since March and follows meetings "
        "in Europe and Asia with the leaders of Ukraine, Russia, and China.",
    )
    assert buryatia.body[-1].endswith("Krasnodar Krai, and B")


def test_2024_10_11_this_was_russia_today() -> None:
    digest = parse_fixture("real-russia-today-2024-10-11.txt")

    assert digest.newsletter == "This was Russia today"
    assert digest.date == dt.date(2024, 10, 11)
    assert digest.title == (
        "Putin goes to Turkmenistan, a new event for foreigners fleeing ‘neoliberal ideology,’ and an "
        "assassination attempt in Moscow"
    )
    assert digest.summary is not None
    assert digest.summary.startswith("Howdy, readers! Putin traveled to Turkmenistan today")
    assert digest.summary.endswith("to counter the West.")
    assert outline(digest) == [(None, [(STORY, "Russia’s counterattack in the Kursk region", None, None, None)])]
    (story,) = digest.items()
    assert [paragraph[:20] for paragraph in story.body] == [
        "Gaining back ground:",
        "What territory was a",
        "How big a deal is th",
    ]
    assert story.body[-1].endswith("in the Kursk region f")


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.name)
def test_no_page_furniture_survives(path: Path) -> None:
    digest = parse_text(path.read_text(encoding="utf-8"))
    for text in all_text(digest):
        for furniture in FURNITURE:
            assert furniture not in text, (furniture, text[:80])


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.name)
def test_every_sample_has_a_date_a_headline_and_items(path: Path) -> None:
    digest = parse_text(path.read_text(encoding="utf-8"), source=str(path))
    assert digest.date is not None
    assert digest.title
    assert list(digest.items())
    assert digest.source == str(path)
    for item in digest.items():
        assert item.title == item.title.strip()
        assert not item.title.endswith(("min read)", "words)"))
        assert item.kind is not OPINION or item.author


# --- input variants ------------------------------------------------------------------------------------------


def test_crlf_nbsp_and_zero_width_characters_change_nothing() -> None:
    text = (FIXTURES / "the-real-russia-today-2022-01-07.txt").read_text(encoding="utf-8")
    damaged = text.replace("\n", "\r\n").replace("The Real Russia. Today. ", "The Real Russia.\u00a0Today.\u00a0")
    damaged = damaged.replace("Day six", "Day\u200b six").replace("Dmitry Trenin:", "\ufeffDmitry Trenin:")
    assert parse_text(damaged) == parse_text(text)


def test_smart_quotes_are_kept_as_printed() -> None:
    digest = parse_fixture("the-real-russia-today-2022-01-07.txt")
    assert "‘terrorists’" in (digest.title or "")
    assert "“essentially”" in next(digest.items()).body[0]


MARKDOWN_ISSUE = """\
# The Real Russia. Today.

## Kazakhstan’s ‘terrorists’ are now to be shot on sight

*Friday, January 7, 2022*

Police are ordered to shoot to kill, and rumors spread about Nazarbayev.

### 🗞 [Day six of Kazakhstan’s unrest](https://meduza.io/en/feature/2022/01/07/day-six) (4 min read)

Police and soldiers have **essentially** restored order across Kazakhstan.

## Opinions on Russia’s geopolitical aims

### Dmitry Trenin: Putin must atone for his early weakness on NATO (2,760 words)

In a long interview with [Fontanka](https://www.fontanka.ru), Trenin repeated his view.

## News briefs

- 🇩🇪 **CNN reports a plot against an arms maker**: Officials confirmed the plot to CNN.
* [Kursk residents report drone-filled skies](https://meduza.io/en/news/2022/07/11/kursk)
• Navalny group announces new international organization
"""


def test_markdown_input() -> None:
    digest = parse_text(MARKDOWN_ISSUE)

    assert digest.newsletter == "The Real Russia. Today."
    assert digest.date == dt.date(2022, 1, 7)
    assert digest.title == "Kazakhstan’s ‘terrorists’ are now to be shot on sight"
    assert digest.summary == "Police are ordered to shoot to kill, and rumors spread about Nazarbayev."
    assert outline(digest) == [
        (None, [(STORY, "Day six of Kazakhstan’s unrest", None, 4, None)]),
        (
            "Opinions on Russia’s geopolitical aims",
            [(OPINION, "Putin must atone for his early weakness on NATO", "Dmitry Trenin", None, 2760)],
        ),
        (
            "News briefs",
            [
                (BRIEF, "CNN reports a plot against an arms maker", None, None, None),
                (BRIEF, "Kursk residents report drone-filled skies", None, None, None),
                (BRIEF, "Navalny group announces new international organization", None, None, None),
            ],
        ),
    ]
    lead, trenin, cnn, kursk, _ = digest.items()
    assert lead.link == "https://meduza.io/en/feature/2022/01/07/day-six"
    assert lead.emoji == "🗞"
    assert lead.body == ("Police and soldiers have essentially restored order across Kazakhstan.",)
    assert trenin.body == ("In a long interview with Fontanka, Trenin repeated his view.",)
    assert cnn.emoji == "🇩🇪"
    assert cnn.body == ("Officials confirmed the plot to CNN.",)
    assert kursk.link == "https://meduza.io/en/news/2022/07/11/kursk"


@pytest.mark.parametrize("name", ["the-real-russia-today-2022-01-07", "real-russia-today-2024-07-11"])
def test_web_page_text_parses_like_the_plain_text_issue(name: str) -> None:
    """The HTML source hands the parser trafilatura's Markdown; the structure must come out the same."""
    page = extract_issue_text((FIXTURES / "pages" / f"{name}.html").read_text(encoding="utf-8"))
    from_page = parse_text(page.text)
    from_text = parse_fixture(f"{name}.txt")

    assert (from_page.newsletter, from_page.date, from_page.title) == (
        from_text.newsletter,
        from_text.date,
        from_text.title,
    )
    assert outline(from_page) == outline(from_text)
    assert [item.emoji for item in from_page.items()] == [item.emoji for item in from_text.items()]


def test_opinion_section_items_take_their_authors_from_the_text() -> None:
    digest = parse_text(
        "The Real Russia. Today. Views\nFriday, January 7, 2022\n\nOpinion and analysis\n\n"
        "• Andrey Pertsev: The Kremlin went wrong with Rashkin. The party will pay for it, he argues.\n"
        "• 🤔 Tatiana Stanovaya explains why Putin’s double standards matter\n"
        "• Kirill Rogov: Elections without choice\n"
    )
    assert outline(digest) == [
        (
            "Opinion and analysis",
            [
                (OPINION, "The Kremlin went wrong with Rashkin", "Andrey Pertsev", None, None),
                (OPINION, "Tatiana Stanovaya explains why Putin’s double standards matter", "Tatiana Stanovaya", None,
                 None),
                (OPINION, "Elections without choice", "Kirill Rogov", None, None),
            ],
        )
    ]  # fmt: skip


def test_headline_date_and_story_without_a_masthead() -> None:
    digest = parse_text(
        "Kazakhstan’s ‘terrorists’ are now to be shot on sight\n"
        "7 January 2022\n\n"
        "🪖 Day six of Kazakhstan’s unrest (4-min read)\n\n"
        "Police and soldiers have restored order.\n\n"
        "Cheers, Kevin\n\n"
        "Comments are closed.\n"
    )
    assert digest.newsletter is None
    assert digest.date == dt.date(2022, 1, 7)
    assert digest.title == "Kazakhstan’s ‘terrorists’ are now to be shot on sight"
    assert outline(digest) == [(None, [(STORY, "Day six of Kazakhstan’s unrest", None, 4, None)])]
    assert next(digest.items()).body == ("Police and soldiers have restored order.",)


def test_iso_date_byline_and_sign_off() -> None:
    digest = parse_text(
        "The Real Russia. Today. A long day\n2024-10-11\n\n"
        "📍 Siberia’s rivers are running dry\n\nBy Kevin Rothrock\n\nThe water is gone.\n\n"
        "Yours, The Real Russia team\n\nLeave A Reply\n"
    )
    assert digest.date == dt.date(2024, 10, 11)
    assert outline(digest) == [(None, [(STORY, "Siberia’s rivers are running dry", "Kevin Rothrock", None, None)])]
    assert next(digest.items()).body == ("The water is gone.",)


FURNISHED_ISSUE = """\
We use cookies to improve your experience on our website.
Accept all cookies
Skip to main content
  • Share to or

This was Russia today, Thursday, October 3, 2024 A budget for war

Источник: Meduza

Howdy, readers!

Putin met schoolchildren today.

Today’s newsletter is 1,282 words — a six-minute read.

Subscribe here to receive this daily newsletter directly.

* * *

Today’s main story: Russia’s 2025 budget outlines record military spending

HBO / Amediateka

Nearly a third of the federal government’s proposed expenditures are hidden from public view.

Finance Minister Anton Siluanov presents the draft budget to the State Duma in Moscow on October 1, 2024
Yuri Kadobnov / AFP / Scanpix / LETA

The gist: The authorities seem to be downplaying the budget’s military focus.

Share this story

———

2. More developments in Navalny’s death

There’s another leak of documents.

Support Meduza

Become a supporter: Meduza depends on readers like you. Donate today and help us keep going.

— Meduza

Related posts
A story nobody asked for
"""


def test_furniture_is_dropped_wherever_it_stands() -> None:
    digest = parse_text(FURNISHED_ISSUE)

    assert (digest.newsletter, digest.date, digest.title) == ("This was Russia today", dt.date(2024, 10, 3),
                                                              "A budget for war")  # fmt: skip
    assert digest.summary == "Howdy, readers!\n\nPutin met schoolchildren today."
    assert outline(digest) == [
        (
            None,
            [
                (STORY, "Russia’s 2025 budget outlines record military spending", None, None, None),
                (STORY, "More developments in Navalny’s death", None, None, None),
            ],
        )
    ]
    budget, navalny = digest.items()
    assert budget.body == (
        "Nearly a third of the federal government’s proposed expenditures are hidden from public view.",
        "The gist: The authorities seem to be downplaying the budget’s military focus.",
    )
    assert navalny.body == ("There’s another leak of documents.",)


def test_sign_off_ends_the_issue() -> None:
    digest = parse_text(
        "The Real Russia. Today. Headline\nFriday, January 7, 2022\n\n"
        "🪖 A story\n\nIts text.\n\nCheers, Kevin\n\n🪖 Not a story\n\nA comment under the page.\n"
    )
    assert [item.title for item in digest.items()] == ["A story"]
    assert next(digest.items()).body == ("Its text.",)


# --- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("   \n\t\n  ", "the file is empty"),
        (b"\x00\xff\xfe\x00\x89PNG\r\n\x1a\n\x00\x00".decode("latin-1"), "binary data"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01".decode("utf-8", errors="replace"), "binary data"),
        ("Skip to main content\n  • Share to or\nSource: Meduza\n", "no items found"),
        ("# Only a headline\n", "no items found"),
    ],
    ids=["empty", "whitespace", "binary-latin1", "binary-replaced", "only-furniture", "title-only"],
)
def test_bad_input_raises_a_clear_parse_error(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_text(text)


def test_readable_prose_without_structure_is_one_item_with_warnings_not_a_refusal() -> None:
    parsed = parse_issue(
        "It was a bright cold day in April, and the clocks were striking thirteen.\n\n"
        "Winston Smith slipped quickly through the glass doors of Victory Mansions."
    )
    [item] = list(parsed.digest.items())
    assert item.body[0].startswith("It was a bright cold day")
    assert parsed.digest.date is None
    assert any("no issue date" in warning for warning in parsed.warnings)
    assert any("no item structure" in warning for warning in parsed.warnings)


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(ParseError, ValueError)


# --- outputs ---------------------------------------------------------------------------------------------------


def test_json_shape_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "the-real-russia-today-2022-01-07.txt"
    assert main(["parse", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)

    assert {"newsletter", "date", "title", "summary", "sections"} <= data.keys()
    assert data["date"] == "2022-01-07"
    item = data["sections"][1]["items"][0]
    assert {"kind", "title", "author", "read_minutes", "words", "body"} <= item.keys()
    assert (item["kind"], item["author"]) == ("opinion", "Dmitry Trenin")
    assert item["body"].count("\n\n") == 6


def test_outline_for_the_terminal() -> None:
    text = format_outline(parse_fixture("the-real-russia-today-2022-01-07.txt"))
    lines = text.splitlines()

    assert lines[0] == "The Real Russia. Today. — Friday, January 7, 2022"
    assert lines[1] == "Kazakhstan’s ‘terrorists’ are now to be shot on sight"
    assert "  [story] Day six of Kazakhstan’s unrest (4-min read)" in lines
    assert "  [opinion] Putin must atone for his early weakness on NATO — Dmitry Trenin" in lines
    assert "Opinions on Russia’s geopolitical aims" in lines
    previews = [line for line in lines if line.startswith("      ")]
    assert len(previews) == 4
    assert all(len(line.strip()) <= 101 for line in previews)
    summary = [line for line in lines if line.startswith("  ") and not line.startswith(("  [", "      "))]
    assert len(summary) == 5
    assert all(len(line) <= 100 for line in summary)
