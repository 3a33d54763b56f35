"""A Seat: one participant in a match — its channel, its process (if local), its status."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..outcome import Fault, Verdict
from ..sky import Channel

if TYPE_CHECKING:
    from ..jail import BotProcess

log = logging.getLogger(__name__)

# A bot that closed its output has usually exited; give the kernel this long to
# report how, so a crash reads "killed by SIGSEGV" instead of "closed its output".
_EXIT_SETTLE_S = 0.5
# Verdicts the process's exit tells better than the channel can (seccomp, cgroup OOM, RLIMIT_CPU).
_EXIT_KNOWS_BETTER = {Verdict.SECURITY_VIOLATION, Verdict.CPU_TIMEOUT, Verdict.MEMORY_LIMIT, Verdict.OUTPUT_LIMIT}


@dataclass(eq=False, slots=True)
class Seat:
    index: int
    name: str
    channel: Channel
    process: BotProcess | None = None        # None for remote agents
    code_hash: str | None = None
    fault: Fault | None = None
    moves: int = 0
    think_s: float = 0.0
    declared_name: str | None = None         # the name the bot gave in its `ready`

    @property
    def playing(self) -> bool:
        return self.fault is None

    def disqualify(self, fault: Fault) -> Fault:
        """Record the seat's fault, refined by how its process ended; stops the bot."""
        self.fault = self._refine(fault)
        self.stop()
        return self.fault

    def _refine(self, fault: Fault) -> Fault:
        if self.process is None:
            return fault
        # A timeout too: a bot thrashing at its memory limit misses the deadline, then the
        # cgroup OOM-kills it; memory_limit is the verdict that helps its author.
        settle = _EXIT_SETTLE_S if fault.verdict in (Verdict.CRASH, Verdict.TIMEOUT) else 0.0
        if self.process.wait(settle) is None:
            return fault                      # still running: the channel's verdict stands
        exit_fault = self.process.exit_fault()
        if exit_fault is None:
            return fault
        if fault.verdict is Verdict.CRASH or exit_fault.verdict in _EXIT_KNOWS_BETTER:
            return Fault(exit_fault.verdict, exit_fault.reason, fault.turn, {**fault.detail, **exit_fault.detail})
        return fault

    def stop(self) -> None:
        """Kill the bot (whole tree) and release the channel. Idempotent."""
        try:
            if self.process is not None:
                self.process.kill()
        finally:
            self.channel.close()

    def summary(self) -> dict[str, Any]:
        return {"seat": self.index, "name": self.name, "moves": self.moves, "think_s": round(self.think_s, 6)}
