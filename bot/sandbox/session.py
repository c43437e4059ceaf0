"""``briefing sandbox``: the local Bot API server, the real bot against it, and a chat in this terminal.

The bot runs the same code path as ``briefing run`` (same factory, same handlers, real HTTP); only the
server at the other end is ours. The sample issues shipped with the package are ingested first, so there
is something to read straight away. The sandbox reader is also an editor, so editor commands can be tried.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import TextIO

from bot.app import build_application, running
from bot.config import load_settings
from bot.digest.parser import parse_text
from bot.sandbox.chat import run_chat
from bot.sandbox.server import BotApiServer
from bot.sources.ingest import store_digest
from storage import Database, DigestRepository, SubscriberRepository

FULL_SAMPLE = "the-real-russia-today-2022-01-07.txt"
"""The one complete issue among the samples: the sandbox's today. The others are 2,000-character excerpts."""
EXCERPT = " (sample excerpt)"


def _samples() -> list[tuple[str, str]]:
    files = resources.files("bot.sandbox").joinpath("samples").iterdir()
    return sorted((p.name, p.read_text(encoding="utf-8")) for p in files if p.name.endswith(".txt"))


async def ingest_samples(db_path: Path, *, today: dt.date | None = None) -> int:
    """Store the bundled samples (idempotent within a day). Returns how many.

    The complete issue is re-dated to ``today`` (default: today in UTC), so /today reads a whole issue with
    true read times; the excerpts stay in the archive under their own dates, their titles marked as excerpts.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    stored = 0
    async with await Database.open(db_path) as db:
        digests = DigestRepository(db)
        for name, text in _samples():
            digest = parse_text(text, source=name)
            if name == FULL_SAMPLE:
                digest = dataclasses.replace(digest, date=today)
            else:
                digest = dataclasses.replace(digest, title=f"{digest.title or 'Untitled'}{EXCERPT}")
            report = await store_digest(db, digests, digest)
            stored += report.ok
    return stored


async def sandbox_database(db_path: Path | None, scratch: Path, *, user_id: int) -> tuple[Path, str]:
    """The database the sandbox may write its samples into, and one line saying which it is.

    Samples go only into a database of the sandbox's own: a new file, or one with no readers but the
    sandbox's. A database with real readers (or issues of its own) is copied first and the copy used, so
    that a sample can never become a real reader's issue.
    """
    if db_path is None:
        return scratch / "sandbox.db", "Sandbox database: a temporary one, deleted when you leave."
    if not db_path.exists():
        return db_path, f"Sandbox database: {db_path} (new)."
    async with await Database.open(db_path) as db:
        readers = await SubscriberRepository(db).count_except(user_id)
        own_issues = await DigestRepository(db).count_not_from([name for name, _ in _samples()])
        if not readers and not own_issues:
            return db_path, f"Sandbox database: {db_path}."
        copy = scratch / f"copy-of-{db_path.name}"
        await db.backup(copy)
    return copy, (
        f"{db_path} has {readers} readers and {own_issues} issues of its own, so the sandbox works on a copy "
        f"({copy}, deleted when you leave); {db_path} is not changed."
    )


async def run_sandbox(
    *, db_path: Path | None = None, user_id: int = 1001, input: TextIO | None = None, output: TextIO | None = None
) -> None:
    with tempfile.TemporaryDirectory(prefix="briefing-sandbox-") as tmp:
        path, note = await sandbox_database(db_path, Path(tmp), user_id=user_id)
        sink = output or sys.stdout
        sink.write(note + "\n")
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
                # From a pipe, each line waits until the bot has been quiet this long: a reply of several
                # messages into one chat is paced at about one a second, as Telegram wants.
                await run_chat(server, user_id=user_id, input=input, output=output, settle=1.5)
