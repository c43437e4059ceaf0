"""What proxy_check.py and container_check.py share: the local Bot API server, its control API, the checks'
ok/FAIL lines. Loopback only; standard library only (the scripts run from a checkout: `python deploy/...`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

USER_ID = 7
"""The reader the local Bot API server knows, who talks to the bot."""


class Checks:
    """The checks made, each printed as one ok/FAIL line as it is made."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def expect(self, what: str, ok: bool, detail: str = "") -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {what}" + ("" if ok or not detail else f": {detail}"), flush=True)
        if not ok:
            self.failed.append(what)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def control(server_url: str, action: str, **args: Any) -> Any:
    """One call of the local Bot API server's control API (bot/sandbox/control.py)."""
    request = urllib.request.Request(f"{server_url}/control/{action}", data=json.dumps(args).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["result"]


def replied(server_url: str, count: int, timeout: float = 20.0) -> bool:
    """True once the bot has sent the reader `count` messages."""
    try:
        control(server_url, "wait_for", chat_id=USER_ID, count=count, timeout=timeout)
    except OSError:  # 408: not within the time
        return False
    return True


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not happen within {timeout:g}s")
        time.sleep(0.1)


@contextmanager
def bot_api_server(token: str, *, env: dict[str, str] | None = None) -> Iterator[str]:
    """The local Bot API server in its own process, knowing the reader USER_ID; yields its URL."""
    command = [sys.executable, "-m", "bot.sandbox.server", "--port", "0", "--token", token]
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    try:
        if not url.startswith("http"):
            raise SystemExit("the local Bot API server did not start")
        control(url, "add_user", user_id=USER_ID, first_name="Operator")
        yield url
    finally:
        stop(process)
        process.stdout.close()


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
