"""The Phoenix State: who moves, what each seat sees, turns, scores and rewards."""
from __future__ import annotations

import random
from typing import Any

from ...terra import Move, Observation, State
from .moves import move_problem, random_actions
from .world import Cell, World

_DECIMALS = 2       # observations and frames round positions and masses; the world keeps full precision


def _cell_view(cell: Cell, childno: int) -> dict[str, Any]:
    return {
        "seat": cell.seat, "childno": childno,
        "x": round(cell.x, _DECIMALS), "y": round(cell.y, _DECIMALS),
        "mass": round(cell.mass, _DECIMALS), "radius": round(cell.radius, _DECIMALS),
        "angle": round(cell.angle, _DECIMALS) % 360, "velocity": round(cell.velocity, _DECIMALS),
        "cooldown": cell.cooldown,
    }


class PhoenixState(State):
    """A Phoenix position; all seats that still have cells move at once."""

    def __init__(self, seats: int, game_map: dict[str, Any], seed: int) -> None:
        self._seats = seats
        self._world = World(game_map, seats, random.Random(seed))
        self._max_turns = int(self._world.params["max_turns"])
        self._turn = 0
        self._removed: set[int] = set()
        self._scores = self._current_scores()
        self._rewards = [0.0] * seats
        self._views: tuple[list[list[dict[str, Any]]], list[list[float]]] | None = None   # this turn's, built once

    def _playing(self) -> list[int]:
        return [seat for seat in range(self._seats) if self._world.cells[seat] and seat not in self._removed]

    def _current_scores(self) -> list[float]:
        return [round(self._world.mass_of(seat), _DECIMALS) for seat in range(self._seats)]

    def to_move(self) -> list[int]:
        return [] if self.is_over() else self._playing()

    def is_over(self) -> bool:
        return self._turn >= self._max_turns or len(self._playing()) <= 1

    def check_move(self, seat: int, move: Move) -> str | None:
        if self.is_over():
            return "the game is over"
        if seat in self._removed:
            return f"seat {seat} was removed from the game"
        if not self._world.cells[seat]:
            return f"seat {seat} is out of the game (it has no cells left)"
        return move_problem(move, len(self._world.cells[seat]))

    def apply(self, moves: dict[int, Move]) -> None:
        for seat in sorted(moves):
            self._world.act(seat, moves[seat])
        self._world.step()
        self._turn += 1
        self._views = None
        scores = self._current_scores()
        self._rewards = [round(new - old, _DECIMALS) for new, old in zip(scores, self._scores)]
        self._scores = scores

    def scores(self) -> list[float]:
        return list(self._scores)

    def rewards(self) -> list[float]:
        return list(self._rewards)

    def remove_seat(self, seat: int) -> None:
        self._removed.add(seat)
        self._world.remove_seat(seat)
        self._scores[seat] = 0.0
        self._views = None

    def random_move(self, seat: int, rng: random.Random) -> Move:
        return random_actions(len(self._world.cells[seat]), rng)

    def observation(self, seat: int) -> Observation:
        cells, food = self._shared_views()
        others = [view for other, views in enumerate(cells) if other != seat for view in views]
        return {"turn": self._turn, "you": seat, "cells": cells[seat], "others": others, "food": food,
                "viruses": [[x, y] for x, y in self._world.viruses], "scores": list(self._scores)}

    def _shared_views(self) -> tuple[list[list[dict[str, Any]]], list[list[float]]]:
        # Every seat sees the same field: build it once a turn, not once a seat.
        if self._views is None:
            cells = [[_cell_view(cell, childno) for childno, cell in enumerate(seat_cells)]
                     for seat_cells in self._world.cells]
            food = [[food.x, food.y, food.mass] for food in self._world.food.all()]
            self._views = cells, food
        return self._views

    def frame(self) -> dict[str, Any]:
        cells, food = self._shared_views()
        return {
            "turn": self._turn,
            "cells": [[v["seat"], v["childno"], v["x"], v["y"], v["mass"], v["angle"]] for views in cells for v in views],
            "food": food,
            "viruses": [[x, y] for x, y in self._world.viruses],
            "scores": list(self._scores),
            "removed": sorted(self._removed),
        }
