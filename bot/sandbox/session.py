"""``briefing sandbox``: the local Bot API server, the real bot against it, and a chat in this terminal.

The bot runs the same code path as ``briefing run`` (same factory, same handlers, real HTTP); only the
server at the other end is ours. The sample issues shipped with the package are ingested first, so there
is something to read straight away. The sandbox reader is also an editor, so editor commands can be tried.
"""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path
from typing import TextIO

from bot.app import build_application, running
from bot.config import load_settings
from bot.sandbox.chat import run_chat
from bot.sandbox.server import BotApiServer
from bot.sources.ingest import ingest_text
from storage import Database, DigestRepository


async def ingest_samples(db_path: Path) -> int:
    """Store the bundled sample issues (idempotent: a second run changes nothing). Returns how many."""
    stored = 0
    async with await Database.open(db_path) as db:
        digests = DigestRepository(db)
        for sample in sorted(resources.files("bot.sandbox").joinpath("samples").iterdir(), key=lambda p: p.name):
            if not sample.name.endswith(".txt"):
                continue
            report = await ingest_text(db, digests, sample.read_text(encoding="utf-8"), source=sample.name)
            stored += report.ok
    return stored


async def run_sandbox(
    *, db_path: Path | None = None, user_id: int = 1001, input: TextIO | None = None, output: TextIO | None = None
) -> None:
    with tempfile.TemporaryDirectory(prefix="briefing-sandbox-") as tmp:
        path = db_path or Path(tmp) / "sandbox.db"
        await ingest_samples(path)
        async with BotApiServer() as server:
            server.add_user(user_id, first_name="Reader")
            settings = load_settings(
                {},
                telegram_bot_token=server.token,
                telegram_api_url=server.url,
                briefing_db=path,
                admin_ids=frozenset({user_id}),
            )
            app = build_application(settings)
            async with running(app, poll_timeout=1):
                await run_chat(server, user_id=user_id, input=input, output=output)
