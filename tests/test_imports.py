"""The application starts lean: heavy libraries load where they are used, not with ``import bot.app``.

Checked in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "matplotlib", "trafilatura", "feedparser", "lxml", "numpy", "bot.sandbox",
    "tqdm", "aiohttp", "aiohttp.web", "pydantic", "rapidfuzz",
    "prometheus_client", "http.server", "wsgiref", "email.policy", "html.parser", "difflib",
)  # fmt: skip
"""Each one used by one command, one kind of source, or first used once the bot runs (aiohttp with the first
request, pydantic with the settings, prometheus_client when ``build_application`` builds the metrics, the
e-mail policies and the HTML parser with the first e-mail or page, difflib with a timezone that has a typo):
together they made the import 4.9x PTB's (issue #15)."""

ON_USE = (
    "bot.digest.parser", "bot.digest.header", "bot.digest.lines", "bot.digest.furniture",
    "bot.digest.markers", "bot.digest.drafts", "bot.digest.contents", "bot.digest.layout",
    "storage.stats", "storage.figures", "bot.features.stats", "bot.render.charts", "storage.feeds",
    "bot.rules.timezones",
    "bot.features.broadcasting", "bot.features.publishing",
    "bot.config", "bot.telegram.webserver",
)  # fmt: skip
"""Our own modules the running bot needs only when an editor uploads or pastes an issue (the parser, whose
regular expressions alone took 40 ms to compile), publishes, broadcasts or asks for /stats, when someone
sends a file, when a reader sets a time, a timezone or a pause, when the feed is polled, with the settings
(``bot.config``), or when the HTTP server starts (``bot.telegram.webserver``)."""

SOURCES_AT_START = {"bot.sources", "bot.sources.file"}
"""Of the sources, only the file names an upload may have (``/publish`` checks them before downloading);
the readers of documents, e-mails, pages and feeds, ingesting and the feed poller load when used."""


def loaded_after(statement: str) -> set[str]:
    probe = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def test_importing_the_application_leaves_out_charts_pages_feeds_and_the_sandbox() -> None:
    modules = loaded_after("import bot.app")
    assert "bot.app" in modules
    assert {name for name in HEAVY if name in modules} == set()
    assert {name for name in ON_USE if name in modules} == set()
    assert {name for name in modules if name.startswith("bot.sources")} <= SOURCES_AT_START


def test_the_lazily_imported_modules_are_there_once_used() -> None:
    """The probe can fail: what the running bot imports on first use shows up in ``sys.modules``."""
    modules = loaded_after(
        "import bot.app\n"
        "from bot.features.publishing import issue_from_text\n"
        "issue_from_text('Morning Briefing\\n\\nA headline\\n\\nSome text of the story that follows it.')\n"
        "from bot.telegram.metrics import Metrics\n"
        "Metrics()"
    )
    assert {"bot.digest.parser", "bot.sources.document", "bot.config", "prometheus_client"} <= modules


def test_briefing_help_loads_neither_telegram_nor_the_application() -> None:
    """``briefing --help`` stays instant: the CLI imports what a command needs inside the command."""
    modules = loaded_after(
        "import contextlib, io, runpy\n"
        "sys.argv = ['briefing', '--help']\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    runpy.run_module('bot', run_name='__main__')"
    )
    assert "bot.cli" in modules
    assert {name for name in modules if name.split(".")[0] in ("telegram", "storage", "handlers", "aiosqlite")} == set()
    assert {name for name in HEAVY if name in modules} == set()
    assert {name for name in modules if name.startswith("bot.")} <= {"bot.cli", "bot.logs", "bot.__main__"}
