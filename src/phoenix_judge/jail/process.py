"""The judge's handle on one jailed bot: wait, measure, kill the whole tree, classify the exit."""
from __future__ import annotations

import logging
import math
import os
import select
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..limits import Limits
from ..outcome import Fault, Verdict
from .files import entries
from .tree import ProcessTree, kill_signal_name, reap_strays, signal_all

log = logging.getLogger(__name__)
MIB = 1024 * 1024
CPU_KILL_FRACTION = 0.9
# How long kill() keeps sweeping a tree whose members keep appearing (double forks).
SWEEP_ROUNDS = 50


@dataclass(frozen=True, slots=True)
class ExitInfo:
    """How a bot process ended, measured by the judge (never reported by the bot)."""

    returncode: int | None          # exit status, when the bot exited
    signal: int | None              # the signal that killed it, when it was killed
    cpu_s: float                    # user + system CPU of the whole tree
    max_rss_bytes: int              # peak resident memory of the bot (and reaped children)
    wall_s: float                   # from launch to exit
    killed_by_judge: bool = False   # kill() sent the fatal signal
    oom_kills: int = 0              # processes of the tree killed by the cgroup OOM killer
    security: str | None = None     # the forbidden syscall when seccomp stopped the bot
    security_why: str = ""          # which rule it broke
    file_limit_hit: bool = False    # a file in its folder written up to RLIMIT_FSIZE during the run

    def describe(self) -> str:
        if self.signal is not None:
            return f"killed by {kill_signal_name(self.signal)}"
        return f"exited with code {self.returncode}"


@dataclass(slots=True)
class _State:
    exit: ExitInfo | None = None
    killed_by_judge: bool = False
    security: str | None = None
    security_why: str = ""
    done: bool = False


class BotProcess:
    """A running jailed bot. `stdin`, `stdout`, `stderr` are raw pipe fds the caller owns."""

    def __init__(self, pid: int, pipes: tuple[int, int, int], *, runtime: str, layers: dict[str, str],
                 limits: Limits, tree: ProcessTree, kill_grace_s: float, cwd: Path, helper_pid: int = 0) -> None:
        self.pid = pid
        self.stdin, self.stdout, self.stderr = pipes
        self.runtime = runtime
        self.layers = layers
        self.limits = limits
        self._tree = tree
        self._grace = kill_grace_s
        self._started = time.monotonic()
        self._started_wall = time.time()
        self.cwd = cwd
        self._helper = helper_pid          # the pid namespace's init: a child of the judge, reaped by kill()
        self._pidfd = os.pidfd_open(pid)
        self._state = _State()
        self._last_cpu = 0.0
        self._lock = threading.Lock()          # the seccomp supervisor thread may stop the bot
        self.denied_syscalls: Counter[str] = Counter()   # calls seccomp refused (EPERM), by name

    def __repr__(self) -> str:
        return f"<BotProcess pid={self.pid} runtime={self.runtime} exit={self._state.exit}>"

    @property
    def exit_info(self) -> ExitInfo | None:
        return self._state.exit

    def poll(self) -> ExitInfo | None:
        """The exit, if the bot has exited (reaps it); None while it runs."""
        if self._state.exit is None:
            self._reap(os.WNOHANG)
        return self._state.exit

    def wait(self, timeout: float | None = None) -> ExitInfo | None:
        """Wait up to `timeout` seconds (None: forever) for the bot to exit."""
        if self._state.exit is None and timeout is not None:
            poller = select.poll()
            poller.register(self._pidfd, select.POLLIN)
            poller.poll(max(0.0, timeout) * 1000)
            return self.poll()
        if self._state.exit is None:
            self._reap(0)
        return self._state.exit

    def cpu_time_s(self) -> float:
        """CPU (user + system) used so far by the bot's whole tree."""
        if self._state.exit is not None:
            return self._state.exit.cpu_s
        measured = self._tree.cpu_time_s()
        if measured is not None:
            self._last_cpu = max(self._last_cpu, measured)
        return self._last_cpu

    def tree_pids(self) -> list[int]:
        """Every live process of the bot's tree, as the judge sees them."""
        return self._tree.pids()

    def in_cgroup(self) -> bool:
        """Is the bot accounted and contained by its slot's cgroup right now?"""
        return hasattr(self._tree, "slot") and self.pid in self._tree.pids()

    def stop_for_security(self, syscall: str, why: str = "") -> None:
        """Called by the seccomp supervisor: record the forbidden call and SIGKILL the bot.

        The bot's thread is blocked inside that call, so the call itself never runs.
        """
        with self._lock:
            if self._state.done or self._state.exit is not None:
                return
            if self._state.security is None:
                self._state.security, self._state.security_why = syscall, why
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            except ProcessLookupError:
                return                                 # it died meanwhile; the owner reaps it
            self._tree.signal(signal.SIGKILL)

    def kill(self) -> None:
        """Stop the bot and everything it started, and reap them. Idempotent; call it in `finally`."""
        if self._state.done:
            return
        try:
            if self.poll() is None:
                self._terminate()
        finally:
            self._sweep()
            self._reap_helper()
            with self._lock:
                self._state.done = True
                os.close(self._pidfd)

    def _terminate(self) -> None:
        self._state.killed_by_judge = True
        if self._grace > 0:
            self._tree.signal(signal.SIGTERM)
            if self.wait(self._grace) is not None:
                return
        self._tree.signal(signal.SIGKILL)
        self.wait()

    def _sweep(self) -> None:
        """Kill and reap whatever of the tree outlived the bot (orphans of a double fork)."""
        for _ in range(SWEEP_ROUNDS):
            pids = [pid for pid in self._tree.pids() if pid != self.pid]
            if not pids:
                return
            signal_all(pids, signal.SIGKILL)
            reap_strays(pids)
            time.sleep(0.001)
        log.warning("bot %d: processes survived %d kill rounds", self.pid, SWEEP_ROUNDS)

    def _reap_helper(self) -> None:
        """Kill the namespace's init; its death takes whatever is left in the namespace."""
        if not self._helper:
            return
        try:
            os.kill(self._helper, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self._helper, 0)
        except ChildProcessError:
            pass
        self._helper = 0

    def _reap(self, flags: int) -> None:
        try:
            pid, status, usage = os.wait4(self.pid, flags)
        except ChildProcessError:
            log.error("bot %d was reaped by someone else", self.pid)
            pid, status, usage = self.pid, 0, None
        if pid == 0:
            return
        self._state.exit = self._exit_info(status, usage)
        log.debug("bot %d %s", self.pid, self._state.exit.describe())

    def _exit_info(self, status: int, usage: object) -> ExitInfo:
        cpu = usage.ru_utime + usage.ru_stime if usage is not None else 0.0
        tree_cpu = self._tree.cpu_time_s()
        return ExitInfo(
            returncode=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            cpu_s=max(cpu, tree_cpu or 0.0, self._last_cpu),
            max_rss_bytes=(usage.ru_maxrss * 1024) if usage is not None else 0,
            wall_s=time.monotonic() - self._started,
            killed_by_judge=self._state.killed_by_judge,
            oom_kills=self._tree.oom_kills(),
            security=self._state.security,
            security_why=self._state.security_why,
            file_limit_hit=self._wrote_file_limit(),
        )

    def _wrote_file_limit(self) -> bool:
        """Did the bot write a file up to RLIMIT_FSIZE? (CPython and a pid-namespace init
        ignore SIGXFSZ, so the limit shows as EFBIG and a file cut at exactly the limit.)"""
        for entry in entries(str(self.cwd)):
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_size >= self.limits.file_bytes and info.st_mtime >= self._started_wall:
                return True
        return False

    def exit_fault(self) -> Fault | None:
        """After exit: the fault the exit itself shows, or None (clean exit, or killed by the judge)."""
        info = self.poll()
        return None if info is None else classify_exit(info, self.limits)


def classify_exit(info: ExitInfo, limits: Limits) -> Fault | None:
    """Map an exit to a verdict with a reason a bot author can act on."""
    detail = {"cpu_s": round(info.cpu_s, 3), "max_rss_bytes": info.max_rss_bytes, "exit": info.describe()}
    if info.security is not None:
        why = f" ({info.security_why})" if info.security_why else ""
        return Fault(Verdict.SECURITY_VIOLATION, f"called the forbidden system call {info.security}{why}",
                     detail={**detail, "syscall": info.security})
    if info.oom_kills:
        return Fault(Verdict.MEMORY_LIMIT,
                     f"killed by the out-of-memory killer at the {limits.memory_bytes // MIB} MiB limit",
                     detail=detail)
    # RLIMIT_CPU's SIGKILL is the only SIGKILL left unexplained here. The CPU the judge
    # measures at that kill was 94-101 % of the limit on the development VM (1 s limit).
    cpu_kill = (info.signal == signal.SIGKILL and not info.killed_by_judge
                and info.cpu_s >= CPU_KILL_FRACTION * max(1, math.ceil(limits.total_cpu_s)))
    if info.signal == signal.SIGXCPU or cpu_kill:
        return Fault(Verdict.CPU_TIMEOUT,
                     f"used {info.cpu_s:.1f} s of CPU; the limit for the match is {limits.total_cpu_s:g} s",
                     detail=detail)
    if info.signal == signal.SIGSYS:
        return Fault(Verdict.SECURITY_VIOLATION, "killed by the seccomp filter (SIGSYS): a forbidden system call",
                     detail=detail)
    if info.signal == signal.SIGXFSZ or (info.file_limit_hit and not info.killed_by_judge and info.returncode != 0):
        return Fault(Verdict.OUTPUT_LIMIT, f"wrote a file over the {limits.file_bytes // MIB} MiB limit",
                     detail=detail)
    if info.killed_by_judge or info.returncode == 0:
        return None
    return Fault(Verdict.CRASH, info.describe(), detail=detail)
