"""A bot as a plain child process with pipes on stdin, stdout and stderr: NO jail.

For tests and benchmarks of the protocol only; matches start bots through
`phoenix_judge.jail`, which hands its pipe fds to `PipeChannel` the same way.
"""
from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..limits import Limits
from .channel import MoveLogSink
from .pipe import PipeChannel


@dataclass(slots=True)
class PlainProcess:
    """A started child and the engine's ends of its pipes (blocking, owned by the caller)."""

    process: subprocess.Popen[bytes]
    stdin: int          # write end of the child's stdin
    stdout: int         # read end of the child's stdout
    stderr: int         # read end of the child's stderr

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """Kill the child's whole session and reap it. Idempotent; the fds stay open."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def start_unjailed(argv: Sequence[str], cwd: Path | None = None) -> PlainProcess:
    """Start `argv` in a new session with fresh pipes on its stdin, stdout and stderr."""
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    stderr_r, stderr_w = os.pipe()
    try:
        process = subprocess.Popen(argv, stdin=stdin_r, stdout=stdout_w, stderr=stderr_w,
                                   cwd=cwd, start_new_session=True)
    except OSError:
        for fd in (stdin_r, stdin_w, stdout_r, stdout_w, stderr_r, stderr_w):
            os.close(fd)
        raise
    for fd in (stdin_r, stdout_w, stderr_w):      # the child's ends: while the parent holds them
        os.close(fd)                              # it never sees EOF when the child exits
    return PlainProcess(process, stdin_w, stdout_r, stderr_r)


def spawn_unjailed(argv: Sequence[str], limits: Limits, *, cwd: Path | None = None,
                   movelog: MoveLogSink | None = None) -> tuple[subprocess.Popen[bytes], PipeChannel]:
    """`start_unjailed`, with a PipeChannel on its pipes (the channel owns and closes the fds)."""
    child = start_unjailed(argv, cwd)
    return child.process, PipeChannel(child.stdin, child.stdout, child.stderr, limits, movelog=movelog)
