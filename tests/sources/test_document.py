"""One reader for every document: e-mail files, e-mail HTML read from its structure, pages, text.

The markup here is written for each rule (the corpus has no real HTML newsletter: see
tests/fixtures/corpus/SOURCES.md); the e-mail structure is built with the standard library, as mail clients
save it.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from bot.digest.parser import Note, Parsed, ParseError
from bot.sources.document import parse_document, read_document
from bot.sources.file import SourceError

NEWSLETTER = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>The Morning Wire</title>
<style>td {padding: 0}</style></head>
<body>
<span class="preheader" style="display:none;max-height:0;overflow:hidden">Rates, rail strikes and a rescue at sea
&#8199;&#847;&#8199;&#847;</span>
<table width="100%"><tr><td align="center">
 <table width="600">
  <tr><td class="header"><a href="https://example.com/view">View this email in your browser</a></td></tr>
  <tr><td><h1>The Morning Wire</h1><p>Tuesday, March 5, 2024</p></td></tr>
  <tr><td><p>Good morning. Three things to know before your coffee goes cold.</p></td></tr>
  <tr><td>
    <table><tr><td><a href="https://example.com/rates"><strong>Central bank holds rates steady</strong></a></td></tr>
    <tr><td><p>The bank kept its key rate at 5.25% for a fourth meeting, citing sticky services inflation.</p></td></tr>
    </table>
  </td></tr>
  <tr><td>
    <table class="sponsor-block"><tr><td><p>Together with Acme Payroll</p>
    <p><a href="https://acme.example/"><b>Run payroll in minutes</b></a></p><p>Try it free for 30 days.</p></td></tr>
    </table>
  </td></tr>
  <tr><td>
    <table><tr><td><a href="https://example.com/rail"><strong>Rail workers walk out</strong></a></td></tr>
    <tr><td><p>Train drivers began a 48-hour strike on Monday after talks over pay collapsed overnight.</p></td></tr>
    </table>
  </td></tr>
  <tr><td><p><strong>A rescue at sea.</strong> Coast guards pulled 14 fishermen from a sinking trawler off the coast
   overnight.</p></td></tr>
  <tr><td><p>A message from our partners</p><p>Earn 5% on savings with Bankly.</p></td></tr>
  <tr><td class="footer"><p><a href="https://facebook.com/x">Facebook</a> | <a href="https://twitter.com/x">Twitter</a></p>
   <p>You are receiving this email because you signed up. <a href="https://example.com/u">Unsubscribe</a></p>
   <img src="https://example.com/open.gif" width="1" height="1"></td></tr>
 </table>
</td></tr></table>
</body></html>"""


def note(parsed: Parsed, field: str) -> Note:
    """The parser's note on ``field``, which every parsed issue has for its date and title."""
    found = parsed.note(field)
    assert found is not None, f"no note on {field}"
    return found


def email(html: str | None, text: str | None, *, subject: str, date: str | None, cte: str = "quoted-printable") -> str:
    message = EmailMessage(policy=SMTP)
    message["From"] = "The Morning Wire <hello@wire.example>"
    message["Subject"] = subject
    if date:
        message["Date"] = date
    if text is not None:
        message.set_content(text, cte=cte)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html", cte=cte)
        else:
            message.add_alternative(html, subtype="html", cte=cte)
    return message.as_string()


def test_email_html_is_read_from_its_structure_without_chrome() -> None:
    parsed = parse_document(NEWSLETTER, name="issue.html")
    digest = parsed.digest
    assert digest.date == dt.date(2024, 3, 5)
    assert digest.title == "The Morning Wire"
    assert [item.title for item in digest.items()] == [
        "Central bank holds rates steady",
        "Rail workers walk out",
        "A rescue at sea",
    ]
    first = next(digest.items())
    assert first.link == "https://example.com/rates"
    assert "5.25%" in first.body_text
    everything = " ".join(f"{item.title} {item.body_text}" for item in digest.items())
    for chrome in ("View this email", "Acme", "Bankly", "Unsubscribe", "Facebook", "receiving this email"):
        assert chrome not in everything


def test_the_preheader_is_the_teaser_when_the_issue_prints_none() -> None:
    greeting = "<tr><td><p>Good morning. Three things to know before your coffee goes cold.</p></td></tr>"
    html = NEWSLETTER.replace(greeting, "")
    assert parse_document(html, name="issue.html").digest.summary == "Rates, rail strikes and a rescue at sea"


def test_an_eml_prefers_the_html_part_and_reads_subject_and_date() -> None:
    raw = email(
        NEWSLETTER.replace("<h1>The Morning Wire</h1><p>Tuesday, March 5, 2024</p>", ""),
        "Plain text part: read the HTML one.",
        subject="Fwd: Rates, rail and a rescue",
        date="Tue, 05 Mar 2024 06:01:00 -0500",
    )
    parsed = parse_document(raw, name="issue.eml")
    assert parsed.digest.title == "Rates, rail and a rescue"
    assert note(parsed, "title").rule == "e-mail Subject"
    assert parsed.digest.date == dt.date(2024, 3, 5)
    assert note(parsed, "date").rule == "e-mail Date: header" and note(parsed, "date").guessed
    assert parsed.digest.newsletter == "The Morning Wire"
    assert [item.title for item in parsed.digest.items()][:2] == [
        "Central bank holds rates steady",
        "Rail workers walk out",
    ]


@pytest.mark.parametrize("cte", ["quoted-printable", "base64"])
def test_a_plain_text_eml_in_either_transfer_encoding(cte: str) -> None:
    text = "Übersicht\n\nMarkets fall again\n\nStocks fell for a third day on Monday. Traders blamed the rates.\n"
    raw = email(None, text, subject="Daily Brief: markets", date="Mon, 04 Mar 2024 07:00:00 +0000", cte=cte)
    document = read_document(raw, name="brief.eml")
    assert document.kind == "email" and "Übersicht" in document.text
    parsed = parse_document(raw, name="brief.eml")
    assert parsed.digest.date == dt.date(2024, 3, 4)
    assert "Markets fall again" in [item.title for item in parsed.digest.items()]


def test_an_eml_is_recognised_without_its_suffix() -> None:
    raw = email(None, "Markets fall again\n\nStocks fell for a third day. Traders blamed rates.\n", subject="Brief",
                date="Mon, 04 Mar 2024 07:00:00 +0000")  # fmt: skip
    assert read_document(raw, name="pasted.txt").kind == "text"  # a .txt is text, whatever it starts with
    assert read_document(raw).kind == "email"


def test_dates_in_order_printed_then_metadata_then_url() -> None:
    page = """<html><head><meta property="article:published_time" content="2024-03-06T08:00:00Z"></head><body>
    <table><tr><td><p>Unsubscribe</p></td></tr><tr><td><h2>Markets fall again</h2><p>Stocks fell for a third day on
    Monday. Traders blamed the rates outlook for it.</p></td></tr></table></body></html>"""
    url = "https://news.example/2024/03/07/markets"
    parsed = parse_document(page, name="p.html", url=url)
    assert (parsed.digest.date, note(parsed, "date").rule) == (dt.date(2024, 3, 6), "article:published_time")
    printed = page.replace("<h2>", "<p>Thursday, March 7, 2024</p><h2>").replace("2024-03-06", "2024-03-01")
    printed_note = note(parse_document(printed, name="p.html", url=url), "date")
    assert (printed_note.value, printed_note.guessed) == ("2024-03-07", False)
    bare = page.replace('<meta property="article:published_time" content="2024-03-06T08:00:00Z">', "")
    from_url = note(parse_document(bare, name="p.html", url=url), "date")
    assert from_url.value == "2024-03-07" and from_url.guessed  # the URL's date (the extractor reads it too)
    timed = bare.replace("<body>", '<body><time datetime="2024-03-02">March 2</time>')
    assert note(parse_document(timed, name="p.html", url=url), "date").rule == "<time> element"


def test_an_email_without_a_body_and_an_empty_page_are_refused_with_the_reason() -> None:
    message = EmailMessage(policy=SMTP)
    message["Subject"] = "Nothing"
    message["From"] = "a@b.example"
    with pytest.raises(SourceError, match=r"no text or HTML body|empty"):
        parse_document(message.as_string(), name="x.eml")
    with pytest.raises((SourceError, ParseError)):
        parse_document("<html><body><p>Unsubscribe</p></body></html>", name="x.html")


def test_cells_with_a_linked_headline_then_br_then_text_are_one_story_each() -> None:
    html = """<html><body><table><tr><td><p>View Online</p></td></tr>
    <tr><td><h1>Tech Brief</h1><p>Tuesday, March 5, 2024</p></td></tr>
    <tr><td><a href="https://x.example/a"><strong>New laptops ship with faster chips (4 minute read)</strong></a>
    <br><br>The new models ship on Friday. Prices start where the old ones did.</td></tr>
    <tr><td><a href="https://x.example/b"><strong>A language release adds async recursion (2 minute read)</strong></a>
    <br><br>The new release adds C-string literals and async recursion support.</td></tr>
    <tr><td><p><strong>Why it matters:</strong> a label inside the story, not a headline.</p></td></tr>
    <tr><td><h2>Together With Acme</h2><p>Acme is great. Try it.</p></td></tr>
    <tr><td><p>Unsubscribe | Manage your subscriptions</p></td></tr></table></body></html>"""
    items = list(parse_document(html, name="x.html").digest.items())
    assert [(item.title, item.read_minutes, item.link) for item in items] == [
        ("New laptops ship with faster chips", 4, "https://x.example/a"),
        ("A language release adds async recursion", 2, "https://x.example/b"),
    ]
    assert "a label inside the story" in items[1].body_text


def test_the_subtitle_under_the_title_is_the_teaser_not_an_item() -> None:
    html = """<html><body><div><h1>The Layering Obsession</h1><h3>The myth of progress through more layers</h3>
    <p>A layer is a boundary where something changes state. It earns its place.</p>
    <h2>Build: the layer that creates meaning</h2><p>Building follows one pattern. However you name it.</p>
    </div><table><tr><td><a href="https://x.substack.com/redirect/1">Unsubscribe</a></td></tr></table></body></html>"""
    digest = parse_document(html, name="s.html").digest
    assert digest.title == "The Layering Obsession"
    assert (digest.summary or "").startswith("The myth of progress through more layers")
    assert [item.title for item in digest.items()] == ["Build: the layer that creates meaning"]
