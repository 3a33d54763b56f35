"""The judge's side of the status pipe: what the child reports until it execs.

Lines `key<TAB>value`: `pid` (the bot, forked by the set-up process), `listener`
(the fd number of the seccomp listener in the bot), `fail` (step and error).
EOF at exec (the pipe is close-on-exec) means the bot runs.
"""
from __future__ import annotations

import os
import select
import signal
import time

from ..errors import LaunchError
from . import libc, notify
from .plan import Plan

STATUS_MAX = 4096


class StatusReader:
    def __init__(self, fd: int, go: int, setup_pid: int, plan: Plan, timeout_s: float) -> None:
        self.fd, self.go, self.setup_pid, self.plan = fd, go, setup_pid, plan
        self.deadline = time.monotonic() + timeout_s
        self.bot_pid: int | None = None
        self.init_pid = 0                        # pid 1 of the bot's pid namespace, 0 without one
        self.listener: int | None = None
        self._buffer = b""

    def until_exec(self) -> tuple[int, int, int | None]:
        """(bot pid, namespace init pid, seccomp listener) once the bot exec'd; LaunchError if set-up failed."""
        try:
            for key, value in self._lines():
                self._on(key, value)
        except BaseException:
            self._abandon()
            raise
        if self.bot_pid is None:
            self._abandon()
            raise LaunchError(f"{self._name()}: the jail set-up ended without starting the bot")
        return self.bot_pid, self.init_pid, self.listener

    def _on(self, key: str, value: str) -> None:
        if key == "pid":
            os.waitpid(self.setup_pid, 0)        # the bot is ours once its set-up parent is gone
            bot, init = (int(pid) for pid in value.split())
            self.setup_pid, self.bot_pid, self.init_pid = 0, bot, init
            os.write(self.go, b"gg" if init else b"g")
        elif key == "listener":
            self._take_listener(int(value))
        elif key == "fail":
            step, _, error = value.partition("\t")
            raise LaunchError(f"cannot start {self._name()}: jail step {step!r} failed: {error}")

    def _take_listener(self, number: int) -> None:
        pid = self.bot_pid or self.setup_pid
        pidfd = os.pidfd_open(pid)
        try:
            self.listener = libc.pidfd_getfd(pidfd, number)
        finally:
            os.close(pidfd)
        os.set_inheritable(self.listener, False)
        first = notify.Watched(self.plan.command.runtime, 1, self._refuse)
        try:
            notify.allow_first_exec(self.listener, first, max(0.0, self.deadline - time.monotonic()))
        except TimeoutError as exc:
            raise LaunchError(f"{self._name()}: {exc}") from exc

    def _refuse(self, name: str, why: str) -> None:
        raise LaunchError(f"{self._name()}: the jail set-up made the forbidden call {name} ({why})")

    def _lines(self):  # noqa: ANN202 - Iterator[tuple[str, str]]
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                key, _, value = line.decode(errors="replace").partition("\t")
                yield key, value
            remaining = self.deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise LaunchError(f"{self._name()}: the jail set-up did not finish in time")
            chunk = os.read(self.fd, STATUS_MAX)
            if not chunk:
                return
            self._buffer += chunk

    def _abandon(self) -> None:
        """Kill and reap whatever the failed launch left."""
        if self.listener is not None:
            os.close(self.listener)
        for pid in (self.bot_pid, self.init_pid, self.setup_pid):
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass

    def _name(self) -> str:
        return self.plan.command.argv[0]
