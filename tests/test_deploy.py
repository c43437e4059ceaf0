"""The container and service files: they parse, and every command they name exists in the package.

Nothing is built here (no Docker daemon on the test machines); what can go wrong without building is checked.
The TLS proxy examples in deploy/ are run for real by deploy/proxy_check.py where nginx or Caddy is installed.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from bot.cli import build_parser

ROOT = Path(__file__).parents[1]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped, and the
    ``ARG``s declared before the first ``FROM`` put in the ``FROM`` lines with their defaults (what a plain
    ``docker build`` uses)."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            instructions.append((word.upper(), rest.strip()))
    words = [word for word, _ in instructions]
    defaults = dict(args.split("=", 1) for word, args in instructions[: words.index("FROM")] if word == "ARG")
    return [(word, re.sub(r"\$\{(\w+)\}", lambda m: defaults[m[1]], args) if word == "FROM" else args)
            for word, args in instructions]  # fmt: skip


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), arguments
    return value


def subcommands() -> set[str]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def scripts() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {str(name): str(target) for name, target in project["scripts"].items()}


def command_exists(argv: list[str]) -> None:
    program, subcommand = argv[0], argv[1]
    assert program in scripts(), f"{program} is not a console script of the package"
    assert subcommand in subcommands(), f"briefing has no '{subcommand}' command"


def test_dockerfile_is_multi_stage_slim_non_root_with_a_data_volume_and_a_health_check() -> None:
    steps = dockerfile()
    bases = [args.split(" AS ")[0] for word, args in steps if word == "FROM"]
    assert len(bases) >= 2 and all(re.fullmatch(r"python:3\.1[1-9]-slim", base) for base in bases), bases
    assert len(set(bases)) == 1, "the venv built in the first stage runs on the same Python in the last"
    final = len(steps) - 1 - [word for word, _ in steps][::-1].index("FROM")
    last_stage = steps[final:]
    assert any(word == "COPY" and args.startswith("--from=") for word, args in last_stage)
    assert not any(word == "RUN" and re.search(r"\b(gcc|build-essential|apt-get install)\b", args)
                   for word, args in last_stage)  # fmt: skip
    [user] = [args for word, args in last_stage if word == "USER"]
    assert user not in ("root", "0")
    useradd = " ".join(args for word, args in last_stage if word == "RUN")
    assert re.search(rf"useradd\b.*\b{user}\b", useradd)
    # A fixed uid and gid, the ones the README tells to chown a host directory to.
    assert re.search(r"groupadd [^&]*--gid 10001", useradd) and re.search(r"useradd [^&]*--uid 10001", useradd)
    volumes = [exec_form(args) for word, args in last_stage if word == "VOLUME"]
    assert ["/data"] in volumes
    env = " ".join(args for word, args in last_stage if word == "ENV")
    assert "BRIEFING_DB=/data/" in env
    [exposed] = [args for word, args in last_stage if word == "EXPOSE"]
    assert f"HTTP_PORT={exposed}" in env and "HTTP_HOST=0.0.0.0" in env
    # /opt/venv is read-only to the bot: without the bytecode pip compiled, every start compiles it all again.
    assert "__pycache__" not in " ".join(args for word, args in steps if word == "RUN")

    [health] = [args for word, args in last_stage if word == "HEALTHCHECK"]
    check = exec_form(health.split(" CMD ", 1)[1])
    command_exists(check)
    assert check[1] == "health" and "/healthz" in build_parser().parse_args(["health"]).path

    [entry] = [exec_form(args) for word, args in last_stage if word == "ENTRYPOINT"]
    [cmd] = [exec_form(args) for word, args in last_stage if word == "CMD"]
    assert entry + cmd == ["briefing", "run"]
    command_exists(entry + cmd)


def test_compose_runs_the_image_with_a_volume_env_file_and_restart_policy() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    [service] = compose["services"].values()
    assert service["restart"] == "unless-stopped"
    env_files = service["env_file"] if isinstance(service["env_file"], list) else [service["env_file"]]
    assert ".env" in env_files
    mounts = [volume.split(":") for volume in service["volumes"]]
    assert any(target == "/data" and source in compose["volumes"] for source, target, *_ in mounts)
    assert service["environment"]["BRIEFING_DB"].startswith("/data/")
    assert service["build"] == "."
    # environment: wins over env_file, so a .env copied from .env.example (HTTP_HOST=127.0.0.1, HTTP_PORT
    # empty: no server, a failing health check) still gets a server the host can reach, on the exposed port.
    port = service["environment"]["HTTP_PORT"]
    assert service["environment"]["HTTP_HOST"] == "0.0.0.0"
    [exposed] = [args for word, args in dockerfile() if word == "EXPOSE"]
    assert port == exposed
    assert [mapping.rsplit(":", 1)[1] for mapping in service["ports"]] == [port]
    assert all(mapping.startswith("127.0.0.1:") for mapping in service["ports"]), "only the host's proxy"


def test_systemd_unit_runs_briefing_run_with_an_env_file() -> None:
    unit = (ROOT / "deploy" / "briefing.service").read_text()
    [exec_start] = [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("ExecStart=")]
    argv = shlex.split(exec_start)
    assert Path(argv[0]).name == "briefing"
    command_exists(["briefing", *argv[1:]])
    assert argv[1:3] == ["run", "--env-file"]
    assert build_parser().parse_args(argv[1:]).env_file == argv[3]
    assert re.search(r"^User=(?!root)\w+", unit, re.M)
    assert re.search(r"^Restart=", unit, re.M)


def test_the_proxy_examples_forward_the_webhook_path_unchanged_and_nothing_else() -> None:
    readme = (ROOT / "README.md").read_text()
    [hook] = set(re.findall(r"WEBHOOK_URL=(https://bot\.example\.org/\S+?)`", readme))
    path = hook.removeprefix("https://bot.example.org")
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    [location] = [p for p in re.findall(r"location (\S+) \{", nginx) if p != "/"]
    assert path.startswith(location)
    # No URI after host:port, or nginx replaces the location's prefix and the bot answers 404.
    assert re.findall(r"proxy_pass (\S+);", nginx) == ["http://127.0.0.1:8080"]
    assert "listen 443 ssl;" in nginx and "return 404;" in nginx
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    [matcher] = re.findall(r"handle (/\S+) \{", caddy)
    assert path.startswith(matcher.rstrip("*"))
    assert "reverse_proxy 127.0.0.1:8080" in caddy
    for name in ("deploy/nginx.conf", "deploy/Caddyfile", "deploy/proxy_check.py"):
        assert name in readme, f"the README does not point at {name}"


def proxy_check(proxy: str, *extra: str) -> subprocess.CompletedProcess[str]:
    missing = [tool for tool in (proxy, "openssl", "curl") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed here: {', '.join(missing)}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, str(ROOT / "deploy" / "proxy_check.py"), "--proxy", proxy, "--port", str(port)]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("proxy", ["nginx", "caddy"])
def test_the_proxy_example_runs_in_front_of_the_bot_in_webhook_mode(proxy: str) -> None:
    result = proxy_check(proxy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    assert "ok   curl with the right secret: 200" in result.stdout
    assert "ok   curl with a wrong secret: 403" in result.stdout


def test_the_proxy_check_notices_a_proxy_that_cuts_the_path(tmp_path: Path) -> None:
    config = tmp_path / "nginx.conf"
    example = (ROOT / "deploy" / "nginx.conf").read_text()
    config.write_text(example.replace("proxy_pass http://127.0.0.1:8080;", "proxy_pass http://127.0.0.1:8080/;"))
    result = proxy_check("nginx", "--config", str(config))
    assert result.returncode == 1
    assert "FAIL curl with the right secret: 200: got 404" in result.stdout
