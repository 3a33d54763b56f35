"""Phoenix's exceptions, split by whose fault a failure is.

    PhoenixError                    base of everything the judge raises on purpose
    ├── UserError                   bad input from the person running the judge (exit 2)
    │   ├── ConfigError             game config, tournament file, map, flag: says where and how to fix
    │   └── SandboxUnavailable      a layer the config requires is missing on this machine
    ├── BotFault                    a bot broke a rule; carries a Fault (verdict + reason)
    └── JudgeError                  the judge itself failed (exit 3); never blamed on a bot
        └── LaunchError             a bot process could not be set up (fork, jail layer, exec)

OS and library errors are translated into these at one boundary each, with
`raise ... from exc`, so callers only catch what is drawn here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .outcome import Fault

EXIT_OK = 0
EXIT_JUDGE_ERROR = 3
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


class PhoenixError(Exception):
    """Base of every exception Phoenix raises on purpose."""

    exit_code = EXIT_JUDGE_ERROR


class UserError(PhoenixError):
    """Bad input from the person running the judge."""

    exit_code = EXIT_USER_ERROR


class ConfigError(UserError):
    """A config, map or tournament file is wrong.

    `where` is the file and JSON path (``game_config.json: $.bots[1].command``),
    `problem` what is wrong, `fix` how to fix it.
    """

    def __init__(self, where: str, problem: str, fix: str = "") -> None:
        self.where, self.problem, self.fix = where, problem, fix
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.problem}"
        return f"{text}\n  fix: {self.fix}" if self.fix else text


class SandboxUnavailable(UserError):
    """A sandbox layer listed in `sandbox.require` is not available here."""


class BotFault(PhoenixError):
    """A bot broke a rule. The gameloop turns this into the seat's verdict."""

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        super().__init__(f"{fault.verdict}: {fault.reason}")


class JudgeError(PhoenixError):
    """The judge failed; no bot is blamed."""


class LaunchError(JudgeError):
    """A bot process could not be started (fork, a jail layer, exec)."""
