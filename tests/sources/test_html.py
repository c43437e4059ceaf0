"""Extracting an issue from its web page: everything the plain-text issue has, none of the page furniture."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import trafilatura

from bot.sources.blocks import block_text
from bot.sources.file import SourceError
from bot.sources.html import extract_issue_text, format_date, frame_issue, looks_like_html

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGES = FIXTURES / "pages"
PAGE_2022 = PAGES / "the-real-russia-today-2022-01-07.html"
PAGE_2024 = PAGES / "real-russia-today-2024-07-11.html"
SAMPLE_2022 = FIXTURES / "the-real-russia-today-2022-01-07.txt"
PARSER = Path(__file__).parents[2] / "bot" / "digest" / "parser.py"

FURNITURE = (
    "Skip to main content",
    "Share to",
    "Facebook",
    "Twitter",
    "Copy link",
    "cookies",
    "Support Meduza",
    "Donate",
    "undesirable organization",
    "Leave A Reply",
    "Your email address will not be published",
    "Post Comment",
    "Related stories",
    "All issues of",
    "All rights reserved",
    "Privacy policy",
    "Search Meduza",
    "Podcasts",
)
STORY_HEADINGS = ("Day six of Kazakhstan’s unrest", "Opinions on Russia’s geopolitical aims")
OPINION_HEADINGS = (
    "Dmitry Trenin: Putin must atone for his early weakness on NATO",
    "Lilia Shevtsova: Putin seeks U.S. protection for Russia’s campaign to dominate its neighbors",
    "Fyodor Lukyanov: Russia has developed its own brand of interventionism",
)
EMPTY_PAGE = "<html><head><title>Empty</title></head><body><script>var x;</script><nav></nav></body></html>"
URL_2022 = "https://meduza.io/en/feature/2022/01/07/the-real-russia-today"


def plain(markdown: str) -> str:
    """Markdown as the words a reader sees, for comparing with the plain-text sample."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown).replace("**", "")
    return "\n".join(re.sub(r"^(#+|-) ", "", line) for line in text.splitlines())


def sample_body_paragraphs() -> list[str]:
    """Every paragraph of the plain-text sample from the first story to the sign-off."""
    paragraphs = [p.strip() for p in SAMPLE_2022.read_text().split("\n\n") if p.strip()]
    return paragraphs[
        paragraphs.index("Day six of Kazakhstan’s unrest (4-min read)") : paragraphs.index("Yours, Meduza") + 1
    ]


@pytest.fixture(scope="module")
def page_2022() -> str:
    return PAGE_2022.read_text()


def test_headline_and_date_lines_come_first(page_2022: str) -> None:
    page = extract_issue_text(page_2022, URL_2022)
    lines = page.text.split("\n\n")
    assert lines[0] == "The Real Russia. Today. Kazakhstan’s ‘terrorists’ are now to be shot on sight"
    assert lines[1] == "Friday, January 7, 2022"
    assert lines[2].startswith("Kazakhstan: Police are ordered to shoot to kill")
    assert lines[3].startswith("Opinions: Dmitry Trenin says")
    assert page.title == lines[0]
    assert page.date == dt.date(2022, 1, 7)
    assert page.link == URL_2022


def test_every_heading_and_paragraph_of_the_issue_is_kept(page_2022: str) -> None:
    text = extract_issue_text(page_2022, URL_2022).text
    blocks = plain(text).split("\n\n")
    for paragraph in sample_body_paragraphs():
        assert paragraph in blocks
    assert blocks[-1] == "Yours, Meduza"


def test_headings_stay_headings_with_read_time_markers(page_2022: str) -> None:
    lines = extract_issue_text(page_2022, URL_2022).text.splitlines()
    story = next(line for line in lines if "Day six" in line)
    assert story.startswith("## ") and story.endswith("(4-min read)")
    assert "## Opinions on Russia’s geopolitical aims" in lines
    for heading in OPINION_HEADINGS:
        assert f"### {heading}" in lines


def test_links_are_kept_in_markdown(page_2022: str) -> None:
    text = extract_issue_text(page_2022, URL_2022).text
    link = "https://meduza.io/en/feature/2022/01/07/day-six-of-kazakhstan-s-unrest"
    assert f"## [Day six of Kazakhstan’s unrest]({link}) (4-min read)" in text


@pytest.mark.parametrize("path", [PAGE_2022, PAGE_2024], ids=["2022-01-07", "2024-07-11"])
def test_page_furniture_is_dropped(path: Path) -> None:
    text = extract_issue_text(path.read_text()).text
    for furniture in FURNITURE:
        assert furniture not in text


def test_emoji_briefs_become_bullets_with_bold_titles() -> None:
    page = extract_issue_text(PAGE_2024.read_text())
    lines = page.text.splitlines()
    # The date sits in the headline, as in the plain-text issue, so no separate date line is added.
    assert lines[0] == "The Real Russia. Today. Thursday, July 11, 2024"
    assert lines[2] == "## The war in Ukraine"
    bullets = [line for line in lines if line.startswith("- ")]
    assert [b.split(":**")[0] for b in bullets] == [
        "- **🇩🇪 CNN reports Russian assassination plot against German arms manufacturer",
        "- **🇭🇺 Orban and Trump, sitting in a tree",
        "- **💰 Gig-economy military recruitment",
    ]
    feature = next(line for line in lines if "Buryatia" in line and line.startswith("## "))
    assert feature.endswith("(17-min read)")
    assert page.date == dt.date(2024, 7, 11)


def test_fallback_extractor_when_trafilatura_finds_nothing(monkeypatch: pytest.MonkeyPatch, page_2022: str) -> None:
    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: None)
    text = extract_issue_text(page_2022, URL_2022).text
    blocks = text.split("\n\n")
    assert blocks[:2] == [
        "The Real Russia. Today. Kazakhstan’s ‘terrorists’ are now to be shot on sight",
        "Friday, January 7, 2022",
    ]
    assert "## Day six of Kazakhstan’s unrest (4-min read)" in blocks
    for heading in OPINION_HEADINGS:
        assert f"### {heading}" in blocks
    for paragraph in sample_body_paragraphs():
        assert paragraph in plain(text).split("\n\n")
    for furniture in FURNITURE:
        assert furniture not in text


def test_fallback_marks_bullets_and_skips_furniture_classes() -> None:
    html = """<html><body><div class="cookie-consent"><p>We use cookies</p></div>
    <main><h2>Briefs</h2><ul><li><b>One:</b> first<li>Two</ul><div class="share-buttons">Share</div>
    <p>Body &amp; more<br>next line</p></main></body></html>"""
    assert block_text(html) == "## Briefs\n\n- One: first\n\n- Two\n\nBody & more\n\nnext line"


def test_a_page_without_text_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"https://example\.test/empty: found no article text"):
        extract_issue_text(EMPTY_PAGE, "https://example.test/empty")


def test_frame_issue_adds_headline_and_date_only_when_missing() -> None:
    date = dt.date(2024, 10, 11)
    assert (
        frame_issue("## Story\n\nBody", "Headline", date) == "Headline\n\nFriday, October 11, 2024\n\n## Story\n\nBody"
    )
    assert frame_issue("# Headline\n\nFriday, October 11, 2024\n\nBody", "Headline", date) == (
        "Headline\n\nFriday, October 11, 2024\n\nBody"
    )
    assert frame_issue("Body", None, None) == "Body"


def test_date_line_does_not_depend_on_the_locale() -> None:
    assert format_date(dt.date(2017, 12, 21)) == "Thursday, December 21, 2017"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PAGE_2022.read_text(), True),
        ("<p>One</p><p>Two</p><p>Three</p>", True),
        ("<?xml version='1.0'?>\n<!DOCTYPE html>\n<html><body></body></html>", True),
        (SAMPLE_2022.read_text(), False),
        ("# Heading\n\n- a bullet with <b>one</b> tag", False),
        ((PAGES / "the-real-russia-today.rss").read_text(), False),
        ((PAGES / "the-real-russia-today.atom").read_text(), False),
    ],
    ids=["page", "fragment", "xhtml", "plain", "markdown", "rss", "atom"],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


def test_extracted_page_parses_to_the_same_items_as_the_plain_text(page_2022: str) -> None:
    if not PARSER.exists():
        pytest.skip("bot/digest/parser.py is not written yet")
    from bot.digest.parser import parse_text

    from_page = parse_text(extract_issue_text(page_2022, URL_2022).text, source=URL_2022)
    from_text = parse_text(SAMPLE_2022.read_text(), source=str(SAMPLE_2022))
    assert [item.title for item in from_page.items()] == [item.title for item in from_text.items()]
    assert from_page.date == from_text.date
