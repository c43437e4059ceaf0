"""A local Telegram Bot API server: what the bot talks to in tests, benchmarks and the sandbox.

It speaks the Bot API over real HTTP at ``{url}/bot{token}/{method}`` (JSON, urlencoded
or multipart bodies), serves files at ``{url}/file/bot{token}/{path}``, enforces the
rules Telegram enforces (HTML entities, lengths, keyboards, flood limits, blocked users)
and records everything the bot did. Tests drive the user side through Python methods;
a server in another process is driven the same way over ``{url}/control/{action}``.

Run it on its own with ``python -m bot.sandbox.server --port 8081``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import resource
import socket
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from bot.sandbox.botsettings import command_scope_key
from bot.sandbox.context import MethodContext
from bot.sandbox.control import ControlApi
from bot.sandbox.errors import ApiError, SandboxError
from bot.sandbox.faults import Fault, FaultKind, FaultPlan
from bot.sandbox.groups import GroupSimulator
from bot.sandbox.limits import FloodControl, FloodLimits
from bot.sandbox.methods import Handler, method_table
from bot.sandbox.params import Params, read_params
from bot.sandbox.records import (
    NEW_MESSAGE_METHODS,
    CallbackAnswer,
    InlineAnswer,
    SentLog,
    SentRecord,
    matching,
)
from bot.sandbox.state import SandboxState
from bot.sandbox.stats import RequestStats, ServerStats
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.users import UserSimulator
from bot.sandbox.webhook import WebhookPoster

DEFAULT_TOKEN = "123456:SANDBOX-TOKEN-briefing-bot-local-only"
DEFAULT_BOT_USERNAME = "briefing_sandbox_bot"
DEFAULT_LIMITS = FloodLimits()
UPLOAD_LIMIT = 50 * 1024 * 1024  # Telegram's limit for files bots upload
_UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}
_STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}

Predicate = Callable[[list[SentRecord]], bool]


class BotApiServer:
    """One independent fake Telegram: its own users, chats, limits, faults and records.

    Use it as ``async with BotApiServer() as server:`` (listens on a free loopback port)
    or call :meth:`start` / :meth:`stop`. Everything runs in the caller's event loop, so
    a test can run the real bot and this server side by side.

    Args:
        token: the only token accepted; others get 401.
        bot_username: the bot's @username in getMe and in messages it sends.
        limits: flood limits, ``None`` for none.
        clock: monotonic seconds; tests inject a fake one to step flood control
            without sleeping.
        record_limit: keep only the newest records and bot messages (``None``: all; see
            :class:`SentLog` and :meth:`SandboxState.keep_message`), so a benchmark of a million
            messages fits in memory; :meth:`delivered` still counts every one.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        limits: FloodLimits | None = DEFAULT_LIMITS,
        clock: Callable[[], float] = time.monotonic,
        record_limit: int | None = None,
    ) -> None:
        bot_id = token.split(":", 1)[0]
        self._token = token
        self._state = SandboxState(message_limit=record_limit)
        self._updates = UpdateQueue()
        self._log = SentLog(record_limit)
        self._stats = RequestStats()
        self._flood = FloodControl(limits, clock)
        self._faults = FaultPlan()
        self._webhook = WebhookPoster(self._updates)
        self._context = MethodContext(
            state=self._state,
            updates=self._updates,
            log=self._log,
            stats=self._stats,
            flood=self._flood,
            bot_user={
                "id": int(bot_id) if bot_id.isdigit() else 1,
                "is_bot": True,
                "first_name": "Briefing Sandbox",
                "username": bot_username,
            },
            clock=clock,
            webhook=self._webhook,
        )
        self._methods = method_table(self._context)
        self._users = UserSimulator(self._context)
        self._groups = GroupSimulator(self._context)
        self._control = ControlApi(self)
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._closing = asyncio.Event()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def token(self) -> str:
        return self._token

    @property
    def bot_user(self) -> dict[str, Any]:
        return dict(self._context.bot_user)

    @property
    def url(self) -> str:
        """The root URL, e.g. ``http://127.0.0.1:54321``: what the bot gets as TELEGRAM_API_URL."""
        if self._url is None:
            raise RuntimeError("the sandbox server is not running; call start() first")
        return self._url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port``; port 0 picks a free one (see :attr:`url`)."""
        if self._runner is not None:
            raise RuntimeError("the sandbox server is already running")
        self._closing = asyncio.Event()
        self._updates.reopen()
        runner = web.AppRunner(self._build_app(), access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            sock = socket.create_server((host, port), family=family)
        except OSError:
            await runner.cleanup()
            raise
        await web.SockSite(runner, sock).start()
        self._runner = runner
        bound_port = sock.getsockname()[1]
        shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        self._url = f"http://[{shown}]:{bound_port}" if ":" in shown else f"http://{shown}:{bound_port}"

    async def stop(self) -> None:
        """Stop listening; long polls and held (timeout-fault) answers end at once."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing.set()
        self._updates.close()
        await self._webhook.close()
        await runner.cleanup()

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- the user side ---------------------------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str = "Reader", username: str | None = None, language_code: str = "en"
    ) -> dict[str, Any]:
        """Register a user and their private chat with the bot (chat id = user id)."""
        return self._users.add_user(user_id, first_name, username, language_code)

    def add_group(
        self,
        chat_id: int,
        title: str = "Sandbox group",
        *,
        supergroup: bool = False,
        forum: bool = False,
        username: str | None = None,
    ) -> dict[str, Any]:
        """Create a group (or a supergroup, or a forum) the bot is a member of; returns the Chat object."""
        return self._groups.add_group(chat_id, title, supergroup=supergroup, forum=forum, username=username)

    def add_channel(
        self, chat_id: int, title: str = "Sandbox channel", *, username: str | None = None, bot_admin: bool = True
    ) -> dict[str, Any]:
        """Create a channel; the bot is one of its administrators unless ``bot_admin=False``."""
        return self._groups.add_channel(chat_id, title, username=username, bot_admin=bot_admin)

    def set_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Make a user a ``creator``, ``administrator``, ``member`` (…) of a group; getChatMember reports it."""
        self._groups.set_member(chat_id, user_id, status)

    def set_bot_status(self, chat_id: int, status: str) -> None:
        """Make the bot an ``administrator`` or a plain ``member`` of a group or channel."""
        self._groups.set_bot_status(chat_id, status)

    def create_topic(self, chat_id: int, user_id: int, name: str) -> int:
        """Open a topic in a forum supergroup; returns its ``message_thread_id``."""
        return self._groups.create_topic(chat_id, user_id, name)

    def send_group_message(
        self, chat_id: int, user_id: int, text: str, *, thread_id: int | None = None
    ) -> dict[str, Any]:
        """Inject a message from a member into a group (into a forum topic with ``thread_id``)."""
        return self._groups.send_message(chat_id, user_id, text, thread_id=thread_id)

    def remove_bot(self, chat_id: int, by_user: int | None = None, *, status: str = "kicked") -> None:
        """Remove the bot from a group or channel: a ``my_chat_member`` update, then 403 on every send."""
        self._groups.remove_bot(chat_id, by_user, status=status)

    def react(self, chat_id: int, message_id: int, counts: dict[str, int]) -> None:
        """Set the anonymous reaction totals of a channel post (a ``message_reaction_count`` update)."""
        self._groups.react(chat_id, message_id, counts)

    def choose_inline_result(self, user_id: int, result_id: str) -> None:
        """The user picks an inline result the bot offered (a ``chosen_inline_result`` update)."""
        self._users.choose_inline_result(user_id, result_id)

    def send_user_message(self, user_id: int, text: str, *, reply_to_message_id: int | None = None) -> dict[str, Any]:
        """Inject a message from the user (registering them if new); returns the Message.

        Entities are detected as Telegram does, so ``/start`` and ``/start@bot`` carry a
        ``bot_command`` entity at offset 0.
        """
        return self._users.send_message(user_id, text, reply_to_message_id)

    def send_user_document(
        self, user_id: int, filename: str, data: bytes, mime_type: str, caption: str | None = None
    ) -> dict[str, Any]:
        """Inject a document from the user; the bot can getFile and download it."""
        return self._users.send_document(user_id, filename, data, mime_type, caption)

    def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str | None = None,
        *,
        button_text: str | None = None,
        forge: bool = False,
        chat_id: int | None = None,
    ) -> str:
        """Press an inline button on a bot message; returns the callback query id.

        The button is found by ``callback_data`` or ``button_text`` and must exist on the
        message as it is now. ``forge=True`` sends ``callback_data`` even if no button
        carries it, as a malicious client could. ``chat_id`` presses a button in a group the user is
        in (by default, in the user's private chat with the bot).

        Raises:
            SandboxError: when the message or the button does not exist.
        """
        return self._users.press_button(user_id, message_id, callback_data, button_text, forge, chat_id)

    def edit_user_message(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The user edits a message they sent; the bot gets ``edited_message``."""
        return self._users.edit_message(user_id, message_id, text)

    def press_inline_button(self, user_id: int, inline_message_id: str, callback_data: str) -> str:
        """Press a button on an inline-mode message (no ``message`` in the query); returns the query id."""
        return self._users.press_inline_button(user_id, inline_message_id, callback_data)

    def send_inline_query(self, user_id: int, query: str) -> str:
        """Type ``@bot query`` as the user; returns the inline query id."""
        return self._users.send_inline_query(user_id, query)

    def block_user(self, user_id: int) -> None:
        """The user blocks the bot: sending to them answers 403."""
        self._users.set_blocked(user_id, True)

    def unblock_user(self, user_id: int) -> None:
        self._users.set_blocked(user_id, False)

    def deactivate_user(self, user_id: int) -> None:
        """The user deletes their account: sending to them answers 403 "user is deactivated"."""
        self._users.deactivate(user_id)

    def migrate_chat(self, old_id: int, new_id: int) -> dict[str, Any]:
        """Upgrade a group to a supergroup; sending to ``old_id`` then answers 400 with migrate_to_chat_id."""
        return self._users.migrate(old_id, new_id)

    # -- server behaviour ------------------------------------------------------------------

    def set_limits(self, limits: FloodLimits | None) -> None:
        """Replace the flood limits (``None`` = off); buckets start full."""
        self._flood.configure(limits)

    def inject_faults(
        self,
        kind: FaultKind,
        count: int,
        methods: set[str] | None = None,
        *,
        retry_after: int = 1,
        delay: float = 30.0,
        delivered: bool = False,
        status: int = 500,
    ) -> None:
        """Make the next ``count`` matching requests fail.

        Args:
            kind: ``"5xx"`` answers ``status`` (500 or 502, ...); ``"timeout"`` holds the
                answer ``delay`` seconds; ``"429"`` answers Too Many Requests with
                ``retry_after``; ``"network"`` closes the connection without an answer.
            methods: method names to hit; ``None`` = every method except getUpdates.
            delivered: carry the request out anyway (the message is recorded, with
                ``fault`` set) although the bot sees a failure. For ``"timeout"`` without
                it, the request is carried out after the delay only if the client still waits.
        """
        lowered = frozenset(name.lower() for name in methods) if methods is not None else None
        self._faults.add(Fault(kind, count, lowered, retry_after, delay, delivered, status))

    def clear_faults(self) -> None:
        self._faults.clear()

    def reset(self) -> None:
        """Forget users, chats, records, updates, faults and counters; keep token and limits.

        Update and query ids keep counting up so a bot still polling is not confused.
        """
        self._state.clear()
        self._log.clear()
        self._updates.clear()
        self._stats.clear()
        self._faults.clear()
        self._flood.configure(self._flood.limits)

    # -- reading back ----------------------------------------------------------------------

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[SentRecord]:
        """Every accepted bot action, oldest first, optionally for one chat and/or method."""
        return self._log.records(chat_id, method)

    def delivered(self, method: str = "sendMessage") -> dict[str, Any]:
        """Messages ``method`` created: how many, to how many chats, repeats (all of them, despite any
        ``record_limit``), first and last server time, and this process's CPU seconds and peak memory."""
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return self._log.delivered(method) | {"server_cpu_s": time.process_time(), "server_peak_rss_mb": peak_mb}

    def messages(self, chat_id: int, *, from_bot: bool | None = None) -> list[dict[str, Any]]:
        """The chat as it looks now: live messages (after edits, without deleted ones) by id."""
        chat = self._state.chats.get(chat_id)
        if chat is None:
            return []
        return [
            copy.deepcopy(stored.message)
            for _, stored in sorted(chat.messages.items())
            if not stored.deleted and (from_bot is None or stored.from_bot == from_bot)
        ]

    def file_data(self, file_id: str) -> bytes | None:
        """The bytes of a file either side sent (a photo the bot sent, an uploaded document)."""
        stored = self._state.files.get(file_id)
        return None if stored is None else stored.data

    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self._state.callback_answers)

    def inline_answers(self) -> list[InlineAnswer]:
        return list(self._state.inline_answers)

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, str]]:
        """The command list set for exactly this scope and language (no fallback, like getMyCommands)."""
        try:
            key = command_scope_key(self._state.chats, scope, language_code)
        except ApiError as error:
            raise SandboxError(error.description) from None
        return [dict(command) for command in self._state.commands.get(key, [])]

    @property
    def webhook(self) -> WebhookPoster:
        """The webhook the bot set (``url`` empty when none) and the POSTs made to it."""
        return self._webhook

    def stats(self) -> ServerStats:
        return self._stats.snapshot()

    def updates(self) -> list[dict[str, Any]]:
        """Every update queued for the bot, oldest first (confirmed ones included)."""
        return copy.deepcopy(self._updates.history())

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet."""
        return copy.deepcopy(self._updates.pending())

    def subscribe(self) -> asyncio.Queue[SentRecord]:
        """A queue receiving every record from now on; pass it to :meth:`unsubscribe` when done."""
        return self._log.subscribe()

    def unsubscribe(self, queue: asyncio.Queue[SentRecord]) -> None:
        self._log.unsubscribe(queue)

    async def wait_for(
        self,
        predicate: Predicate | None = None,
        *,
        chat_id: int | None = None,
        count: int = 1,
        method: str | None = None,
        timeout: float = 5.0,
    ) -> list[SentRecord]:
        """Wait (without polling) until the bot has done enough; return the matching records.

        Without ``predicate``: until ``count`` records exist (since start or reset) that
        created a message (sendMessage/sendPhoto/sendDocument), or, with ``method``,
        records of that method; in ``chat_id`` if given. With ``predicate``: until it
        returns true for the records filtered by ``chat_id`` and ``method``.

        Raises:
            TimeoutError: listing what the bot did do, to make the failure readable.
        """

        def select(records: list[SentRecord]) -> list[SentRecord]:
            chosen = matching(records, chat_id, method)
            if predicate is None and method is None:
                chosen = [record for record in chosen if record.method in NEW_MESSAGE_METHODS]
            return chosen

        def ready(records: list[SentRecord]) -> bool:
            chosen = select(records)
            return predicate(chosen) if predicate is not None else len(chosen) >= count

        def describe() -> str:
            wanted = "the predicate" if predicate is not None else f"{count} record(s)"
            where = f" in chat {chat_id}" if chat_id is not None else ""
            recent = [(r.method, r.chat_id, (r.text or "")[:60]) for r in self._log.records()[-10:]]
            return f"timed out after {timeout}s waiting for {wanted}{where}; last records: {recent}"

        await self._log.wait_until(ready, timeout, describe)
        return select(self._log.records())

    # -- HTTP ------------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=UPLOAD_LIMIT)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/control/{action}", self._control.handle)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        return app

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._token:
            self._stats.error(401)
            return _json_response(401, _UNAUTHORIZED)
        method = request.match_info["method"]
        entry = self._methods.get(method.lower())
        if entry is None:
            self._stats.request(method)
            self._stats.error(404)
            return _json_response(404, _NOT_FOUND)
        name, handler = entry
        self._stats.request(name)
        try:
            params = await read_params(request)
            self._resolve_username(params)
        except ApiError as error:
            return self._error_response(error)
        fault = self._faults.take(name)
        if fault is not None:
            self._stats.fault(fault.kind)
            return await self._faulty_response(request, fault, handler, params)
        return await self._answer(handler, params)

    def _resolve_username(self, params: Params) -> None:
        """``chat_id=@channel``: Telegram accepts a public group's or channel's username for its id."""
        chat = params.text("chat_id")
        if chat is not None and chat.startswith("@"):
            params.set("chat_id", self._state.by_username(chat).id)

    async def _answer(self, handler: Handler, params: Params) -> web.Response:
        try:
            result = await handler(params)
        except ApiError as error:
            return self._error_response(error)
        # Serialised right away: a held answer must show the message as it was when sent.
        return _json_response(200, {"ok": True, "result": result})

    def _error_response(self, error: ApiError) -> web.Response:
        self._stats.error(error.code)
        return _json_response(error.code, error.envelope())

    async def _faulty_response(
        self, request: web.Request, fault: Fault, handler: Handler, params: Params
    ) -> web.StreamResponse:
        params.fault = fault.kind
        if fault.kind == "timeout":
            if fault.delivered:
                response = await self._answer(handler, params)
                await self._pause(fault.delay)
                return response
            await self._pause(fault.delay)
            if request.transport is None or request.transport.is_closing() or self._closing.is_set():
                return web.Response(status=504)  # nobody is listening any more
            return await self._answer(handler, params)
        if fault.delivered:
            await self._answer(handler, params)
        if fault.kind == "network":
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)  # never reaches the client
        if fault.kind == "429":
            error = ApiError(
                429, f"Too Many Requests: retry after {fault.retry_after}", {"retry_after": fault.retry_after}
            )
        else:
            error = ApiError(fault.status, _STATUS_TEXT.get(fault.status, "Internal Server Error"))
        return self._error_response(error)

    async def _pause(self, delay: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), delay)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._token:
            return _json_response(401, _UNAUTHORIZED)
        stored = self._state.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _json_response(404, _NOT_FOUND)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, headers={"Content-Type": content_type})

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        return _json_response(404, _NOT_FOUND)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""Compact, as Telegram answers; one encoder for every answer (``json.dumps`` with options makes one a call)."""


def _json_response(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(status=status, body=_ENCODER.encode(body).encode("utf-8"), content_type="application/json")


async def serve(
    host: str = "127.0.0.1",
    port: int = 8081,
    token: str = DEFAULT_TOKEN,
    *,
    bot_username: str = DEFAULT_BOT_USERNAME,
    limits: FloodLimits | None = DEFAULT_LIMITS,
    record_limit: int | None = None,
    ready: Callable[[BotApiServer], None] | None = None,
) -> None:
    """Run a server until cancelled; ``ready`` is called once it listens."""
    server = BotApiServer(token, bot_username=bot_username, limits=limits, record_limit=record_limit)
    await server.start(host, port)
    try:
        if ready is not None:
            ready(server)
        await asyncio.get_running_loop().create_future()
    finally:
        await server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.sandbox.server``: print the URL on stdout once listening, serve until killed."""
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox.server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port (printed on start)")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default=DEFAULT_BOT_USERNAME)
    parser.add_argument("--no-limits", action="store_true", help="switch flood control off")
    parser.add_argument(
        "--record-limit", type=int, help="keep only the newest N records and bot messages (counts are kept)"
    )
    args = parser.parse_args(argv)

    def announce(server: BotApiServer) -> None:
        print(server.url, flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                args.host,
                args.port,
                args.token,
                bot_username=args.bot_username,
                limits=None if args.no_limits else DEFAULT_LIMITS,
                record_limit=args.record_limit,
                ready=announce,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
