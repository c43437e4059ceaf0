"""`briefing run` in webhook mode as a real process against the local Bot API server in another process,
and `briefing check` naming the bot (or refusing a rejected token in one line)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.processes import TOKEN, bot_env, bot_output, server_process, start_bot, wait_until

SECRET = "Process_secret-123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(url: str, body: object | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_run_in_webhook_mode(tmp_path: Path) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/tg/updates"
    with server_process() as server:
        server.control("add_user", user_id=7, first_name="Proc")
        env = bot_env(
            server, tmp_path / "bot.db", WEBHOOK_URL=hook, WEBHOOK_SECRET=SECRET, HTTP_PORT=str(port), LOG_FORMAT="json"
        )
        bot = start_bot(["run"], env, cwd=tmp_path)
        try:
            wait_until(lambda: bool(server.control("webhook")["url"]) or bot.poll() is not None)
            webhook = server.control("webhook")
            assert (webhook["url"], webhook["secret_token"]) == (hook, SECRET)

            server.control("send_user_message", user_id=7, text="/start")
            server.control("wait_for", chat_id=7, count=1, timeout=20)
            assert [p["status"] for p in server.control("webhook")["posts"]] == [200]

            forged = {"update_id": 999, "message": {"message_id": 1, "date": 0, "chat": {"id": 8, "type": "private"},
                                                    "text": "/start"}}  # fmt: skip
            assert http(hook, forged, {"X-Telegram-Bot-Api-Secret-Token": "wrong"})[0] == 403
            assert http(hook, forged)[0] == 403
            assert http(f"http://127.0.0.1:{port}/healthz")[0] == 200
            status, metrics = http(f"http://127.0.0.1:{port}/metrics")
            assert status == 200
            assert 'briefing_updates_total{kind="message"} 1.0' in metrics
            assert "briefing_build_info{" in metrics
            health = briefing(["health"], env, tmp_path)
            assert (health.returncode, health.stderr) == (0, "")
        finally:
            started = time.monotonic()
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=15)
            elapsed = time.monotonic() - started
        assert server.control("sent", chat_id=8) == []
    down = briefing(["health"], env, tmp_path)
    assert down.returncode == 1
    assert down.stderr.startswith(f"briefing: http://127.0.0.1:{port}/healthz: ") and down.stderr.count("\n") == 1
    captured = bot_output(tmp_path)
    assert bot.returncode == 0, captured
    assert elapsed < 5, f"took {elapsed:.1f}s to stop"
    lines = [json.loads(line) for line in captured.splitlines() if line.strip()]
    assert any(line["message"].startswith("webhook set") for line in lines)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert SECRET not in captured
    assert TOKEN.split(":")[1] not in captured


def test_run_refuses_a_webhook_url_the_bot_api_will_not_take_in_one_line(tmp_path: Path) -> None:
    hook = "https://bot.example.org/tg/updates"  # the stand-in, like Telegram, cannot resolve this host
    with server_process() as server:
        env = bot_env(server, tmp_path / "bot.db", WEBHOOK_URL=hook, WEBHOOK_SECRET=SECRET, HTTP_PORT=str(free_port()))
        result = briefing(["run"], env, tmp_path)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"briefing: the Bot API refused WEBHOOK_URL {hook} (")
    assert "Traceback" not in result.stderr and "cannot reach" not in result.stderr
    assert SECRET not in result.stderr


def briefing(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_check_names_the_bot_and_refuses_a_rejected_token(tmp_path: Path) -> None:
    with server_process() as server:
        env = bot_env(server, tmp_path / "bot.db", WEBHOOK_URL="https://bot.example.org/hook", WEBHOOK_SECRET=SECRET)
        ok = briefing(["check"], env, tmp_path)
        assert ok.returncode == 0, ok.stderr
        assert "@briefing_sandbox_bot" in ok.stdout
        assert "WEBHOOK_SECRET=********" in ok.stdout
        assert "webhook: (none yet" in ok.stdout and "0 updates pending" in ok.stdout
        assert "schema version" in ok.stdout
        assert SECRET not in ok.stdout + ok.stderr
        assert TOKEN.split(":")[1] not in ok.stdout + ok.stderr

        env["TELEGRAM_BOT_TOKEN"] = "123456:" + "B" * 35
        rejected = briefing(["check"], env, tmp_path)
    assert rejected.returncode == 1
    assert rejected.stderr.strip().splitlines() == [
        f"briefing check: TELEGRAM_BOT_TOKEN was rejected by the Bot API at {server.url}"
    ]


def test_check_fails_while_the_bot_api_cannot_deliver_to_the_webhook(tmp_path: Path) -> None:
    hook = f"http://127.0.0.1:{free_port()}/tg/updates"  # nothing listens: like a proxy that drops the path
    with server_process() as server:
        assert http(f"{server.url}/bot{TOKEN}/setWebhook", {"url": hook, "secret_token": SECRET})[0] == 200
        server.control("add_user", user_id=7, first_name="Waiting")
        server.control("send_user_message", user_id=7, text="/start")
        wait_until(lambda: bool(server.control("webhook")["posts"]))
        env = bot_env(server, tmp_path / "bot.db", WEBHOOK_URL=hook, WEBHOOK_SECRET=SECRET)
        result = briefing(["check"], env, tmp_path)
    assert result.returncode == 1, result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"briefing check: the Bot API cannot deliver updates to {hook} (")
    assert "1 waiting" in line and "Traceback" not in result.stderr


def test_check_names_an_unreachable_server_in_one_line(tmp_path: Path) -> None:
    with server_process() as server:
        env = bot_env(server, tmp_path / "bot.db")
    port = free_port()  # nothing listens there
    env["TELEGRAM_API_URL"] = f"http://127.0.0.1:{port}"
    result = briefing(["check"], env, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"briefing check: cannot reach http://127.0.0.1:{port} (connection refused)"
    ]


def test_version_and_env_file(tmp_path: Path) -> None:
    version = briefing(["--version"], {}, tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("briefing ")
    (tmp_path / "prod.env").write_text("LOG_FORMAT=yaml\n")
    bad = briefing(["run", "--env-file", str(tmp_path / "prod.env")], {}, tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "briefing: LOG_FORMAT is invalid (got 'yaml'): expected text or json"
    missing = briefing(["run", "--env-file", str(tmp_path / "nope.env")], {}, tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"briefing: --env-file {tmp_path / 'nope.env'}: no such file"
