"""terra: the interface every game implements.

Shaped after OpenSpiel. A `Game` is immutable: it describes the game (name,
version, how many seats, the JSON Schemas of its maps and moves) and makes
states. A `State` is one position; the engine asks it who must move, what each
seat may see, whether a move is legal (and why not), applies one turn's moves,
and reads scores and per-step rewards. States are deterministic given the seed
passed to `Game.new_state`: the same seed, map and moves give the same frames.

Games never `assert` on bot input: `check_move` returns a reason and the engine
decides what the bot's fault is.
"""
from __future__ import annotations

import random
from abc import ABC, abstractmethod
from typing import Any, ClassVar

Move = Any          # a JSON value; the game's move_schema says its shape
Observation = dict[str, Any]


class State(ABC):
    """One position of a game. Mutable: `apply` advances it in place."""

    @abstractmethod
    def to_move(self) -> list[int]:
        """Seats that must move this turn: one for turn-based games, several for simultaneous ones."""

    @abstractmethod
    def observation(self, seat: int) -> Observation:
        """What `seat` may see now, as JSON-serialisable data (sent to the bot)."""

    @abstractmethod
    def check_move(self, seat: int, move: Move) -> str | None:
        """None when `move` is legal for `seat` now, else the reason in plain words."""

    @abstractmethod
    def apply(self, moves: dict[int, Move]) -> None:
        """Apply one turn: a legal move for every seat in `to_move()` that is still playing."""

    @abstractmethod
    def is_over(self) -> bool:
        """True once the game has reached a terminal state."""

    @abstractmethod
    def scores(self) -> list[float]:
        """Current score of every seat (higher is better); final once `is_over()`."""

    @abstractmethod
    def rewards(self) -> list[float]:
        """Reward of every seat for the last applied turn (for learning agents)."""

    @abstractmethod
    def remove_seat(self, seat: int) -> None:
        """`seat` was disqualified: it moves no more. The game decides whether play goes on."""

    @abstractmethod
    def random_move(self, seat: int, rng: random.Random) -> Move:
        """A uniformly chosen legal move for `seat` (random bots and the conformance check)."""

    @abstractmethod
    def frame(self) -> dict[str, Any]:
        """The full position as JSON data: one replay frame."""


class Game(ABC):
    """An immutable description of a game; makes its states."""

    name: ClassVar[str]
    version: ClassVar[str]
    min_seats: ClassVar[int]
    max_seats: ClassVar[int]
    simultaneous: ClassVar[bool]
    roles: ClassVar[tuple[str, ...]] = ()        # optional role per seat (coordinator games)
    map_schema: ClassVar[dict[str, Any]]          # JSON Schema every map must satisfy
    move_schema: ClassVar[dict[str, Any]]         # JSON Schema of one seat's move
    default_map: ClassVar[str | None] = None      # file name under maps/, or None: `default_map_data()`

    @abstractmethod
    def new_state(self, seats: int, game_map: dict[str, Any], seed: int) -> State:
        """The initial state for `seats` players on `game_map`, deterministic given `seed`."""

    def default_map_data(self) -> dict[str, Any]:
        """The map used when a config names none."""
        return {}

    def check_map(self, game_map: dict[str, Any]) -> str | None:
        """None when a map that passed `map_schema` also makes sense, else the reason in plain words.

        For what a JSON Schema cannot say, e.g. "food [700, 20] lies outside the 600 x 400 field".
        """
        return None
