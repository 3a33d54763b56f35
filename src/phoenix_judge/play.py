"""Playing one match: arena → seats → handshake → turns → end → records → cleanup.

Whatever happens (a bot's fault, Ctrl-C, a judge error), every bot process is
killed and reaped and every record made so far is committed to out/.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Mapping, Sequence

from . import jail
from .arena import Arena, code_hash
from .errors import ConfigError
from .gameloop import MatchEnded, MatchStarted, Observer, Seat, TurnLoop, broadcaster
from .match import BotSpec, MatchSpec, RemoteSeat
from .outcome import MatchResult, SeatResult, Termination, Verdict, rank_scores
from .records import Recorder
from .sky import Channel, messages
from .sky.debuglog import DebugLog
from .sky.pipe import PipeChannel
from .terra import Game, State, get_game

log = logging.getLogger(__name__)

# After the end message, bots get this long to exit on their own before they are killed.
_EXIT_GRACE_S = 0.2


def play(spec: MatchSpec, *, remote: Mapping[int, Channel], observers: Sequence[Observer]) -> MatchResult:
    game = get_game(spec.game)
    _check_seats(game, spec, remote)
    if spec.sandbox_require:
        jail.require_layers(spec.sandbox_require)
    recorder = Recorder(spec)
    match = _Match(spec, game, recorder, broadcaster([recorder, *observers]))
    try:
        match.play(remote)
    except KeyboardInterrupt:
        match.termination = Termination.INTERRUPTED
    finally:
        result = match.close()
    return result


class _Match:
    """The state of one match being played; `close()` always runs."""

    def __init__(self, spec: MatchSpec, game: Game, recorder: Recorder, emit: Any) -> None:
        self.spec, self.game, self.recorder, self.emit = spec, game, recorder, emit
        self.arena = Arena(spec.arena_root, spec.match_id)
        self.seats: list[Seat] = []
        self.debug: dict[int, DebugLog] = {}
        self.state: State | None = None
        self.loop: TurnLoop | None = None
        self.termination = Termination.JUDGE_ERROR
        self.started = time.monotonic()

    def play(self, remote: Mapping[int, Channel]) -> None:
        spec = self.spec
        for index, bot in enumerate(spec.bots):
            self.seats.append(self._seat(index, bot, remote))
        self.state = self.game.new_state(len(self.seats), spec.game_map, spec.seed)
        self.emit(MatchStarted(spec.match_id, self._header()))
        self.recorder.initial_frame(self.state.frame(), self.state.scores())
        self.loop = TurnLoop(self.state, self.seats, spec.limits, spec.on_fault, self.emit)
        self.loop.handshake(self._hello)
        self.termination = self.loop.run(spec.max_iters)

    def _seat(self, index: int, bot: BotSpec | RemoteSeat, remote: Mapping[int, Channel]) -> Seat:
        if isinstance(bot, RemoteSeat):
            return Seat(index, bot.name, remote[index])
        folder = self.arena.prepare(index, bot, self.spec.api_dir, self.spec.limits.disk_bytes)
        process = jail.launch(bot.command, cwd=folder, limits=self.spec.limits, slot=self.spec.slot_base + index)
        self.debug[index] = DebugLog(self.spec.limits.debug_bytes)
        channel = PipeChannel(process.stdin, process.stdout, process.stderr, self.spec.limits,
                              movelog=self.recorder.movelog_sink(index), debug=self.debug[index],
                              epoch=self.recorder.started)
        return Seat(index, bot.name, channel, process, code_hash(bot.directory))

    def _header(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "match_id": spec.match_id, "game": self.game.name, "game_version": self.game.version,
            "seed": spec.seed, "map_name": spec.map_name, "map": spec.game_map, "config_hash": spec.config_hash,
            "limits": spec.limits.to_json(), "max_iters": spec.max_iters, "on_fault": str(spec.on_fault),
            "bots": [{"seat": s.index, "name": s.name, "code_hash": s.code_hash,
                      "command": list(b.command) if isinstance(b, BotSpec) else None}
                     for s, b in zip(self.seats, spec.bots)],
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }

    def _hello(self, seat: int) -> dict[str, Any]:
        spec = self.spec
        return messages.hello(game=self.game.name, game_version=self.game.version, seat=seat, seats=len(self.seats),
                              names=[s.name for s in self.seats], limits=spec.limits, game_map=spec.game_map,
                              seed=spec.seed)

    def close(self) -> MatchResult:
        """End every bot, commit every record, clear the arena. Runs whatever happened before."""
        try:
            result = self._result()
            if self.loop is not None and self.termination is not Termination.INTERRUPTED:
                self.loop.finish({s.index: self._end_message(result, s.index) for s in self.seats})
            self._stop_all()
            for index, debug in self.debug.items():
                self.recorder.set_debug(index, self.seats[index].name, debug.text())
            result.records = self.recorder.commit(result.to_json())
            self.emit(MatchEnded(result))
            return result
        finally:
            self._stop_all()
            if self.spec.keep_arena:
                self.arena.keep()
            else:
                self.arena.remove()

    def _stop_all(self) -> None:
        deadline = time.monotonic() + _EXIT_GRACE_S
        for seat in self.seats:
            if seat.process is not None:
                seat.process.wait(max(0.0, deadline - time.monotonic()))
        for seat in self.seats:
            seat.stop()

    def _result(self) -> MatchResult:
        count = len(self.seats)
        scores = self.state.scores() if self.state is not None else [0.0] * count
        faulted = [not seat.playing for seat in self.seats]
        ranks = rank_scores(scores, faulted)
        seats = [SeatResult(seat.index, seat.name, scores[seat.index], ranks[seat.index],
                            seat.fault.verdict if seat.fault else Verdict.OK, seat.fault.reason if seat.fault else "",
                            seat.moves, seat.code_hash) for seat in self.seats]
        turns = self.loop.turn if self.loop is not None else 0
        return MatchResult(self.spec.match_id, self.spec.game, self.termination, turns,
                           time.monotonic() - self.started, seats)

    @staticmethod
    def _end_message(result: MatchResult, seat: int) -> dict[str, Any]:
        return {"scores": [s.score for s in result.seats], "ranks": [s.rank for s in result.seats],
                "verdicts": [str(s.verdict) for s in result.seats], "termination": str(result.termination), "you": seat}


def _check_seats(game: Game, spec: MatchSpec, remote: Mapping[int, Channel]) -> None:
    count = len(spec.bots)
    if not game.min_seats <= count <= game.max_seats:
        seats = f"{game.min_seats}" if game.min_seats == game.max_seats else f"{game.min_seats} to {game.max_seats}"
        raise ConfigError("$.bots", f"{game.name} is played by {seats} bots, the config has {count}",
                          f"list {seats} bots under \"bots\"")
    for index, bot in enumerate(spec.bots):
        if isinstance(bot, RemoteSeat) and index not in remote:
            raise ConfigError(f"$.bots[{index}]", f"remote seat {bot.name} has no connected agent", "connect an agent for it")
