"""Splitting long HTML into Telegram messages: adversarial text, checked by two independent validators.

Every part is checked by a strict checker written here (independent of ``bot.render.html``) and by the
local Bot API server's own validation (``bot.sandbox.htmlcheck``, which follows tdlib's parser, and
``bot.sandbox.messagetext.format_text``, which adds trimming and the empty and too-long checks).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.html import MESSAGE_LIMIT, escape, utf16_len, visible_len, visible_text
from bot.render.split import pack_blocks, split_html
from bot.sandbox.htmlcheck import parse_html
from bot.sandbox.messagetext import format_text

_TELEGRAM_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "span", "a", "code", "pre",
    "blockquote", "tg-emoji",
}  # fmt: skip
_TAG = re.compile(r'<(/?)([a-z-]+)((?: [a-z-]+(?:="[^"<>]*")?)*)>')
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7});")
_CUT_SPACE = re.compile(r"[^\S\xa0\u2007\u202f]*")
_NUMBERING = re.compile(r"\n\n(\d+)/(\d+)\Z")


def _decode(entity: str) -> str:
    named = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}
    return named[entity] if entity in named else chr(int(entity[2:-1]))


def strict_visible_text(html: str) -> str:
    """A deliberately strict reading of Telegram HTML; fails the test on anything doubtful."""
    out = []
    stack: list[str] = []
    index = 0
    while index < len(html):
        char = html[index]
        if char == "<":
            match = _TAG.match(html, index)
            assert match, f"stray '<' at {index}: {html[index : index + 20]!r}"
            closing, name, attributes = match.groups()
            assert name in _TELEGRAM_TAGS, f"tag <{name}> is not Telegram's"
            if closing:
                assert not attributes and stack and stack.pop() == name, f"unbalanced </{name}> at {index}"
            else:
                assert name != "a" or attributes.startswith(' href="'), "a link without href"
                stack.append(name)
            index = match.end()
        elif char == "&":
            match = _ENTITY.match(html, index)
            assert match, f"stray '&' at {index}: {html[index : index + 12]!r}"
            out.append(_decode(match.group()))
            index = match.end()
        else:
            out.append(char)
            index += 1
    assert not stack, f"unclosed tags {stack}"
    return "".join(out)


def check_part(html: str, limit: int = MESSAGE_LIMIT) -> str:
    """Validate one message both ways; return its visible text."""
    text = strict_visible_text(html)
    sandbox_text, _entities = parse_html(html)  # raises EntityParseError like the Bot API would
    assert sandbox_text == text
    format_text(html, "HTML")  # the local Bot API server's whole check: parse, trim, empty, too long
    assert utf16_len(text) <= limit, f"part is {utf16_len(text)} UTF-16 units long"
    assert text.strip(), "empty message"
    return text


def check_split(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split, validate every part, and check no visible text was lost, added or reordered."""
    parts = split_html(html, limit)
    texts = [check_part(part, limit) for part in parts]
    if len(parts) > 1:
        for number, text in enumerate(texts, start=1):
            match = _NUMBERING.search(text)
            assert match and match.groups() == (str(number), str(len(parts))), text[-20:]
        texts = [_NUMBERING.sub("", text) for text in texts]
    original = visible_text(html)
    position = 0
    for text in texts:
        if not original.startswith(text, position):
            space = _CUT_SPACE.match(original, position)
            assert space is not None, f"part does not continue the text at {position}"
            position = space.end()
        assert original.startswith(text, position), f"part does not continue the text at {position}"
        position += len(text)
    assert not original[position:].strip()
    return parts


def sentences(count: int) -> str:
    return " ".join(f"Sentence number {n} says something about the war, “quoted”." for n in range(count))


def test_short_text_is_returned_unchanged() -> None:
    html = "<b>Hello</b> &amp; welcome"
    assert split_html(html) == [html]


def test_markup_does_not_count_but_entities_count_once() -> None:
    html = "<b>" + "&amp;" * MESSAGE_LIMIT + "</b>"
    assert visible_len(html) == MESSAGE_LIMIT
    assert split_html(html) == [html]
    assert len(split_html(html + "x")) == 2


def test_a_30000_character_paragraph_is_cut_at_sentence_ends() -> None:
    html = escape(sentences(600))
    assert len(html) > 30_000
    parts = check_split(html)
    assert len(parts) >= 8
    for part in parts[:-1]:
        assert _NUMBERING.sub("", visible_text(part)).endswith("“quoted”.")


def test_paragraph_boundaries_come_first() -> None:
    paragraphs = [escape(sentences(12)) for _ in range(12)]
    parts = check_split("\n\n".join(paragraphs))
    for part in parts:
        for chunk in _NUMBERING.sub("", visible_text(part)).split("\n\n"):
            assert chunk == visible_text(paragraphs[0]), "a paragraph was cut"


def test_lines_come_before_sentences() -> None:
    lines = [f"💬 Line {n}: an overview entry. It has two sentences." for n in range(300)]
    for part in check_split("\n".join(lines)):
        for line in _NUMBERING.sub("", visible_text(part)).split("\n"):
            assert line.startswith("💬 Line ") and line.endswith("sentences.")


def test_emoji_count_double() -> None:
    html = "😀" * 5_000  # 5,000 code points, 10,000 UTF-16 units
    parts = check_split(html)
    assert len(parts) == 3
    assert sum(visible_text(part).count("😀") for part in parts) == 5_000


def test_emoji_sequences_are_not_torn() -> None:
    family = "👨\u200d👩\u200d👧\u200d👦"
    flag = "🏳\ufe0f\u200d🌈"
    parts = check_split((family + flag) * 800, limit=500)
    for part in parts:
        text = _NUMBERING.sub("", visible_text(part))
        assert text.startswith(family) or text.startswith(flag)
        assert text.endswith(family) or text.endswith(flag)


def test_escaped_markup_in_the_source_stays_text() -> None:
    source = 'AT&T says <b>bold</b> & 1 < 2 > 0 "quoted" <script>alert(1)</script>. ' * 700
    parts = check_split(escape(source))
    assert len(parts) > 1
    joined = "".join(_NUMBERING.sub("", visible_text(part)) for part in parts)
    assert "<script>" in joined and "<b>bold</b>" in joined


def test_a_cut_never_falls_inside_an_entity() -> None:
    for limit in (37, 38, 39, 40, 41):
        for part in check_split("&amp;&lt;&gt;&quot;" * 100, limit=limit):
            check_part(part, limit)


def test_long_urls_are_cut_after_a_slash() -> None:
    url = "https://example.com/" + "segment/" * 1_000
    parts = check_split(escape(url))
    for part in parts[:-1]:
        assert _NUMBERING.sub("", visible_text(part)).endswith("/")


def test_a_word_without_any_break_is_cut_anywhere() -> None:
    parts = check_split("x" * 10_000)
    assert [utf16_len(_NUMBERING.sub("", visible_text(p))) for p in parts] == [4091, 4091, 1818]


def test_formatting_is_closed_and_reopened_around_a_cut() -> None:
    html = '<b>Bold <i>and italic <a href="https://meduza.io/a?b=1&amp;c=2">' + escape(sentences(200))
    html += "</a> end</i></b> plain"
    parts = check_split(html)
    assert len(parts) > 1
    for part in parts[1:-1]:
        assert part.startswith('<b><i><a href="https://meduza.io/a?b=1&amp;c=2">')
        _text, entities = parse_html(part)
        assert {entity["type"] for entity in entities} >= {"bold", "italic", "text_link"}
    assert parts[-1].endswith("</a> end</i></b> plain\n\n<i>" + f"{len(parts)}/{len(parts)}</i>")


def test_a_huge_bold_paragraph() -> None:
    parts = check_split("<b>" + escape(sentences(400)) + "</b>")
    assert all(part.startswith("<b>") and "</b>\n\n<i>" in part for part in parts)


def test_numbering_widens_past_nine_parts() -> None:
    parts = check_split(escape(sentences(40)), limit=200)
    assert len(parts) >= 10
    assert parts[9].endswith(f"<i>10/{len(parts)}</i>")


def test_invalid_markup_is_refused() -> None:
    for bad in ("<script>x</script>", "<b>open", "a & b", "</b>", "<b><i>x</b></i>", "&nbsp;"):
        with pytest.raises(ValueError):
            split_html(bad)


def test_a_limit_without_room_is_refused() -> None:
    with pytest.raises(ValueError):
        split_html("x" * 100, limit=6)


def test_pack_blocks_keeps_blocks_whole() -> None:
    blocks = [f"<b>Item {n}</b>\n\n" + escape(sentences(15)) for n in range(10)]
    messages = pack_blocks(blocks)
    assert 1 < len(messages) < len(blocks)
    seen = []
    for html in messages:
        check_part(html)
        seen += [chunk for chunk in html.split("\n\n") if chunk.startswith("<b>Item")]
    assert seen == [f"<b>Item {n}</b>" for n in range(10)]


def test_pack_blocks_splits_only_an_oversized_block() -> None:
    messages = pack_blocks(["short one", escape(sentences(200)), "short two"])
    assert messages[0] == "short one" and messages[-1] == "short two"
    for html in messages[1:-1]:
        check_part(html)
        assert re.search(r"<i>\d+/\d+</i>\Z", html)


# --- random documents ---------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    [*"abcdefgh xyz.,!?", "\n", "\n\n", "<", ">", "&", '"', "😀", "🇩🇪", "é", "\u200d", "\xa0", "—", "/"]
)
_WRAPPERS = st.sampled_from(["", "b", "i", "u", "s", "tg-spoiler", "a", "code", "b+i"])


def _wrap(text: str, wrapper: str) -> str:
    html = escape(text)
    if wrapper == "":
        return html
    if wrapper == "a":
        return f'<a href="https://example.com/?q=&quot;1&quot;">{html}</a>'
    if wrapper == "b+i":
        return f"<b>x<i>{html}</i></b>"
    return f"<{wrapper}>{html}</{wrapper}>"


_SEGMENTS = st.lists(
    st.tuples(st.lists(_ALPHABET, min_size=1, max_size=120).map("".join), _WRAPPERS), min_size=1, max_size=25
)


@settings(max_examples=150, deadline=None)
@given(segments=_SEGMENTS, limit=st.integers(min_value=16, max_value=300))
def test_random_documents(segments: list[tuple[str, str]], limit: int) -> None:
    html = "".join(_wrap(text, wrapper) for text, wrapper in segments)
    if not visible_text(html).strip():
        return
    check_split(html, limit)


@settings(max_examples=30, deadline=None)
@given(text=st.text(min_size=1, max_size=3000))
def test_random_unicode_text(text: str) -> None:
    if text.strip():
        check_split(escape(text), limit=257)
