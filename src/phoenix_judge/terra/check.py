"""The terra conformance check: what every game must pass before it may judge bots.

Like PettingZoo's api_test, it plays the game with random legal moves and
watches every answer: the same seed must give the same game, play must end,
every value a bot or a replay sees must be plain JSON, and `check_move` must
answer hostile input with a reason instead of an exception. A game is
untrusted code here: whatever it raises becomes a failed check, never a crash
of the check itself.
"""
from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import jsonschema

from .base import Game, Move, State
from .maps import map_error
from .report import CheckReport, Findings

DEFAULT_SEEDS: tuple[int, ...] = (0, 1, 2)
DEFAULT_MAX_TURNS = 10_000      # a game that needs more should end itself sooner (its own turn cap)
_PROBE_TURNS = frozenset({0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987})
_MAX_MESSAGE = 300


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


# What a hostile bot may send as a move: every JSON type, huge and deep values,
# near-misses of real move shapes. No NaN or infinity: the sky reader refuses them.
HOSTILE_MOVES: tuple[Any, ...] = (
    None, True, False, 0.5, -1, 10**100, -10**100, 1e308, "", "x", "3", "A" * 100_000,
    [], {}, [None], [{}], [[]], _nested(500), list(range(10_000)), {"move": 3}, {"column": 0},
    [{"childno": "0"}], [{"childno": 10**100}], [{"childno": -1}], [{"childno": 0, "relativeangle": "left"}],
    [{"childno": 0, "relativeangle": 1e308}], [{"childno": 0, "split": "yes"}], [{"childno": 0}] * 1000,
    {"childno": 0}, [1, 2, 3],
)

T = TypeVar("T")


class _GameRaised(Exception):
    """A method of the game under test raised; the message names the method."""


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "..."


def _show(value: Any) -> str:
    """repr() of a value a game produced, cut short; never raises (repr of 10**5000 does)."""
    try:
        return _short(repr(value))
    except (ValueError, RecursionError) as exc:
        return f"<a {type(value).__name__} that cannot be shown: {type(exc).__name__}>"


def _call(what: str, function: Callable[..., T], *args: Any) -> T:
    try:
        return function(*args)
    except Exception as exc:  # the game is untrusted code: any exception it raises is a finding
        raise _GameRaised(f"{what} raised {type(exc).__name__}: {_short(str(exc))}") from exc


def check_game(game: Game, *, seeds: Iterable[int] = DEFAULT_SEEDS, game_map: dict[str, Any] | None = None,
               seats: int | None = None, max_turns: int = DEFAULT_MAX_TURNS) -> CheckReport:
    """Run every conformance check on `game` with random play for each seed and seat count.

    `game_map` defaults to the game's default map; `seats` to both the smallest
    and the largest seat count the game allows.
    """
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("check_game needs at least one seed")
    findings = Findings()
    game_name = str(getattr(game, "name", type(game).__name__))
    _check_metadata(game, findings)
    if "metadata" not in findings.failures:
        game_map = _check_map(game, game_map, findings)
    if "metadata" in findings.failures or "map" in findings.failures:
        findings.skipped = "the metadata or the map is broken"
        return findings.report(game_name)
    validator = _validator(game.move_schema)
    for count in _seat_counts(game, seats):
        for seed in seeds:
            _check_seed(_Context(game, game_map, count, max_turns, validator, findings), seed)
    return findings.report(game_name)


def _check_map(game: Game, game_map: dict[str, Any] | None, findings: Findings) -> dict[str, Any]:
    try:
        game_map = _call("default_map_data", game.default_map_data) if game_map is None else game_map
        problem = map_error(game, game_map)
    except Exception as exc:  # the schema and check_map are the game's code: anything they raise is a finding
        findings.fail("map", f"checking the map raised {type(exc).__name__}: {_short(str(exc))}")
        return {}
    if problem is not None:
        findings.fail("map", f"{problem[0]}: {problem[1]}")
    return game_map


def _check_metadata(game: Game, findings: Findings) -> None:
    for attribute in ("name", "version"):
        value = getattr(game, attribute, None)
        if not isinstance(value, str) or not value:
            findings.fail("metadata", f"{attribute} must be a non-empty string, got {value!r}")
    low, high = getattr(game, "min_seats", None), getattr(game, "max_seats", None)
    if not (type(low) is int and type(high) is int and 1 <= low <= high):
        findings.fail("metadata", f"min_seats and max_seats must be integers with 1 <= min <= max, got {low!r}, {high!r}")
    if not isinstance(getattr(game, "simultaneous", None), bool):
        findings.fail("metadata", "simultaneous must be true or false")
    for attribute in ("map_schema", "move_schema"):
        try:
            _validator(getattr(game, attribute, None))
        except Exception as exc:  # a schema is the game's data; whatever is wrong with it is a finding
            findings.fail("metadata", f"{attribute} is not a valid JSON Schema: {_short(getattr(exc, 'message', str(exc)))}")


def _validator(schema: Any) -> jsonschema.protocols.Validator:
    if not isinstance(schema, dict):
        raise TypeError(f"a schema is a JSON object, not {type(schema).__name__}")
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _seat_counts(game: Game, seats: int | None) -> list[int]:
    if seats is None:
        return sorted({game.min_seats, game.max_seats})
    if not game.min_seats <= seats <= game.max_seats:
        raise ValueError(f"{game.name} is played by {game.min_seats}..{game.max_seats} seats, not {seats}")
    return [seats]


@dataclass(slots=True)
class _Context:
    game: Game
    game_map: dict[str, Any]
    seats: int
    max_turns: int
    move_validator: jsonschema.protocols.Validator
    findings: Findings


def _check_seed(ctx: _Context, seed: int) -> None:
    first = _Run(ctx, seed, thorough=True).play()
    second = _Run(ctx, seed).play()
    if first is not None and second is not None and first != second:
        turn = next((i for i, (a, b) in enumerate(zip(first, second)) if a != b), min(len(first), len(second)))
        ctx.findings.fail("deterministic", f"{ctx.seats} seats, seed {seed}: two games with the same seed "
                                           f"differ at turn {turn}")
    if first is not None:
        _Run(ctx, seed, remove_turn=len(first) // 2).play()


class _Run:
    """One game of random legal play, checking every answer of the state as it goes."""

    def __init__(self, ctx: _Context, seed: int, *, thorough: bool = False, remove_turn: int | None = None) -> None:
        # thorough: also observations, hostile probes and move_schema (the other runs of a seed repeat it)
        self.ctx, self.seed, self.thorough, self.remove_turn = ctx, seed, thorough, remove_turn
        self.rng = random.Random(seed)
        self.removed: int | None = None
        self.transcript: list[str] = []
        self.turn = 0

    def fail(self, check: str, message: str) -> None:
        if self.removed is not None and check in ("plays", "terminates", "to-move"):
            check = "remove-seat"    # the failure only shows after a seat was removed
        where = f"{self.ctx.seats} seats, seed {self.seed}, turn {self.turn}"
        self.ctx.findings.fail(check, f"{where}: {message}")

    def play(self) -> list[str] | None:
        """The transcript (one JSON line per turn), or None when the game raised."""
        try:
            state = _call("new_state", self.ctx.game.new_state, self.ctx.seats, self.ctx.game_map, self.seed)
        except _GameRaised as exc:
            self.ctx.findings.fail("new-state", f"{self.ctx.seats} seats, seed {self.seed}: {exc}")
            return None
        try:
            return self._loop(state)
        except _GameRaised as exc:
            self.fail("plays", str(exc))
            return None

    def _loop(self, state: State) -> list[str] | None:
        for self.turn in range(self.ctx.max_turns + 1):
            if self.turn == self.remove_turn:
                self._remove_a_seat(state)
            over = bool(_call("is_over", state.is_over))
            movers = self._movers(state, over)
            self._record(state, movers)
            if self.thorough and self.turn in _PROBE_TURNS:
                _probe(self, state, movers)
            if over:
                return self.transcript
            if self.turn == self.ctx.max_turns:
                break
            moves = {seat: self._random_move(state, seat) for seat in movers}
            _call(f"apply (seats {sorted(moves)})", state.apply, moves)
        self.fail("terminates", f"random play did not end within {self.ctx.max_turns} turns "
                                "(give the game its own turn cap)")
        return self.transcript

    def _movers(self, state: State, over: bool) -> list[int]:
        movers = _call("to_move", state.to_move)
        if not isinstance(movers, list) or any(type(seat) is not int for seat in movers):
            self.fail("to-move", f"to_move must return a list of seat numbers, got {_show(movers)}")
            return []
        problem = self._movers_problem(movers, over)
        if problem:
            self.fail("to-move", f"to_move returned {movers}: {problem}")
        return sorted(set(movers) & set(range(self.ctx.seats)) - {self.removed})

    def _movers_problem(self, movers: list[int], over: bool) -> str | None:
        if over:
            return "the game is over, so no seat may move" if movers else None
        if len(set(movers)) != len(movers) or not set(movers) <= set(range(self.ctx.seats)):
            return f"seats must be distinct numbers 0..{self.ctx.seats - 1}"
        if self.removed in movers:
            return f"seat {self.removed} was removed and may not move again"
        if not movers:
            return "the game is not over, so some seat must move"
        if not self.ctx.game.simultaneous and len(movers) != 1:
            return "a turn-based game has exactly one seat to move"
        return None

    def _record(self, state: State, movers: list[int]) -> None:
        frame = _call("frame", state.frame)
        if not isinstance(frame, dict):
            self.fail("json", f"frame() must return a JSON object, got {type(frame).__name__}")
        entry = {"to_move": movers, "frame": frame,
                 "scores": self._numbers(state, "scores"), "rewards": self._numbers(state, "rewards")}
        self.transcript.append(self._json(entry, "a frame, the scores or the rewards"))
        if self.thorough:
            for seat in self._observed(movers):
                observation = _call(f"observation({seat})", state.observation, seat)
                if not isinstance(observation, dict):
                    self.fail("json", f"observation({seat}) must return a JSON object, got {type(observation).__name__}")
                self._json(observation, f"the observation of seat {seat}")

    def _observed(self, movers: list[int]) -> list[int]:
        # Every seat's observation at the probe turns, one seat in turn otherwise: with
        # 8 seats and hundreds of food pellets, encoding them all is most of the check's time.
        if self.turn in _PROBE_TURNS or not movers:
            return movers
        return [movers[self.turn % len(movers)]]

    def _json(self, value: Any, what: str) -> str:
        try:
            return json.dumps(value, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as exc:
            self.fail("json", f"{what} is not plain JSON: {_short(str(exc))}")
            return _show(value)

    def _numbers(self, state: State, method: str) -> list[float]:
        values = _call(method, getattr(state, method))
        ok = isinstance(values, list) and len(values) == self.ctx.seats and all(
            type(v) in (int, float) and math.isfinite(v) for v in values)
        if not ok:
            self.fail("scores-rewards", f"{method}() must be a list of {self.ctx.seats} finite numbers, "
                                        f"got {_show(values)}")
        return values

    def _random_move(self, state: State, seat: int) -> Move:
        move = _call(f"random_move(seat {seat})", state.random_move, seat, self.rng)
        reason = _call(f"check_move(seat {seat})", state.check_move, seat, move)
        if reason is not None:
            self.fail("random-moves-legal", f"random_move gave seat {seat} {_show(move)}, "
                                            f"which check_move refuses: {reason}")
        elif self.thorough and not self.ctx.move_validator.is_valid(move):
            self.fail("random-moves-legal", f"random_move gave {_show(move)}, which move_schema refuses")
        return move

    def _remove_a_seat(self, state: State) -> None:
        if _call("is_over", state.is_over):
            return
        movers = self._movers(state, False)
        others = [seat for seat in range(self.ctx.seats) if seat not in movers]
        # even seeds remove a seat that must move now, odd seeds one that need not (when there is one)
        pool = movers if self.seed % 2 == 0 or not others else others
        seat = pool[self.seed % len(pool)] if pool else 0
        sample = self.sample_move(state, movers)
        _call(f"remove_seat({seat})", state.remove_seat, seat)
        self.removed = seat
        if sample is not None and not _call("is_over", state.is_over):
            reason = _call(f"check_move(removed seat {seat})", state.check_move, seat, sample)
            if not isinstance(reason, str) or not reason:
                self.fail("remove-seat", f"check_move let removed seat {seat} move {_show(sample)}")

    def sample_move(self, state: State, movers: list[int]) -> Move | None:
        return _call("random_move", state.random_move, movers[0], random.Random(0)) if movers else None


def _probe(run: _Run, state: State, movers: list[int]) -> None:
    """Hostile moves for every seat to move, and real moves for seats that are not to move."""
    before = _fingerprint(_call("frame", state.frame))
    idle = [seat for seat in range(run.ctx.seats) if seat not in movers]
    sample = run.sample_move(state, movers)
    attempts = [(seat, move) for seat in movers for move in HOSTILE_MOVES]
    attempts += [(seat, sample) for seat in idle if sample is not None]
    for seat, move in attempts:
        try:
            reason = state.check_move(seat, move)
        except Exception as exc:  # the very thing this check looks for
            run.fail("hostile-moves", f"check_move(seat {seat}, {_show(move)}) raised "
                                      f"{type(exc).__name__}: {_short(str(exc))}")
            continue
        _judge_reason(run, seat, move, reason, seat in idle)
    if _fingerprint(_call("frame", state.frame)) != before:
        run.fail("check-move-pure", "the frame changed while check_move looked at moves")


def _fingerprint(frame: Any) -> str:
    try:
        return json.dumps(frame, sort_keys=True, default=repr)
    except (TypeError, ValueError, RecursionError):    # not JSON: the json check reports that
        return _show(frame)


def _judge_reason(run: _Run, seat: int, move: Move, reason: Any, idle: bool) -> None:
    shown = _show(move)
    if reason is None and idle:
        run.fail("hostile-moves", f"check_move let seat {seat}, which is not to move, play {shown}")
    elif reason is None and not run.ctx.move_validator.is_valid(move):
        run.fail("hostile-moves", f"check_move accepted {shown}, which move_schema refuses")
    elif reason is not None and (not isinstance(reason, str) or not reason.strip()):
        run.fail("hostile-moves", f"check_move must give a non-empty reason string, got {reason!r} for {shown}")
