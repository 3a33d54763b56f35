"""What every attack of the hostile bot shares: its context and how it reports.

An attack tells the test what it saw on stderr (the bot's debug log), one line
per step: ``HOSTILE {"behaviour", "step", "outcome", "detail"}`` where outcome is
  blocked   the jail refused the step (detail: the errno or exception);
  escaped   the step worked although the jail should have stopped it;
  info      a fact that is neither (the test judges it from the judge's side).
What an escaped read finds is copied to stderr as well: that is the leak the
test looks for in the records.
"""
from __future__ import annotations

import errno
import json
import os
import sys
import time
from argparse import Namespace
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

FOREVER_S = 3600.0
LEAK_BYTES = 4096        # how much of a file an escaped read copies to stderr


@dataclass(slots=True)
class Context:
    """The bot's view of the match when the attack starts."""

    args: Namespace
    hello: dict[str, Any]
    state: dict[str, Any]
    previous_turn: int | None
    keep: list[Any] = field(default_factory=list)     # objects that must outlive the attack

    @property
    def behaviour(self) -> str:
        return self.args.do

    @property
    def limits(self) -> dict[str, Any]:
        return self.hello["limits"]

    def legal_move(self) -> int:
        return self.state["observation"]["legal"][0]

    def report(self, step: str, outcome: str, detail: object = "") -> None:
        line = {"behaviour": self.behaviour, "step": step, "outcome": outcome, "detail": str(detail)}
        write_all(2, b"HOSTILE " + json.dumps(line).encode() + b"\n")

    def blocked(self, step: str, exc: BaseException) -> None:
        self.report(step, "blocked", describe(exc))

    def escaped(self, step: str, detail: object = "") -> None:
        self.report(step, "escaped", detail)

    def leak(self, label: str, data: bytes) -> None:
        """Copy what an attack got hold of into the debug log (the exfiltration channel)."""
        write_all(2, f"LEAK {label}: ".encode() + data[:LEAK_BYTES] + b"\n")

    def attempt(self, step: str, action: Callable[[], Any]) -> Any:
        """Run one step; an OSError (or ValueError, PermissionError) is reported as blocked."""
        try:
            return action()
        except (OSError, ValueError) as exc:
            self.blocked(step, exc)
            return None


def errno_error(code: int) -> OSError:
    """The OSError of a failed libc call made through ctypes."""
    return OSError(code, os.strerror(code))


def describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"{errno.errorcode.get(exc.errno, exc.errno)}: {exc.strerror}"
    return f"{type(exc).__name__}: {exc}"


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_message(stdin: BinaryIO) -> dict[str, Any] | None:
    """The next engine message (None at EOF)."""
    line = stdin.readline()
    return json.loads(line) if line else None


def send(message: dict[str, Any]) -> None:
    write_all(1, json.dumps(message, separators=(",", ":")).encode() + b"\n")


def next_state() -> dict[str, Any] | None:
    """For attacks that play on by themselves: the next state or end message (None at EOF)."""
    while (message := read_message(sys.stdin.buffer)) is not None:
        if message.get("type") in ("state", "end"):
            return message
    return None


def move_for(state: dict[str, Any]) -> dict[str, Any]:
    """The legal answer to `state`: its first legal column."""
    return {"type": "move", "turn": state["turn"], "move": state["observation"]["legal"][0]}


def sleep_forever() -> None:
    while True:
        time.sleep(FOREVER_S)


def read_file(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(LEAK_BYTES)


def try_read(ctx: Context, step: str, path: str) -> None:
    """Read `path`; success is an escape, and the content is leaked to stderr."""
    data = ctx.attempt(step, lambda: read_file(path))
    if data is not None:
        ctx.escaped(step, f"read {len(data)} bytes of {path}")
        ctx.leak(path, data)


def try_list(ctx: Context, step: str, path: str) -> list[str] | None:
    names = ctx.attempt(step, lambda: sorted(os.listdir(path)))
    if names is not None:
        ctx.report(step, "info", f"{path}: {names[:50]}")
    return names


def other_bot_folder(ctx: Context) -> str:
    """The other bot's arena folder, guessed as the judge names them: <seat>-<name> next to ours."""
    seat = 1 - ctx.hello["seat"]
    return os.path.join(os.path.dirname(os.getcwd()), f"{seat}-{ctx.hello['names'][seat]}")


Attack = Callable[[Context], bool]
"""An attack runs when the bot gets the state of turn --at. It returns True when it
has already answered that turn itself (or never will), False to play the legal move."""
