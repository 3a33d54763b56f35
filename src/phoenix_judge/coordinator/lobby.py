"""The coordinator's rules, without any I/O: seats, episodes, answers, resets.

One `Agent` object per connection holds everything about that agent (its
seat, phase, pending request, and its `Run` in the current episode); identity
is the id the server assigns, never a socket address. The transport calls
`connect`, `handle` and `leave`; answers go out through `Agent.deliver`, now
or later. Every event ends in `_settle()`, which applies complete turns,
releases the answers that are due and starts or resets episodes, so no agent
waits on one that has left.

When an answer is released (docs/coordinator.md, "Answers"):
- every request carrying an observation is answered when the agent must act
  on it (its seat is to move) or when its episode is over, so in a turn-based
  game the agent whose turn it is not simply gets its answer later;
- the last answers of an episode are held until no agent of the episode is
  still playing, then released together with the terminal rewards;
- a reset happens once every agent of the episode has asked for one.
"""
from __future__ import annotations

import itertools
import logging
import random
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import JudgeError
from .agent import Agent, Deliver, Pending, Phase, Run
from .episode import Episode
from .protocol import (ActionType, AgentStatus, GameStatus, JoinRequest, MoveRequest, QuitRequest, Request,
                       ResetRequest, bad_request, observation, response)
from .settings import SeatConfig, ServeConfig
from .trajectory import Trajectory, TrajectoryLog

log = logging.getLogger(__name__)

Listener = Callable[[str, "Agent | None"], None]
"""Told of each change: ("joined" | "reset_requested" | "moved" | "left", agent) or ("episode_started" | "episode_reset", None)."""
_GAME_OVER = (AgentStatus.Success, AgentStatus.Draw, AgentStatus.Fail)
_ENDED_INFO = "Episode ended. Request reset for starting new episode."


@dataclass(slots=True)
class _Seat:
    config: SeatConfig
    agent: Agent | None = None


@dataclass(slots=True)
class Lobby:
    """Serves one game instance to the agents connected to it."""

    config: ServeConfig
    trajectory_log: TrajectoryLog | None = None
    agents: dict[str, Agent] = field(default_factory=dict)
    episode: Episode | None = None
    episodes_played: int = 0
    closing: bool = False
    listeners: list[Listener] = field(default_factory=list)
    _seats: list[_Seat] = field(init=False)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _seeds: random.Random = field(init=False)
    _next_seed: int = field(init=False)

    def __post_init__(self) -> None:
        self._seats = [_Seat(seat) for seat in self.config.seats]
        self._seeds = random.Random(self.config.seed)
        self._next_seed = self.config.seed

    # ---- events from the transport -------------------------------------------------

    def connect(self, deliver: Deliver) -> Agent:
        """A new connection: an agent with a fresh server-assigned id."""
        agent = Agent(f"a{next(self._ids)}", deliver)
        self.agents[agent.id] = agent
        return agent

    def handle(self, agent: Agent, request: Request) -> bool:
        """Serve one request; True when an answer is (or will be) delivered."""
        match request:
            case JoinRequest():
                self._join(agent, request)
            case ResetRequest():
                self._request_reset(agent, request)
            case MoveRequest():
                self._step(agent, request)
            case QuitRequest():
                self._unseat(agent, Phase.LOBBY)
                return False
        self._settle()
        return True

    def leave(self, agent: Agent) -> None:
        """The connection closed: QuitGame, then the agent is forgotten."""
        self._unseat(agent, Phase.GONE)
        self.agents.pop(agent.id, None)
        self._emit("left", agent)

    def shutdown(self) -> None:
        """The server stops: log every trajectory not yet logged. Answers are the transport's."""
        self.closing = True
        for agent in self.agents.values():
            if agent.run is not None and agent.run.status is AgentStatus.Playing:
                agent.run.status = agent.run.trajectory.end_reason = AgentStatus.Shutdown
            self._log_run(agent)

    # ---- requests --------------------------------------------------------------------

    def _join(self, agent: Agent, request: JoinRequest) -> None:
        if agent.phase is not Phase.LOBBY:
            agent.deliver(bad_request(f"already joined as {agent.role!r} in seat {agent.seat.index}"))
            return
        free = [seat for seat in self._seats if seat.agent is None and seat.config.accepts(request.role)]
        # A seat made for this role wins over a seat that takes any role.
        seat = min(free, key=lambda seat: (seat.config.role is None, seat.config.index), default=None)
        if seat is None:
            agent.deliver(self._no_seat(request.role))
            return
        seat.agent = agent
        agent.name, agent.role, agent.seat = request.name, seat.config.role or request.role, seat.config
        agent.phase, agent.pending = Phase.READY, Pending.JOIN
        log.info("%s joined as %s (%r) in seat %d", agent.id, agent.role, agent.name, seat.config.index)
        self._emit("joined", agent)

    def _no_seat(self, role: str) -> dict[str, Any]:
        roles = {seat.config.role or seat.config.name for seat in self._seats if seat.config.bot is None}
        if not any(seat.config.accepts(role) for seat in self._seats):
            return bad_request(f"no seat takes the role {role!r}; the roles here are {', '.join(sorted(roles))}")
        return response(GameStatus.FORBIDDEN, message=f"every seat for the role {role!r} is taken")

    def _request_reset(self, agent: Agent, request: ResetRequest) -> None:
        if agent.phase not in (Phase.PLAYING, Phase.ENDED):
            agent.deliver(bad_request("join the game first (ActionType.JoinGame)" if agent.phase is Phase.LOBBY
                                      else "a request of this agent is already waiting for its answer"))
            return
        if agent.phase is Phase.PLAYING:
            self._end_run(agent, AgentStatus.ResetRequested)
        agent.run.final_sent = True          # asking for a reset forgoes the episode's last answer
        agent.phase, agent.pending, agent.reset = Phase.RESETTING, Pending.RESET, request
        self._emit("reset_requested", agent)

    def _step(self, agent: Agent, request: MoveRequest) -> None:
        if agent.phase is Phase.ENDED:
            self._answer_ended(agent)
            return
        if agent.phase is not Phase.PLAYING or not self.episode.waiting_for(agent.seat.index):
            agent.deliver(bad_request("join the game first (ActionType.JoinGame)" if agent.phase is Phase.LOBBY
                                      else "it is not this agent's turn"))
            return
        run = agent.run
        run.steps += 1
        run.reward += self.config.rewards.step
        run.action = request.as_action()
        reason = self.episode.check(agent.seat.index, request.move)
        if reason is None:
            self.episode.submit(agent.seat.index, request.move)
            agent.pending = Pending.STEP
            self._emit("moved", agent)
        elif run.max_steps is not None and run.steps >= run.max_steps:
            agent.pending = Pending.STEP          # the wasted step was the last: the episode ends
            self._end_run(agent, AgentStatus.TimeoutReached)
        else:
            self._answer_illegal(agent, reason)

    def _answer_illegal(self, agent: Agent, reason: str) -> None:
        run = agent.run
        reward = run.take_reward()
        run.trajectory.add(run.action, reward, run.last_state)
        agent.deliver(response(GameStatus.BAD_REQUEST, observation(run.last_state, reward, False),
                               f"illegal move: {reason}"))

    def _answer_ended(self, agent: Agent) -> None:
        run = agent.run
        if not run.final_sent and self.episode is not None and self.episode.finals_released:
            agent.pending = Pending.STEP          # its turn came before the game ended: this is the last answer
            run.action = None
            self._release(agent, final=True)
            return
        info = {"end_reason": str(run.status), "info": _ENDED_INFO}
        agent.deliver(response(GameStatus.FORBIDDEN, observation(run.last_state, 0.0, True, info), _ENDED_INFO))

    def _unseat(self, agent: Agent, phase: Phase) -> None:
        if agent.phase is Phase.PLAYING:
            self._end_run(agent, AgentStatus.Quit)
        self._log_run(agent)
        for seat in self._seats:
            if seat.agent is agent:
                seat.agent = None
                log.info("%s (%r) left seat %d", agent.id, agent.name, seat.config.index)
        agent.seat, agent.run, agent.pending, agent.reset, agent.phase = None, None, None, None, phase
        self._settle()

    # ---- the rules -----------------------------------------------------------------------

    def _settle(self) -> None:
        if self.closing:
            return
        if self.episode is not None:
            self._progress(self.episode)
            members = self._members()
            if all(agent.phase is Phase.RESETTING for agent in members):
                self._reset(self.episode, members)
        if self.episode is None and sum(agent.phase is Phase.READY for agent in self.agents.values()) \
                >= self.config.required_players:
            self._start()

    def _members(self) -> list[Agent]:
        """The agents of the running episode."""
        return [agent for agent in self.agents.values()
                if agent.phase in (Phase.PLAYING, Phase.ENDED, Phase.RESETTING)]

    def _playing(self) -> list[Agent]:
        return [agent for agent in self.agents.values() if agent.phase is Phase.PLAYING]

    def _progress(self, episode: Episode) -> None:
        try:
            while self._playing() and episode.turn_ready():
                self._share(episode.apply_turn())
                if not episode.is_over():
                    self._end_runs_out_of_steps()
            if episode.is_over():
                for agent in self._playing():
                    self._end_run(agent, episode.outcome(agent.seat.index))
        except JudgeError:
            self._abort(episode)
        for agent in self._playing():
            if agent.pending is not None and episode.waiting_for(agent.seat.index):
                self._release(agent)
        if not episode.finals_released and not self._playing():
            self._release_finals(episode)

    def _share(self, rewards: list[float]) -> None:
        for agent in self._playing():
            index = agent.seat.index
            agent.run.reward += rewards[index] if index < len(rewards) else 0.0

    def _end_runs_out_of_steps(self) -> None:
        for agent in self._playing():
            if agent.run.max_steps is not None and agent.run.steps >= agent.run.max_steps:
                self._end_run(agent, AgentStatus.TimeoutReached)

    def _end_run(self, agent: Agent, status: AgentStatus) -> None:
        agent.run.status = agent.run.trajectory.end_reason = status
        agent.phase = Phase.ENDED
        if status not in _GAME_OVER:
            self.episode.remove(agent.seat.index)

    def _abort(self, episode: Episode) -> None:
        # The game itself failed (logged by the episode): nobody can play on, nobody is blamed.
        for agent in self._playing():
            agent.run.status = agent.run.trajectory.end_reason = AgentStatus.Aborted
            agent.phase = Phase.ENDED
        episode.moves.clear()

    def _release_finals(self, episode: Episode) -> None:
        episode.finals_released = True
        rewards = self.config.rewards
        terminal = {AgentStatus.Success: rewards.success, AgentStatus.Draw: rewards.draw,
                    AgentStatus.Fail: rewards.fail, AgentStatus.TimeoutReached: rewards.fail}
        for agent in self._members():
            if agent.phase is Phase.ENDED and not agent.run.final_sent:
                agent.run.reward += terminal.get(agent.run.status, 0.0)
                if agent.pending is not None:
                    self._release(agent, final=True)

    def _release(self, agent: Agent, *, final: bool = False) -> None:
        """Answer the agent's pending request with its observation now."""
        run, kind = agent.run, agent.pending
        state = self._observe(agent)
        reward = run.take_reward() if final or kind is Pending.STEP else 0.0
        obs = observation(state, reward, final, {"end_reason": str(run.status)} if final else {})
        if kind is Pending.STEP:
            if run.action is not None:
                run.trajectory.add(run.action, reward, state)
            message = response(GameStatus.OK, obs)
        else:
            run.trajectory.states.append(state)
            message = response(GameStatus.CREATED if kind is Pending.JOIN else GameStatus.RESET_DONE, obs,
                               self._welcome(agent) if kind is Pending.JOIN else self._restart_note(agent))
        run.last_state, run.final_sent, agent.pending, agent.reset = state, final, None, None
        agent.deliver(message)

    def _observe(self, agent: Agent) -> Any:
        try:
            return self.episode.observe(agent.seat.index)
        except JudgeError as exc:
            return {"error": str(exc)}

    def _welcome(self, agent: Agent) -> dict[str, Any]:
        return {**self._episode_note(agent), "message": f"Welcome {agent.name}, registered as {agent.role}",
                "actions": [str(action) for action in ActionType], "agent_id": agent.id}

    def _restart_note(self, agent: Agent) -> dict[str, Any]:
        note = {**self._episode_note(agent), "message": "Resetting Game and starting again."}
        if agent.reset is not None and agent.reset.request_trajectory:
            note["last_trajectory"] = agent.last_trajectory
        return note

    def _episode_note(self, agent: Agent) -> dict[str, Any]:
        game = self.config.game
        return {"max_steps": agent.run.max_steps, "goal_description": self.config.goal_description(agent.role),
                "configuration_hash": self.config.config_hash, "game": game.name, "game_version": game.version,
                "seat": agent.seat.index, "seats": len(self._seats), "episode": self.episode.number,
                "seed": self.episode.seed}

    # ---- episodes ------------------------------------------------------------------------

    def _start(self) -> None:
        seats = self._seats
        bots = {seat.config.index for seat in seats if seat.config.bot}
        try:
            episode = Episode(self.config.game, self.config.game_map, len(seats), bots,
                              self.episodes_played + 1, self._next_seed)
        except JudgeError as exc:
            self._refuse_ready(f"the game could not start: {exc}")
            return
        self.episode, self.episodes_played = episode, self.episodes_played + 1
        for seat in seats:
            if seat.agent is not None:
                seat.agent.phase, seat.agent.run = Phase.PLAYING, self._new_run(seat.agent, episode)
            elif seat.config.index not in bots:
                episode.remove(seat.config.index)
        log.info("episode %d starts (seed %d)", episode.number, episode.seed)
        self._emit("episode_started", None)
        self._progress(episode)

    def _new_run(self, agent: Agent, episode: Episode) -> Run:
        trajectory = Trajectory(agent.id, agent.name, agent.role, self.config.game.name, episode.number, episode.seed)
        return Run(trajectory, agent.seat.max_steps)

    def _refuse_ready(self, reason: str) -> None:
        for agent in [agent for agent in self.agents.values() if agent.phase is Phase.READY]:
            agent.deliver(response(GameStatus.FORBIDDEN, message=reason))
            self._unseat(agent, Phase.LOBBY)

    def _reset(self, episode: Episode, members: list[Agent]) -> None:
        seeds = sorted({agent.reset.seed for agent in members if agent.reset and agent.reset.seed is not None})
        if len(seeds) > 1:
            reason = f"the agents asked for different seeds ({', '.join(map(str, seeds))}): send one seed, or none"
            for agent in members:
                agent.phase, agent.pending, agent.reset = Phase.ENDED, None, None
                agent.deliver(bad_request(reason))
            return
        if seeds:
            self._next_seed = seeds[0]
        elif all(agent.reset.randomize_topology for agent in members):
            self._next_seed = self._seeds.getrandbits(63)
        else:
            self._next_seed = episode.seed        # NetSecGame: no randomisation unless every agent asks
        for agent in members:
            self._log_run(agent)
            agent.phase = Phase.READY
        self.episode = None
        log.info("episode %d reset by %d agents; next seed %d", episode.number, len(members), self._next_seed)
        self._emit("episode_reset", None)

    def _emit(self, kind: str, agent: Agent | None) -> None:
        for listener in self.listeners:
            listener(kind, agent)

    def _log_run(self, agent: Agent) -> None:
        run = agent.run
        if run is None or run.logged:
            return
        run.logged = True
        agent.last_trajectory = run.trajectory.to_json()
        if self.trajectory_log is not None and run.trajectory.actions:
            self.trajectory_log.append(run.trajectory)
