"""The client side of the coordinator protocol: actions, observations, one connection.

`Action`, `Observation` and `AgentInfo` have NetSecGame's names and shapes;
`Observation.state` is the game's own observation for the agent's seat (a
JSON value), not NetSecGame's GameState.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import socket
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple

from ..coordinator.protocol import ActionType, GameStatus
from ..coordinator.wire import ResponseSplitter, encode_request

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
RECV_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class AgentInfo:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Action:
    """One request: `Action(ActionType.JoinGame, {"agent_info": AgentInfo(...)})`, or `Action.play(move)`."""

    action_type: ActionType
    parameters: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def play(cls, move: Any) -> Action:
        """A game action: play `move` (the game's move JSON) in this agent's seat."""
        return cls(ActionType.PlayMove, {"move": move})

    @property
    def type(self) -> ActionType:
        return self.action_type

    @property
    def as_dict(self) -> dict[str, Any]:
        parameters = {key: dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value
                      for key, value in self.parameters.items()}
        return {"action_type": str(self.action_type), "parameters": parameters}

    def to_json(self) -> str:
        return json.dumps(self.as_dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Action:
        return cls(ActionType.from_string(data["action_type"]), dict(data.get("parameters", {})))


class Observation(NamedTuple):
    """What a step returns: the game's observation, the reward, whether the episode ended, and info."""

    state: Any
    reward: float
    end: bool
    info: dict[str, Any]


def role_name(role: Any) -> str:
    """NetSecGame passes roles as an enum (AgentRole.Attacker); plain strings work here too."""
    return str(role.value) if isinstance(role, Enum) else str(role)


class Connection:
    """One TCP connection to a coordinator: send a request, read its framed answer."""

    def __init__(self, host: str, port: int, *, timeout: float | None = None,
                 max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.address = (host, port)
        self._socket: socket.socket | None = socket.create_connection((host, port), timeout=timeout)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._splitter = ResponseSplitter(max_response_bytes)
        self._ready: deque[bytes] = deque()
        self._log = logging.getLogger(__name__)

    @property
    def socket(self) -> socket.socket | None:
        return self._socket

    def communicate(self, action: Action) -> tuple[GameStatus, dict[str, Any], Any]:
        """Send `action`; (status, observation dict, message) of the answer. ConnectionError when the link fails."""
        if self._socket is None:
            raise ConnectionError(f"not connected to {self.address[0]}:{self.address[1]}")
        if not isinstance(action, Action):
            raise ValueError("Incorrect data type! Data should be ONLY of type Action")
        self._log.debug("sending %s", action)
        self._socket.sendall(encode_request(action.as_dict))
        return _decode(self._receive())

    def _receive(self) -> bytes:
        while not self._ready:
            chunk = self._socket.recv(RECV_CHUNK)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self._ready.extend(self._splitter.feed(chunk))
        return self._ready.popleft()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _decode(payload: bytes) -> tuple[GameStatus, dict[str, Any], Any]:
    try:
        data = json.loads(payload)
        status = GameStatus.from_string(str(data.get("status", "")))
    except (ValueError, AttributeError) as exc:
        raise ConnectionError(f"not a coordinator answer: {payload[:200]!r}") from exc
    return status, data.get("observation") or {}, data.get("message")


def to_observation(obs: dict[str, Any], info: Any = None) -> Observation:
    """An Observation from the wire; `info` replaces the observation's own (register and reset put the message there)."""
    return Observation(obs.get("state"), obs.get("reward", 0.0), obs.get("end", False),
                       obs.get("info", {}) if info is None else info)
