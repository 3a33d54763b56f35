"""Helpers shared by the coordinator tests: configs built in code, in-memory agents."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fixture_games import GuessGame, RaceGame
from phoenix_judge.coordinator.lobby import Agent, Lobby
from phoenix_judge.coordinator.protocol import JoinRequest, MoveRequest, ResetRequest
from phoenix_judge.coordinator.settings import NetLimits, Rewards, SeatConfig, ServeConfig
from phoenix_judge.coordinator.trajectory import TrajectoryLog

GUESS = "fixture_games:GuessGame"
RACE = "fixture_games:RaceGame"


def config(game: str = GUESS, roles: tuple[str | None, ...] = ("Attacker", "Defender"), *,
           max_steps: int | None = None, required: int | None = None, bots: dict[int, str] | None = None,
           game_map: dict[str, Any] | None = None, seed: int = 7, **extra: Any) -> ServeConfig:
    cls = GuessGame if game == GUESS else RaceGame
    bots = bots or {}
    seats = tuple(SeatConfig(i, f"seat{i}", role, max_steps, bots.get(i)) for i, role in enumerate(roles))
    return ServeConfig(game=cls(), game_map=game_map or {}, seed=seed, seats=seats,
                       required_players=required or sum(i not in bots for i in range(len(roles))),
                       rewards=Rewards(step=-1, success=100, fail=-10, draw=5),
                       limits=extra.pop("limits", NetLimits(max_connections=4)), trajectories_dir=None,
                       config_hash="test", **extra)


class Inbox:
    """An in-memory agent: what the lobby delivered to it, in order."""

    def __init__(self, lobby: Lobby) -> None:
        self.replies: list[dict[str, Any]] = []
        self.agent: Agent = lobby.connect(self.replies.append)
        self.lobby = lobby

    def take(self) -> dict[str, Any]:
        assert len(self.replies) == 1, f"expected exactly one reply, got {self.replies}"
        return self.replies.pop()

    def join(self, role: str = "Attacker", name: str = "bot") -> None:
        self.lobby.handle(self.agent, JoinRequest(name, role))

    def move(self, move: Any) -> None:
        self.lobby.handle(self.agent, MoveRequest(move))

    def reset(self, **params: Any) -> None:
        self.lobby.handle(self.agent, ResetRequest(**params))


def lobby(cfg: ServeConfig, log_dir: Path | None = None) -> Lobby:
    return Lobby(cfg, TrajectoryLog(log_dir) if log_dir else None)
