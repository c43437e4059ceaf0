"""The README stays true: every command the bot and the CLI have is documented there."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli import build_parser
from bot.config import EXPECTED
from bot.render.commands import EDITOR_COMMANDS, READER_COMMANDS

README = (Path(__file__).parent.parent / "README.md").read_text()
ENV_EXAMPLE = (Path(__file__).parent.parent / ".env.example").read_text()


def test_every_telegram_command_is_documented() -> None:
    for command in READER_COMMANDS + EDITOR_COMMANDS:
        assert f"`/{command.name}" in README, command.name


def test_every_cli_command_is_documented() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in subparsers.choices:
        assert f"`briefing {name}" in README, name


def test_every_setting_is_documented_in_readme_and_env_example() -> None:
    for variable in EXPECTED:
        assert f"`{variable}`" in README, variable
        assert f"{variable}=" in ENV_EXAMPLE, variable
