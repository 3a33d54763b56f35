"""The sample bots' move functions, without processes: greedy choices, and legal moves in real games."""
from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from phoenix_judge.games.connect4 import ConnectFour
from phoenix_judge.games.phoenix import PhoenixGame

BOTS = Path(__file__).resolve().parents[1] / "sample_bots"


def load_bot(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"sample_bot_{name}", BOTS / name / "bot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


c4_greedy, c4_random = load_bot("connect4_greedy"), load_bot("connect4_random")
px_greedy, px_random = load_bot("phoenix_greedy"), load_bot("phoenix_random")


def board(*rows_from_bottom: str) -> list[list[int]]:
    """A 6 x 7 board from strings like "0 1 . . . . ." listed bottom row first ("." empty)."""
    rows = [[-1 if cell == "." else int(cell) for cell in row.split()] for row in rows_from_bottom]
    rows += [[-1] * 7 for _ in range(6 - len(rows))]
    return rows[::-1]                      # observations list the top row first


def c4_observation(grid: list[list[int]], you: int) -> dict[str, Any]:
    return {"board": grid, "you": you, "legal": [c for c in range(7) if grid[0][c] == -1]}


def test_greedy_connect4_takes_a_win() -> None:
    grid = board("0 0 0 . 1 1 .", "1 . . . . . .")
    assert c4_greedy.choose(c4_observation(grid, 0)) == 3


def test_greedy_connect4_prefers_its_win_over_a_block() -> None:
    grid = board("0 0 0 . 1 1 1", ". . . . . . .")
    assert c4_greedy.choose(c4_observation(grid, 1)) == 3      # seat 1 also completes 3..6
    grid = board("0 . . . . . 1", "0 . . . . . 1", "0 . . . . . 1")
    assert c4_greedy.choose(c4_observation(grid, 1)) == 6


def test_greedy_connect4_blocks_an_immediate_loss() -> None:
    grid = board("1 . . . . . 0", "1 . . . . . 0", "1 . . . . . .")
    assert c4_greedy.choose(c4_observation(grid, 0)) == 0
    diagonal = board("1 0 0 0 1 . .", ". 1 0 1 . . .", ". . 1 0 . . .")   # seat 1 threatens (3,3)
    assert c4_greedy.choose(c4_observation(diagonal, 0)) == 3


def test_greedy_connect4_plays_the_centre_and_does_not_set_up_the_opponent() -> None:
    assert c4_greedy.choose(c4_observation(board(), 0)) == 3
    # seat 1 waits for the third row of column 3; a piece of seat 0 in the second row would lift it there
    grid = board("0 1 0 0 1 0 0", "1 0 1 . 0 . .", "1 1 1 . . . .")
    assert c4_greedy.drop_row(grid, 3) == 4 and c4_greedy.gives_away(grid, 3, 0, 1)
    assert c4_greedy.choose(c4_observation(grid, 0)) != 3


@pytest.mark.parametrize("seed", range(20))
def test_connect4_bots_only_play_legal_columns_and_greedy_beats_random(seed: int) -> None:
    state, rng, greedy = ConnectFour().new_state(2, {}, seed), random.Random(seed), seed % 2
    while not state.is_over():
        seat = state.to_move()[0]
        observation = state.observation(seat)
        move = c4_greedy.choose(observation) if seat == greedy else c4_random.choose(observation, rng)
        assert state.check_move(seat, move) is None
        state.apply({seat: move})
    assert state.scores()[greedy] == 1.0


def cell(x: float, y: float, mass: float, angle: float = 0.0, seat: int = 0, childno: int = 0) -> dict[str, Any]:
    return {"seat": seat, "childno": childno, "x": x, "y": y, "mass": mass, "radius": 2 * mass ** 0.5,
            "angle": angle, "velocity": 0.0, "cooldown": 0}


def phoenix_observation(mine: list, others: list, food: list) -> dict[str, Any]:
    return {"turn": 3, "you": 0, "cells": mine, "others": others, "food": food, "viruses": [], "scores": [0, 0]}


def test_greedy_phoenix_heads_for_the_nearest_food() -> None:
    observation = phoenix_observation([cell(100, 100, 20, angle=0)], [], [[100, 150, 1], [300, 100, 1]])
    assert px_greedy.choose(observation) == [{"childno": 0, "relativeangle": 90.0}]


def test_greedy_phoenix_flees_a_cell_that_could_eat_it() -> None:
    big = cell(140, 100, 80, seat=1)                            # east of us, 4x heavier
    observation = phoenix_observation([cell(100, 100, 20, angle=90)], [big], [[150, 100, 1]])
    assert px_greedy.choose(observation) == [{"childno": 0, "relativeangle": 90.0}]     # turn to 180: west


def test_greedy_phoenix_chases_a_cell_it_can_eat() -> None:
    small = cell(100, 40, 10, seat=1)                           # south of us, half our mass
    observation = phoenix_observation([cell(100, 100, 40, angle=0)], [small], [[200, 100, 1]])
    assert px_greedy.choose(observation) == [{"childno": 0, "relativeangle": -90.0}]


@pytest.mark.parametrize("seed", range(2))
def test_phoenix_bots_make_legal_moves_and_greedy_outgrows_random(seed: int) -> None:
    game = PhoenixGame()
    state, rng = game.new_state(2, game.default_map_data(), seed), random.Random(seed)
    for _ in range(250):
        if state.is_over():
            break
        moves = {0: px_greedy.choose(state.observation(0)), 1: px_random.choose(state.observation(1), rng)}
        moves = {seat: move for seat, move in moves.items() if seat in state.to_move()}
        for seat, move in moves.items():
            assert state.check_move(seat, move) is None, state.check_move(seat, move)
        state.apply(moves)
    assert state.scores()[0] > state.scores()[1]


def test_random_bots_seed_from_the_hello_so_replays_repeat() -> None:
    observation = c4_observation(board(), 0)
    picks = []
    for _ in range(2):
        c4_random.setup({"seed": 42, "seat": 1})
        picks.append([c4_random.choose(observation, c4_random._rng) for _ in range(10)])
    assert picks[0] == picks[1] and len(set(picks[0])) > 1
