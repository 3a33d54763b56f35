"""Resource and environment policy as data: which rlimits a bot gets, and its environment.

Everything here is computed in the judge before fork, so the child only applies it.
"""
from __future__ import annotations

import math
import resource
from collections.abc import Mapping
from pathlib import Path

from ..limits import Limits
from .resolve import JAIL_PATH

# With a memory cgroup the cgroup enforces memory (an exact OOM verdict); RLIMIT_AS is
# then only a backstop against absurd mappings, this many times the memory limit.
AS_BACKSTOP_FACTOR = 4


def rlimits(limits: Limits, runtime: str, *, memory_cgroup: bool, own_uid: bool) -> dict[int, tuple[int, int]]:
    """The rlimit table for one bot: resource -> (soft, hard).

    RLIMIT_NPROC counts every process of the real uid, so it is only set when the bot
    runs under its own per-slot uid (else it would count the judge's processes).
    Node reserves a huge address space up front, so it is limited by the cgroup only.
    """
    # Soft = hard: a bot is pid 1 of its pid namespace and init ignores SIGXCPU, so the
    # hard limit's SIGKILL is what stops it; the CPU it used then names the verdict.
    cpu = max(1, math.ceil(limits.total_cpu_s))
    table = {
        resource.RLIMIT_CPU: (cpu, cpu),
        resource.RLIMIT_NOFILE: (limits.open_files, limits.open_files),
        resource.RLIMIT_FSIZE: (limits.file_bytes, limits.file_bytes),
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_MEMLOCK: (0, 0),
        resource.RLIMIT_MSGQUEUE: (0, 0),
        resource.RLIMIT_RTPRIO: (0, 0),
    }
    address_space = address_space_limit(limits, runtime, memory_cgroup)
    if address_space is not None:
        table[resource.RLIMIT_AS] = (address_space, address_space)
    if own_uid:
        table[resource.RLIMIT_NPROC] = (limits.processes, limits.processes)
    return table


def address_space_limit(limits: Limits, runtime: str, memory_cgroup: bool) -> int | None:
    if runtime == "node":
        return None
    return limits.memory_bytes * AS_BACKSTOP_FACTOR if memory_cgroup else limits.memory_bytes


def environment(home: Path, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """A clean environment: nothing of the judge's leaks into a bot."""
    env = {
        "PATH": JAIL_PATH,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra)
    return env
