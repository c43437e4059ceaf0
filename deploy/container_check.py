"""Run the built image against the local Bot API server on this machine and check what the Dockerfile promises.

    docker build -t briefing-bot .          # first (see the README for a base image other than python:3.12-slim)
    python deploy/container_check.py [--image briefing-bot]

Needs a Docker daemon and the project installed here (the local Bot API server runs on the host). The
container shares the host's network (`--network host`: nothing but loopback is used) and gets a fresh named
volume on /data. It checks, printing one ok/FAIL line each:

- `briefing run` starts in webhook mode, calls setWebhook, answers an update (the reader gets a reply);
- the HEALTHCHECK turns "healthy"; `briefing check` inside the container exits 0;
- the process runs as uid 10001, not root, and the database is on the /data volume;
- `docker stop` (SIGTERM) stops it with exit status 0 within 5 s;
- a second container on the same volume finds the reader still subscribed (long polling this time);

then removes its containers and volume and exits 0, or 1 naming each check that failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

from localcheck import USER_ID, Checks, bot_api_server, control, free_port, replied, wait_until

TOKEN = "424242:" + "container-check-token-" + "x" * 14
SECRET = "container_check-Secret-1"
NAME = f"briefing-container-check-{os.getpid()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--image", default="briefing-bot")
    args = parser.parse_args()
    if docker("version", "--format", "{{.Server.Version}}").returncode != 0:
        print("container_check: no Docker daemon answers (docker version failed)", file=sys.stderr)
        return 2
    checks = Checks()
    expect = checks.expect
    volume = f"{NAME}-data"
    docker("volume", "create", volume, check=True)
    try:
        with bot_api_server(TOKEN) as server:
            port = free_port()
            hook = f"http://127.0.0.1:{port}/telegram/updates"
            run = docker("run", "-d", "--name", NAME, "--network", "host", "-v", f"{volume}:/data",
                         "-e", f"TELEGRAM_BOT_TOKEN={TOKEN}", "-e", f"TELEGRAM_API_URL={server}",
                         "-e", "HTTP_HOST=127.0.0.1", "-e", f"HTTP_PORT={port}", "-e", f"WEBHOOK_URL={hook}",
                         "-e", f"WEBHOOK_SECRET={SECRET}", args.image)  # fmt: skip
            if run.returncode != 0:
                print(f"container_check: docker run failed: {run.stderr.strip()}", file=sys.stderr)
                return 1
            wait_until(lambda: bool(control(server, "webhook")["url"]) or not running(NAME), "setWebhook", 90)
            expect("setWebhook with the URL and the secret",
                   (control(server, "webhook")["url"], control(server, "webhook")["secret_token"]) == (hook, SECRET),
                   logs(NAME))  # fmt: skip
            control(server, "send_user_message", user_id=USER_ID, text="/start")
            expect("an update posted to the container is answered", replied(server, 1, 30))

            user = docker("exec", NAME, "id", "-u").stdout.strip()
            expect("the bot runs as uid 10001 (not root)", user == "10001", user)
            pid1 = docker("exec", NAME, "cat", "/proc/1/cmdline").stdout.replace("\0", " ").strip()
            expect("PID 1 is `briefing run` (docker stop's SIGTERM reaches it)", pid1.endswith("briefing run"), pid1)
            ls = docker("exec", NAME, "ls", "-ln", "/data/briefing.db").stdout
            expect("the database is /data/briefing.db, owned by 10001", " 10001 10001 " in ls, ls)
            mounts = json.loads(docker("inspect", "--format", "{{json .Mounts}}", NAME).stdout)
            expect("/data is the named volume", [(m["Name"], m["Destination"]) for m in mounts] == [(volume, "/data")])

            check = docker("exec", NAME, "briefing", "check")
            expect("`briefing check` in the container exits 0", check.returncode == 0, check.stderr.strip())
            health = ""
            deadline = time.monotonic() + 90  # start period 30 s, then one probe every 30 s
            while time.monotonic() < deadline and health != "healthy":
                health = docker("inspect", "--format", "{{.State.Health.Status}}", NAME).stdout.strip()
                time.sleep(1)
            expect("the HEALTHCHECK turns healthy", health == "healthy", health)

            started = time.monotonic()
            docker("stop", "--time", "15", NAME)
            elapsed = time.monotonic() - started
            code = docker("inspect", "--format", "{{.State.ExitCode}}", NAME).stdout.strip()
            expect("docker stop (SIGTERM): exit status 0", code == "0", code)
            expect(f"... within 5 s (took {elapsed:.1f} s)", elapsed < 5)
            expect("the bot logged its stop", '"bot stopped"' in logs(NAME))
            docker("rm", NAME)

            # Long polling on the same volume: the reader subscribed above is still there.
            docker("run", "-d", "--name", NAME, "--network", "host", "-v", f"{volume}:/data",
                   "-e", f"TELEGRAM_BOT_TOKEN={TOKEN}", "-e", f"TELEGRAM_API_URL={server}",
                   "-e", "HTTP_HOST=127.0.0.1", "-e", f"HTTP_PORT={port}", args.image, check=True)  # fmt: skip
            wait_until(lambda: healthz(port) or not running(NAME), "the second container's /healthz", 90)
            expect("polling mode: the webhook is deleted", control(server, "webhook")["url"] == "")
            control(server, "send_user_message", user_id=USER_ID, text="/start")
            expect("... and the reply comes by polling", replied(server, 2, 30))
            sent = control(server, "sent", chat_id=USER_ID)
            text = sent[-1]["text"] if sent else ""
            expect("the reader is still subscribed after a new container", text.startswith("Welcome back"), text[:120])
            docker("stop", NAME)
    finally:
        docker("rm", "-f", NAME)
        docker("volume", "rm", volume)
    return 1 if checks.failed else 0


def docker(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120, check=check)


def running(name: str) -> bool:
    return docker("inspect", "--format", "{{.State.Running}}", name).stdout.strip() == "true"


def logs(name: str) -> str:
    result = docker("logs", name)
    return result.stdout + result.stderr


def healthz(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
