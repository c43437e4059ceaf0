"""Each type-ignore comment left names its error code (mypy checks that) and says why (this test does)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def test_every_type_ignore_has_a_code_and_a_reason() -> None:
    unexplained = []
    for folder in ("bot", "handlers", "storage", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                found = IGNORE.search(line)
                if found is None or path.name == "test_type_ignores.py":
                    continue
                if not found["codes"] or not found["rest"].strip().startswith("#"):
                    unexplained.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert unexplained == [], "add the error code and a '# why' after it:\n" + "\n".join(unexplained)
