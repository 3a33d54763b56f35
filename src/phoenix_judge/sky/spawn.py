"""A bot as a plain child process wired to a PipeChannel: NO jail.

For tests and benchmarks of the protocol only; matches start bots through
`phoenix_judge.jail`, which hands its pipe fds to `PipeChannel` the same way.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ..limits import Limits
from .channel import MoveLogSink
from .pipe import PipeChannel


def spawn_unjailed(argv: Sequence[str], limits: Limits, *, cwd: Path | None = None,
                   movelog: MoveLogSink | None = None) -> tuple[subprocess.Popen[bytes], PipeChannel]:
    """Start `argv` with fresh pipes on its stdin, stdout and stderr; return it and its channel."""
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
    for fd in (stdin_r, stdout_w, stderr_w):      # the child's ends: the parent must not hold them,
        os.close(fd)                              # or it never sees EOF when the child exits
    return process, PipeChannel(stdin_w, stdout_r, stderr_r, limits, movelog=movelog)
