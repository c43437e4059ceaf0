"""The one connection to SQLite, and the rules for sharing it between asyncio tasks.

SQLite allows one writer at a time, and a connection has one transaction at a time. The bot runs many
tasks (handlers, the delivery tick, broadcasts) in one event loop, all over one aiosqlite connection, so
without care a statement from task B would run *inside* task A's open transaction: it would see A's
uncommitted rows and be rolled back with A. :class:`Database` prevents that with an ``asyncio.Lock``:

* ``atomic()`` takes the lock for the whole outermost transaction (``BEGIN IMMEDIATE`` … ``COMMIT``);
  nested ``atomic()`` blocks in the same task become savepoints.
* Every other statement takes the lock for its own duration and runs in autocommit mode (the sqlite3
  connection is opened with ``isolation_level=None``, so Python never issues a hidden ``BEGIN``).
* The task that owns the open transaction passes straight through, so repository calls compose inside
  a caller's ``atomic()``.

The owner is the task, not a context variable: a task spawned inside a transaction does *not* join it
(it waits for the lock instead), because a sibling task interleaving statements is exactly the bug the
lock is there to prevent. Do not await a task that uses the database from inside ``atomic()``, and do
not await the network there either: the lock is held until the block exits.

Long reads that need no write (a reader's ``/search`` over years of issues) go through :meth:`Database.reading`
instead: a second connection, opened read-only, with a lock of its own. In WAL mode it reads the last
committed state while the writer goes on, so a search never holds up the delivery engine's writes, and
a write never holds up a search. (A private ``:memory:`` database cannot be shared between connections:
there, and inside the caller's own ``atomic()``, ``reading()`` uses the writer as ``snapshot()`` does.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, TypeVar

import aiosqlite

from bot.rules.clock import Clock, SystemClock
from storage.migrations import migrate as apply_migrations

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")

logger = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""


class DatabaseError(Exception):
    """The database file cannot be used as it is; the message names the file and the problem, in one line."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``PRAGMA integrity_check`` (or ``quick_check``) and ``foreign_key_check`` found."""

    problems: tuple[str, ...]
    foreign_key_violations: int

    @property
    def ok(self) -> bool:
        return not self.problems and not self.foreign_key_violations

MEMORY = ":memory:"
CACHE_KIB = 64 * 1024
ANALYSIS_LIMIT = 1000
"""Rows ANALYZE samples per index: statistics good enough for the planner in ~0.2 s on a 550 MB archive."""


@dataclass(frozen=True, slots=True)
class Took:
    """How long a :meth:`Database.run_atomic` step took in the connection's thread."""

    seconds: float
    """Wall time: how long it held the one writer."""
    cpu_seconds: float
    """The thread's CPU time: what the work cost, whatever else the machine was doing."""


@dataclass(frozen=True, slots=True)
class Changes:
    """What a write statement did."""

    rowcount: int
    lastrowid: int | None


class Database:
    """One long-lived aiosqlite connection: the bot's only writer.

    Open it with :meth:`open` (which migrates by default) and close it with :meth:`close` or
    ``async with``. Repositories take a ``Database`` and use its helpers; they never commit.
    """

    def __init__(self, connection: aiosqlite.Connection, path: str, clock: Clock) -> None:
        """Use :meth:`open`; the constructor only wires an already configured connection."""
        self._conn: aiosqlite.Connection | None = connection
        self._path = path
        self._clock = clock
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0
        self._reader: aiosqlite.Connection | None = None
        self._reader_lock = asyncio.Lock()
        self._read_only = False
        self._released_at = 0.0
        """When a statement or transaction last let go of the connection (:meth:`quiet`)."""

    # --- lifecycle ------------------------------------------------------------------------------

    @classmethod
    async def open(
        cls, path: str | Path, *, migrate: bool = True, clock: Clock | None = None, read_only: bool = False
    ) -> Database:
        """Connect, set the pragmas the bot relies on, and (by default) apply pending migrations.

        Args:
            path: a file path, or ``":memory:"`` for a private in-memory database (tests).
            migrate: apply pending migrations before returning; ``briefing db upgrade`` passes False
                so that it can report what it applied.
            clock: where ``created_at``/``updated_at`` come from; tests pass a manual clock.
            read_only: open for reading only (``briefing stats`` on a read-only file or directory):
                nothing is written, not even the WAL switch or a migration.

        Raises:
            DatabaseError: the directory is missing, the file is not an SQLite database or is damaged,
                or it cannot be opened (permissions, a read-only directory); one line naming the file.
        """
        location = str(path)
        if location != MEMORY:
            _check_file(Path(location), read_only=read_only)
        try:
            return await cls._open(location, migrate=migrate, clock=clock, read_only=read_only)
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(_describe(location, exc)) from exc

    @classmethod
    async def _open(cls, location: str, *, migrate: bool, clock: Clock | None, read_only: bool) -> Database:
        if read_only:
            conn = await _connect(_read_only_uri(location), uri=True, isolation_level=None)
        else:
            conn = await _connect(location, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            if location != MEMORY and not read_only:
                # WAL lets the backup connection and readers in other processes work while we write.
                await conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across application crashes in WAL mode, only not across power loss.
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA busy_timeout = 5000")
            # One long-lived connection can afford a real page cache (the default is 2 MiB): the due
            # query reads a thousand rows scattered over a million, and cold pages doubled its time.
            await conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            # Reading the schema is the cheapest way to find out that a file is not a database at all.
            await conn.execute("SELECT count(*) FROM sqlite_schema")
        except BaseException:
            await conn.close()
            raise
        db = cls(conn, location, clock or SystemClock())
        db._read_only = read_only
        if migrate and not read_only:
            try:
                await apply_migrations(db)
            except BaseException:
                await db.close()
                raise
        return db

    async def check(self, *, quick: bool = False) -> CheckResult:
        """``PRAGMA integrity_check`` (``quick_check`` with ``quick``: seconds instead of minutes on a big
        file) and ``PRAGMA foreign_key_check``."""
        pragma = "quick_check" if quick else "integrity_check"
        try:
            rows = await self.fetchall(f"PRAGMA {pragma}(20)")
            problems = tuple(str(row[0]) for row in rows if str(row[0]) != "ok")
            violations = 0 if quick else len(await self.fetchall("PRAGMA foreign_key_check"))
        except sqlite3.DatabaseError as exc:
            return CheckResult((str(exc),), 0)
        return CheckResult(problems, violations)

    async def close(self) -> None:
        """Wait for the transaction in progress, then close; closing twice is harmless."""
        if self._conn is None:
            return
        if self._owns_transaction():
            raise RuntimeError("close() inside atomic(): the transaction would never finish")
        async with self._reader_lock:
            reader, self._reader = self._reader, None
            if reader is not None:
                await reader.close()
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                if not self._read_only:
                    # Cheap, and recommended by SQLite before closing a long-lived connection.
                    await conn.execute("PRAGMA optimize")
            finally:
                await conn.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def path(self) -> str:
        return self._path

    @property
    def closed(self) -> bool:
        return self._conn is None

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def in_transaction(self) -> bool:
        """True while the *current task* is inside ``atomic()``."""
        return self._owns_transaction()

    # --- transactions -----------------------------------------------------------------------------

    def atomic(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Run the block in a transaction; nested blocks are savepoints that roll back on their own.

        The outermost block uses ``BEGIN IMMEDIATE`` so that the write lock is taken up front: a
        deferred transaction that reads and then writes can fail with SQLITE_BUSY half-way when another
        process (a CLI command, a backup) writes in between, and busy_timeout cannot help that case.
        """
        return self._transaction("BEGIN IMMEDIATE")

    def snapshot(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Run several reads against one consistent state (a deferred, read-only-in-spirit transaction).

        Other tasks wait as for ``atomic()``, but no write lock is taken on the file, so other processes
        keep writing. Inside ``atomic()`` it is just a savepoint. Do not write in it: use ``atomic()``.
        """
        return self._transaction("BEGIN DEFERRED")

    @contextlib.asynccontextmanager
    async def _transaction(self, begin: str) -> AsyncIterator[None]:
        if self._owns_transaction():
            async with self._savepoint():
                yield
            return
        async with self._locked():
            conn = self._connection()
            await conn.execute(begin)
            self._owner = asyncio.current_task()
            self._depth = 1
            try:
                yield
                await conn.execute("COMMIT")
            except BaseException:
                # COMMIT itself can fail (SQLITE_BUSY, a deferred constraint); the transaction is then
                # still open and must be rolled back. If it already ended, ROLLBACK says so: ignore.
                with contextlib.suppress(sqlite3.OperationalError):
                    await conn.execute("ROLLBACK")
                raise
            finally:
                self._owner = None
                self._depth = 0

    @contextlib.asynccontextmanager
    async def _savepoint(self) -> AsyncIterator[None]:
        conn = self._connection()
        name = f"sp{self._depth}"
        await conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield
        except BaseException:
            await conn.execute(f"ROLLBACK TO {name}")
            await conn.execute(f"RELEASE {name}")
            raise
        else:
            await conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    async def run_atomic(self, work: Callable[[sqlite3.Connection], T]) -> tuple[T, Took]:
        """Run ``work`` — a plain function of the sqlite3 connection — as one transaction, in one step.

        ``atomic()`` costs a trip through the event loop per statement, and the transaction stays open
        (the one writer held) for all of them: with the loop busy (the engine sending a thousand messages a
        second) a batch of ten statements held the writer for 100 ms of which SQLite used 15. Here the
        whole transaction — ``BEGIN IMMEDIATE``, ``work``, ``COMMIT`` — runs in the connection's thread at
        once, queued the way aiosqlite queues each of its own statements (``Connection._execute``, what its
        public methods call), so it never interleaves with another statement. Inside the caller's
        ``atomic()`` it runs in a savepoint of that transaction. ``work`` runs in that thread: it must not
        touch the event loop. Returns what ``work`` returned and how long the transaction took there, the
        commit included.
        """
        if self._owns_transaction():
            async with self._savepoint():
                return await self._in_thread(work)
        async with self._locked():
            return await self._in_thread(_immediate(work))

    async def _in_thread(self, work: Callable[[sqlite3.Connection], T]) -> tuple[T, Took]:
        conn = self._connection()

        def timed(raw: sqlite3.Connection) -> tuple[T, Took]:
            wall, cpu = time.perf_counter(), time.thread_time()
            result = work(raw)
            return result, Took(time.perf_counter() - wall, time.thread_time() - cpu)

        result: tuple[T, Took] = await conn._execute(timed, conn._conn)
        return result

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[Reads]:
        """Several reads against one committed state, on the read-only connection (see the module doc).

        Use it for reads that may take a while and need not see this process's uncommitted writes.
        """
        if self._path == MEMORY or self._owns_transaction():
            async with self.snapshot():
                yield Reads(self._connection())
            return
        async with self._reader_lock:
            reader = await self._reader_connection()
            await reader.execute("BEGIN DEFERRED")
            try:
                yield Reads(reader)
            finally:
                await reader.execute("COMMIT")  # a read transaction: ends the snapshot, nothing to write

    async def _reader_connection(self) -> aiosqlite.Connection:
        self._connection()  # fail fast when closed
        if self._reader is None:
            reader = await _connect(_read_only_uri(self._path), uri=True, isolation_level=None)
            try:
                reader.row_factory = sqlite3.Row
                await reader.execute("PRAGMA busy_timeout = 5000")
                await reader.execute("PRAGMA query_only = ON")
                await reader.execute(f"PRAGMA cache_size = -{CACHE_KIB // 4}")
            except BaseException:
                await reader.close()
                raise
            self._reader = reader
        return self._reader

    def _owns_transaction(self) -> bool:
        return self._owner is not None and self._owner is asyncio.current_task()

    @contextlib.asynccontextmanager
    async def _turn(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection, once no other task's transaction is open on it."""
        if self._owns_transaction():
            yield self._connection()
            return
        async with self._locked():
            yield self._connection()

    @contextlib.asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        async with self._lock:
            try:
                yield
            finally:
                self._released_at = time.perf_counter()

    async def quiet(self, gap: float, *, at_most: float) -> None:
        """Wait until no statement has used the connection for ``gap`` seconds, or ``at_most`` has passed.

        For bulk work done a short transaction at a time (the minute tick): between its transactions, the
        few statements another task runs one after the other (the engine's claim: four queries, each a
        trip through the event loop) go on together, rather than each waiting behind the next transaction.
        """
        deadline = time.perf_counter() + at_most
        while True:
            now = time.perf_counter()
            idle = 0.0 if self._lock.locked() else now - self._released_at
            if idle >= gap or now >= deadline:
                return
            await asyncio.sleep(min(gap - idle, deadline - now))

    def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError(f"database {self._path} is closed")
        return self._conn

    @contextlib.asynccontextmanager
    async def checkpoints_aside(self) -> AsyncIterator[None]:
        """During the block, commits on this connection never checkpoint the WAL; after it, a passive
        checkpoint runs on a connection of its own, in a thread.

        SQLite's automatic checkpoint runs inside the COMMIT that crosses 1000 WAL pages, on the writer
        connection: a bulk job (the minute tick queueing a third of a million readers) would hold the one
        writer, and every sender waiting for it, through checkpoints of tens of milliseconds each. A
        passive checkpoint from another connection copies pages while this one goes on writing. Nothing
        changes for a private in-memory database (no WAL).
        """
        if self._path == MEMORY or self._read_only:
            yield
            return
        await self.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            with contextlib.suppress(sqlite3.Error):
                await self.execute("PRAGMA wal_autocheckpoint = 1000")
            with contextlib.suppress(sqlite3.Error):
                await asyncio.to_thread(_checkpoint_passive, self._path)

    async def check_writable(self) -> None:
        """Commit a one-row write, or raise: the readiness probe (read-only file, full disk, lock held elsewhere).

        The row lives in ``leases`` under a name no lease uses; a rolled-back write would prove nothing,
        since SQLite writes pages out only on commit.
        """
        async with self.atomic():
            await self.execute(
                """
                INSERT INTO leases (name, owner, expires_at) VALUES ('write-probe', 'readiness', 0)
                ON CONFLICT (name) DO UPDATE SET expires_at = expires_at + 1
                """
            )

    # --- statements -------------------------------------------------------------------------------

    async def refresh_statistics(self) -> None:
        """ANALYZE, sampled (:data:`ANALYSIS_LIMIT`): the planner's picture of how big the tables are.

        Without statistics SQLite guesses, and at a million subscribers it guessed wrong for the minute
        tick: 28 s for 333,000 due readers instead of 2.9 s (``benchmarks.delivery --only scale``).
        ``PRAGMA optimize`` at close does not help on SQLite < 3.46, which analyzes only tables that
        already have statistics. So the bot runs this at start and hourly, and a CSV import after it.
        """
        async with self._turn() as conn:
            await conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            await conn.execute("ANALYZE")

    async def execute(self, sql: str, params: Params = ()) -> Changes:
        """Run one statement; outside ``atomic()`` it commits on its own (autocommit)."""
        async with self._turn() as conn, conn.execute(sql, params) as cursor:
            return Changes(cursor.rowcount, cursor.lastrowid)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement per parameter row; returns the total rowcount.

        Outside ``atomic()`` every row is its own transaction: wrap big batches in ``atomic()``.
        """
        async with self._turn() as conn, conn.executemany(sql, rows) as cursor:
            return max(cursor.rowcount, 0)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._turn() as conn, conn.execute(sql, params) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._turn() as conn:
            return list(await conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any:
        """The first column of the first row, or ``default`` when there is no row."""
        row = await self.fetchone(sql, params)
        return default if row is None else row[0]

    async def iterate(self, sql: str, params: Params = (), *, batch: int = 1000) -> AsyncGenerator[sqlite3.Row]:
        """Stream the rows of a query ``batch`` at a time, so memory stays flat over a million rows.

        The lock is taken per batch, not for the whole scan, so writers keep going while a consumer
        works through the rows. The price: rows written on this connection during the scan may or may
        not be seen (SQLite leaves it undefined). A consumer that *changes* the rows it scans should
        page by key instead (``WHERE chat_id > ? ORDER BY chat_id LIMIT ?``), as the repositories do.
        Use ``contextlib.aclosing`` when breaking out early so the statement is finalised at once.
        """
        if batch < 1:
            raise ValueError("batch must be positive")
        async with self._turn() as conn:
            cursor = await conn.execute(sql, params)
        try:
            while True:
                async with self._turn():
                    rows = await cursor.fetchmany(batch)
                if not rows:
                    return
                for row in rows:
                    yield row
        finally:
            if not self.closed:
                with contextlib.suppress(ValueError):  # the connection closed under us meanwhile
                    await cursor.close()

    # --- maintenance ------------------------------------------------------------------------------

    async def backup(self, dest: str | Path) -> None:
        """Copy the database to ``dest`` with SQLite's online backup API, safely while the bot runs.

        For a file database the copy is read through a second, read-only connection: in WAL mode it
        sees the last committed state as one snapshot and neither waits for nor blocks the writer, so
        a transaction in progress is simply not part of the copy. The copy is written next to ``dest``
        and renamed into place, so ``dest`` is never a half-written file. (An in-memory database can
        only be read through this connection, so that backup waits for the open transaction.)
        """
        dest = Path(dest)
        tmp = dest.with_name(f".{dest.name}.partial")
        await asyncio.to_thread(_remove_database_files, tmp)
        self._connection()  # fail fast when closed
        target = await _connect(str(tmp))
        try:
            if self._path == MEMORY:
                async with self._turn() as conn:
                    await conn.backup(target)
            else:
                uri = f"{Path(self._path).resolve().as_uri()}?mode=ro"
                source = await _connect(uri, uri=True)
                try:
                    await source.execute("PRAGMA busy_timeout = 5000")
                    await source.backup(target)
                finally:
                    await source.close()
            # The copy inherits WAL mode from the header; fold it into one self-contained file.
            await target.execute("PRAGMA journal_mode = DELETE")
        except BaseException:
            await target.close()
            await asyncio.to_thread(_remove_database_files, tmp)
            raise
        await target.close()
        await asyncio.to_thread(os.replace, tmp, dest)


class Reads:
    """The statements a :meth:`Database.reading` block may run; all of them read."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any:
        async with self._conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return default if row is None else row[0]


def _check_file(path: Path, *, read_only: bool) -> None:
    """The problems worth one clear line before SQLite says something vaguer."""
    if not path.parent.is_dir():
        raise DatabaseError(f"{path}: the directory {path.parent} does not exist; create it or set BRIEFING_DB")
    if path.is_dir():
        raise DatabaseError(f"{path}: is a directory, not a database file")
    if not path.exists():
        if read_only:
            raise DatabaseError(f"{path}: no database there")
        if not os.access(path.parent, os.W_OK):
            raise DatabaseError(f"{path}: cannot create the database: {_not_writable(path.parent)}")
        return
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if not header:
        if read_only:
            raise DatabaseError(f"{path}: the file is empty (0 bytes)")
        logger.warning("%s is empty (0 bytes): treating it as a new database", path)
        return
    if header != SQLITE_HEADER:
        raise DatabaseError(
            f"{path}: not an SQLite database (it starts with {header[:8]!r}); is BRIEFING_DB the right file?"
        )
    if not read_only and not os.access(path.parent, os.W_OK):
        raise DatabaseError(
            f"{path}: {_not_writable(path.parent)}; the bot needs to write its journal next to the file"
        )


def _not_writable(directory: Path) -> str:
    """Why this process cannot write in ``directory``: a read-only file system, or someone else's directory."""
    try:
        if os.statvfs(directory).f_flag & os.ST_RDONLY:
            return f"the directory {directory} is on a read-only file system"
        info = directory.stat()
    except OSError:
        return f"the directory {directory} is not writable"
    if (owner := info.st_uid) != (user := os.getuid()):
        return f"the directory {directory} is not writable by this user (uid {user}; it belongs to uid {owner})"
    return f"the directory {directory} is read-only (mode {info.st_mode & 0o777:o})"


def _describe(location: str, exc: sqlite3.DatabaseError) -> str:
    message = str(exc)
    if "file is not a database" in message or "malformed" in message:
        return f"{location}: the file is damaged ({message}); restore a copy made with `briefing db backup`"
    if "readonly" in message or "read-only" in message:
        return f"{location}: cannot write to it ({message}); check the file's and its directory's permissions"
    if "unable to open" in message:
        return f"{location}: cannot open it ({message}); check the path and its permissions"
    return f"{location}: {message}"


def _read_only_uri(location: str) -> str:
    """A read-only connection that never writes, not even the ``-shm`` file a read-only directory refuses."""
    return f"{Path(location).resolve().as_uri()}?mode=ro"


async def _connect(location: str, **kwargs: Any) -> aiosqlite.Connection:
    """``aiosqlite.connect`` that cleans up its worker thread when connecting fails.

    aiosqlite stops the thread without waiting for it when the connect fails; if the event loop closes
    first, the thread dies with "Event loop is closed" (omnilib/aiosqlite#241), an error under pytest's
    warnings-as-errors. The thread only has to close a connection that never opened, so joining it is
    quick, and blocking is safe: it hands its last result to the loop without waiting for the loop.
    """
    conn = aiosqlite.connect(location, **kwargs)
    try:
        return await conn
    except BaseException:
        thread = getattr(conn, "_thread", None)
        if thread is not None and thread.is_alive():
            thread.join(timeout=5)
        raise


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


def _immediate(work: Callable[[sqlite3.Connection], T]) -> Callable[[sqlite3.Connection], T]:
    """``work`` in a transaction of its own (see :meth:`Database.run_atomic`)."""

    def transaction(conn: sqlite3.Connection) -> T:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.OperationalError):  # as in atomic(): it may have ended already
                conn.execute("ROLLBACK")
            raise
        return result

    return transaction


def _checkpoint_passive(path: str) -> None:
    """Copy what the WAL holds into the database file without waiting for (or blocking) the writer."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 1000")
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        conn.close()
