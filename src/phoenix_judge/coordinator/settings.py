"""The serve config: which game, which seats, rewards, limits (schema: config/schemas/serve.schema.json)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..config import load_json, packaged_schema, validate
from ..config.game_config import load_map
from ..terra import Game, get_game


MIB = 1024 * 1024
RANDOM_BOT = "random"


@dataclass(frozen=True, slots=True)
class Rewards:
    """Added to the game's own rewards. Defaults are NetSecGame's task defaults."""

    step: float = -1.0
    success: float = 100.0
    fail: float = -10.0
    draw: float = 0.0


@dataclass(frozen=True, slots=True)
class NetLimits:
    """What one connection may cost the server."""

    max_message_bytes: int = 1 * MIB
    idle_timeout_s: float = 300.0
    write_timeout_s: float = 10.0
    max_connections: int = 64


@dataclass(frozen=True, slots=True)
class SeatConfig:
    index: int
    name: str
    role: str | None                 # None: any role may sit here
    max_steps: int | None            # None: no step limit
    bot: str | None = None           # "random": played by the server, no agent

    def accepts(self, role: str) -> bool:
        wanted = role.casefold()
        return self.bot is None and (self.role is None or wanted in (self.role.casefold(), self.name.casefold()))


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """A validated serve config."""

    game: Game
    game_map: dict[str, Any]
    seed: int
    seats: tuple[SeatConfig, ...]
    required_players: int
    rewards: Rewards = Rewards()
    limits: NetLimits = NetLimits()
    trajectories_dir: Path | None = Path("out/trajectories")
    goal_descriptions: dict[str, str] = field(default_factory=dict)    # role or "" (every role) -> text
    config_hash: str = ""

    def goal_description(self, role: str) -> str:
        return self.goal_descriptions.get(role, self.goal_descriptions.get("", ""))

    @property
    def agent_seats(self) -> tuple[SeatConfig, ...]:
        return tuple(seat for seat in self.seats if seat.bot is None)


def load_serve_config(path: Path) -> ServeConfig:
    """Read, validate and resolve a serve config; ConfigError names the file and JSON path."""
    data = load_json(path, "serve config")
    validate(data, packaged_schema("serve.schema.json"), str(path))
    game = get_game(data["game"], where=f"{path}: $.game")
    seats = _seats(game, data, str(path))
    limits = data.get("limits", {})
    return ServeConfig(
        game=game,
        game_map=load_map(data["game"], data.get("map"), path.resolve().parent, f"{path}: $.map")[0],
        seed=data.get("seed", 0),
        seats=seats,
        required_players=_required_players(data, seats, str(path)),
        rewards=Rewards(**data.get("rewards", {})),
        limits=NetLimits(**{"max_connections": sum(seat.bot is None for seat in seats), **limits}),
        trajectories_dir=_trajectories_dir(data.get("trajectories", {})),
        goal_descriptions=_per_role(data.get("goal_description", "")),
        config_hash=_hash(path),
    )


def _seats(game: Game, data: dict[str, Any], where: str) -> tuple[SeatConfig, ...]:
    raw = data.get("seats") or [{} for _ in range(len(game.roles) or game.min_seats)]
    if not game.min_seats <= len(raw) <= game.max_seats:
        raise ConfigError(f"{where}: $.seats", f"{len(raw)} seats, but {game.name} is played by "
                          f"{game.min_seats}..{game.max_seats}", "list as many seats as the game allows")
    steps = data.get("max_steps")
    seats = tuple(_seat(game, index, spec, steps) for index, spec in enumerate(raw))
    if all(seat.bot for seat in seats):
        raise ConfigError(f"{where}: $.seats", "every seat is played by a bot", "leave at least one seat to agents")
    _check_step_roles(steps, seats, where)
    return seats


def _seat(game: Game, index: int, spec: dict[str, Any], steps: Any) -> SeatConfig:
    role = spec.get("role", game.roles[index] if index < len(game.roles) else None)
    name = spec.get("name", f"seat{index}")
    if isinstance(steps, dict):
        steps = steps.get(role or name)
    return SeatConfig(index, name, role, spec.get("max_steps", steps), spec.get("bot"))


def _check_step_roles(steps: Any, seats: tuple[SeatConfig, ...], where: str) -> None:
    known = {seat.role or seat.name for seat in seats}
    for role in steps if isinstance(steps, dict) else ():
        if role not in known:
            raise ConfigError(f"{where}: $.max_steps.{role}", f"no seat has the role {role!r}",
                              f"use one of: {', '.join(sorted(known))}")


def _required_players(data: dict[str, Any], seats: tuple[SeatConfig, ...], where: str) -> int:
    free = sum(seat.bot is None for seat in seats)
    required = data.get("required_players", free)
    if required > free:
        raise ConfigError(f"{where}: $.required_players", f"{required} players required, but only {free} seats "
                          "take agents", "lower required_players or add seats")
    return required


def _trajectories_dir(spec: dict[str, Any]) -> Path | None:
    return Path(spec.get("dir", "out/trajectories")) if spec.get("store", True) else None


def _per_role(raw: str | dict[str, str]) -> dict[str, str]:
    return {"": raw} if isinstance(raw, str) else dict(raw)


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
