"""Nim: the example game of docs/terra.md (the docs show this file; a test keeps them equal).

Rules card: one pile of stones (map key "stones", default 15). Two seats take
turns, seat 0 first; a move takes 1, 2 or 3 stones, never more than are left.
Whoever takes the last stone wins (score 1, reward +1; the other 0 and -1).
A removed seat loses. Observation: {"stones": 7, "you": 0}. Move: an integer 1..3.
"""
from __future__ import annotations

import random
from typing import Any

from phoenix_judge.terra import Game, Move, Observation, State
from phoenix_judge.terra.describe import describe

_STONES = 15
_MAX_TAKE = 3


class Nim(Game):
    name = "nim"
    version = "1.0"
    min_seats = 2
    max_seats = 2
    simultaneous = False
    map_schema = {
        "type": "object",
        "properties": {"stones": {"type": "integer", "minimum": 1, "maximum": 1000}},
        "additionalProperties": False,
    }
    move_schema = {"type": "integer", "minimum": 1, "maximum": _MAX_TAKE}

    def new_state(self, seats: int, game_map: dict[str, Any], seed: int) -> NimState:
        return NimState(game_map.get("stones", _STONES))     # Nim has no chance: the seed is unused


class NimState(State):
    def __init__(self, stones: int) -> None:
        self.stones = stones
        self.current = 0
        self.winner: int | None = None

    def to_move(self) -> list[int]:
        return [] if self.is_over() else [self.current]

    def observation(self, seat: int) -> Observation:
        return {"stones": self.stones, "you": seat}

    def check_move(self, seat: int, move: Move) -> str | None:
        most = min(_MAX_TAKE, self.stones)
        if self.is_over():
            return "the game is over"
        if seat != self.current:
            return f"it is seat {self.current}'s turn, not seat {seat}'s"
        if type(move) is not int:           # JSON true is not a number of stones
            return f"a move is the number of stones to take (an integer 1..{most}), got {describe(move)}"
        if not 1 <= move <= most:
            return f"you may take 1..{most} stones, not {describe(move)}"
        return None

    def apply(self, moves: dict[int, Move]) -> None:
        self.stones -= moves[self.current]
        if self.stones == 0:
            self.winner = self.current
        self.current = 1 - self.current

    def is_over(self) -> bool:
        return self.winner is not None

    def scores(self) -> list[float]:
        return [1.0 if seat == self.winner else 0.0 for seat in range(2)]

    def rewards(self) -> list[float]:
        if self.winner is None:
            return [0.0, 0.0]
        return [1.0 if seat == self.winner else -1.0 for seat in range(2)]

    def remove_seat(self, seat: int) -> None:
        if not self.is_over():
            self.winner = 1 - seat

    def random_move(self, seat: int, rng: random.Random) -> Move:
        return rng.randint(1, min(_MAX_TAKE, self.stones))

    def frame(self) -> dict[str, Any]:
        return {"stones": self.stones, "to_move": self.to_move(), "winner": self.winner}
