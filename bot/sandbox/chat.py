"""The terminal chat behind ``briefing sandbox``: talk to the bot as a user, in a terminal or a pipe."""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, TextIO

from bot.sandbox.errors import SandboxError
from bot.sandbox.keyboards import inline_buttons
from bot.sandbox.records import SentRecord
from bot.sandbox.server import BotApiServer
from bot.sandbox.terminal import render_record

PROMPT = "you> "
PASTE = '"""'
"""A line with only this starts a message of several lines; the next such line sends it."""
_BUTTON = re.compile(r"#?(\d{1,3})")
_FILE = re.compile(r"/file\s+(.+)")
_CLEAR_LINE = "\r\x1b[K"


async def run_chat(
    server: BotApiServer,
    *,
    user_id: int = 1001,
    first_name: str = "Reader",
    input: TextIO | None = None,
    output: TextIO | None = None,
    color: bool | None = None,
    reply_timeout: float = 5.0,
    settle: float = 0.3,
    media_dir: Path | None = None,
) -> None:
    """Chat with the bot behind ``server`` as user ``user_id`` until ``/quit`` or end of input.

    Each line is sent as the user's message; a bare number ``N`` (or ``#N``) presses button
    N of the latest bot message that has buttons; ``\\N`` sends the number as text. A line with
    only ``\"\"\"`` starts a message of several lines (a pasted issue, ``/publish`` and its text) and
    the next such line sends it; ``/file PATH`` sends a file as a document. Bot messages, edits,
    deletions and callback answers are printed as they happen; photos and documents the bot sends
    are saved under ``media_dir`` (by default a new temporary directory, kept afterwards) and their
    path shown.

    Args:
        input / output: text streams, ``sys.stdin`` / ``sys.stdout`` when ``None``.
        color: ANSI styles; by default only when ``output`` is a terminal.
        reply_timeout / settle: when input is not a terminal (a pipe, a script), each line
            waits up to ``reply_timeout`` seconds for the bot's first reply and then until
            it has been quiet for ``settle`` seconds, so button numbers in a script refer
            to the buttons the bot has just sent.
    """
    source = sys.stdin if input is None else input
    sink = sys.stdout if output is None else output
    session = _ChatSession(
        server,
        user_id=user_id,
        sink=sink,
        color=_is_terminal(sink) if color is None else color,
        paced=not _is_terminal(source),
        reply_timeout=reply_timeout,
        settle=settle,
        media_dir=media_dir,
    )
    await session.run(first_name, source)


class _ChatSession:
    """One user's conversation: reads lines, acts on them, prints what the bot does."""

    def __init__(
        self,
        server: BotApiServer,
        *,
        user_id: int,
        sink: TextIO,
        color: bool,
        paced: bool,
        reply_timeout: float,
        settle: float,
        media_dir: Path | None,
    ) -> None:
        self._server = server
        self._media_dir = media_dir
        self._user_id = user_id
        self._sink = sink
        self._color = color
        self._paced = paced
        self._reply_timeout = reply_timeout
        self._settle = settle
        self._shown = 0  # bot actions printed so far
        self._shown_changed = asyncio.Event()
        self._at_prompt = False

    async def run(self, first_name: str, source: TextIO) -> None:
        self._server.add_user(self._user_id, first_name)
        queue = self._server.subscribe()
        printer = asyncio.create_task(self._print_records(queue))
        reader = _LineReader(source, asyncio.get_running_loop())
        try:
            self._write_lines(self._banner(first_name))
            while True:
                self._prompt()
                line = await reader.next_line()
                self._at_prompt = False
                if line is None:
                    self._write("\n")
                    break
                line = line.rstrip("\r\n")
                if self._paced:
                    self._write(line + "\n")
                if line.strip() == "/quit":
                    break
                if line.strip() == PASTE:
                    pasted = await self._read_paste(reader)
                    if pasted is None:
                        break
                    line = pasted
                if not line.strip():
                    continue
                shown = self._shown
                if self._act(line) and self._paced:
                    await self._wait_until_quiet(shown)
        finally:
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer
            self._server.unsubscribe(queue)

    async def _read_paste(self, reader: _LineReader) -> str | None:
        """The lines up to the closing ``\"\"\"``, as one message; None if the input ended first."""
        lines: list[str] = []
        while True:
            self._write("...> ")
            line = await reader.next_line()
            if line is None:
                self._write("\n")
                return None
            line = line.rstrip("\r\n")
            if self._paced:
                self._write(line + "\n")
            if line.strip() == PASTE:
                return "\n".join(lines)
            lines.append(line)

    def _banner(self, first_name: str) -> list[str]:
        username = self._server.bot_user.get("username", "bot")
        return [
            f"Sandbox chat with @{username}: you are {first_name} (user {self._user_id}).",
            "Type a message and press Enter (/start to begin). A number N or #N presses button N",
            "of the latest message with buttons; \\N sends N as text; @bot WORDS tries inline mode.",
            f'A line with only {PASTE} starts a message of several lines (paste an issue after /publish);',
            f"the next {PASTE} line sends it. /file PATH sends a file. /quit or Ctrl-D leaves.",
        ]

    def _act(self, line: str) -> bool:
        """Send the line or press a button; ``False`` if nothing reached the bot."""
        match = _BUTTON.fullmatch(line.strip())
        if match:
            return self._press(int(match.group(1)))
        if (upload := _FILE.fullmatch(line.strip())) is not None:
            return self._send_file(Path(upload.group(1)).expanduser())
        if line.startswith("@"):
            # "@bot trenin": what typing the bot's name in any chat does: an inline query.
            self._server.send_inline_query(self._user_id, line.partition(" ")[2].strip())
            return True
        text = line[1:] if line.startswith("\\") else line
        try:
            self._server.send_user_message(self._user_id, text)
        except SandboxError as error:
            self._write_lines([f"  ({error})"])
            return False
        return True

    def _send_file(self, path: Path) -> bool:
        try:
            data = path.read_bytes()
        except OSError as error:
            self._write_lines([f"  (no such file: {path}: {error.strerror or error})"])
            return False
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self._server.send_user_document(self._user_id, path.name, data, mime)
        self._write_lines([f"  (sent {path.name} as a document, {len(data)} bytes)"])
        return True

    def _press(self, number: int) -> bool:
        with_buttons = [
            message
            for message in self._server.messages(self._user_id, from_bot=True)
            if inline_buttons(message.get("reply_markup"))
        ]
        if not with_buttons:
            self._write_lines(["  (no message with buttons yet)"])
            return False
        message = with_buttons[-1]
        buttons = inline_buttons(message["reply_markup"])
        if not 1 <= number <= len(buttons):
            self._write_lines([f"  (no button {number}: the latest message has {len(buttons)})"])
            return False
        button = buttons[number - 1]
        if "callback_data" not in button:
            target = button.get("url") or next((v for k, v in button.items() if k != "text"), "")
            self._write_lines([f"  (button [{number}] {button['text']} opens {target})"])
            return False
        try:
            self._server.press_button(self._user_id, message["message_id"], button["callback_data"])
        except SandboxError as error:
            self._write_lines([f"  ({error})"])
            return False
        self._write_lines([f"  (pressed [{number}] {button['text']} on the message “{_first_line(message)}”)"])
        return True

    async def _print_records(self, queue: asyncio.Queue[SentRecord]) -> None:
        while True:
            record = await queue.get()
            if record.chat_id != self._user_id:
                continue
            lines = render_record(record, color=self._color)
            if not lines:
                continue
            saved = self._save_media(record)
            if saved is not None:
                lines.append(f"     (saved to {saved})")
            if self._at_prompt:
                self._write(_CLEAR_LINE if self._color else "\n")
            self._write_lines(lines)
            if self._at_prompt:
                self._write(PROMPT)
            self._shown += 1
            self._shown_changed.set()
            self._shown_changed = asyncio.Event()

    def _save_media(self, record: SentRecord) -> Path | None:
        """Write a photo or document the bot sent to the media directory, so it can be opened."""
        if record.media is None or record.edited:
            return None
        data = self._server.file_data(record.media.file_id)
        if data is None:
            return None
        if record.media.kind == "photo":  # Telegram keeps no name for a photo
            name = "photo.png" if data.startswith(b"\x89PNG") else "photo.jpg"
        else:
            name = Path(record.media.file_name or "document.bin").name
        if self._media_dir is None:
            # Made on the first file and kept after the chat ends, so a saved chart can still be opened.
            self._media_dir = Path(tempfile.mkdtemp(prefix="briefing-sandbox-media-"))
        path = self._media_dir / f"{record.message_id or len(data)}-{name}"
        path.write_bytes(data)
        return path

    async def _wait_until_quiet(self, shown_before: int) -> None:
        """Wait for the bot's first reply, then until it stops talking for a moment."""
        if not await self._wait_for_more(shown_before, self._reply_timeout):
            return
        while await self._wait_for_more(self._shown, self._settle):
            pass

    async def _wait_for_more(self, seen: int, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._shown <= seen:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            changed = self._shown_changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return False
        return True

    def _prompt(self) -> None:
        self._write(PROMPT)
        self._at_prompt = True

    def _write_lines(self, lines: list[str]) -> None:
        self._write("".join(f"{line}\n" for line in lines))

    def _write(self, text: str) -> None:
        self._sink.write(text)
        self._sink.flush()


class _LineReader:
    """Reads the input stream on a daemon thread, so a blocking stdin never blocks the loop.

    A daemon thread (not the loop's executor) because a pending ``readline`` on a terminal
    cannot be interrupted, and the executor would hold up interpreter exit until Enter.
    """

    def __init__(self, source: TextIO, loop: asyncio.AbstractEventLoop) -> None:
        self._source = source
        self._loop = loop
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=self._read, name="sandbox-chat-input", daemon=True).start()

    async def next_line(self) -> str | None:
        """The next line, or ``None`` at end of input."""
        return await self._lines.get()

    def _read(self) -> None:
        try:
            for line in iter(self._source.readline, ""):
                self._hand_over(self._as_sent(line))
        except (OSError, ValueError):
            pass  # the stream was closed under us: treat it as end of input
        finally:
            self._hand_over(None)

    def _as_sent(self, line: str) -> str:
        """The line as a Telegram client would send it: bytes that are not valid text become U+FFFD.

        A terminal's stdin decodes with ``surrogateescape``; a lone surrogate in a message would make every
        later getUpdates answer unencodable, which Telegram (valid UTF-8 only) never has to face.
        """
        encoding = getattr(self._source, "encoding", None) or "utf-8"
        return line.encode(encoding, "surrogateescape").decode(encoding, "replace")

    def _hand_over(self, line: str | None) -> None:
        # The loop may be gone if the chat ended first; then nobody wants the line.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)


def _first_line(message: dict[str, Any], limit: int = 50) -> str:
    text = (message.get("text") or message.get("caption") or "").strip().split("\n", 1)[0]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:
        return False
