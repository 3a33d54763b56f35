"""The coordinator's vocabulary: action types, statuses, requests and responses.

Shared by the server (`coordinator`) and the client (`agents`). The names and
shapes are NetSecGame's (AI Dojo), so its agents' envelope code works as is:

    request   {"action_type": "ActionType.JoinGame", "parameters": {...}}
    response  {"status": "GameStatus.OK",
               "observation": {"state": ..., "reward": ..., "end": ..., "info": {...}},
               "message": ...}

A game action on a terra game is ``ActionType.PlayMove`` with ``{"move": <move JSON>}``.
`parse_request` turns a decoded JSON value into one typed request or raises
`RequestError` with the reason sent back as BAD_REQUEST. docs/coordinator.md
is the full specification.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MAX_NAME_CHARS = 64        # agent names and roles end up in file names and logs
SEED_MIN, SEED_MAX = -(2 ** 63), 2 ** 64 - 1


class ActionType(StrEnum):
    """What a request asks for. The wire form is the value, e.g. "ActionType.JoinGame"."""

    JoinGame = "ActionType.JoinGame"
    QuitGame = "ActionType.QuitGame"
    ResetGame = "ActionType.ResetGame"
    PlayMove = "ActionType.PlayMove"

    @classmethod
    def from_string(cls, text: str) -> ActionType:
        """Accepts "ActionType.JoinGame" and the bare "JoinGame", as NetSecGame does."""
        bare = text.removeprefix("ActionType.")
        member = cls.__members__.get(bare)
        if member is None:
            raise ValueError(f"invalid ActionType: {text}")
        return member


class GameStatus(StrEnum):
    """The status of a response. OK/CREATED/RESET_DONE succeed; FORBIDDEN = well-formed but not allowed now."""

    OK = "GameStatus.OK"
    CREATED = "GameStatus.CREATED"
    RESET_DONE = "GameStatus.RESET_DONE"
    BAD_REQUEST = "GameStatus.BAD_REQUEST"
    FORBIDDEN = "GameStatus.FORBIDDEN"

    @classmethod
    def from_string(cls, text: str) -> GameStatus:
        """The status named "GameStatus.OK" etc.; ValueError for anything else."""
        return cls(text)


class AgentStatus(StrEnum):
    """Why an agent's episode ended: the `end_reason` in observations and trajectories."""

    Playing = "AgentStatus.Playing"
    Success = "AgentStatus.Success"               # the game is over and this seat alone ranks first
    Draw = "AgentStatus.Draw"                     # the game is over and first place is shared
    Fail = "AgentStatus.Fail"                     # the game is over and another seat ranks higher
    TimeoutReached = "AgentStatus.TimeoutReached"  # the role's step limit ran out
    ResetRequested = "AgentStatus.ResetRequested"  # the agent asked for a reset mid-episode
    Quit = "AgentStatus.Quit"                     # the agent quit or disconnected mid-episode
    Shutdown = "AgentStatus.Shutdown"             # the server stopped
    Aborted = "AgentStatus.Aborted"               # the game itself failed; no agent is blamed


class RequestError(ValueError):
    """A request that cannot be served; the message is the reason sent back with BAD_REQUEST."""


@dataclass(frozen=True, slots=True)
class JoinRequest:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class QuitRequest:
    pass


@dataclass(frozen=True, slots=True)
class ResetRequest:
    request_trajectory: bool = False
    randomize_topology: bool = True
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class MoveRequest:
    move: Any

    def as_action(self) -> dict[str, Any]:
        """The action as the wire (and trajectories) spell it."""
        return {"action_type": str(ActionType.PlayMove), "parameters": {"move": self.move}}


Request = JoinRequest | QuitRequest | ResetRequest | MoveRequest

_PARAMETERS: dict[ActionType, frozenset[str]] = {
    ActionType.JoinGame: frozenset({"agent_info"}),
    ActionType.QuitGame: frozenset(),
    ActionType.ResetGame: frozenset({"request_trajectory", "randomize_topology", "seed"}),
    ActionType.PlayMove: frozenset({"move"}),
}


def parse_request(value: Any) -> Request:
    """The typed request in a decoded JSON value; RequestError says what is wrong."""
    if not isinstance(value, dict):
        raise RequestError(f"a request must be a JSON object, not {_json_type(value)}")
    action_type = _action_type(value.get("action_type"))
    parameters = value.get("parameters", {})
    if not isinstance(parameters, dict):
        raise RequestError(f"'parameters' must be an object, not {_json_type(parameters)}")
    unknown = sorted(set(parameters) - _PARAMETERS[action_type])
    if unknown:
        allowed = ", ".join(sorted(_PARAMETERS[action_type])) or "none"
        raise RequestError(f"unknown parameter {unknown[0]!r} for {action_type} (allowed: {allowed})")
    match action_type:
        case ActionType.JoinGame:
            return _join(parameters)
        case ActionType.ResetGame:
            return _reset(parameters)
        case ActionType.PlayMove:
            if "move" not in parameters:
                raise RequestError("ActionType.PlayMove needs the parameter 'move'")
            return MoveRequest(parameters["move"])
        case _:
            return QuitRequest()


def _action_type(raw: Any) -> ActionType:
    if not isinstance(raw, str):
        raise RequestError("a request needs 'action_type', a string such as \"ActionType.JoinGame\"")
    try:
        return ActionType.from_string(raw)
    except ValueError:
        known = ", ".join(member.value for member in ActionType)
        raise RequestError(f"unknown action_type {raw[:80]!r}: this server accepts {known}") from None


def _join(parameters: dict[str, Any]) -> JoinRequest:
    info = parameters.get("agent_info")
    if not isinstance(info, dict):
        raise RequestError("ActionType.JoinGame needs 'agent_info': {\"name\": ..., \"role\": ...}")
    return JoinRequest(_short_text(info.get("name"), "agent_info.name"), _short_text(info.get("role", ""), "agent_info.role"))


def _short_text(raw: Any, what: str) -> str:
    if not isinstance(raw, str):
        raise RequestError(f"{what} must be a string")
    if len(raw) > MAX_NAME_CHARS or not raw.isprintable():
        raise RequestError(f"{what} must be printable text of at most {MAX_NAME_CHARS} characters")
    return raw


def _reset(parameters: dict[str, Any]) -> ResetRequest:
    seed = parameters.get("seed")
    if seed == "None":                     # NetSecGame's Action.from_dict accepts this spelling
        seed = None
    if seed is not None and (type(seed) is not int or not SEED_MIN <= seed <= SEED_MAX):
        raise RequestError("'seed' must be null or an integer that fits in 64 bits")
    return ResetRequest(_flag(parameters, "request_trajectory", False),
                        _flag(parameters, "randomize_topology", True), seed)


def _flag(parameters: dict[str, Any], key: str, default: bool) -> bool:
    value = parameters.get(key, default)
    if not isinstance(value, bool):
        raise RequestError(f"'{key}' must be true or false")
    return value


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def observation(state: Any, reward: float, end: bool, info: dict[str, Any] | None = None) -> dict[str, Any]:
    """The observation part of a response."""
    return {"state": state, "reward": _finite(reward), "end": end, "info": info or {}}


def response(status: GameStatus, obs: dict[str, Any] | None = None, message: Any = None) -> dict[str, Any]:
    """A response envelope; `observation` and `message` are left out when None."""
    data: dict[str, Any] = {"status": str(status)}
    if obs is not None:
        data["observation"] = obs
    if message is not None:
        data["message"] = message
    return data


def bad_request(reason: str) -> dict[str, Any]:
    return response(GameStatus.BAD_REQUEST, message=reason)


def _finite(reward: float) -> float:
    # A game returning NaN or infinity would make the response invalid JSON
    # (json.dumps(allow_nan=False) refuses it): the agent gets 0 for that step.
    return float(reward) if math.isfinite(reward) else 0.0
