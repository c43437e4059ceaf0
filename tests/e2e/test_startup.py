"""`briefing run` that cannot start: one line naming the cause and the URL, a bounded retry, exit 1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.processes import TOKEN, bot_env, server_process

OTHER_TOKEN = "424242:" + "a-token-this-server-does-not-know-" + "y" * 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(env: dict[str, str], cwd: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", *extra], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    return result, time.monotonic() - started


def assert_clean(output: str) -> None:
    assert "Traceback" not in output and "Unclosed" not in output, output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output and OTHER_TOKEN.split(":")[1] not in output


def test_a_closed_port_is_retried_for_a_bounded_time_then_one_line(tmp_path: Path) -> None:
    with server_process() as server:  # only for a clean environment; the bot is pointed elsewhere
        url = f"http://127.0.0.1:{free_port()}"
        env = bot_env(server, tmp_path / "bot.db", TELEGRAM_API_URL=url, LOG_LEVEL="INFO")
    result, took = run(env, tmp_path, "--startup-wait", "3")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"briefing: cannot reach {url} (connection refused)" in result.stderr.strip().splitlines()[-1]
    retries = [line for line in output.splitlines() if "retrying in" in line]
    assert len(retries) >= 2, output  # one line per try
    assert took < 20
    assert_clean(output)


def test_an_unknown_host_names_it(tmp_path: Path) -> None:
    with server_process() as server:
        env = bot_env(server, tmp_path / "bot.db", TELEGRAM_API_URL="http://no-such-host.invalid:8081")
    result, _ = run(env, tmp_path, "--startup-wait", "1")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "cannot reach http://no-such-host.invalid:8081 (unknown host)" in result.stderr.strip().splitlines()[-1]
    assert_clean(output)


def test_a_rejected_token_stops_at_once(tmp_path: Path) -> None:
    with server_process() as server:
        env = bot_env(server, tmp_path / "bot.db", TELEGRAM_BOT_TOKEN=OTHER_TOKEN)
        result, took = run(env, tmp_path, "--startup-wait", "30")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    last = result.stderr.strip().splitlines()[-1]
    assert "the Bot API server rejected the token (401 Unauthorized): check TELEGRAM_BOT_TOKEN" in last, output
    assert took < 15  # no retrying a token that will never work
    assert_clean(output)
