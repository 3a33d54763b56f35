"""The Phoenix Game: metadata, schemas (schemas/*.json), map checks and the map maker."""
from __future__ import annotations

import json
import math
import random
from importlib import resources
from typing import Any

from ...terra import Game
from .state import PhoenixState

_MIN_SEATS, _MAX_SEATS = 2, 8
_STANDARD = {"max_x": 600, "max_y": 400, "food": 200, "viruses": 6, "seed": 1}


def _schema(name: str) -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("schemas", name).read_text(encoding="utf-8"))


class PhoenixGame(Game):
    """Phoenix: agar-style, 2..8 seats moving at once; see the package docstring for the rules."""

    name = "phoenix"
    version = "1.0"
    min_seats = _MIN_SEATS
    max_seats = _MAX_SEATS
    simultaneous = True
    map_schema = _schema("map.json")
    move_schema = _schema("move.json")

    def new_state(self, seats: int, game_map: dict[str, Any], seed: int) -> PhoenixState:
        if not _MIN_SEATS <= seats <= _MAX_SEATS:
            raise ValueError(f"Phoenix is played by {_MIN_SEATS}..{_MAX_SEATS} seats, not {seats}")
        return PhoenixState(seats, game_map, seed)

    def default_map_data(self) -> dict[str, Any]:
        return make_map(_STANDARD["max_x"], _STANDARD["max_y"], food=_STANDARD["food"],
                        viruses=_STANDARD["viruses"], seed=_STANDARD["seed"])

    def check_map(self, game_map: dict[str, Any]) -> str | None:
        max_x, max_y = game_map["maxX"], game_map["maxY"]
        if not (math.isfinite(max_x) and math.isfinite(max_y)):
            return "maxX and maxY must be finite numbers"
        for key in ("food", "viruses", "starts"):
            for index, (x, y) in enumerate(game_map.get(key, [])):
                if not (0 <= x <= max_x and 0 <= y <= max_y):     # also false for NaN
                    return f"$.{key}[{index}]: [{x}, {y}] lies outside the field [0, {max_x}] x [0, {max_y}]"
        for key, value in game_map.get("params", {}).items():
            if not math.isfinite(value):
                return f"$.params.{key} must be a finite number"
        return None


def make_map(max_x: float, max_y: float, *, food: int, viruses: int, seed: int,
             description: str = "", params: dict[str, Any] | None = None) -> dict[str, Any]:
    """A map with `food` pellets and `viruses` at uniform random positions (deterministic given `seed`).

    The maps under maps/phoenix/ were made with it, e.g. the standard map is
    make_map(600, 400, food=200, viruses=6, seed=1).
    """
    rng = random.Random(seed)

    def points(count: int) -> list[list[float]]:
        return [[round(rng.uniform(0, max_x), 1), round(rng.uniform(0, max_y), 1)] for _ in range(count)]

    game_map: dict[str, Any] = {"maxX": max_x, "maxY": max_y, "food": points(food), "viruses": points(viruses)}
    if description:
        game_map = {"description": description, **game_map}
    if params:
        game_map["params"] = dict(params)
    return game_map
