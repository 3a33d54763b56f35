"""The set of processes a bot started, found so the judge can kill and reap all of them.

A bot is the leader of its own session; without cgroups or a pid namespace (the
fallback), its tree is every process still in that session. A process that calls
setsid() itself escapes this fallback; the cgroup tree (jail.cgroups) does not.
"""
from __future__ import annotations

import logging
import os
import signal
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)
PROC = Path("/proc")


class ProcessTree(Protocol):
    def pids(self) -> list[int]: ...
    def signal(self, sig: int) -> None: ...
    def cpu_time_s(self) -> float | None: ...
    def oom_kills(self) -> int: ...


def read_stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat split after the command name (which may contain spaces)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def stat_field(fields: list[str], number: int) -> int:
    """Field `number` as man proc(5) numbers it (1 = pid, 3 = state, ...)."""
    return int(fields[number - 3])


class SessionTree:
    """Every process whose session id is the bot's pid."""

    def __init__(self, sid: int) -> None:
        self.sid = sid

    def pids(self) -> list[int]:
        found = []
        for entry in PROC.iterdir():
            if entry.name.isdigit():
                fields = read_stat(int(entry.name))
                if fields is not None and stat_field(fields, 6) == self.sid:
                    found.append(int(entry.name))
        return found

    def signal(self, sig: int) -> None:
        signal_all(self.pids(), sig)

    def cpu_time_s(self) -> float | None:
        fields = read_stat(self.sid)
        if fields is None:
            return None
        ticks = sum(stat_field(fields, n) for n in (14, 15, 16, 17))   # utime stime cutime cstime
        return ticks / os.sysconf("SC_CLK_TCK")

    def oom_kills(self) -> int:
        return 0


def signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def reap_strays(pids: list[int]) -> None:
    """Reap the listed processes that were re-parented to the judge (a subreaper).

    Only pids known to belong to a bot's tree are waited for, so the judge never
    steals the exit status of its own subprocesses.
    """
    me = os.getpid()
    for pid in pids:
        fields = read_stat(pid)
        if fields is None or stat_field(fields, 4) != me:
            continue
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        log.debug("reaped stray process %d", pid)


def kill_signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


class CgroupTree:
    """Every process in the bot's slot cgroup: nothing started inside can leave it."""

    def __init__(self, slot, fallback: SessionTree) -> None:  # noqa: ANN001 - cgroups.Slot
        self.slot = slot
        self.fallback = fallback
        self._oom_baseline = slot.oom_kills()

    def pids(self) -> list[int]:
        return self.slot.pids()

    def signal(self, sig: int) -> None:
        if sig == signal.SIGKILL:
            self.slot.kill_all()
        else:
            signal_all(self.pids(), sig)

    def cpu_time_s(self) -> float | None:
        return self.slot.cpu_time_s()

    def oom_kills(self) -> int:
        return self.slot.oom_kills() - self._oom_baseline
