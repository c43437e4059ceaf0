"""Rendering issues, items, lists and pages; every message is validated like the Bot API would."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.render.callbacks import ArchivePage, Noop, OpenItem, OpenOverview, SearchPage, author_token, decode
from bot.render.digest import (
    Format,
    followed_authors,
    item_at,
    read_minutes,
    render_full,
    render_headlines,
    render_issue,
    render_item,
    render_item_list,
    render_overview,
)
from bot.render.html import visible_text
from bot.render.keyboard import Keyboard
from bot.render.message import RenderedMessage
from bot.render.pages import highlight, render_archive_page, render_authors, render_search_page
from bot.sandbox.keyboards import parse_reply_markup
from tests.render.test_split import check_part

FIXTURE = Path(__file__).parents[1] / "fixtures" / "the-real-russia-today-2022-01-07.txt"
DIGEST_ID = 7
FRIDAY = dt.date(2022, 1, 7)


def sample_digest() -> Digest:
    """The 2022-01-07 issue, assembled by hand from the sample's paragraphs."""
    paragraphs = [p.strip() for p in FIXTURE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    newsletter = "The Real Russia. Today."
    assert paragraphs[0].startswith(newsletter)
    assert paragraphs[1] == "Friday, January 7, 2022"

    def opinion(heading: int, end: int) -> Item:
        author, title = paragraphs[heading].split(": ", 1)
        return Item(ItemKind.OPINION, title, author=author, body=tuple(paragraphs[heading + 1 : end]))

    return Digest(
        newsletter=newsletter,
        date=FRIDAY,
        title=paragraphs[0].removeprefix(newsletter).strip(),
        summary=paragraphs[2].replace("NazarbayevOpinions:", "Nazarbayev\nOpinions:"),
        sections=(
            Section(
                None,
                (Item(ItemKind.STORY, "Day six of Kazakhstan’s unrest", read_minutes=4, body=(paragraphs[4],)),),
            ),
            Section(paragraphs[5], (opinion(6, 14), opinion(14, 18), opinion(18, 22))),
        ),
        source=str(FIXTURE),
    )


@pytest.fixture
def digest() -> Digest:
    return sample_digest()


def check(messages: list[RenderedMessage]) -> list[str]:
    """Validate every message; keyboards only on the last; return the visible texts."""
    assert messages
    for message in messages[:-1]:
        assert message.keyboard is None
    for message in messages:
        if message.keyboard is not None:
            parse_reply_markup(inline_markup(message.keyboard))  # the local Bot API server's rules
            for button in message.keyboard.buttons():
                assert button.data is None or decode(button.data) is not None
    return [check_part(message.html) for message in messages]


def inline_markup(keyboard: Keyboard) -> dict[str, object]:
    """What a handler sends for ``keyboard`` (InlineKeyboardMarkup, as JSON)."""
    return {
        "inline_keyboard": [
            [{"text": b.text, "callback_data": b.data} if b.data else {"text": b.text, "url": b.url} for b in row]
            for row in keyboard.rows
        ]
    }


def button_map(message: RenderedMessage) -> dict[str, object]:
    assert message.keyboard is not None
    return {button.text: decode(button.data) for button in message.keyboard.buttons()}


# --- the overview --------------------------------------------------------------------------------


def test_overview_of_the_sample(digest: Digest) -> None:
    messages = render_overview(digest, digest_id=DIGEST_ID)
    (text,) = check(messages)
    html = messages[0].html
    assert html.startswith("<b>Kazakhstan’s ‘terrorists’ are now to be shot on sight</b>\n")
    assert "Friday, January 7, 2022" in text
    assert "Kazakhstan: Police are ordered to shoot to kill" in text
    assert "\nOpinions: Dmitry Trenin says Putin wants Ukraine settled" in text
    assert "📰 Day six of Kazakhstan’s unrest · 4 min" in text
    assert "<b>Opinions on Russia’s geopolitical aims</b>" in html
    assert "💬 Putin must atone for his early weakness on NATO — <i>Dmitry Trenin</i> · " in html
    assert "💬 Putin seeks U.S. protection for Russia’s campaign to dominate its neighbors — <i>Lilia" in html
    assert "💬 Russia has developed its own brand of interventionism — <i>Fyodor Lukyanov</i>" in html
    assert text.index("Day six") < text.index("Putin must atone") < text.index("Putin seeks")
    assert messages[0].disable_preview
    assert list(button_map(messages[0]).values()) == [OpenItem(DIGEST_ID, index) for index in range(4)]
    assert list(button_map(messages[0]))[1] == "💬 Trenin: Putin must atone for his early…"


def test_headlines_format_is_the_overview(digest: Digest) -> None:
    overview = render_overview(digest, digest_id=DIGEST_ID)
    assert render_headlines(digest, digest_id=DIGEST_ID) == overview
    assert render_issue(digest, digest_id=DIGEST_ID, fmt=Format.HEADLINES) == overview
    assert render_issue(digest, digest_id=DIGEST_ID, fmt=Format.FULL) == render_full(digest, DIGEST_ID)


def test_overview_date_label(digest: Digest) -> None:
    (text,) = check(render_overview(digest, digest_id=DIGEST_ID, date_label="Yesterday's issue"))
    assert "Yesterday's issue" in text and "January 7" not in text.split("\n\n")[0]


def test_followed_authors_are_flagged_on_top(digest: Digest) -> None:
    messages = render_overview(digest, digest_id=DIGEST_ID, followed=["dmitri trenin", "Fyodor Lukyanov", "Nobody"])
    (text,) = check(messages)
    assert text.startswith("⭐ New from Dmitry Trenin and Fyodor Lukyanov\n\n")
    assert followed_authors(digest, ["DMITRIJ TRENIN"]) == ["Dmitry Trenin"]
    assert followed_authors(digest, ["Trenin"]) == []  # follows are by full name or key
    (plain,) = check(render_overview(digest, digest_id=DIGEST_ID, followed=["Nobody"]))
    assert "⭐" not in plain


def test_the_sections_filter(digest: Digest) -> None:
    messages = render_overview(digest, digest_id=DIGEST_ID, kinds={ItemKind.OPINION}, followed=["Dmitry Trenin"])
    (text,) = check(messages)
    assert "Day six" not in text and "⭐ New from Dmitry Trenin" in text
    assert list(button_map(messages[0]).values()) == [OpenItem(DIGEST_ID, index) for index in (1, 2, 3)]

    stories_only = render_overview(digest, digest_id=DIGEST_ID, kinds={ItemKind.STORY}, followed=["Dmitry Trenin"])
    (text,) = check(stories_only)
    assert "Opinions on" not in text and "⭐" not in text and "Day six" in text

    (text,) = check(render_overview(digest, digest_id=DIGEST_ID, kinds={ItemKind.BRIEF}))
    assert "Nothing in this issue is from the sections you chose." in text


def test_a_long_overview_is_split_with_the_buttons_on_the_last_part() -> None:
    items = tuple(
        Item(ItemKind.STORY if n % 3 else ItemKind.OPINION, f"Headline number {n} " + "word " * 20, author="A B")
        for n in range(60)
    )
    long = Digest("N", FRIDAY, "Title", "Teaser", (Section("Everything", items),))
    messages = render_overview(long, digest_id=DIGEST_ID)
    texts = check(messages)
    assert len(messages) > 1
    assert texts[0].startswith("Title")
    keyboard = messages[-1].keyboard
    assert keyboard is not None and len(list(keyboard.buttons())) == 60


# --- one item ------------------------------------------------------------------------------------


def test_item_view_and_navigation(digest: Digest) -> None:
    messages = render_item(digest, DIGEST_ID, 1)
    texts = check(messages)
    text = "\n\n".join(texts)
    assert texts[0].startswith("💬 Opinions on Russia’s geopolitical aims · Friday, January 7, 2022\n")
    assert "Putin must atone for his early weakness on NATO\nDmitry Trenin · " in text
    for paragraph in digest.sections[1].items[0].body:
        assert paragraph in text
    assert button_map(messages[-1]) == {
        "◀ Previous": OpenItem(DIGEST_ID, 0),
        "Next ▶": OpenItem(DIGEST_ID, 2),
        "◀ Back to the issue": OpenOverview(DIGEST_ID),
    }
    assert all(message.disable_preview for message in messages)


def test_navigation_at_both_ends(digest: Digest) -> None:
    first = render_item(digest, DIGEST_ID, 0)
    assert set(button_map(first[-1])) == {"Next ▶", "◀ Back to the issue"}
    last = render_item(digest, DIGEST_ID, 3)
    assert set(button_map(last[-1])) == {"◀ Previous", "◀ Back to the issue"}
    only_opinions = render_item(digest, DIGEST_ID, 1, kinds={ItemKind.OPINION})
    assert set(button_map(only_opinions[-1])) == {"Next ▶", "◀ Back to the issue"}


def test_navigation_skips_briefs() -> None:
    items = (
        Item(ItemKind.STORY, "S1", body=("x",)),
        Item(ItemKind.BRIEF, "B", body=("y",)),
        Item(ItemKind.STORY, "S2", body=("z",)),
    )
    digest = Digest("N", FRIDAY, "T", None, (Section(None, items),))
    assert button_map(render_item(digest, 1, 0)[-1])["Next ▶"] == OpenItem(1, 2)
    assert button_map(render_item(digest, 1, 1)[-1])["Next ▶"] == OpenItem(1, 2)  # a brief opened from search


def test_stale_indexes(digest: Digest) -> None:
    assert item_at(digest, 3) is not None
    assert item_at(digest, 4) is None and item_at(digest, -1) is None
    with pytest.raises(IndexError):
        render_item(digest, DIGEST_ID, 4)


def test_link_preview_only_for_an_item_with_its_own_link(digest: Digest) -> None:
    story = digest.sections[0].items[0]
    linked = dataclasses.replace(story, link="https://meduza.io/en/feature/2022/01/07/x")
    with_link = Digest("N", FRIDAY, "T", None, (Section(None, (linked, story)),))
    (message,) = render_item(with_link, 1, 0)
    check([message])
    assert not message.disable_preview
    assert message.html.endswith('\n\n<a href="https://meduza.io/en/feature/2022/01/07/x">Read the original</a>')
    assert render_item(with_link, 1, 1)[0].disable_preview
    assert render_overview(with_link, digest_id=1)[0].disable_preview


def test_a_long_item_is_split_and_numbered() -> None:
    body = tuple(f"Paragraph {n}. " + "Lorem ipsum dolor sit amet, “quoted” & <odd>. " * 30 for n in range(20))
    item = Item(ItemKind.OPINION, "Long", author="Someone", body=body, link="https://example.com/a?b=1&c=2")
    digest = Digest("N", FRIDAY, "T", None, (Section(None, (item,)),))
    messages = render_item(digest, 1, 0)
    texts = check(messages)
    assert len(messages) > 2
    for number, text in enumerate(texts, start=1):
        assert text.endswith(f"\n\n{number}/{len(messages)}")
    assert [message.disable_preview for message in messages] == [True] * (len(messages) - 1) + [False]
    assert 'href="https://example.com/a?b=1&amp;c=2"' in messages[-1].html


def test_unsafe_links_are_left_out() -> None:
    item = Item(ItemKind.STORY, "S", body=("x",), link="javascript:alert(1)")
    (message,) = render_item(Digest("N", FRIDAY, "T", None, (Section(None, (item,)),)), 1, 0)
    assert "<a " not in message.html and message.disable_preview


def test_read_time() -> None:
    assert read_minutes(Item(ItemKind.STORY, "t", read_minutes=4, body=("word " * 2000,))) == 4
    assert read_minutes(Item(ItemKind.OPINION, "t", body=("word " * 460,))) == 2
    assert read_minutes(Item(ItemKind.OPINION, "t", words=100)) == 1
    assert read_minutes(Item(ItemKind.BRIEF, "t")) is None


# --- the full issue ------------------------------------------------------------------------------


def test_full_format(digest: Digest) -> None:
    messages = render_full(digest, DIGEST_ID)
    texts = check(messages)
    assert all(message.keyboard is None for message in messages)
    whole = "\n\n".join(texts)
    assert whole.startswith("Kazakhstan’s ‘terrorists’ are now to be shot on sight\n")
    positions = [whole.index(item.title) for item in digest.items()]
    assert positions == sorted(positions)
    for item in digest.items():
        for paragraph in item.body:
            assert paragraph in whole
    for text in texts[1:]:
        assert text.startswith(("💬", "📰", "Opinions on")), "an item was split without need"
    assert len(messages) < 1 + len(list(digest.items()))  # short items share a message


def test_full_format_with_briefs_and_filters() -> None:
    briefs = tuple(
        Item(ItemKind.BRIEF, f"Brief {n}", body=(f"Text of brief {n}.",), emoji="🇩🇪" if n == 0 else None)
        for n in range(5)
    )
    story = Item(ItemKind.STORY, "The story", read_minutes=17, body=("Story text.",))
    digest = Digest("N", FRIDAY, "T", "Teaser", (Section("The war in Ukraine", briefs), Section(None, (story,))))
    (text,) = check(render_full(digest, 1))
    assert "The war in Ukraine\n\n🇩🇪 Brief 0\nText of brief 0.\n\n• Brief 1\n" in text
    assert "📰 The story\n17 min read\n\nStory text." in text
    (text,) = check(render_full(digest, 1, kinds={ItemKind.STORY}))
    assert "Brief" not in text and "The story" in text


# --- escaping ------------------------------------------------------------------------------------


def test_everything_from_an_issue_is_escaped() -> None:
    evil = "<script>alert('x')</script> & <b>not bold</b> &amp; <a href='x'>"
    item = Item(
        ItemKind.OPINION, evil, author=evil, body=(evil, "2 < 3 > 1"), link='https://x.example/?a=1&b="2"<', emoji="<"
    )
    brief = Item(ItemKind.BRIEF, evil, body=(evil,), emoji=evil)
    digest = Digest(evil, FRIDAY, evil, evil, (Section(evil, (item, brief)),))
    renderings = [
        render_overview(digest, digest_id=1, followed=[evil]),
        render_item(digest, 1, 0),
        render_item(digest, 1, 1),
        render_full(digest, 1),
        render_item_list(ItemKind.OPINION, digest, digest_id=1),
    ]
    for messages in renderings:
        text = "\n".join(check(messages))
        assert "<script>alert('x')</script>" in text
        assert "&amp;" in text  # shown literally, as the issue printed it
        for message in messages:
            assert "<script" not in message.html and "<b>not bold" not in message.html
    assert 'href="https://x.example/?a=1&amp;b=&quot;2&quot;&lt;"' in render_item(digest, 1, 0)[-1].html


# --- lists and pages -----------------------------------------------------------------------------


def test_opinions_and_stories_lists(digest: Digest) -> None:
    messages = render_item_list(ItemKind.OPINION, digest, digest_id=DIGEST_ID)
    (text,) = check(messages)
    assert text.startswith("Opinions · Friday, January 7, 2022\n\n1. Putin must atone")
    assert "\n3. Russia has developed its own brand of interventionism — Fyodor Lukyanov" in text
    assert button_map(messages[0]) == {str(n): OpenItem(DIGEST_ID, n) for n in (1, 2, 3)}
    (text,) = check(render_item_list(ItemKind.STORY, digest, digest_id=DIGEST_ID))
    assert "1. Day six of Kazakhstan’s unrest · 4 min" in text
    empty = render_item_list(ItemKind.BRIEF, digest, digest_id=DIGEST_ID)
    (text,) = check(empty)
    assert text.endswith("No news briefs in this issue.") and empty[0].keyboard is None


@dataclasses.dataclass(frozen=True)
class Summary:
    id: int
    issue_date: dt.date | None
    title: str | None
    item_count: int


@dataclasses.dataclass(frozen=True)
class Hit:
    digest_id: int
    issue_date: dt.date | None
    position: int
    kind: ItemKind
    title: str
    author: str | None
    snippet: str


def test_archive_page() -> None:
    entries = [Summary(12, FRIDAY, "Kazakhstan’s ‘terrorists’ & <more>", 4), Summary(11, None, None, 1)]
    message = render_archive_page(entries, page=2, pages=3)
    (text,) = check([message])
    assert text.startswith("Archive · page 2 of 3\n\n1. Jan 7, 2022 — Kazakhstan’s ‘terrorists’ & <more> · 4 items\n")
    assert "2. Today's issue · 1 item" in text  # no title, no newsletter name: a generic headline
    assert button_map(message) == {
        "1": OpenOverview(12),
        "2": OpenOverview(11),
        "◀": ArchivePage(1),
        "2/3": Noop(),
        "▶": ArchivePage(3),
    }
    assert set(button_map(render_archive_page(entries, page=1, pages=3))) == {"1", "2", "1/3", "▶"}
    keyboard = render_archive_page(entries, page=1, pages=1).keyboard
    assert keyboard is not None and keyboard.rows[-1][0].text == "1"
    empty = render_archive_page([], page=1, pages=1)
    assert "The archive is empty" in check([empty])[0] and empty.keyboard is None


def test_search_page() -> None:
    hits = [
        Hit(12, FRIDAY, 1, ItemKind.OPINION, "Putin must atone", "Dmitry Trenin", "…says \x02Trenin\x03 & <co>…"),
        Hit(3, None, 0, ItemKind.STORY, "Story", None, "\x03broken \x02markers"),
    ]
    message = render_search_page("trenin <b>", hits, page=1, pages=2, query_id="q1")
    (text,) = check([message])
    assert text.startswith("Search: “trenin <b>” · page 1 of 2\n\n1. 💬 Putin must atone — Dmitry Trenin · Jan 7, 2022")
    assert "…says <b>Trenin</b> &amp; &lt;co&gt;…" in message.html
    assert "broken <b>markers</b>" in message.html
    assert button_map(message) == {"1": OpenItem(12, 1), "2": OpenItem(3, 0), "1/2": Noop(), "▶": SearchPage(2, "q1")}
    nothing = render_search_page("zzz", [], page=1, pages=1, query_id="q1")
    assert check([nothing])[0].startswith("Nothing found for “zzz”") and nothing.keyboard is None


def test_search_page_stays_one_message() -> None:
    hits = [Hit(n, FRIDAY, 0, ItemKind.STORY, "T" * 500, "A", "\x02w\x03 " * 400) for n in range(1, 40)]
    message = render_search_page("q" * 500, hits, page=1, pages=1, query_id="q")
    check([message])
    shown = len(visible_text(message.html).split("\n\n")) - 1
    assert message.keyboard is not None
    assert 0 < shown < len(hits) and len(list(message.keyboard.buttons())) == shown


@pytest.mark.parametrize(
    ("snippet", "html"),
    [
        ("a \x02b\x03 c", "a <b>b</b> c"),
        ("\x02<x>\x03 & y", "<b>&lt;x&gt;</b> &amp; y"),
        ("\x02open", "<b>open</b>"),
        ("close\x03 \x03", "close "),
        ("\x02\x02a\x03\x03", "<b>a</b>"),
        ("a\x00b\x1fc", "abc"),
        ("", ""),
    ],
)
def test_highlight(snippet: str, html: str) -> None:
    assert highlight(snippet) == html


def test_authors_listing() -> None:
    from storage.digests import AuthorStat

    rows = [
        AuthorStat(name="Dmitry Trenin", key="dmitry trenin", count=12, last_date=FRIDAY),
        AuthorStat(name="A & <B>", key="a b", count=1, last_date=None),
    ]
    listing = render_authors(rows, 2, 3)
    (text,) = check([listing])
    assert text == "Authors · page 2 of 3\n\n1. Dmitry Trenin — 12 pieces, latest Jan 7, 2022\n2. A & <B> — 1 piece"
    assert listing.keyboard is not None
    assert [[b.text for b in row] for row in listing.keyboard.rows] == [["1", "2"], ["◀", "2/3", "▶"]]
    tokens = [author_token("dmitry trenin"), author_token("a b")]
    assert [b.data for b in listing.keyboard.rows[0]] == [f"ap:{token}:1" for token in tokens]
    assert check([render_authors([])])[0] == "Authors\n\nNo authors yet."


def test_storage_rows_fit_the_page_protocols() -> None:
    """Storage's own dataclasses are accepted as they are, and the snippet markers agree."""
    from bot.render import pages
    from storage.digests import SNIPPET_END, SNIPPET_START, DigestStatus, DigestSummary, SearchHit

    assert (pages.SNIPPET_START, pages.SNIPPET_END) == (SNIPPET_START, SNIPPET_END)
    summary = DigestSummary(
        id=5,
        newsletter="N",
        issue_date=FRIDAY,
        title="T",
        status=DigestStatus.PUBLISHED,
        published_at=None,
        item_count=3,
    )
    hit = SearchHit(
        digest_id=5,
        issue_date=FRIDAY,
        position=2,
        kind=ItemKind.BRIEF,
        title="B",
        author=None,
        snippet="\x02x\x03",
        score=-1.0,
    )
    check([render_archive_page([summary], page=1, pages=1)])
    assert button_map(render_search_page("x", [hit], page=1, pages=1, query_id="k"))["1"] == OpenItem(5, 2)


def test_rendering_is_domain_code() -> None:
    """The renderer, the author matcher and the date phrases import nothing from ``telegram``."""
    import ast

    root = Path(__file__).parents[2] / "bot"
    for path in [*sorted((root / "render").glob("*.py")), root / "rules" / "authors.py", root / "rules" / "dates.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "telegram" for name in names), path
