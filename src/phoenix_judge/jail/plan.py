"""Everything the child needs, decided in the judge before fork (the child only applies it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .resolve import Command


@dataclass(frozen=True, slots=True)
class Plan:
    """One launch: the command, where it runs, and which layers to apply with what data."""

    command: Command
    cwd: Path
    env: dict[str, str]
    rlimits: dict[int, tuple[int, int]]
    layers: dict[str, str]                       # layer -> "active" | "missing (reason)"
    extra: dict[str, object] = field(default_factory=dict)

    def on(self, layer: str) -> bool:
        return self.layers.get(layer) == "active"


@dataclass(slots=True)
class Child:
    """The child's mutable state while the recipe runs: its fds and what steps hand on."""

    stdin: int
    stdout: int
    stderr: int
    status: int                     # the status pipe; setup_fds moves it to STATUS_FD
    judge_pid: int
    in_pid_namespace: bool = False
