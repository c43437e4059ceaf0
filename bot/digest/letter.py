"""An editor's letter at the top of an issue: from a greeting to a signed dash line, it is the teaser.

"Prezadas leitoras, caros leitores —" … "— Os editores", "Dear readers," … "— The editors": the short lines
inside a letter ("Many thanks =)", "Who reads us in 2022?") look like headlines on their own, but the letter
is one piece of the teaser, whatever its language. A letter needs both ends: a short opening line that
addresses the reader and, within the next lines, a signature line that starts with a dash.
"""

from __future__ import annotations

import re

from bot.digest.lines import Line

_SIGNATURE_RE = re.compile(r"[—–-]{1,2}\s*[^\W\d_][\w .,'’&]{1,40}[.!]?")
_MAX_OPENING_WORDS = 8
_MAX_LETTER_LINES = 40


def take_letter(lines: list[Line]) -> tuple[list[str], list[Line]]:
    """The letter's paragraphs (for the teaser) and the lines after it; nothing taken when there is none."""
    if not lines or not _opens_letter(lines[0]):
        return [], lines
    for index, line in enumerate(lines[1:_MAX_LETTER_LINES], start=1):
        if _SIGNATURE_RE.fullmatch(line.text.strip()):
            return [line.text for line in lines[: index + 1]], lines[index + 1 :]
    return [], lines


def _opens_letter(line: Line) -> bool:
    text = line.text.strip()
    return (
        not line.bullet
        and not line.explicit_heading
        and len(text.split()) <= _MAX_OPENING_WORDS
        and text[-1:] in ",—–-!:"
    )
