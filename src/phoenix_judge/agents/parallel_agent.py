"""ParallelBaseAgent: one agent stepping many coordinators at once (vectorised environments).

NetSecGame's ParallelBaseAgent API: one socket per (host, port), a single host
broadcast to every port, `register()`, `make_step(actions)` and
`request_game_reset(...)` returning lists in port order (a scalar when there is
one environment), and a done mask that the end of an episode or a connection
error sets and a successful reset clears. Requests go out on a thread pool,
so the slowest server sets the pace of a step, not the sum of them.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

from ..coordinator.protocol import ActionType, GameStatus
from .connection import Action, AgentInfo, Connection, Observation, role_name, to_observation


class ParallelBaseAgent:
    """One agent in `len(game_ports)` game servers."""

    def __init__(self, game_hosts: str | Sequence[str], game_ports: int | Sequence[int], role: Any,
                 max_workers: int | None = None, *, name: str | None = None, timeout: float | None = None) -> None:
        hosts = [game_hosts] if isinstance(game_hosts, str) else list(game_hosts)
        ports = [int(game_ports)] if isinstance(game_ports, int) else [int(port) for port in game_ports]
        if len(hosts) == 1:
            hosts = hosts * len(ports)
        if len(hosts) != len(ports):
            raise ValueError(f"game_hosts length ({len(hosts)}) must be 1 (broadcast) "
                             f"or match game_ports length ({len(ports)})")
        self._envs = list(zip(hosts, ports))
        self._role = role
        self._name = name or self.__class__.__name__
        self._logger = logging.getLogger(self.__class__.__name__)
        self._connections = [self._connect(host, port, timeout) for host, port in self._envs]
        self._done_mask = [connection is None for connection in self._connections]
        self._executor = ThreadPoolExecutor(max_workers=max_workers or len(self._envs))
        self._logger.info("%d environments, %d connected", len(self._envs), sum(self.connected))

    def _connect(self, host: str, port: int, timeout: float | None) -> Connection | None:
        try:
            return Connection(host, port, timeout=timeout)
        except OSError as exc:
            self._logger.warning("cannot connect to %s:%d: %s", host, port, exc)
            return None

    # ---- properties ------------------------------------------------------------------

    @property
    def num_envs(self) -> int:
        return len(self._envs)

    @property
    def connected(self) -> list[bool]:
        return [connection is not None for connection in self._connections]

    @property
    def done_mask(self) -> bool | list[bool]:
        return self._done_mask[0] if self.num_envs == 1 else list(self._done_mask)

    @property
    def all_done(self) -> bool:
        return all(self._done_mask)

    @property
    def role(self) -> Any:
        return self._role

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    # ---- the vectorised API ----------------------------------------------------------

    def register(self) -> Observation | None | list[Observation | None]:
        """Join every connected environment; the first observations (info = welcome message)."""
        info = AgentInfo(self._name, role_name(self._role))
        join = Action(ActionType.JoinGame, {"agent_info": info})
        results = self._run({index: join for index in self._live()}, GameStatus.CREATED)
        self._done_mask = [result is None for result in results]
        return self._shape(results)

    def make_step(self, actions: Action | Sequence[Action]) -> Observation | None | list[Observation | None]:
        """Play one action in every environment not done; an index that is done is skipped (None)."""
        if isinstance(actions, Action) and self.num_envs == 1:
            actions = [actions]
        if len(actions) != self.num_envs:
            raise ValueError(f"Expected {self.num_envs} actions, got {len(actions)}")
        active = {index: actions[index] for index in self._live() if not self._done_mask[index]}
        results = self._run(active, None)
        for index in active:
            if results[index] is None or results[index].end:
                self._done_mask[index] = True
        return self._shape(results)

    def request_game_reset(self, request_trajectory: bool = False, randomize_topology: bool = False,
                           seed: int | None = None) -> Observation | None | list[Observation | None]:
        """Reset every connected environment (done or not); the first observations of the new episodes."""
        if randomize_topology and seed is None:
            raise ValueError("Topology randomization without seed is not supported.")
        reset = Action(ActionType.ResetGame, {"request_trajectory": request_trajectory,
                                              "randomize_topology": randomize_topology, "seed": seed})
        results = self._run({index: reset for index in self._live()}, GameStatus.RESET_DONE)
        self._done_mask = [result is None for result in results]
        return self._shape(results)

    def terminate_connection(self) -> None:
        """Close every socket and the thread pool."""
        for index, connection in enumerate(self._connections):
            if connection is not None:
                connection.close()
                self._connections[index] = None
        self._executor.shutdown(wait=False)

    def __enter__(self) -> ParallelBaseAgent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.terminate_connection()

    # ---- internals -------------------------------------------------------------------

    def _live(self) -> list[int]:
        return [index for index, connection in enumerate(self._connections) if connection is not None]

    def _shape(self, results: list[Observation | None]) -> Observation | None | list[Observation | None]:
        return results[0] if self.num_envs == 1 else results

    def _run(self, actions: dict[int, Action], expect: GameStatus | None) -> list[Observation | None]:
        """Send `actions[i]` to environment i, all at once; the observations in port order."""
        results: list[Observation | None] = [None] * self.num_envs
        call: Callable[[int], Observation | None] = lambda index: self._one(index, actions[index], expect)
        if len(actions) == 1:                       # no thread hop for a single environment
            (index,) = actions
            results[index] = call(index)
            return results
        for index, result in zip(actions, self._executor.map(call, actions)):
            results[index] = result
        return results

    def _one(self, index: int, action: Action, expect: GameStatus | None) -> Observation | None:
        connection = self._connections[index]
        try:
            status, obs, message = connection.communicate(action)
        except (ConnectionError, OSError) as exc:
            self._logger.error("env %d (%s:%d): %s", index, *self._envs[index], exc)
            connection.close()
            self._connections[index] = None
            return None
        if expect is not None and status is not expect:
            self._logger.error("env %d: %s failed (status: %s, msg: %s)", index, action.type, status, message)
            return None
        if expect is None:
            return to_observation(obs) if obs else None
        return to_observation(obs, message)
