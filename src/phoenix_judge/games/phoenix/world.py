"""The Phoenix field: cells, food and viruses, and one turn of physics.

Rules are in the package docstring; this module only does what they say. All
randomness (where eaten food grows back) comes from the one seeded rng, and
every loop runs in a fixed order, so the same seed and moves give the same game.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

_RADIUS_FACTOR = 2.0        # radius = _RADIUS_FACTOR * sqrt(mass)
_SPEED_FACTOR = 30.0        # cruise speed = _SPEED_FACTOR / sqrt(mass) ...
_MIN_SPEED = 1.0            # ... but never below this (big cells still crawl)
_SPLIT_BOOST = 12.0         # extra speed of a half thrown forward by a split or a virus
_FRICTION = 0.8             # the extra speed keeps this share each turn
_MIN_BOOST = 0.05           # below this the extra speed stops
_MIN_CELL_MASS = 10.0       # no split or virus makes a cell lighter than this
_MERGE_COOLDOWN = 40        # turns after a split before a seat's cells may merge again
_EJECT_MASS = 4.0           # mass a cell throws out with "ejectmass" (as a food pellet)
_MIN_EJECT_MASS = 20.0      # a cell must weigh this much to eject
_EJECT_DISTANCE = 20.0      # the pellet lands this far beyond the cell's edge
_VIRUS_PIECES = 8           # a popped cell breaks into at most this many pieces
_START_RING = 0.35          # seats start on a circle this share of the shorter side from the centre
_BUCKET = 40.0              # side of a square of the food grid (finding food near a cell)

DEFAULT_PARAMS: dict[str, Any] = {
    "start_mass": 20.0,
    "food_mass": 1.0,
    "food_respawn": True,
    "max_cells": 16,
    "max_turns": 1000,
    "virus_mass": 120.0,
    "eat_ratio": 1.25,
}


def radius_of(mass: float) -> float:
    """The radius of a cell of `mass`."""
    return _RADIUS_FACTOR * math.sqrt(mass)


def cruise_speed(mass: float) -> float:
    """How far a cell of `mass` moves in a turn without a boost."""
    return max(_MIN_SPEED, _SPEED_FACTOR / math.sqrt(mass))


@dataclass(slots=True, eq=False)
class Cell:
    uid: int                # unique, increasing: breaks ties in a fixed order
    seat: int
    x: float
    y: float
    mass: float
    angle: float            # heading in degrees: 0 = +x, 90 = +y
    boost: float = 0.0      # extra speed from a split; decays by _FRICTION each turn
    cooldown: int = 0       # turns left before this cell may merge with its seat's other cells
    velocity: float = 0.0   # distance moved in the last turn
    paused: bool = False    # no cruise speed this turn
    alive: bool = True

    @property
    def radius(self) -> float:
        return radius_of(self.mass)


@dataclass(slots=True, eq=False)
class Food:
    fid: int
    x: float
    y: float
    mass: float
    respawns: bool          # map food grows back when eaten; ejected pellets do not


class FoodGrid:
    """Food pellets bucketed by position, so a cell only looks at the food near it."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[int, int], dict[int, Food]] = {}
        self._pellets: dict[int, Food] = {}      # every pellet, oldest first

    def add(self, food: Food) -> None:
        self._buckets.setdefault(_bucket(food.x, food.y), {})[food.fid] = food
        self._pellets[food.fid] = food

    def remove(self, food: Food) -> None:
        del self._buckets[_bucket(food.x, food.y)][food.fid]
        del self._pellets[food.fid]

    def move(self, food: Food, x: float, y: float) -> None:
        """Put `food` somewhere else; it keeps its place in `all()`."""
        del self._buckets[_bucket(food.x, food.y)][food.fid]
        food.x, food.y = x, y
        self._buckets.setdefault(_bucket(x, y), {})[food.fid] = food

    def inside(self, x: float, y: float, radius: float) -> list[Food]:
        """Food whose centre lies strictly inside the circle, in a fixed order."""
        (left, bottom), (right, top) = _bucket(x - radius, y - radius), _bucket(x + radius, y + radius)
        found = []
        for bx in range(left, right + 1):
            for by in range(bottom, top + 1):
                for food in self._buckets.get((bx, by), {}).values():
                    if (food.x - x) ** 2 + (food.y - y) ** 2 < radius * radius:
                        found.append(food)
        return found

    def all(self) -> list[Food]:
        return list(self._pellets.values())


def _bucket(x: float, y: float) -> tuple[int, int]:
    return int(x // _BUCKET), int(y // _BUCKET)


class World:
    """Every cell, pellet and virus on the field, and the physics of one turn."""

    def __init__(self, game_map: dict[str, Any], seats: int, rng: random.Random) -> None:
        self.params = {**DEFAULT_PARAMS, **game_map.get("params", {})}
        self.max_x, self.max_y = float(game_map["maxX"]), float(game_map["maxY"])
        self.rng = rng
        self._next_uid = 0
        self.food = FoodGrid()
        respawns = bool(self.params["food_respawn"])
        for x, y in game_map["food"]:
            self.food.add(Food(self._uid(), float(x), float(y), float(self.params["food_mass"]), respawns))
        self.viruses = [(float(x), float(y)) for x, y in game_map["viruses"]]
        self.cells: list[list[Cell]] = [[self._start_cell(seat, seats, game_map)] for seat in range(seats)]

    def _uid(self) -> int:
        self._next_uid += 1
        return self._next_uid

    def _start_cell(self, seat: int, seats: int, game_map: dict[str, Any]) -> Cell:
        cx, cy = self.max_x / 2, self.max_y / 2
        turn = 2 * math.pi * seat / seats + math.pi        # seat 0 starts left of the centre
        ring = _START_RING * min(self.max_x, self.max_y)
        x, y = cx + ring * math.cos(turn), cy + ring * math.sin(turn)
        starts = game_map.get("starts", [])
        if seat < len(starts):
            x, y = float(starts[seat][0]), float(starts[seat][1])
        # rounded so that "straight along +x" is 0, not 359.99999999999997
        heading = round(math.degrees(math.atan2(cy - y, cx - x)), 9) % 360 if (x, y) != (cx, cy) else 0.0
        return Cell(self._uid(), seat, x, y, float(self.params["start_mass"]), heading)

    def mass_of(self, seat: int) -> float:
        return sum((cell.mass for cell in self.cells[seat]), 0.0)

    def remove_seat(self, seat: int) -> None:
        self.cells[seat] = []

    # --- actions -------------------------------------------------------------------------

    def act(self, seat: int, actions: list[dict[str, Any]]) -> None:
        """Carry out one seat's checked actions (see moves.py); new cells get the next childnos."""
        cells = self.cells[seat]
        for action in actions:
            cell = cells[action["childno"]]
            cell.angle = (cell.angle + action.get("relativeangle", 0)) % 360
            cell.paused = action.get("pause", False)
            if action.get("split", False):
                self._split(cell, 2)
            if action.get("ejectmass", False):
                self._eject(cell)

    def _split(self, cell: Cell, pieces: int) -> None:
        """Break `cell` into up to `pieces` equal cells thrown out around its heading; skip what the rules forbid."""
        cells = self.cells[cell.seat]
        pieces = min(pieces, self.params["max_cells"] - len(cells) + 1, int(cell.mass // _MIN_CELL_MASS))
        if pieces < 2:
            return                      # too light, or the seat has max_cells already: nothing happens
        cell.mass /= pieces
        cell.cooldown = _MERGE_COOLDOWN
        for piece in range(1, pieces):
            angle = (cell.angle + 360.0 * (piece - 1) / (pieces - 1)) % 360     # a split's half goes straight on
            cells.append(Cell(self._uid(), cell.seat, cell.x, cell.y, cell.mass, angle,
                              boost=_SPLIT_BOOST, cooldown=_MERGE_COOLDOWN))

    def _eject(self, cell: Cell) -> None:
        if cell.mass < _MIN_EJECT_MASS:
            return
        cell.mass -= _EJECT_MASS
        reach = cell.radius + _EJECT_DISTANCE
        heading = math.radians(cell.angle)
        x, y = self._clamp(cell.x + reach * math.cos(heading), cell.y + reach * math.sin(heading))
        self.food.add(Food(self._uid(), round(x, 2), round(y, 2), _EJECT_MASS, False))

    def _clamp(self, x: float, y: float) -> tuple[float, float]:
        return min(max(x, 0.0), self.max_x), min(max(y, 0.0), self.max_y)

    # --- one turn of physics --------------------------------------------------------------

    def step(self) -> None:
        """Move every cell, then eat food, pop on viruses, and eat or merge cells."""
        everyone = [cell for cells in self.cells for cell in cells]
        for cell in everyone:
            self._move(cell)
        for cell in sorted(everyone, key=lambda c: (-c.mass, c.uid)):    # heavier cells reach food first
            self._eat_food(cell)
        for cell in everyone:
            if cell.mass >= self.params["virus_mass"] and self._on_virus(cell):
                self._split(cell, _VIRUS_PIECES)
        self._eat_cells()

    def _move(self, cell: Cell) -> None:
        speed = (0.0 if cell.paused else cruise_speed(cell.mass)) + cell.boost
        heading = math.radians(cell.angle)
        cell.x, cell.y = self._clamp(cell.x + speed * math.cos(heading), cell.y + speed * math.sin(heading))
        cell.velocity = speed
        cell.boost = cell.boost * _FRICTION if cell.boost * _FRICTION >= _MIN_BOOST else 0.0
        cell.cooldown = max(0, cell.cooldown - 1)
        cell.paused = False

    def _eat_food(self, cell: Cell) -> None:
        for food in self.food.inside(cell.x, cell.y, cell.radius):
            cell.mass += food.mass
            if food.respawns:
                x, y = round(self.rng.uniform(0.0, self.max_x), 2), round(self.rng.uniform(0.0, self.max_y), 2)
                self.food.move(food, x, y)
            else:
                self.food.remove(food)

    def _on_virus(self, cell: Cell) -> bool:
        reach = cell.radius * cell.radius
        return any((vx - cell.x) ** 2 + (vy - cell.y) ** 2 < reach for vx, vy in self.viruses)

    def _eat_cells(self) -> None:
        for first, second in self._touching_pairs():
            if not (first.alive and second.alive):
                continue
            big, small = (first, second) if (first.mass, -first.uid) >= (second.mass, -second.uid) else (second, first)
            if (big.x - small.x) ** 2 + (big.y - small.y) ** 2 >= big.radius ** 2:
                continue                # the smaller centre must be inside the bigger cell
            if big.seat != small.seat and big.mass < self.params["eat_ratio"] * small.mass:
                continue
            if big.seat == small.seat and (big.cooldown or small.cooldown):
                continue
            big.mass += small.mass
            small.alive = False
        for seat, cells in enumerate(self.cells):
            self.cells[seat] = [cell for cell in cells if cell.alive]

    def _touching_pairs(self) -> list[tuple[Cell, Cell]]:
        """Pairs where one centre lies inside the other cell, heaviest first (a sweep along x)."""
        ordered = sorted((cell for cells in self.cells for cell in cells), key=lambda c: (c.x, c.uid))
        widest = max((cell.radius for cell in ordered), default=0.0)
        pairs = []
        for index, first in enumerate(ordered):
            for second in ordered[index + 1:]:
                if second.x - first.x >= widest:
                    break
                reach = max(first.radius, second.radius)
                if (first.x - second.x) ** 2 + (first.y - second.y) ** 2 < reach * reach:
                    pairs.append((first, second))
        pairs.sort(key=lambda pair: (-max(pair[0].mass, pair[1].mass), min(pair[0].uid, pair[1].uid),
                                     max(pair[0].uid, pair[1].uid)))
        return pairs
