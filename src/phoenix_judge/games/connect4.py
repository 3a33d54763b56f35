"""Connect Four.

Rules card
----------
- Two seats take turns; seat 0 moves first. The board has 6 rows and 7 columns
  (a map may choose 4..12 of each with "rows" and "cols").
- A move is the number of a column, an integer 0..cols-1, that is not full.
  The piece drops to the lowest empty cell of that column.
- Four of your pieces in a row, horizontally, vertically or diagonally, win.
  When the board is full with no four in a row, the game is a draw.
- Scores: 1 for the winner, 0 for the loser, 0.5 each on a draw (0 each while
  the game is running). Rewards: +1 / -1 on the turn that ends the game, else 0.
- A seat that is removed (disqualified) loses at once; the other seat wins.

Observation sent to the bot whose turn it is::

    {"board": [[-1, -1, ...], ...],   # rows, top row first; each cell -1 (empty) or a seat number
     "you": 0,                        # your seat
     "legal": [0, 1, 2, 3, 4, 5, 6]}  # the columns that are not full

Connect Four is the benchmark game (the judge aims at <= 0.05 ms of its own CPU
per move), so a position is kept as two bitboards and the win test is a few
integer shifts; the board the bots see is kept up to date one cell at a time.
"""
from __future__ import annotations

import random
from typing import Any

from ..terra import Game, Move, Observation, State
from ..terra.describe import describe

_NUM_ROWS = 6
_NUM_COLS = 7
_MIN_SIDE = 4              # a smaller board cannot hold four in a row both ways
_MAX_SIDE = 12
_NUM_SEATS = 2
_EMPTY = -1
_WIN_SCORE, _LOSS_SCORE, _DRAW_SCORE, _RUNNING_SCORE = 1.0, 0.0, 0.5, 0.0
_WIN_REWARD, _LOSS_REWARD = 1.0, -1.0
_NO_REWARDS = (0.0, 0.0)

_SIDE_SCHEMA = {"type": "integer", "minimum": _MIN_SIDE, "maximum": _MAX_SIDE}
MAP_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Connect Four map",
    "type": "object",
    "properties": {"rows": _SIDE_SCHEMA, "cols": _SIDE_SCHEMA, "description": {"type": "string"}},
    "additionalProperties": False,
}
MOVE_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": _MAX_SIDE - 1}


def _has_four(board: int, stride: int) -> bool:
    """Four in a row on one seat's bitboard (bit = col * stride + row; the spare top bit stops wrapping)."""
    for shift in (1, stride, stride - 1, stride + 1):   # vertical, horizontal, both diagonals
        pairs = board & (board >> shift)
        if pairs & (pairs >> (2 * shift)):
            return True
    return False


class ConnectFour(Game):
    """Connect Four: 2 seats, turn-based; see the module docstring for the rules."""

    name = "connect4"
    version = "1.0"
    min_seats = _NUM_SEATS
    max_seats = _NUM_SEATS
    simultaneous = False
    map_schema = MAP_SCHEMA
    move_schema = MOVE_SCHEMA

    def new_state(self, seats: int, game_map: dict[str, Any], seed: int) -> ConnectFourState:
        if seats != _NUM_SEATS:
            raise ValueError(f"Connect Four is played by {_NUM_SEATS} seats, not {seats}")
        return ConnectFourState(game_map.get("rows", _NUM_ROWS), game_map.get("cols", _NUM_COLS))

    def default_map_data(self) -> dict[str, Any]:
        return {"rows": _NUM_ROWS, "cols": _NUM_COLS}


class ConnectFourState(State):
    """A Connect Four position. Deterministic: the seed plays no part."""

    def __init__(self, rows: int, cols: int) -> None:
        self._rows, self._cols, self._stride = rows, cols, rows + 1
        self._boards = [0, 0]
        self._heights = [0] * cols
        self._grid = [[_EMPTY] * cols for _ in range(rows)]    # top row first, as bots see it
        self._legal = list(range(cols))
        self._current = 0
        self._placed = 0
        self._last_move: int | None = None
        self._over = False
        self._winner: int | None = None
        self._rewards: tuple[float, float] = _NO_REWARDS

    def to_move(self) -> list[int]:
        return [] if self._over else [self._current]

    def observation(self, seat: int) -> Observation:
        legal = [] if self._over else self._legal[:]
        return {"board": [row[:] for row in self._grid], "you": seat, "legal": legal}

    def check_move(self, seat: int, move: Move) -> str | None:
        if self._over:
            return "the game is over"
        if seat != self._current:
            return f"it is seat {self._current}'s turn, not seat {seat}'s"
        if type(move) is not int:       # not isinstance: JSON true/false are not columns
            return f"a move is a column number (an integer 0..{self._cols - 1}), got {describe(move)}"
        if not 0 <= move < self._cols:
            return f"column {describe(move)} does not exist (columns are 0..{self._cols - 1})"
        if self._heights[move] == self._rows:
            return f"column {move} is full (legal columns: {self._legal})"
        return None

    def apply(self, moves: dict[int, Move]) -> None:
        seat = self._current
        column = moves[seat]
        row = self._heights[column]
        self._heights[column] = row + 1
        board = self._boards[seat] | 1 << (column * self._stride + row)
        self._boards[seat] = board
        self._grid[self._rows - 1 - row][column] = seat
        self._placed += 1
        self._last_move = column
        if row + 1 == self._rows:
            self._legal.remove(column)
        if _has_four(board, self._stride):
            self._finish(seat)
        elif not self._legal:
            self._finish(None)
        else:
            self._current = 1 - seat
            self._rewards = _NO_REWARDS

    def _finish(self, winner: int | None) -> None:
        self._over, self._winner = True, winner
        if winner is None:
            self._rewards = _NO_REWARDS
        else:
            self._rewards = (_WIN_REWARD, _LOSS_REWARD) if winner == 0 else (_LOSS_REWARD, _WIN_REWARD)

    def is_over(self) -> bool:
        return self._over

    def scores(self) -> list[float]:
        if not self._over:
            return [_RUNNING_SCORE, _RUNNING_SCORE]
        if self._winner is None:
            return [_DRAW_SCORE, _DRAW_SCORE]
        return [_WIN_SCORE if seat == self._winner else _LOSS_SCORE for seat in range(_NUM_SEATS)]

    def rewards(self) -> list[float]:
        return list(self._rewards)

    def remove_seat(self, seat: int) -> None:
        if not self._over:
            self._finish(1 - seat)

    def random_move(self, seat: int, rng: random.Random) -> Move:
        return rng.choice(self._legal)

    def frame(self) -> dict[str, Any]:
        return {
            "board": [row[:] for row in self._grid],
            "to_move": self.to_move(),
            "placed": self._placed,
            "last_move": self._last_move,
            "over": self._over,
            "winner": self._winner,
        }
