"""The newsletter's own drift over the years (issue #10): each rule with the shape that needs it.

The inputs are lines of real issues in the shapes mirrors, pages and mail clients give them (a prefix glued
on, the date moved, the whole issue on one line, hard-wrapped e-mail text): see tests/fixtures/corpus for the
copies themselves.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digest.model import ItemKind
from bot.digest.parser import ParseError, parse_issue

STORY = (
    "Day six of Kazakhstan’s unrest (4-min read)\n\n"
    "Police and soldiers have “essentially” restored order across Kazakhstan, President Kassym-Jomart Tokayev "
    "declared on Friday."
)
HEADLINE = "Kazakhstan’s ‘terrorists’ are now to be shot on sight"


@pytest.mark.parametrize(
    "top",
    [
        f"The Real Russia. Today. {HEADLINE}\nFriday, January 7, 2022",
        f"Skip to main content The Real Russia. Today. {HEADLINE}\nFriday, January 7, 2022",
        f"© 2022 Meduza. The Real Russia. Today. {HEADLINE}\nFriday, January 7, 2022",
        f"Friday, January 7, 2022 — The Real Russia. Today. — {HEADLINE}",
        f"The Real Russia. Today.\n{HEADLINE}\nFriday, January 7, 2022",
        f"Date: 2022-01-08\nThe Real Russia. Today. {HEADLINE}\nFriday, January 7, 2022",
        f"{HEADLINE} | The Real Russia. Today. | Friday, January 7, 2022",
    ],
    ids=["lines", "page-prefix", "copyright-prefix", "date-first", "three-lines", "mirror-metadata", "name-between"],
)
def test_masthead_date_and_headline_in_any_order(top: str) -> None:
    parsed = parse_issue(f"{top}\n\n{STORY}")
    assert parsed.digest.newsletter == "The Real Russia. Today."
    assert parsed.digest.date == dt.date(2022, 1, 7)
    assert parsed.digest.title == HEADLINE
    assert [item.title for item in parsed.digest.items()] == ["Day six of Kazakhstan’s unrest"]


@pytest.mark.parametrize(
    ("top", "newsletter", "title"),
    [
        (
            "Meduza's daily newsletter: Friday, April 2, 2021 (Meduza's newsletter will return on Monday, April 5, "
            "2021.)",
            "Meduza's daily newsletter",
            None,
        ),
        (
            "Meduza's latest daily newsletter:  Thursday, March 4, 2021  A new law on enlightenment",
            "Meduza's latest daily newsletter",
            "A new law on enlightenment",
        ),
        ("This was Russia today Friday, April 2, 2021", "This was Russia today", None),
        ("Our Morning Digest: Friday, April 2, 2021", "Our Morning Digest", None),
    ],
    ids=["colon-and-note", "double-space", "no-comma", "unknown-masthead"],
)
def test_the_date_is_found_without_knowing_the_masthead(top: str, newsletter: str, title: str | None) -> None:
    parsed = parse_issue(f"{top}\n\nA sad anniversary\n\nOne year ago the authorities did something. It was bad.")
    assert parsed.digest.date in (dt.date(2021, 4, 2), dt.date(2021, 3, 4))
    assert parsed.digest.newsletter == newsletter
    assert parsed.digest.title == (title or "A sad anniversary")
    if title is None:
        note = parsed.note("title")
        assert note is not None and note.guessed


def test_a_parenthetical_note_after_the_date_is_teaser_not_the_date() -> None:
    parsed = parse_issue(
        "Meduza's daily newsletter: Friday, April 2, 2021 (Meduza's newsletter will return on Monday, April 5, "
        "2021.)\n\nA sad anniversary\n\nOne year ago the authorities did something. It was bad."
    )
    assert parsed.digest.date == dt.date(2021, 4, 2)
    assert parsed.digest.summary == "(Meduza's newsletter will return on Monday, April 5, 2021.)"


def test_dates_inside_sentences_are_not_the_issue_date() -> None:
    parsed = parse_issue(
        "The Real Russia. Today. New info about a Panama-Papers figure\n"
        "This day in history: three years ago, on April 3, 2016, the first Panama Papers stories came out.\n\n"
        f"{STORY}"
    )
    assert parsed.digest.date is None
    assert any("no issue date" in warning for warning in parsed.warnings)


def test_a_flattened_issue_keeps_its_masthead_date_and_headline() -> None:
    flat = f"The Real Russia. Today. {HEADLINE} Friday, January 7, 2022 {STORY.replace(chr(10), ' ')}"
    parsed = parse_issue(flat)
    assert (parsed.digest.newsletter, parsed.digest.date, parsed.digest.title) == (
        "The Real Russia. Today.",
        dt.date(2022, 1, 7),
        HEADLINE,
    )
    [item] = parsed.digest.items()
    assert "restored order" in item.body_text


@pytest.mark.parametrize("date", ["February 30, 2021", "0000-00-00"])
def test_impossible_dates_are_a_warning(date: str) -> None:
    parsed = parse_issue(f"The Real Russia. Today. A headline\n{date}\n\n{STORY}")
    assert parsed.digest.date is None
    assert any(f"impossible date “{date}”" in warning for warning in parsed.warnings)


def test_run_in_briefs_led_by_a_short_sentence() -> None:
    parsed = parse_issue(
        "The Real Russia. Today. A headline\nMonday, February 1, 2021\n\nNews briefs\n\n"
        "Checkmate, Navalny. Officials in St. Petersburg have banned a chess club from hosting the opposition "
        "politician's supporters.\n\n"
        "A new fine. The State Duma approved higher fines for protesters on Tuesday, in a vote of 350 to 20."
    )
    assert [(item.kind, item.title) for item in parsed.digest.items()] == [
        (ItemKind.BRIEF, "Checkmate, Navalny"),
        (ItemKind.BRIEF, "A new fine"),
    ]


def test_numbered_labelled_and_attributed_items() -> None:
    parsed = parse_issue(
        "The Real Russia. Today. Three things\nMonday, February 1, 2021\n\n"
        "Today's main story: The court sends Navalny to prison\n\n"
        "A Moscow court replaced Navalny's suspended sentence with a real one. He will serve two years.\n\n"
        "2. Protesters detained across Russia\n\nMore than 1,000 people were detained. Most were released.\n\n"
        "(Opinion) Why the Kremlin fears Navalny\n\nBecause he is popular with young people, the author says.\n\n"
        "The Kremlin has lost the youth — political analyst Tatiana Stanovaya (Telegram):\n\n"
        "The young generation does not watch television and does not trust the state."
    )
    items = [(item.kind, item.title, item.author) for item in parsed.digest.items()]
    assert items == [
        (ItemKind.STORY, "The court sends Navalny to prison", None),
        (ItemKind.STORY, "Protesters detained across Russia", None),
        (ItemKind.OPINION, "Why the Kremlin fears Navalny", None),
        (ItemKind.OPINION, "The Kremlin has lost the youth", "Tatiana Stanovaya"),
    ]


def test_hard_wrapped_email_text_with_table_debris() -> None:
    parsed = parse_issue(
        "| The Real Russia. Today. Kazakhstan's 'terrorists' are now to be shot on |\n"
        "| sight                                                                     |\n"
        "| Friday, January 7, 2022 |\n\n"
        "Day six of Kazakhstan's unrest (4-min read)\n\n"
        "Police and soldiers have \"essentially\" restored order across Kazakhstan,\n"
        "President Kassym-Jomart Tokayev declared on Friday. Police officials say 26\n"
        "\"criminals\" participating in protests have been killed, and more than 3,000\n"
        "people have been detained. Eighteen law enforcement officers have also died,\n"
        "the authorities say. Tokayev has ordered the police and soldiers to shoot to\n"
        "kill without warning, he said in a televised address on Friday morning here.\n"
    )
    assert parsed.digest.title == "Kazakhstan's 'terrorists' are now to be shot on sight"
    [item] = parsed.digest.items()
    assert len(item.body) == 1 and "Police officials say 26 \"criminals\" participating" in item.body[0]


def test_sponsor_blocks_and_email_chrome_are_not_items() -> None:
    parsed = parse_issue(
        "View this email in your browser\n\n# The Daily Brief\n\nMonday, February 1, 2021\n\n"
        "## Markets fall again\n\nStocks fell for a third day on Monday. Traders blamed rates.\n\n"
        "## Together with Acme\n\n### Acme makes payroll easy\n\nTry Acme free for 30 days. It is great.\n\n"
        "## Elections ahead\n\nVoters go to the polls on Sunday. Turnout is expected to be low.\n\n"
        "Forward to a friend\n\nUnsubscribe | Update your preferences\n"
    )
    assert [item.title for item in parsed.digest.items()] == ["Markets fall again", "Elections ahead"]


def test_an_editors_letter_is_the_teaser() -> None:
    parsed = parse_issue(
        "Dear readers,\n\nWe want to know you better.\n\nPlease answer our survey.\n\nThank you =)\n\n"
        "— The editors\n\nThe government delays the inquiry\n\nThe government has two new strategies to delay it."
    )
    assert parsed.digest.title == "The government delays the inquiry"
    assert parsed.digest.summary is not None and parsed.digest.summary.startswith("Dear readers,")


def test_only_empty_binary_or_item_less_input_is_refused() -> None:
    with pytest.raises(ParseError, match="no items found"):
        parse_issue("The Real Russia. Today. Just a masthead\nFriday, January 7, 2022\n")


def test_run_in_items_led_by_a_short_sentence_outside_a_briefs_section() -> None:
    """Two paragraphs in a row led by a short sentence, under a section title that is no briefs', are two items."""
    parsed = parse_issue(
        "The Real Russia. Today. A headline\nMonday, February 1, 2021\n\nThe war in Ukraine\n\n"
        "Checkmate, Navalny. Officials in St. Petersburg have banned a chess club from hosting the opposition "
        "politician's supporters.\n\n"
        "A new fine. The State Duma approved higher fines for protesters on Tuesday, in a vote of 350 to 20."
    )
    assert [(item.kind, item.title) for item in parsed.digest.items()] == [
        (ItemKind.BRIEF, "Checkmate, Navalny"),
        (ItemKind.BRIEF, "A new fine"),
    ]


def test_a_bold_lead_sentence_heads_an_item_even_alone() -> None:
    parsed = parse_issue(
        "# A headline\n\nMonday, February 1, 2021\n\n"
        "**Checkmate, Navalny.** Officials in St. Petersburg have banned a chess club from hosting the opposition "
        "politician's supporters."
    )
    assert [item.title for item in parsed.digest.items()] == ["Checkmate, Navalny"]


def test_a_story_paragraph_or_a_greeting_led_by_a_short_sentence_stays_text() -> None:
    parsed = parse_issue(
        "The Real Russia. Today. A headline\nMonday, February 1, 2021\n\n"
        "Howdy, folks. In the mailing below, we look at a court ruling and a new fine.\n\n"
        "A court sends Navalny to prison\n\n"
        "It was expected. A Moscow court replaced Navalny's suspended sentence with a real one on Tuesday.\n\n"
        "He will appeal. His lawyers said they would take the case to the European Court of Human Rights."
    )
    assert [item.title for item in parsed.digest.items()] == ["A court sends Navalny to prison"]
    assert parsed.digest.summary is not None and parsed.digest.summary.startswith("Howdy, folks.")
