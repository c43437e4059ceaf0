"""The container and service files: they parse, and every command they name exists in the package.

Nothing is built here (no Docker on the test machines); what can go wrong without building is checked.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import tomllib
from pathlib import Path

import yaml

from bot.cli import build_parser

ROOT = Path(__file__).parents[1]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            instructions.append((word.upper(), rest.strip()))
    return instructions


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
    bases = [args for word, args in steps if word == "FROM"]
    assert len(bases) >= 2 and all("slim" in base for base in bases), bases
    final = len(steps) - 1 - [word for word, _ in steps][::-1].index("FROM")
    last_stage = steps[final:]
    assert any(word == "COPY" and args.startswith("--from=") for word, args in last_stage)
    assert not any(word == "RUN" and re.search(r"\b(gcc|build-essential|apt-get install)\b", args)
                   for word, args in last_stage)  # fmt: skip
    [user] = [args for word, args in last_stage if word == "USER"]
    assert user not in ("root", "0")
    useradd = " ".join(args for word, args in last_stage if word == "RUN")
    assert re.search(rf"useradd\b.*\b{user}\b", useradd)
    volumes = [exec_form(args) for word, args in last_stage if word == "VOLUME"]
    assert ["/data"] in volumes
    env = " ".join(args for word, args in last_stage if word == "ENV")
    assert "BRIEFING_DB=/data/" in env

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
