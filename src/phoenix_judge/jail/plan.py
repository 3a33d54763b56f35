"""Everything the child needs, decided in the judge before fork (the child only applies it)."""
from __future__ import annotations

from dataclasses import dataclass

from .mounts import Mount
from .resolve import Command

ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class Plan:
    """One launch: the command, where it runs, and which layers to apply with what data."""

    command: Command
    cwd: str
    env: dict[str, str]
    rlimits: dict[int, tuple[int, int]]
    layers: dict[str, str]                     # layer -> "active" | "missing (reason)"
    cgroup_procs: tuple[str, ...] = ()         # cgroup.procs files to join
    mounts: tuple[Mount, ...] = ()
    stage: str = ""                            # where the new root is assembled
    uid: int = 0
    gid: int = 0
    cap_last: int = 40
    bpf: bytes | None = None                   # compiled filter; None: compile in the child (own pid)
    hostname: str = "phoenix"
    user_namespace: bool = False               # not root: namespaces owned by a new user namespace
    outer_uid: int = 0                         # the judge's ids, mapped to 0 in that user namespace
    outer_gid: int = 0

    def on(self, layer: str) -> bool:
        return self.layers.get(layer) == ACTIVE


@dataclass(slots=True)
class Child:
    """The child's mutable state while the recipe runs: its fds and what steps hand on."""

    stdin: int
    stdout: int
    stderr: int
    status: int                     # the status pipe; setup_fds moves it to STATUS_FD
    go: int                         # the judge writes one byte here once the bot is its child
    judge_pid: int
    in_pid_namespace: bool = False
