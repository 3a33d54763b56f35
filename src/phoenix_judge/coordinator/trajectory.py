"""Trajectories: what one agent saw, did and earned in one episode, in NetSecGame's format.

    {"trajectory": {"states": [s0, ..., sN], "actions": [a1, ..., aN], "rewards": [r1, ..., rN]},
     "end_reason": "AgentStatus.Success", "agent_role": "Attacker", "agent_name": "q-agent",
     "agent_id": "a3", "game": "connect4", "episode": 7, "seed": 12345}

`states[0]` is the observation the episode started with for this agent;
each step appends the action, the reward of the response and the
observation in it. Finished trajectories are appended, one JSON object a
line, to <dir>/<date>_<game>_<name>_<role>.jsonl.
"""
from __future__ import annotations

import datetime
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(slots=True)
class Trajectory:
    agent_id: str
    agent_name: str
    agent_role: str
    game: str
    episode: int
    seed: int
    states: list[Any] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    end_reason: str | None = None

    def add(self, action: dict[str, Any], reward: float, state: Any) -> None:
        self.actions.append(action)
        self.rewards.append(reward)
        self.states.append(state)

    def to_json(self) -> dict[str, Any]:
        return {
            "trajectory": {"states": self.states, "actions": self.actions, "rewards": self.rewards},
            "end_reason": self.end_reason,
            "agent_role": self.agent_role,
            "agent_name": self.agent_name,
            "agent_id": self.agent_id,
            "game": self.game,
            "episode": self.episode,
            "seed": self.seed,
        }


class TrajectoryLog:
    """Appends finished trajectories to JSONL files under `directory` (created on first use)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, trajectory: Trajectory) -> Path:
        # Names and roles come from remote agents: only a safe alphabet reaches the file system.
        parts = (datetime.date.today().isoformat(), trajectory.game, trajectory.agent_name, trajectory.agent_role)
        return self.directory / ("_".join(_UNSAFE.sub("-", part).strip(".-") or "x" for part in parts) + ".jsonl")

    def append(self, trajectory: Trajectory) -> None:
        path = self.path_for(trajectory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps(trajectory.to_json(), separators=(",", ":")) + "\n")
        except OSError:
            # A full disk must not take the game down for every agent: the episode
            # goes on, the log says which trajectory was lost.
            log.exception("could not append the trajectory of %s (episode %d) to %s",
                          trajectory.agent_id, trajectory.episode, path)
