"""Per-match sandbox options and the names of the jail's layers."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024

# The layers `check-sandbox` reports, in the order the recipe applies them.
LAYERS: tuple[str, ...] = ("cgroups", "namespaces", "pivot_root", "uid", "rlimits", "no_new_privs", "seccomp")

ACTIVE = "active"


def missing(reason: str) -> str:
    """The status text of a layer that is not applied, with why."""
    return f"missing ({reason})"


@dataclass(frozen=True, slots=True)
class SandboxSettings:
    """Per-match jail options. The default is every layer this machine offers.

    `disable` turns layers off on purpose (tests, benchmarks); a disabled layer is
    reported as ``missing (disabled by settings)``, never silently skipped.
    """

    disable: frozenset[str] = frozenset()
    readonly_paths: tuple[Path, ...] = ()      # extra host paths visible read-only in the jail
    scratch_bytes: int = 16 * MIB              # size of the private /tmp
    proc: bool = False                         # mount a procfs of the bot's own pid namespace
    kill_grace_s: float = 0.05                 # SIGTERM → SIGKILL grace in BotProcess.kill()
    extra_env: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        unknown = set(self.disable) - set(LAYERS)
        if unknown:
            raise ValueError(f"unknown sandbox layer(s) {sorted(unknown)}; known: {', '.join(LAYERS)}")

    def wants(self, layer: str) -> bool:
        return layer not in self.disable


DEFAULT_SETTINGS = SandboxSettings()
