"""The turn loop: handshake, then ask the seats that must move, check, apply, repeat.

It knows nothing of pipes, sockets or processes: only Seats and their Channels.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable

from ..errors import BotFault, JudgeError
from ..limits import Limits
from ..outcome import Fault, FaultPolicy, Termination, Verdict
from ..sky import Reply, collect
from ..terra import State
from ..terra.describe import describe
from .events import Emit, SeatFaulted, TurnPlayed
from .seat import Seat

log = logging.getLogger(__name__)

_END_MESSAGE_S = 0.5          # how long the end message may take to write
_MOVE_ECHO_CHARS = 200        # how much of an illegal move the error log quotes


class TurnLoop:
    """Plays one match's turns. Faults are turned into verdicts here, in one place."""

    def __init__(self, state: State, seats: list[Seat], limits: Limits, policy: FaultPolicy, emit: Emit) -> None:
        self.state, self.seats, self.limits, self.policy, self.emit = state, seats, limits, policy, emit
        self.turn = 0

    def handshake(self, hello: Callable[[int], dict[str, Any]]) -> None:
        """Send every seat its hello (`hello(seat)`); each must be ready before the start-up deadline."""
        deadline = time.monotonic() + self.limits.startup_s
        waiting = {}
        for seat in self.playing():
            if self._send(seat, lambda: seat.channel.send_hello(hello(seat.index), deadline)):
                waiting[seat.index] = seat.channel
        for index, reply in collect(waiting, deadline).items():
            if isinstance(reply, Reply):
                self.seats[index].declared_name = str(reply.payload)
            else:
                self.fault(self.seats[index], _startup_fault(reply))

    def run(self, max_iters: int) -> Termination:
        """Play turns until the game ends, the turn limit, or no one is left."""
        while True:
            if not any(seat.playing for seat in self.seats):
                return Termination.NO_PLAYERS
            if self.state.is_over():
                return Termination.GAME_OVER
            if self.turn >= max_iters:
                return Termination.MAX_ITERS
            if self.play_turn() and self.policy is FaultPolicy.END_MATCH:
                return Termination.GAME_OVER

    def play_turn(self) -> bool:
        """One turn; True when a seat faulted during it."""
        started = time.monotonic()
        movers = [self.seats[i] for i in self.state.to_move() if self.seats[i].playing]
        if not movers:
            raise JudgeError(f"the game asks only disqualified seats {self.state.to_move()} to move")
        moves, waited, faulted = self.ask(movers)
        if moves and not self.state.is_over():   # no moves: every mover faulted this turn
            self.state.apply(moves)
        judge_s = time.monotonic() - started - waited
        self.emit(TurnPlayed(self.turn, moves, self.state.frame(), self.state.scores(), judge_s))
        self.turn += 1
        return faulted

    def ask(self, movers: list[Seat]) -> tuple[dict[int, Any], float, bool]:
        """Send the state to each mover, collect replies, keep the legal moves."""
        asked = time.monotonic()
        deadline = asked + self.limits.move_s
        waiting = {}
        for seat in movers:
            observation = self.state.observation(seat.index)
            if self._send(seat, lambda: seat.channel.send_state(self.turn, observation, deadline)):
                waiting[seat.index] = seat.channel
        cpu_before = {i: self._cpu(self.seats[i]) for i in waiting} if self.limits.move_cpu_s else {}
        waiting_since = time.monotonic()
        replies = collect(waiting, deadline)
        waited = time.monotonic() - waiting_since
        moves: dict[int, Any] = {}
        for index, reply in replies.items():
            seat = self.seats[index]
            fault = reply if isinstance(reply, Fault) else self._judge_move(seat, reply, cpu_before.get(index))
            if fault is None:
                moves[index] = reply.payload
            else:
                self.fault(seat, fault)
        return moves, waited, len(moves) < len(movers)

    def _judge_move(self, seat: Seat, reply: Reply, cpu_before: float | None) -> Fault | None:
        if cpu_before is not None:
            used = self._cpu(seat) - cpu_before
            if used > self.limits.move_cpu_s:
                return Fault(Verdict.CPU_TIMEOUT, f"used {used:.3f} s of CPU on one move (limit {self.limits.move_cpu_s} s)")
        reason = self.state.check_move(seat.index, reply.payload)
        if reason is not None:
            return Fault(Verdict.ILLEGAL_MOVE, reason, detail={"move": _echo(reply.payload)})
        seat.moves += 1
        seat.think_s += reply.latency_s
        return None

    def fault(self, seat: Seat, fault: Fault) -> None:
        """Disqualify `seat` for `fault` (stamped with the turn); the game goes on without it."""
        fault = seat.disqualify(Fault(fault.verdict, fault.reason, self.turn if fault.turn is None else fault.turn, fault.detail))
        log.info("seat %d (%s) disqualified: %s: %s", seat.index, seat.name, fault.verdict, fault.reason)
        self.emit(SeatFaulted(seat.index, seat.name, fault))
        self.state.remove_seat(seat.index)

    def finish(self, result_for: dict[int, dict[str, Any]]) -> None:
        """Tell every seat still connected how the match ended."""
        deadline = time.monotonic() + _END_MESSAGE_S
        for seat in self.playing():
            seat.channel.send_end(result_for[seat.index], deadline)

    def playing(self) -> list[Seat]:
        return [seat for seat in self.seats if seat.playing]

    def _send(self, seat: Seat, send: Callable[[], None]) -> bool:
        try:
            send()
        except BotFault as exc:
            self.fault(seat, exc.fault)
            return False
        return True

    @staticmethod
    def _cpu(seat: Seat) -> float:
        return seat.process.cpu_time_s() if seat.process is not None else 0.0


def _startup_fault(fault: Fault) -> Fault:
    if fault.verdict is Verdict.TIMEOUT:
        return Fault(Verdict.TIMEOUT, "was not ready before the start-up deadline", detail=fault.detail)
    return fault


def _echo(move: Any) -> str:
    """The move as JSON, cut short; `describe` for what json cannot print (integers over 4300 digits)."""
    try:
        text = json.dumps(move)
    except (ValueError, RecursionError):
        return describe(move)
    return text if len(text) <= _MOVE_ECHO_CHARS else text[:_MOVE_ECHO_CHARS] + "…"
