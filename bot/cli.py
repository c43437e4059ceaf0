"""The ``briefing`` command line. Errors end here: one line on stderr and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.logs import configure_logging

# pydantic (with the settings) and tqdm load when a command needs them: `briefing --help` stays quick.
if TYPE_CHECKING:
    from bot.config import Settings
    from bot.features.services import Services
    from bot.sources.resolve import SourceText

logger = logging.getLogger("bot.cli")

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG = 0, 1, 2


class CommandError(Exception):
    """A command failed in a way the user can act on; the message says how."""


def _settings(args: argparse.Namespace) -> Settings:
    from bot.config import ConfigError, load_settings

    overrides: dict[str, Any] = {}
    if getattr(args, "db", None):
        overrides["briefing_db"] = Path(args.db)
    env_file = getattr(args, "env_file", None)
    if env_file is not None and not Path(env_file).is_file():
        raise ConfigError(f"--env-file {env_file}: no such file")
    settings = load_settings(env_file=env_file or ".env", **overrides)
    configure_logging(settings.log_level, secrets=settings.secrets(), fmt=settings.log_format)
    return settings


def _missing_token() -> Exception:
    from bot.config import MISSING_TOKEN_HELP, ConfigError

    return ConfigError(MISSING_TOKEN_HELP)


class _Version(argparse.Action):
    """``--version``, reading the package metadata only when asked (``--help`` stays quick)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from bot.config import app_version

        print(f"briefing {app_version()}")  # on stdout, as argparse's own version action prints it
        parser.exit()


# --- commands -----------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.telegram_bot_token is None:
        raise _missing_token()
    from bot.app import AlreadyRunning, already_running, bot_lease_holder, run
    from bot.telegram.startup import StartupError
    from storage import Database

    async def preflight() -> str | None:
        async with await Database.open(settings.briefing_db) as db:
            check = await db.check(quick=True)
            if not check.ok:
                raise CommandError(
                    f"{settings.briefing_db}: the database is damaged ({check.problems[0]}); not starting. "
                    f"Stop everything using it, copy a backup made with `briefing db backup` over it, "
                    f"and run `briefing db check`"
                )
            return await bot_lease_holder(db)

    running = asyncio.run(preflight())
    if running is not None:
        raise CommandError(already_running(settings.briefing_db, running))
    try:
        run(settings, startup_wait=args.startup_wait)
    except (AlreadyRunning, StartupError) as exc:
        raise CommandError(str(exc)) from None
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from bot.config import ConfigError
    from bot.telegram.check import check

    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(f"briefing check: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    # A report, not a run: the client libraries' chatter would bury its lines.
    configure_logging("WARNING", secrets=settings.secrets(), fmt=settings.log_format)
    report = asyncio.run(check(settings))
    for line in report.lines:
        print(line)
    for problem in report.problems:
        print(f"briefing check: {problem}", file=sys.stderr)
    if report.ready:
        print("ready")
        return EXIT_OK
    return EXIT_FAILURE


def cmd_health(args: argparse.Namespace) -> int:
    """The container's HEALTHCHECK: GET /healthz on this machine's HTTP server, exit 0 if it answers 200."""
    import urllib.error
    import urllib.request

    settings = _settings(args)
    if settings.listen_port is None:
        raise CommandError("no HTTP server is configured: set HTTP_PORT (or WEBHOOK_URL)")
    host = settings.http_host if settings.http_host not in ("0.0.0.0", "::") else "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    url = f"http://{host}:{settings.listen_port}/{args.path.lstrip('/')}"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        raise CommandError(f"{url}: {getattr(exc, 'reason', exc)}") from None
    if status != 200:
        raise CommandError(f"{url}: HTTP {status}")
    return EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    from bot.digest.outline import format_explanation, format_outline
    from bot.digest.parser import ParseError
    from bot.sources.document import parse_document
    from bot.sources.file import SourceError, read_file

    name = "stdin" if args.file == "-" else args.file
    try:
        text = read_file(args.file)
        parsed = parse_document(text, name=None if args.file == "-" else args.file, url=args.url)
    except SourceError as exc:
        raise CommandError(str(exc)) from None
    except ParseError as exc:
        raise CommandError(f"{name}: {exc}") from None
    if args.json:
        data = parsed.digest.to_json_dict()
        data["warnings"] = list(parsed.warnings)
        if args.explain:
            data["explain"] = [
                {"field": note.field, "rule": note.rule, "value": note.value, "guessed": note.guessed}
                for note in parsed.notes
            ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(format_outline(parsed.digest))
        if args.explain or parsed.warnings:
            print()
            print(format_explanation(parsed, rules=args.explain))
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from bot.features.publishing import announce_published
    from bot.features.services import Services
    from bot.rules.clock import SystemClock
    from bot.rules.issues import IssueDay, issue_day
    from bot.sources.http import Fetcher
    from bot.sources.ingest import IngestReport, collect_texts, ingest_text
    from storage import Database, SaveOutcome

    settings = _settings(args)
    if args.announce and args.draft:
        raise CommandError("--announce sends an issue to readers and --draft keeps it unpublished: choose one")

    async def ingest() -> int:
        failures = 0
        async with Fetcher() as fetcher:
            texts = await collect_texts(args.targets, fetcher)
        if args.announce and sum(not isinstance(item, IngestReport) for item in texts) != 1:
            raise CommandError("--announce sends one issue to readers on purpose: give it exactly one issue")
        async with await Database.open(settings.briefing_db) as db:
            services = Services.over(db, settings, SystemClock())
            from tqdm import tqdm

            bar = tqdm(texts, unit="issue", desc="ingest", disable=len(texts) < 3 or args.quiet, leave=False)
            reports: list[tuple[IngestReport, str | None]] = []
            daily_entries = []
            for item in bar:
                if isinstance(item, IngestReport):
                    reports.append((item, None))
                    continue
                if settings.feed_mode == "daily" and item.entry is not None and not args.dry_run:
                    daily_entries.append(item)  # a newsroom feed's entry: an item of its day's digest
                    continue
                today = services.digests.today()
                report = await ingest_text(
                    db, services.digests, item.text, source=item.source, publish=not args.draft,
                    dry_run=args.dry_run, hints=item.hints, today=today,
                    key=item.entry.id if item.entry is not None else None,
                )  # fmt: skip
                note = None
                fresh = report.outcome in (SaveOutcome.CREATED, SaveOutcome.REPLACED)
                if report.digest_id is not None and not args.draft and (fresh or args.announce):
                    # Only today's issue reaches readers; the running bot sends what is queued here.
                    queued = await announce_published(services, report.digest_id, force=args.announce)
                    assert report.digest is not None
                    day = issue_day(report.digest.date, today)
                    if args.announce:
                        note = (
                            f"announced on purpose as today's issue: {queued} readers whose time has passed "
                            "get it now, the others at their time"
                        )
                    elif day is IssueDay.BACKFILL:
                        note = "archive issue (dated before today): searchable, not sent to readers"
                    elif day is IssueDay.TOMORROW:
                        note = "tomorrow's issue: readers get it tomorrow at their time"
                reports.append((report, note))
            if daily_entries:
                await _daily_ingest(services, daily_entries, announce=not args.draft)
            for report, note in reports:
                stream = sys.stdout if report.ok else sys.stderr
                print(report.describe() + (f" ({note})" if note else ""), file=stream)
                failures += not report.ok
        return EXIT_FAILURE if failures else EXIT_OK

    return asyncio.run(ingest())


async def _daily_ingest(services: Services, texts: list[SourceText], *, announce: bool) -> None:
    """FEED_MODE=daily: keep the entries, assemble every day whose cutoff has passed, say what waits."""
    import functools

    from bot.features.publishing import announce_published, daily_digests

    daily = await daily_digests(services)
    kept = await daily.keep(texts[0].source, [text.entry for text in texts if text.entry is not None])
    done = await daily.assemble_due(functools.partial(announce_published, services) if announce else None)
    for assembled in done:
        print(f"daily digest of {assembled.day}: {assembled.items} entries ({assembled.outcome})")
    waiting = kept - sum(assembled.items for assembled in done)
    if waiting > 0:
        cutoff = services.settings.digest_cutoff.strftime("%H:%M")
        print(f"{waiting} entries wait for their day's digest at {cutoff} ({services.settings.default_timezone})")


def _with_services(settings: Settings, work: Callable[[Services], Awaitable[str]]) -> str:
    """Run one use case against the database, as the bot would (publisher's timezone, system clock)."""
    from bot.features.services import Services
    from bot.rules.clock import SystemClock
    from storage import Database

    async def run() -> str:
        async with await Database.open(settings.briefing_db) as db:
            return await work(Services.over(db, settings, SystemClock()))

    return asyncio.run(run())


def cmd_publish(args: argparse.Namespace) -> int:
    """Publish the stored issue of a date (a draft, a withdrawn issue, or one dated after tomorrow) on purpose."""
    from bot.features import publishing
    from storage import DigestStatus

    settings = _settings(args)
    day = _date_arg(args.date, "DATE")

    async def publish(services: Services) -> str:
        stored = await services.digests.of_date(day)
        if stored is None:
            raise CommandError(f"no issue of {day.isoformat()} is stored; store it first with briefing ingest")
        if stored.status is DigestStatus.PUBLISHED:
            return f"issue #{stored.id} of {day.isoformat()} is already published"
        done = await publishing.republish(services, stored.id, None)
        assert done is not None
        now = f"; {done[1]} readers whose time has passed get it now" if done[1] else ""
        return f"published issue #{stored.id} of {day.isoformat()} “{stored.digest.title or 'untitled'}”{now}"

    print(_with_services(settings, publish))
    return EXIT_OK


def cmd_withdraw(args: argparse.Namespace) -> int:
    from bot.features import publishing

    settings = _settings(args)
    day = _date_arg(args.date, "DATE")

    async def withdraw(services: Services) -> str:
        stored = await publishing.to_withdraw(services, day)
        if stored is None or await publishing.withdraw(services, stored.id, None) is None:
            raise CommandError(f"no published issue of {day.isoformat()}")
        return (
            f"withdrew issue #{stored.id} of {day.isoformat()} “{stored.digest.title or 'untitled'}”: readers can "
            f"no longer open it and it is not pushed (undo: briefing publish {day.isoformat()})"
        )

    print(_with_services(settings, withdraw))
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage import Database, current_version, migrate

    settings = _settings(args)

    async def upgrade() -> tuple[list[int], int]:
        db = await Database.open(settings.briefing_db, migrate=False)
        try:
            applied = await migrate(db)
            return applied, await current_version(db)
        finally:
            await db.close()

    applied, version = asyncio.run(upgrade())
    if applied:
        print(f"{settings.briefing_db}: applied migrations {', '.join(map(str, applied))}; now at {version}")
    else:
        print(f"{settings.briefing_db}: already up to date (version {version})")
    return EXIT_OK


def cmd_db_check(args: argparse.Namespace) -> int:
    from storage import Database

    settings = _settings(args)
    if not settings.briefing_db.exists():
        raise CommandError(f"{settings.briefing_db}: no database there")

    async def check() -> tuple[tuple[str, ...], int]:
        async with await Database.open(settings.briefing_db, migrate=False, read_only=True) as db:
            result = await db.check()
            return result.problems, result.foreign_key_violations

    problems, violations = asyncio.run(check())
    if not problems and not violations:
        print(f"{settings.briefing_db}: ok (integrity check and foreign keys)")
        return EXIT_OK
    for problem in problems:
        print(f"{settings.briefing_db}: {problem}", file=sys.stderr)
    if violations:
        print(f"{settings.briefing_db}: {violations} rows break a foreign key", file=sys.stderr)
    print(
        f"{settings.briefing_db}: damaged; restore a copy made with `briefing db backup` (stop the bot first)",
        file=sys.stderr,
    )
    return EXIT_FAILURE


def cmd_db_backup(args: argparse.Namespace) -> int:
    from storage import Database

    settings = _settings(args)
    dest = Path(args.path)
    if dest.exists() and not args.force:
        raise CommandError(f"{dest} exists; pass --force to overwrite it")
    if not settings.briefing_db.exists():
        raise CommandError(f"{settings.briefing_db}: no database there to back up")

    async def backup() -> None:
        db = await Database.open(settings.briefing_db, migrate=False)
        try:
            await db.backup(dest)
        finally:
            await db.close()

    asyncio.run(backup())
    print(f"backed up {settings.briefing_db} to {dest}")
    return EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from bot.delivery.push import PushError, PushHandedOver, push_issue
    from bot.rules.clock import SystemClock
    from storage import Database

    settings = _settings(args)
    if settings.telegram_bot_token is None:
        raise _missing_token()
    day = _date_arg(args.date) if args.date else None

    async def push() -> int:
        async with await Database.open(settings.briefing_db, clock=SystemClock()) as db:
            try:
                report = await push_issue(db, settings, day=day, rate=args.rate, progress=not args.quiet)
            except PushError as exc:
                raise CommandError(str(exc)) from None
            except PushHandedOver as exc:
                print(exc)
                return EXIT_OK
        print(report.describe(), file=sys.stdout if report.ok else sys.stderr)
        return EXIT_OK if report.ok else EXIT_FAILURE

    return asyncio.run(push())


def cmd_stats(args: argparse.Namespace) -> int:
    from bot.features.stats import gather_stats
    from bot.render.editor import stats_text
    from storage import (
        BroadcastRepository,
        ChannelPostRepository,
        Database,
        DeliveryRepository,
        OpenRepository,
        SubscriberRepository,
    )

    settings = _settings(args)
    if not settings.briefing_db.exists():
        raise CommandError(f"{settings.briefing_db}: no database there")

    async def gather() -> dict[str, object] | str:
        # Read-only: statistics work on a file (or directory) the bot may not write, and never migrate.
        async with await Database.open(settings.briefing_db, migrate=False, read_only=True) as db:
            stats = await gather_stats(
                SubscriberRepository(db),
                DeliveryRepository(db),
                BroadcastRepository(db),
                db.clock.now(),
                timezone=settings.timezone,
                rate=settings.send_rate,
                lag_warn=dt.timedelta(minutes=settings.delivery_lag_warn),
                opens=OpenRepository(db),
                channels=ChannelPostRepository(db) if settings.channels else None,
            )
        return stats.to_json_dict() if args.json else stats_text(stats)

    result = asyncio.run(gather())
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else result)
    return EXIT_OK


def cmd_subscribers_import(args: argparse.Namespace) -> int:
    from bot.features.subscribers_csv import CsvError, Defaults, SubscriberCsv, import_subscribers
    from storage import Database, SubscriberRepository

    settings = _settings(args)
    path = Path(args.file)
    defaults = Defaults(settings.default_timezone, settings.default_delivery_time)

    async def store(checked: SubscriberCsv) -> None:
        async with await Database.open(settings.briefing_db) as db:
            await import_subscribers(SubscriberRepository(db), checked)
            await db.refresh_statistics()  # a big import changes what the minute tick's plan should be

    try:
        # Streamed: each row is checked as storage takes it, so a million rows never sit in memory at once.
        with path.open(newline="", encoding="utf-8-sig") as lines:
            checked = SubscriberCsv(lines, now=dt.datetime.now(dt.UTC), defaults=defaults)
            if args.dry_run:
                for _ in checked:
                    pass
            else:
                asyncio.run(store(checked))
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text, nothing imported; save the list as CSV UTF-8") from None
    except CsvError as exc:
        raise CommandError(f"{path}: {exc}; nothing imported") from None
    for error in checked.errors:
        print(f"{path}:{error.line}: {error.message}", file=sys.stderr)
    print(f"{path}: {checked.describe(dry_run=args.dry_run)}")
    # Bad rows fail the command (a script notices) although the good ones were stored.
    return EXIT_FAILURE if checked.errors else EXIT_OK


def cmd_subscribers_export(args: argparse.Namespace) -> int:
    from bot.features.subscribers_csv import write_subscribers
    from storage import Database, SubscriberRepository

    settings = _settings(args)
    if not settings.briefing_db.exists():
        raise CommandError(f"{settings.briefing_db}: no database there")
    to_stdout = args.file == "-"
    dest = Path(args.file)
    if not to_stdout and dest.exists() and not args.force:
        raise CommandError(f"{dest} exists; pass --force to overwrite it")

    async def export(out: TextIO) -> int:
        async with await Database.open(settings.briefing_db) as db:
            return await write_subscribers(SubscriberRepository(db), out)

    if to_stdout:
        count = asyncio.run(export(sys.stdout))
    else:
        try:
            with dest.open("w", newline="", encoding="utf-8") as out:
                count = asyncio.run(export(out))
        except OSError as exc:
            raise CommandError(f"{dest}: {exc.strerror or exc}") from None
    # On stdout the CSV is the output; the count goes to stderr so a pipe gets clean CSV.
    where = "stdout" if to_stdout else dest
    print(f"exported {count} subscribers to {where}", file=sys.stderr if to_stdout else sys.stdout)
    return EXIT_OK


def _date_arg(text: str, name: str = "--date") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name} {text!r}: expected YYYY-MM-DD, like 2024-07-11") from None


def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox.session import run_sandbox

    configure_logging("WARNING" if not args.verbose else "INFO")
    asyncio.run(run_sandbox(db_path=Path(args.db) if args.db else None, user_id=args.user_id))
    return EXIT_OK


# --- parser -------------------------------------------------------------------------------------------


def _print_help(parser: argparse.ArgumentParser) -> int:
    """A command group run without an action: show its actions, exit as for a usage error."""
    parser.print_help()
    return EXIT_CONFIG


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="A Telegram bot for a daily news briefing.")
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    run = add("run", cmd_run, "run the bot (long polling, or webhook mode with WEBHOOK_URL) until Ctrl-C or SIGTERM")
    run.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")
    run.add_argument("--env-file", metavar="PATH", help="read settings from this file instead of ./.env")

    health = add("health", cmd_health, "exit 0 when the running bot's /healthz answers (a container health check)")
    health.add_argument("--path", default="/healthz", help="the path to ask, e.g. /readyz (default: /healthz)")
    health.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for the answer")

    chk = add("check", cmd_check, "check the configuration, the database and the token; exit 0 when ready")
    chk.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")
    chk.add_argument("--env-file", metavar="PATH", help="read settings from this file instead of ./.env")
    run.add_argument(
        "--startup-wait",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="keep trying to reach the Bot API server this long at start-up, then exit 1 (default: 60)",
    )

    ingest = add("ingest", cmd_ingest, "store issues from files, web pages or feeds (published unless --draft)")
    ingest.add_argument("targets", nargs="+", metavar="PATH|URL", help="text/Markdown/HTML files, page or feed URLs")
    ingest.add_argument("--draft", action="store_true", help="store without publishing")
    ingest.add_argument(
        "--announce",
        action="store_true",
        help="send this one issue to readers as today's, even if it is dated earlier (archive issues are not sent)",
    )
    ingest.add_argument("--dry-run", action="store_true", help="parse and report, store nothing")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")

    parse = add("parse", cmd_parse, "parse an issue file and print its outline or JSON")
    parse.add_argument("file", help="an issue as .txt, .md, .html or .eml; - for stdin")
    parse.add_argument("--json", action="store_true", help="print the digest as JSON")
    parse.add_argument("--explain", action="store_true", help="show which rule found each field, and what was guessed")
    parse.add_argument("--url", help="the address the issue was published at (its date may be in it)")

    push = add("push", cmd_push, "deliver an issue now to every active reader who has not received it")
    push.add_argument("--date", help="the issue of this date, YYYY-MM-DD (default: the latest published)")
    push.add_argument("--rate", type=float, help="messages per second (default: DELIVERY_RATE)")
    push.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")
    push.add_argument("--quiet", action="store_true", help="no progress bar")

    publish = add("publish", cmd_publish, "publish the stored issue of a date (a draft or a withdrawn issue)")
    publish.add_argument("date", metavar="DATE", help="the issue's date, YYYY-MM-DD")
    publish.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")
    withdraw = add("withdraw", cmd_withdraw, "withdraw the published issue of a date from reading and pushing")
    withdraw.add_argument("date", metavar="DATE", help="the issue's date, YYYY-MM-DD")
    withdraw.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")

    stats = add("stats", cmd_stats, "subscribers, today's deliveries and the last broadcast, as in /stats")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    stats.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")

    sandbox = add("sandbox", cmd_sandbox, "chat with the bot in this terminal; no token, no network")
    sandbox.add_argument(
        "--db", help="database to use (default: a temporary one); one with real readers is copied first, never changed"
    )
    sandbox.add_argument("--user-id", type=int, default=1001, help="your reader's Telegram id in the sandbox")
    sandbox.add_argument("--verbose", action="store_true", help="show the bot's log")

    db = add("db", lambda _: _print_help(db), "database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="apply pending migrations")
    up.set_defaults(func=cmd_db_upgrade)
    up.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")
    ck = db_sub.add_parser("check", help="check the database file: SQLite's integrity check and foreign keys")
    ck.set_defaults(func=cmd_db_check)
    ck.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")
    bk = db_sub.add_parser("backup", help="copy the database safely, even while the bot runs")
    bk.set_defaults(func=cmd_db_backup)
    bk.add_argument("path", help="where to write the copy")
    bk.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")
    bk.add_argument("--force", action="store_true", help="overwrite an existing file")

    subscribers = add("subscribers", lambda _: _print_help(subscribers), "move subscriber lists")
    subscribers_sub = subscribers.add_subparsers(dest="subscribers_command", metavar="ACTION")
    imp = subscribers_sub.add_parser(
        "import",
        help="add or update subscribers from a CSV file; bad rows are reported by line and skipped (exit 1)",
    )
    imp.set_defaults(func=cmd_subscribers_import)
    imp.add_argument("file", metavar="FILE.csv", help="a header line (chat_id required), then one reader per line")
    imp.add_argument("--dry-run", action="store_true", help="check and report, store nothing")
    imp.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")
    exp = subscribers_sub.add_parser("export", help="write every subscriber as CSV")
    exp.set_defaults(func=cmd_subscribers_export)
    exp.add_argument("file", nargs="?", default="-", metavar="FILE.csv", help="where to write; - for stdout (default)")
    exp.add_argument("--force", action="store_true", help="overwrite an existing file")
    exp.add_argument("--db", help="SQLite database path (default: BRIEFING_DB)")
    return parser


def _database_problem(exc: Exception, command: str) -> str | None:
    """One line for a database that failed, or None for other errors.

    ``storage`` is imported only when something failed: it is not loaded for commands that never open it.
    """
    import sqlite3

    from storage import DatabaseError

    if isinstance(exc, DatabaseError):  # names the file and the problem already
        return str(exc)
    if isinstance(exc, sqlite3.DatabaseError):
        return f"{command}: the database failed ({exc}); run `briefing db check`"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    # Opt in to PTB's timedelta time periods: without it PTB 22 warns on every 429 it parses.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    configure_logging("WARNING")  # until the settings say otherwise; redacts from the first line on
    parser = build_parser()
    args = parser.parse_args(argv)
    from bot.config import ConfigError

    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except CommandError as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception as exc:
        problem = _database_problem(exc, args.command)
        if problem is not None:
            print(f"briefing: {problem}", file=sys.stderr)
            return EXIT_FAILURE
        # Logged (redacted) for the operator; the terminal gets one line.
        logger.exception("briefing %s failed", args.command)
        print(f"briefing: {args.command} failed: {type(exc).__name__}. See the log above.", file=sys.stderr)
        return EXIT_FAILURE
