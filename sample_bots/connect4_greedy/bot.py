#!/usr/bin/env python3
"""Connect Four, greedy: wins if it can, blocks the opponent's immediate win, else plays near the centre.

Among the remaining columns it avoids those that let the opponent win on top of
its own piece. The board in the observation lists rows top first; -1 is empty.
"""
from __future__ import annotations

from typing import Any

Board = list[list[int]]
_LINE = 4
_DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))


def choose(observation: dict[str, Any]) -> int:
    """The column to play."""
    board, me, legal = observation["board"], observation["you"], observation["legal"]
    opponent = 1 - me
    for seat in (me, opponent):              # first a win, then a block
        for column in legal:
            if wins(board, column, seat):
                return column
    centre = (len(board[0]) - 1) / 2
    safe = [column for column in legal if not gives_away(board, column, me, opponent)]
    return min(safe or legal, key=lambda column: (abs(column - centre), column))


def drop_row(board: Board, column: int) -> int:
    """The row a piece dropped into `column` lands in (rows are top first), or -1 when full."""
    for row in range(len(board) - 1, -1, -1):
        if board[row][column] == -1:
            return row
    return -1


def wins(board: Board, column: int, seat: int) -> bool:
    """Whether `seat` playing `column` makes four in a row."""
    row = drop_row(board, column)
    if row < 0:
        return False
    return any(1 + _run(board, row, column, dr, dc, seat) + _run(board, row, column, -dr, -dc, seat) >= _LINE
               for dr, dc in _DIRECTIONS)


def _run(board: Board, row: int, column: int, dr: int, dc: int, seat: int) -> int:
    count = 0
    row, column = row + dr, column + dc
    while 0 <= row < len(board) and 0 <= column < len(board[0]) and board[row][column] == seat:
        count, row, column = count + 1, row + dr, column + dc
    return count


def gives_away(board: Board, column: int, me: int, opponent: int) -> bool:
    """Whether playing `column` lets the opponent win by playing the same column next."""
    row = drop_row(board, column)
    if row <= 0:
        return False
    after = [line[:] for line in board]
    after[row][column] = me
    return wins(after, column, opponent)


def main() -> None:
    import sky  # copied next to this file in the arena; imported here so tests can load choose() alone

    sky.run(lambda observation, hello: choose(observation), name="connect4_greedy")


if __name__ == "__main__":
    main()
