"""Turn a bot's command line into the exact binary the jail will exec, and its runtime.

`python3` on the judge's PATH can be a pyenv shell shim; a jail must never exec a
shell script, so Python bots run on the judge's own interpreter binary, resolved
with realpath. They get ``-E -s -B`` (ignore PYTHON* variables and the user
site-packages, write no .pyc) but not ``-I``: since 3.11 ``-I`` implies ``-P``, which
drops the script's folder from sys.path and breaks ``import sky`` next to the bot.
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

RUNTIMES = ("python3", "native", "node")
JAIL_PATH = "/usr/bin:/bin"
PYTHON_FLAGS = ("-E", "-s", "-B")
_PYTHON_NAME = re.compile(r"python(3(\.\d+)?)?")
_NODE_NAMES = {"node", "nodejs"}


@dataclass(frozen=True, slots=True)
class Command:
    """What the jail execs: an absolute binary, the argv the bot sees, its runtime."""

    path: Path
    argv: tuple[str, ...]
    runtime: str


def judge_interpreter() -> Path:
    """The real CPython binary running the judge (never a venv link or a shim)."""
    return Path(os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable))


def detect_runtime(name: str) -> str:
    base = os.path.basename(name)
    if _PYTHON_NAME.fullmatch(base):
        return "python3"
    return "node" if base in _NODE_NAMES else "native"


def resolve(argv: Sequence[str], cwd: Path, runtime: str | None = None) -> Command:
    """Resolve `argv` for a bot whose folder is `cwd`; raise ConfigError if it cannot run."""
    if not argv or not argv[0]:
        raise ConfigError("bot command", "the command is empty", 'give the program to run, e.g. ["python3", "bot.py"]')
    runtime = runtime or detect_runtime(argv[0])
    if runtime not in RUNTIMES:
        raise ConfigError("bot runtime", f"unknown runtime {runtime!r}", f"use one of {', '.join(RUNTIMES)}")
    if runtime == "python3" and _PYTHON_NAME.fullmatch(argv[0]):
        path = judge_interpreter()
    else:
        path = find_program(argv[0], cwd)
    flags = PYTHON_FLAGS if runtime == "python3" else ()
    return Command(path, (str(path), *flags, *argv[1:]), runtime)


def find_program(name: str, cwd: Path) -> Path:
    """`./bot` and `dir/bot` are relative to the bot's folder; a bare name is looked up
    in the bot's folder, then on the jail's PATH."""
    if "/" in name:
        candidates = [cwd / name]
    else:
        candidates = [cwd / name, *(Path(d) / name for d in JAIL_PATH.split(":"))]
    for candidate in candidates:
        if candidate.is_file():
            return _executable(candidate, name)
    raise ConfigError(
        f"bot command {name!r}",
        f"no program {name!r} in the bot folder {cwd} or on PATH {JAIL_PATH}",
        "check the spelling, or build the bot into its folder first",
    )


def _executable(candidate: Path, name: str) -> Path:
    path = Path(os.path.realpath(candidate))
    if not os.access(path, os.X_OK):
        raise ConfigError(f"bot command {name!r}", f"{path} is not executable", f"run: chmod +x {path}")
    return path
