"""One connected agent: everything the coordinator knows about it, in one object.

Identity is the id the server assigns (`a1`, `a2`, ...), never a socket
address; the agent's seat, phase, pending request and its part of the current
episode (`Run`) all live here, so nothing is keyed by peer address anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Callable

from .protocol import AgentStatus, ResetRequest
from .settings import SeatConfig
from .trajectory import Trajectory

Deliver = Callable[[dict[str, Any]], None]


class Phase(StrEnum):
    LOBBY = "lobby"            # connected, no seat
    READY = "ready"            # seated, waiting for an episode to start
    PLAYING = "playing"        # in the running episode
    ENDED = "ended"            # its episode is over; waits for a reset request
    RESETTING = "resetting"    # asked for a reset; waits for the others
    GONE = "gone"              # disconnected


class Pending(StrEnum):
    """The request an agent waits on, i.e. which answer it gets next."""

    JOIN = "join"
    RESET = "reset"
    STEP = "step"


@dataclass(slots=True)
class Run:
    """One agent's part of one episode."""

    trajectory: Trajectory
    max_steps: int | None
    steps: int = 0
    reward: float = 0.0                   # earned since the last answer
    status: AgentStatus = AgentStatus.Playing
    action: dict[str, Any] | None = None  # the step awaiting its answer
    last_state: Any = None                # the observation of the last answer
    final_sent: bool = False
    logged: bool = False

    def take_reward(self) -> float:
        reward, self.reward = self.reward, 0.0
        return reward


@dataclass(slots=True, eq=False)
class Agent:
    """Everything about one connected agent."""

    id: str
    deliver: Deliver
    name: str = ""
    role: str = ""
    seat: SeatConfig | None = None
    phase: Phase = Phase.LOBBY
    pending: Pending | None = None
    reset: ResetRequest | None = None
    run: Run | None = None
    last_trajectory: dict[str, Any] | None = None
