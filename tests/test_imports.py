"""The application starts lean: heavy libraries load where they are used, not with ``import bot.app``.

Checked in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "matplotlib", "trafilatura", "feedparser", "lxml", "numpy", "bot.sandbox",
    "tqdm", "aiohttp", "pydantic", "rapidfuzz",
)  # fmt: skip
"""Each one used by one command, one kind of source, or first used once the bot runs (aiohttp with the first
request, pydantic with the settings): together they made the import 4.9x PTB's (issue #15)."""


def loaded_after(statement: str) -> set[str]:
    probe = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def test_importing_the_application_leaves_out_charts_pages_feeds_and_the_sandbox() -> None:
    modules = loaded_after("import bot.app")
    assert "bot.app" in modules
    assert {name for name in HEAVY if name in modules} == set()

