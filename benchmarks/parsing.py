"""How well does the parser read real issues it was not written for?

Run: ``python -m benchmarks.parsing [--verbose]``

Parses every file of the corpus in ``tests/fixtures/corpus`` (Meduza's issues 2017–2025, other
publishers' newsletters as text, Markdown and e-mail, and real HTML e-mail newsletters in ``html/``)
through the same path as ``briefing parse`` (:func:`bot.sources.document.parse_document`), and compares
the result with the labels an editor wrote beside each file (``<name>.expected.json``). Figures are
printed per set, ``dev`` (read while the rules were written) and ``heldout`` (labelled, never looked at
while writing rules) apart:

* dates right: the parsed issue date equals the label (an unlabelled date must stay unset);
* headlines right: the parsed headline matches the label (case, punctuation and emoji aside);
* item titles recovered: labelled item titles found among the parsed items;
* extra items: parsed items that are no labelled item; chrome items: those of them that are e-mail or page
  chrome, sponsor blocks or illustration credits by this benchmark's own list of phrases, or that the label
  names as chrome (``"chrome": [...]``: the sponsor's headline, "Contribute", a thank-you to a sponsor);
* refused: files the parser refused.

Goals (issue #10): Meduza ≥ 95% dates and ≥ 90% item titles; other publishers ≥ 90% dates, ≥ 80%
headlines, chrome items essentially never; nothing with a readable body refused.
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from bot.digest.parser import ParseError
from bot.sources.document import parse_document
from bot.sources.file import SourceError

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus"
SETS = ("meduza/dev", "meduza/heldout", "newsletters/dev", "newsletters/heldout", "html/dev", "html/heldout")
_MATCH = 88
_CHROME_RE = re.compile(
    r"view (?:this )?(?:e-?mail|post|online|in (?:your )?browser)|unsubscribe|subscribe|follow us|forward|"
    r"read in app|earn rewards|refer a friend|learn more about|thanks for reading|access the full guide|"
    r"sponsor|together with|presented by|a message from|advertis|photo(?:graph)?(?: by|:)| / (?:afp|reuters|getty)|"
    r"privacy policy|share (?:this|on)|download (?:the|our) app|job board|we're hiring",
    re.IGNORECASE,
)


@dataclass
class Figures:
    name: str
    files: int = 0
    refused: list[str] = field(default_factory=list)
    dates_right: int = 0
    dated_files: int = 0
    headlines_right: int = 0
    titles_expected: int = 0
    titles_found: int = 0
    extra_items: int = 0
    chrome_items: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def date_rate(self) -> float:
        return self.dates_right / self.files if self.files else 1.0

    @property
    def headline_rate(self) -> float:
        return self.headlines_right / self.files if self.files else 1.0

    @property
    def title_rate(self) -> float:
        return self.titles_found / self.titles_expected if self.titles_expected else 1.0


def normalise(text: str | None) -> str:
    """Case, punctuation, quotes and emoji aside: the words an editor would compare."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text)
    return " ".join(text.split())


def same(a: str | None, b: str | None) -> bool:
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return x == y
    if x == y or fuzz.ratio(x, y) >= _MATCH:
        return True
    contained = len(y) >= 12 and (y in x or x in y)
    return contained and min(len(x), len(y)) / max(len(x), len(y)) > 0.6


def corpus_files(subset: str) -> list[Path]:
    return sorted(path for path in (CORPUS / subset).iterdir() if not path.name.endswith(".expected.json"))


def measure(subset: str) -> Figures:
    figures = Figures(subset)
    for path in corpus_files(subset):
        expected = json.loads(path.with_name(path.name + ".expected.json").read_text(encoding="utf-8"))
        figures.files += 1
        figures.titles_expected += len(expected["items"])
        try:
            parsed = parse_document(path.read_text(encoding="utf-8"), name=path.name, url=expected.get("url"))
        except (ParseError, SourceError) as exc:
            figures.refused.append(f"{path.name}: {exc}")
            continue
        digest = parsed.digest
        date = digest.date.isoformat() if digest.date else None
        if date == expected["date"]:
            figures.dates_right += 1
        else:
            figures.misses.append(f"{path.name}: date {date} ≠ {expected['date']}")
        if same(digest.title, expected["title"]):
            figures.headlines_right += 1
        else:
            figures.misses.append(f"{path.name}: headline “{digest.title}” ≠ “{expected['title']}”")
        titles = [item.title for item in digest.items()]
        for want in expected["items"]:
            if any(same(title, want) for title in titles):
                figures.titles_found += 1
            else:
                figures.misses.append(f"{path.name}: item missing “{want}”")
        chrome = expected.get("chrome", [])
        for title in titles:
            if not any(same(title, want) for want in expected["items"]):
                figures.extra_items += 1
                if _CHROME_RE.search(title) or any(same(title, block) for block in chrome):
                    figures.chrome_items.append(f"{path.name}: “{title}”")
    return figures


def report(figures: Figures, *, verbose: bool) -> str:
    lines = [
        f"{figures.name:<20} files {figures.files:>3}  dates {figures.date_rate:6.1%}  headlines "
        f"{figures.headline_rate:6.1%}  item titles {figures.title_rate:6.1%} ({figures.titles_found}/"
        f"{figures.titles_expected})  extra items {figures.extra_items:>3}  chrome items "
        f"{len(figures.chrome_items):>2}  refused {len(figures.refused)}"
    ]
    if verbose:
        lines.extend(f"    {line}" for line in [*figures.refused, *figures.chrome_items, *figures.misses])
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss, refusal and chrome item")
    parser.add_argument("--set", choices=SETS, action="append", help="only these sets (default: all)")
    args = parser.parse_args()
    for subset in args.set or SETS:
        print(report(measure(subset), verbose=args.verbose))


if __name__ == "__main__":
    main()
