"""Run deploy/nginx.conf (or deploy/Caddyfile) in front of `briefing run` in webhook mode, all on loopback.

    python deploy/proxy_check.py [--proxy nginx|caddy] [--port 8443] [--config FILE]

Needs nginx (or caddy), openssl and curl on PATH, and the project installed (it runs `python -m bot`).
Nothing leaves this machine: a self-signed certificate for 127.0.0.1, the project's local Bot API server
(which POSTs updates to the webhook over https, trusting that certificate), the proxy on 127.0.0.1:PORT
serving the example configuration with only the name, port, certificate and upstream port replaced, and
the bot on a free loopback port. It checks, with curl over https through the proxy:

- an update posted by the Bot API server through the proxy is answered (200) and the bot replies;
- an update with the right X-Telegram-Bot-Api-Secret-Token is answered 200 and handled;
- a wrong or missing secret gets 403 and nothing is handled;
- /metrics and /healthz are not reachable through the proxy (404), a body over 1 MiB is refused;

then stops everything (the bot with SIGTERM) and exits 0, or 1 naming each check that failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from localcheck import USER_ID, Checks, bot_api_server, control, free_port, replied, stop, wait_until

DEPLOY = Path(__file__).resolve().parent
TOKEN = "424242:" + "proxy-check-token-" + "x" * 18
SECRET = "proxy_check-Secret-1"
EXAMPLE_PORT = "127.0.0.1:8080"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--proxy", choices=("nginx", "caddy"), default="nginx")
    parser.add_argument("--port", type=int, default=8443, help="where the proxy listens on 127.0.0.1")
    parser.add_argument("--config", type=Path, help="the proxy's configuration (default: the one in deploy/)")
    args = parser.parse_args()
    config = args.config or DEPLOY / ("nginx.conf" if args.proxy == "nginx" else "Caddyfile")
    missing = [tool for tool in (args.proxy, "openssl", "curl") if shutil.which(tool) is None]
    if missing:
        print(f"proxy_check: not installed: {', '.join(missing)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="proxy-check-") as name, ExitStack() as stack:
        work = Path(name)
        cert, key = certificate(work)
        # SSL_CERT_FILE: the server's webhook client (aiohttp, the default SSL context) trusts our certificate.
        server_url = stack.enter_context(bot_api_server(TOKEN, env={"SSL_CERT_FILE": str(cert)}))
        bot_port = free_port()
        stack.enter_context(proxy(args.proxy, config.read_text(), work, args.port, bot_port, cert, key))
        hook = f"https://127.0.0.1:{args.port}/telegram/updates"
        bot = stack.enter_context(briefing_run(work, server_url, hook, bot_port))
        checks = ProxyChecks(work, server_url, hook, cert, bot_port)
        checks.run()
        code = bot.stop()
        checks.expect("the bot exits 0 on SIGTERM", code == 0, f"exit status {code}; see {work}/bot.log")
        if checks.failed:
            print((work / "bot.log").read_text()[-3000:], file=sys.stderr)
        return 1 if checks.failed else 0


class ProxyChecks(Checks):
    """The checks through the proxy."""

    def __init__(self, work: Path, server_url: str, hook: str, cert: Path, bot_port: int) -> None:
        super().__init__()
        self.work, self.server_url, self.hook, self.cert, self.bot_port = work, server_url, hook, cert, bot_port

    def control(self, action: str, **args: Any) -> Any:
        return control(self.server_url, action, **args)

    def replies(self) -> int:
        return len(self.control("sent", chat_id=USER_ID))

    def wait_for_replies(self, count: int) -> bool:
        return replied(self.server_url, count)

    def run(self) -> None:
        webhook = self.control("webhook")
        self.expect("setWebhook with the proxy's URL and the secret", (webhook["url"], webhook["secret_token"])
                    == (self.hook, SECRET), f"{webhook['url']!r}")  # fmt: skip

        self.control("send_user_message", user_id=USER_ID, text="/start")
        wait_until(lambda: bool(self.control("webhook")["posts"]), "the Bot API server's first POST")
        posts = [post["status"] for post in self.control("webhook")["posts"]]
        replied = posts[0] == 200 and self.wait_for_replies(1)
        self.expect("the Bot API server's POST through the proxy answered 200", posts == [200], f"{posts}")
        self.expect("the bot replied to it", replied)

        before = self.replies()
        status = self.curl_update(SECRET, "/help")
        self.expect("curl with the right secret: 200", status == 200, f"got {status}")
        self.expect("the update was handled (the bot replied)", status == 200 and self.wait_for_replies(before + 1))

        before = self.replies()
        for label, secret in (("a wrong secret", "wrong"), ("no secret", None)):
            status = self.curl_update(secret, "/start")
            self.expect(f"curl with {label}: 403", status == 403, f"got {status}")
        time.sleep(1.0)  # what a refused update would have caused has had time to happen
        self.expect("refused updates were not handled", self.replies() == before)
        handled = metric(self.bot_port, 'briefing_updates_total{kind="message"}')
        self.expect("the bot counted 2 updates (metrics on its private port)", handled == 2.0, f"{handled}")

        for path in ("/metrics", "/healthz", "/readyz"):
            status = self.curl(["-X", "GET"], self.hook.replace("/telegram/updates", path))
            self.expect(f"{path} is not served through the proxy: 404", status == 404, f"got {status}")
        big = self.work / "big.json"
        big.write_text(json.dumps(update("x" * (1024 * 1024 + 1))))
        status = self.curl(["-H", f"X-Telegram-Bot-Api-Secret-Token: {SECRET}", "--data-binary", f"@{big}"])
        self.expect("a body over 1 MiB is refused: 413", status == 413, f"got {status}")

    def curl_update(self, secret: str | None, text: str) -> int:
        headers = [] if secret is None else ["-H", f"X-Telegram-Bot-Api-Secret-Token: {secret}"]
        return self.curl([*headers, "--data-binary", json.dumps(update(text))])

    def curl(self, extra: list[str], url: str | None = None) -> int:
        """curl over https through the proxy, verifying its certificate; the HTTP status."""
        command = ["curl", "-sS", "-o", os.devnull, "-w", "%{http_code}", "--cacert", str(self.cert),
                   "-H", "Content-Type: application/json", *extra, url or self.hook]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            print(f"     curl: {result.stderr.strip()}")
        return int(result.stdout or 0)


_update_ids = iter(range(10_000, 20_000))


def update(text: str) -> dict[str, Any]:
    """A message update as Telegram posts it, from the reader the Bot API server knows."""
    user = {"id": USER_ID, "is_bot": False, "first_name": "Proxy"}
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": USER_ID, "type": "private", "first_name":
               "Proxy"}, "from": user, "text": text}  # fmt: skip
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_update_ids), "message": message}


def certificate(work: Path) -> tuple[Path, Path]:
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out",
                    str(cert)], check=True, capture_output=True)  # fmt: skip
    return cert, key


def metric(port: int, name: str) -> float | None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
    return None


@contextmanager
def proxy(kind: str, example: str, work: Path, port: int, bot_port: int, cert: Path, key: Path) -> Iterator[None]:
    if kind == "nginx":
        site = substitute(example, {
            "listen 443 ssl;": f"listen 127.0.0.1:{port} ssl;",
            "listen [::]:443 ssl;": "",
            "server_name bot.example.org;": "server_name 127.0.0.1;",
            "/etc/letsencrypt/live/bot.example.org/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/bot.example.org/privkey.pem": str(key),
            EXAMPLE_PORT: f"127.0.0.1:{bot_port}",
        })  # fmt: skip
        (work / "site.conf").write_text(site)
        temp = {name: work / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        (work / "nginx.conf").write_text(
            f"daemon off;\npid {work}/nginx.pid;\nerror_log {work}/proxy.log;\nevents {{}}\nhttp {{\n"
            f"    access_log {work}/access.log;\n"
            f"    client_body_temp_path {temp['body']};\n    proxy_temp_path {temp['proxy']};\n"
            f"    fastcgi_temp_path {temp['fastcgi']};\n    uwsgi_temp_path {temp['uwsgi']};\n"
            f"    scgi_temp_path {temp['scgi']};\n    include {work}/site.conf;\n}}\n"
        )
        command = ["nginx", "-p", str(work), "-c", str(work / "nginx.conf")]
    else:
        site = substitute(example, {
            "bot.example.org {": f"https://127.0.0.1:{port} {{\n    tls {cert} {key}",
            EXAMPLE_PORT: f"127.0.0.1:{bot_port}",
        })  # fmt: skip
        (work / "Caddyfile").write_text("{\n    admin off\n    auto_https disable_redirects\n}\n" + site)
        command = ["caddy", "run", "--adapter", "caddyfile", "--config", str(work / "Caddyfile")]
    if listening(port):
        raise SystemExit(f"proxy_check: something already listens on 127.0.0.1:{port}; pass --port")
    env = {**os.environ, "HOME": str(work), "XDG_DATA_HOME": str(work), "XDG_CONFIG_HOME": str(work)}
    with (work / "proxy.out").open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    try:
        wait_until(lambda: listening(port) or process.poll() is not None, f"{kind} listening on {port}")
        if process.poll() is not None:
            raise SystemExit(f"proxy_check: {kind} did not start: {(work / 'proxy.out').read_text().strip()}")
        yield
    finally:
        stop(process)


def substitute(text: str, replacements: dict[str, str]) -> str:
    """Replace each example value; a value that is not there means the example changed: stop, say which."""
    for old, new in replacements.items():
        if old not in text:
            raise SystemExit(f"proxy_check: the example no longer contains {old!r}; update this script")
        text = text.replace(old, new)
    return text


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Bot:
    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return None
        return self.process.returncode


@contextmanager
def briefing_run(work: Path, server_url: str, hook: str, port: int) -> Iterator[Bot]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=server_url, BRIEFING_DB=str(work / "bot.db"),
               WEBHOOK_URL=hook, WEBHOOK_SECRET=SECRET, HTTP_HOST="127.0.0.1", HTTP_PORT=str(port))  # fmt: skip
    with (work / "bot.log").open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=work, stdout=log,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    bot = Bot(process)
    try:
        wait_until(lambda: bool(control(server_url, "webhook")["url"]) or process.poll() is not None, "setWebhook")
        if process.poll() is not None:
            raise SystemExit(f"proxy_check: briefing run exited: {(work / 'bot.log').read_text().strip()}")
        yield bot
    finally:
        bot.stop()


if __name__ == "__main__":
    sys.exit(main())
