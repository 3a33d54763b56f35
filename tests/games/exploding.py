"""A Nim that raises inside `apply` on its third turn: a buggy third-party game, for judge-error tests."""
from __future__ import annotations

from typing import Any

from tests.games.nim import Nim, NimState


class ExplodingState(NimState):
    def apply(self, moves: dict[int, Any]) -> None:
        if getattr(self, "_applied", 0) >= 2:
            raise RuntimeError("the game's own bug")
        self._applied = getattr(self, "_applied", 0) + 1
        super().apply(moves)


class ExplodingNim(Nim):
    name = "exploding-nim"

    def new_state(self, seats: int, game_map: dict[str, Any], seed: int) -> ExplodingState:
        state = super().new_state(seats, game_map, seed)
        state.__class__ = ExplodingState
        return state
