"""Deliberately broken variants of Nim: each must fail the conformance check named in its docstring."""
from __future__ import annotations

import random
from typing import Any

from phoenix_judge.terra import Move, Observation

from .nim import Nim, NimState


def _nim_with(state_class: type[NimState], broken_check: str) -> type[Nim]:
    class Broken(Nim):
        def new_state(self, seats: int, game_map: dict[str, Any], seed: int) -> NimState:
            return state_class(game_map.get("stones", 15))

    Broken.__doc__ = f'Breaks "{broken_check}".'
    Broken.broken_check = broken_check
    return Broken


class NonDeterministicState(NimState):
    def random_move(self, seat: int, rng: random.Random) -> Move:
        return random.randint(1, min(3, self.stones))       # the global rng, not the seeded one


class RaisesOnJunkState(NimState):
    def check_move(self, seat: int, move: Move) -> str | None:
        if not 1 <= move <= min(3, self.stones):             # TypeError for a string, a list, null
            return "out of range"
        return super().check_move(seat, move)


class NeverEndsState(NimState):
    def apply(self, moves: dict[int, Move]) -> None:
        self.current = 1 - self.current                      # forgets to take the stones


class NotJsonState(NimState):
    def observation(self, seat: int) -> Observation:
        return {"stones": self.stones, "you": seat, "odds": float("nan")}


class IgnoresRemovalState(NimState):
    def remove_seat(self, seat: int) -> None:
        pass                                                 # the removed seat keeps playing


class MutatingCheckState(NimState):
    def check_move(self, seat: int, move: Move) -> str | None:
        reason = super().check_move(seat, move)
        if reason is not None:
            self.current = 1 - self.current                  # "punishes" a bad move by passing the turn
        return reason


class ShortScoresState(NimState):
    def scores(self) -> list[float]:
        return [1.0]                                         # one score for two seats


class IllegalRandomState(NimState):
    def random_move(self, seat: int, rng: random.Random) -> Move:
        return 4                                             # more than anyone may take


NonDeterministic = _nim_with(NonDeterministicState, "deterministic")
RaisesOnJunk = _nim_with(RaisesOnJunkState, "hostile-moves")
NeverEnds = _nim_with(NeverEndsState, "terminates")
NotJson = _nim_with(NotJsonState, "json")
IgnoresRemoval = _nim_with(IgnoresRemovalState, "remove-seat")
MutatingCheck = _nim_with(MutatingCheckState, "check-move-pure")
ShortScores = _nim_with(ShortScoresState, "scores-rewards")
IllegalRandom = _nim_with(IllegalRandomState, "random-moves-legal")
BROKEN = (NonDeterministic, RaisesOnJunk, NeverEnds, NotJson, IgnoresRemoval, MutatingCheck, ShortScores,
          IllegalRandom)


class BadMapSchema(Nim):
    """Breaks "metadata": the map schema is not a JSON Schema."""

    map_schema = {"type": "no-such-type"}


class NotAGame:
    """Not a terra.Game at all."""
