"""Helpers for tests that run the server and the bot as real processes (signals, crashes, log capture)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.config import EXPECTED

TOKEN = "424242:" + "S3cr3t-token-for-tests-only-" + "x" * 8
ENV_NAMES = tuple(EXPECTED)
"""Every setting the bot reads: cleared from the environment the processes under test inherit."""


class ServerProcess:
    """The local Bot API server in its own process, driven through its HTTP control API."""

    def __init__(self, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.sandbox.server", "--port", "0", "--token", TOKEN, *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.stop()
            raise RuntimeError("the local Bot API server did not start")

    def control(self, action: str, **args: Any) -> Any:
        request = urllib.request.Request(
            f"{self.url}/control/{action}",
            data=json.dumps(args).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["result"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@contextmanager
def server_process(*extra: str) -> Iterator[ServerProcess]:
    server = ServerProcess(*extra)
    try:
        yield server
    finally:
        server.stop()


def bot_env(server: ServerProcess, db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=server.url, BRIEFING_DB=str(db), LOG_LEVEL="DEBUG")
    env.update(extra)
    return env


def start_bot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """Start ``briefing ARGS``; its output goes to cwd/bot.out (a pipe nobody reads would fill and block it)."""
    with (cwd / "bot.out").open("a") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, text=True
        )


def bot_output(cwd: Path) -> str:
    return (cwd / "bot.out").read_text()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, interval: float = 0.05) -> None:
    """Poll a condition on another process (there is no event to wait on across processes)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(interval)
