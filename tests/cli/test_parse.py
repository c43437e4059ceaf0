"""`briefing parse FILE --json`: the README's shape for every format, warnings and --explain beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHAPE = {"newsletter", "date", "title", "summary", "sections", "source", "warnings"}
ITEM = {"kind", "title", "author", "read_minutes", "words", "body", "link", "emoji"}


@pytest.mark.parametrize(
    ("path", "date"),
    [
        (FIXTURES / "the-real-russia-today-2022-01-07.txt", "2022-01-07"),
        (FIXTURES / "pages" / "real-russia-today-2024-07-11.html", "2024-07-11"),
        (FIXTURES / "corpus" / "newsletters" / "dev" / "simonw-2024-07-24.eml", "2024-07-24"),
    ],
    ids=["txt", "html", "eml"],
)
def test_every_format_prints_the_same_json(path: Path, date: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == SHAPE and data["date"] == date
    assert data["sections"] and all(set(item) == ITEM for s in data["sections"] for item in s["items"])


def test_markdown_and_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issue = tmp_path / "issue.md"
    issue.write_text("# A headline\n\n## The story\n\nWhat happened. More of it.\n")
    assert main(["parse", str(issue), "--json", "--explain", "--url", "https://x.example/2024/03/05/issue"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["date"] == "2024-03-05" and data["title"] == "A headline"
    rules = {entry["field"]: (entry["rule"], entry["guessed"]) for entry in data["explain"]}
    assert rules == {"title": ("# heading", False), "date": ("date in the URL", True)}
    assert main(["parse", str(issue), "--explain", "--url", "https://x.example/2024/03/05/issue"]) == 0
    out = capsys.readouterr().out
    assert "title      found   by # heading" in out and "date       guessed by date in the URL" in out


def test_an_item_less_file_is_refused_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issue = tmp_path / "notes.txt"
    issue.write_text("Remember to buy milk.\n")
    assert main(["parse", str(issue)]) != 0
    err = capsys.readouterr().err
    assert "no items found" in err and "Traceback" not in err
