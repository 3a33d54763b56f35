"""Connect Four: wins in every direction, draws, reasons for illegal moves, removal, determinism."""
from __future__ import annotations

import random

import pytest

from phoenix_judge.games.connect4 import ConnectFour, ConnectFourState

DIAGONAL_UP = [0, 1, 1, 2, 3, 2, 2, 3, 6, 3, 3]               # seat 0: (0,0) (1,1) (2,2) (3,3), rows from the bottom
DRAW = [int(c) for c in "330254564223355224331121550404466660106011"]   # found by random search; no four anywhere


def play(columns: list[int], game_map: dict | None = None) -> ConnectFourState:
    state = ConnectFour().new_state(2, game_map or {}, seed=0)
    for column in columns:
        seat = state.to_move()[0]
        assert state.check_move(seat, column) is None, (column, state.check_move(seat, column))
        state.apply({seat: column})
    return state


def four_anywhere(board: list[list[int]], seat: int) -> bool:
    """A plain scan of the board the bots see, independent of the bitboards."""
    rows, cols = len(board), len(board[0])
    for r in range(rows):
        for c in range(cols):
            for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
                cells = [(r + i * dr, c + i * dc) for i in range(4)]
                if all(0 <= y < rows and 0 <= x < cols and board[y][x] == seat for y, x in cells):
                    return True
    return False


def assert_won_by(state: ConnectFourState, winner: int) -> None:
    assert state.is_over() and state.to_move() == []
    assert state.scores()[winner] == 1.0 and state.scores()[1 - winner] == 0.0
    assert state.rewards()[winner] == 1.0 and state.rewards()[1 - winner] == -1.0


@pytest.mark.parametrize("columns, winner", [
    ([0, 0, 1, 1, 2, 2, 3], 0),                       # a row
    ([0, 1, 0, 1, 0, 1, 0], 0),                       # a column
    ([6, 0, 1, 0, 1, 0, 1, 0], 1),                    # a column for the second seat
    (DIAGONAL_UP, 0),
    ([6 - c for c in DIAGONAL_UP], 0),                # the other diagonal (mirrored)
    ([3, 0, 4, 0, 6, 0, 5], 0),                       # a row completed in its middle
])
def test_four_in_a_row_wins(columns: list[int], winner: int) -> None:
    before = play(columns[:-1])
    assert not before.is_over() and before.rewards() == [0.0, 0.0] and before.scores() == [0.0, 0.0]
    assert_won_by(play(columns), winner)


def test_a_full_board_without_four_is_a_draw() -> None:
    state = play(DRAW)
    board = state.observation(0)["board"]
    assert all(cell != -1 for row in board for cell in row)
    assert not four_anywhere(board, 0) and not four_anywhere(board, 1)
    assert state.is_over() and state.scores() == [0.5, 0.5] and state.rewards() == [0.0, 0.0]


def test_bitboard_win_test_agrees_with_a_plain_scan_in_random_games() -> None:
    for seed in range(150):
        rng, state = random.Random(seed), ConnectFour().new_state(2, {}, seed)
        while not state.is_over():
            seat = state.to_move()[0]
            state.apply({seat: state.random_move(seat, rng)})
            board = state.observation(seat)["board"]
            assert state.is_over() == (four_anywhere(board, seat) or all(-1 not in row for row in board))


def test_observation_is_the_board_top_row_first_with_legal_columns() -> None:
    state = play([3, 3])
    observation = state.observation(0)
    assert observation["you"] == 0 and observation["legal"] == list(range(7))
    assert len(observation["board"]) == 6 and all(len(row) == 7 for row in observation["board"])
    assert observation["board"][5][3] == 0 and observation["board"][4][3] == 1
    assert sum(cell != -1 for row in observation["board"] for cell in row) == 2


def test_a_full_column_leaves_the_legal_list_and_is_refused() -> None:
    state = play([2, 2, 2, 2, 2, 2])
    assert 2 not in state.observation(0)["legal"]
    assert state.check_move(0, 2) == "column 2 is full (legal columns: [0, 1, 3, 4, 5, 6])"


@pytest.mark.parametrize("move, words", [
    (7, "column 7 does not exist (columns are 0..6)"),
    (-1, "column -1 does not exist"),
    (10**100, "column a huge integer does not exist"),
    ("3", 'got the string "3"'),
    (3.0, "got 3.0"),
    (True, "got true"),
    (None, "got null"),
    ([3], "got a list of 1 item"),
    ({"column": 3}, "got an object with 1 key"),
])
def test_illegal_moves_get_a_reason(move: object, words: str) -> None:
    reason = ConnectFour().new_state(2, {}, 0).check_move(0, move)
    assert reason is not None and words in reason


def test_only_the_seat_to_move_may_move_and_nobody_after_the_end() -> None:
    state = play([0])
    assert state.check_move(0, 1) == "it is seat 1's turn, not seat 0's"
    finished = play([0, 1, 0, 1, 0, 1, 0])
    assert finished.check_move(1, 1) == "the game is over"


def test_removing_a_seat_ends_the_game_and_the_other_seat_wins() -> None:
    state = play([3, 4, 3])
    state.remove_seat(1)
    assert_won_by(state, 0)
    state.remove_seat(0)                                  # after the end nothing changes
    assert_won_by(state, 0)


def test_removing_the_first_seat_before_any_move() -> None:
    state = play([])
    state.remove_seat(0)
    assert_won_by(state, 1)


def test_same_moves_give_the_same_frames_and_the_seed_plays_no_part() -> None:
    rng = random.Random(7)
    first, second = ConnectFour().new_state(2, {}, 1), ConnectFour().new_state(2, {}, 99)
    while not first.is_over():
        seat = first.to_move()[0]
        column = first.random_move(seat, rng)
        first.apply({seat: column})
        second.apply({seat: column})
        assert first.frame() == second.frame() and first.rewards() == second.rewards()


def test_a_map_can_choose_the_board_size() -> None:
    state = play([0, 0, 1, 1, 2, 2, 3], {"rows": 5, "cols": 9})
    observation = ConnectFour().new_state(2, {"rows": 5, "cols": 9}, 0).observation(0)
    assert len(observation["board"]) == 5 and len(observation["board"][0]) == 9
    assert observation["legal"] == list(range(9))
    assert_won_by(state, 0)


def test_frames_are_plain_data_with_the_last_move() -> None:
    frame = play([4]).frame()
    assert frame["last_move"] == 4 and frame["to_move"] == [1] and frame["placed"] == 1
    assert frame["winner"] is None and frame["over"] is False
