from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.callbacks import (
    MAX_ID,
    MAX_INDEX,
    MAX_PAGE,
    Action,
    ArchivePage,
    AuthorFollow,
    AuthorPage,
    AuthorsPage,
    BroadcastDecision,
    ChangeSetting,
    FindPage,
    Noop,
    OpenItem,
    OpenOverview,
    PublishDecision,
    SearchPage,
    decode,
    encode,
)

EXAMPLES: list[tuple[Action, str]] = [
    (OpenItem(12, 3), "i:12:3"),
    (OpenItem(1, 0), "i:1:0"),
    (OpenOverview(12), "o:12"),
    (ArchivePage(2), "a:2"),
    (SearchPage(1, "q7Hx_-"), "s:1:q7Hx_-"),
    (FindPage("o", 2, "q7Hx_-"), "f:o:2:q7Hx_-"),
    (FindPage("p", 1, "abc"), "f:p:1:abc"),
    (AuthorsPage(3), "al:3"),
    (AuthorPage("skNVzVDf", 2), "ap:skNVzVDf:2"),
    (AuthorFollow("skNVzVDf", 1, True), "af:skNVzVDf:1:on"),
    (AuthorFollow("skNVzVDf", 4, False), "af:skNVzVDf:4:off"),
    (ChangeSetting("format", "full"), "set:format:full"),
    (ChangeSetting("time", "08:30"), "set:time:08:30"),
    (ChangeSetting("tz", "America/Argentina/Buenos_Aires"), "set:tz:America/Argentina/Buenos_Aires"),
    (ChangeSetting("sections", ""), "set:sections:"),
    (BroadcastDecision(5, True), "bc:5:ok"),
    (BroadcastDecision(5, False), "bc:5:no"),
    (PublishDecision("abc123", True), "pub:abc123:ok"),
    (Noop(), "-"),
]

LARGEST: list[Action] = [
    OpenItem(MAX_ID, MAX_INDEX),
    OpenOverview(MAX_ID),
    ArchivePage(MAX_PAGE),
    SearchPage(MAX_PAGE, "q" * 32),
    FindPage("s", MAX_PAGE, "q" * 32),
    AuthorsPage(MAX_PAGE),
    AuthorPage("t" * 32, MAX_PAGE),
    AuthorFollow("t" * 32, MAX_PAGE, False),
    ChangeSetting("n" * 16, "v" * 32),
    BroadcastDecision(MAX_ID, False),
    PublishDecision("t" * 32, False),
]


@pytest.mark.parametrize(("action", "data"), EXAMPLES)
def test_encode_and_decode(action: Action, data: str) -> None:
    assert encode(action) == data
    assert decode(data) == action


@pytest.mark.parametrize("action", LARGEST)
def test_the_largest_values_fit_in_64_bytes(action: Action) -> None:
    data = encode(action)
    assert len(data.encode()) <= 64
    assert decode(data) == action


@pytest.mark.parametrize(
    "data",
    [
        None,
        12,
        b"i:1:2",
        "",
        ":",
        "i",
        "i:",
        "i:1",
        "i:1:",
        "i::2",
        "i:1:2:3",
        "i:01:2",  # not canonical
        "i:1:02",
        "i:+1:2",
        "i: 1:2",
        "i:1_0:2",
        "i:0:2",  # no digest 0
        "i:-1:2",
        "i:1:-2",
        "i:1:10000",  # index out of range
        f"i:{MAX_ID + 1}:0",
        "i:99999999999999999999999:0",
        "i:١٢:٣",  # non-ASCII digits
        "I:1:2",
        "x:1",
        "o:abc",
        "o:1:2",
        "a:0",
        "a:100000",
        "s:1:",
        "s:1:has space",
        "s:1:" + "q" * 33,
        "s:1:ü",
        "set:Format:full",
        "set:format",
        "set:format:<b>",
        "bc:5:yes",
        "bc:5:OK",
        "bc:5",
        "pub:abc:maybe",
        "pub::ok",
        "f:x:1:abc",  # no such scope
        "f:o:0:abc",
        "f:o:1",
        "f:o:1:",
        "f:o:01:abc",
        "al:0",
        "ap:abc",
        "ap:abc:0",
        "ap:a b:1",
        "af:abc:1",
        "af:abc:1:yes",
        "af:abc:1:ON",
        "-:",
        "--",
        "i:1:2\n",
        "o:1\x00",
        "o:" + "1" * 70,
    ],
)
def test_malformed_or_forged_data_is_refused(data: object) -> None:
    assert decode(data) is None


@given(st.text(max_size=80))
def test_decode_never_raises_and_accepts_only_canonical_data(data: str) -> None:
    action = decode(data)
    if action is not None:
        assert encode(action) == data


@given(st.binary(max_size=64))
def test_truncated_and_garbled_bytes(raw: bytes) -> None:
    text = raw.decode("utf-8", errors="replace")
    action = decode(text)
    assert action is None or encode(action) == text


@given(
    st.one_of(
        st.builds(OpenItem, st.integers(1, MAX_ID), st.integers(0, MAX_INDEX)),
        st.builds(OpenOverview, st.integers(1, MAX_ID)),
        st.builds(ArchivePage, st.integers(1, MAX_PAGE)),
        st.builds(SearchPage, st.integers(1, MAX_PAGE), st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True)),
        st.builds(BroadcastDecision, st.integers(1, MAX_ID), st.booleans()),
        st.builds(
            FindPage,
            st.sampled_from(["o", "s", "p"]),
            st.integers(1, MAX_PAGE),
            st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True),
        ),
        st.builds(AuthorPage, st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True), st.integers(1, MAX_PAGE)),
        st.builds(
            AuthorFollow,
            st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True),
            st.integers(1, MAX_PAGE),
            st.booleans(),
        ),
        st.builds(PublishDecision, st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True), st.booleans()),
        st.builds(
            ChangeSetting,
            st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True),
            st.from_regex(r"[A-Za-z0-9_.:+/-]{0,32}", fullmatch=True),
        ),
    )
)
def test_round_trip(action: Action) -> None:
    data = encode(action)
    assert len(data.encode()) <= 64
    assert decode(data) == action


def test_every_truncation_of_valid_data_is_refused_or_another_valid_action() -> None:
    for action, data in EXAMPLES:
        for cut in range(len(data)):
            decoded = decode(data[:cut])
            assert decoded is None or encode(decoded) == data[:cut], (action, data[:cut])


@pytest.mark.parametrize(
    "build",
    [
        lambda: OpenItem(0, 1),
        lambda: OpenItem(1, -1),
        lambda: OpenItem(1, MAX_INDEX + 1),
        lambda: OpenItem(True, 1),
        lambda: OpenOverview(MAX_ID + 1),
        lambda: ArchivePage(0),
        lambda: SearchPage(1, "a:b"),
        lambda: FindPage("x", 1, "abc"),
        lambda: AuthorPage("a:b", 1),
        lambda: AuthorFollow("abc", 1, "on"),  # type: ignore[arg-type]  # a wrong type on purpose
        lambda: ChangeSetting("time", "x" * 33),
        lambda: PublishDecision("", True),
        lambda: BroadcastDecision(1, "ok"),  # type: ignore[arg-type]  # a wrong type on purpose
    ],
)
def test_invalid_actions_cannot_be_built(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()
