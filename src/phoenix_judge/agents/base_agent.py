"""BaseAgent: one agent, one coordinator. NetSecGame's BaseAgent API on Phoenix's coordinator.

    agent = BaseAgent("127.0.0.1", 9000, "Attacker")
    obs = agent.register()                    # Observation; info holds the welcome message
    while not obs.end:
        obs = agent.make_step(Action.play(pick(obs.state)))
    obs = agent.request_game_reset(request_trajectory=True)
    agent.terminate_connection()
"""
from __future__ import annotations

import logging
from socket import socket as Socket
from typing import Any

from ..coordinator.protocol import ActionType, GameStatus
from .connection import Action, AgentInfo, Connection, Observation, role_name, to_observation


class BaseAgent:
    """Talks to one coordinator over one socket. Subclass it, or use it as it is."""

    def __init__(self, host: str, port: int, role: Any, *, name: str | None = None,
                 timeout: float | None = None) -> None:
        self._logger = logging.getLogger(self.__class__.__name__)
        self._role = role
        self._name = name or self.__class__.__name__
        try:
            self._connection: Connection | None = Connection(host, port, timeout=timeout)
        except OSError as exc:
            # NetSecGame's agents log and carry on; every request then fails with ConnectionError.
            self._logger.error("cannot connect to %s:%s: %s", host, port, exc)
            self._connection = None

    @property
    def socket(self) -> Socket | None:
        return self._connection.socket if self._connection else None

    @property
    def role(self) -> Any:
        return self._role

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    def communicate(self, data: Action) -> tuple[GameStatus, dict[str, Any], Any]:
        """Send one action; (status, observation dict, message). Raises ConnectionError, ValueError."""
        if self._connection is None:
            raise ConnectionError("not connected")
        return self._connection.communicate(data)

    def register(self) -> Observation | None:
        """Join the game in this agent's role; the first observation (info = the welcome message), or None."""
        info = AgentInfo(self._name, role_name(self._role))
        try:
            status, obs, message = self.communicate(Action(ActionType.JoinGame, {"agent_info": info}))
        except (ConnectionError, OSError) as exc:
            self._logger.error("registration failed: %s", exc)
            return None
        if status is not GameStatus.CREATED:
            self._logger.error("registration failed (status: %s, msg: %s)", status, message)
            return None
        return to_observation(obs, message)

    def make_step(self, action: Action) -> Observation | None:
        """Play one action; the observation of the answer, or None when the answer has none."""
        _, obs, _ = self.communicate(action)
        return to_observation(obs) if obs else None

    def request_game_reset(self, request_trajectory: bool = False, randomize_topology: bool = True,
                           seed: int | None = None) -> Observation | None:
        """Ask for a new episode (answered once every agent asked); its first observation, or None."""
        parameters = {"request_trajectory": request_trajectory, "randomize_topology": randomize_topology, "seed": seed}
        status, obs, message = self.communicate(Action(ActionType.ResetGame, parameters))
        if status is not GameStatus.RESET_DONE:
            self._logger.error("reset failed (status: %s, msg: %s)", status, message)
            return None
        return to_observation(obs, message)

    def terminate_connection(self) -> None:
        """Close the socket; the server counts it as QuitGame."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> BaseAgent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.terminate_connection()
