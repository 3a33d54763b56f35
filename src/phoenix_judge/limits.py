"""Limits a bot runs under: one frozen dataclass, a field per phase and resource."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    startup_s: float = 5.0            # wall: process start until the sky `ready`
    move_s: float = 1.0               # wall: state sent until the move is read
    move_cpu_s: float | None = None   # CPU per move (None: only the wall limit applies)
    total_cpu_s: float = 60.0         # CPU over the whole match (RLIMIT_CPU / cgroup)
    memory_bytes: int = 512 * MIB     # address space (RLIMIT_AS) or cgroup memory
    line_bytes: int = 1 * MIB         # the longest sky line a bot may send
    debug_bytes: int = 64 * 1024      # stderr kept in the debug log; the rest is counted and dropped
    file_bytes: int = 16 * MIB        # largest file a bot may write (RLIMIT_FSIZE)
    disk_bytes: int = 64 * MIB        # everything a bot may write in its own folder (a tmpfs of this size, as root)
    open_files: int = 64              # RLIMIT_NOFILE
    processes: int = 64               # threads + processes (RLIMIT_NPROC / cgroup pids)

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
