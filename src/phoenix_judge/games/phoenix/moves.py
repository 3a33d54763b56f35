"""Phoenix moves: why a move is refused (in words a bot author can act on), and random legal moves."""
from __future__ import annotations

import json
import math
import random
from typing import Any

from ...terra.describe import describe

ACTION_KEYS = ("childno", "split", "pause", "relativeangle", "ejectmass")
_FLAGS = ("split", "pause", "ejectmass")
_MAX_TURN = 360.0                   # |relativeangle| limit, degrees
_EXAMPLE = '[{"childno": 0, "relativeangle": 30}]'

# random_move: how often a cell gets an action, and what else it does then
_RANDOM_ACT, _RANDOM_SPLIT, _RANDOM_EJECT, _RANDOM_PAUSE = 0.5, 0.02, 0.04, 0.08
_RANDOM_TURN = 45.0


def move_problem(move: Any, cell_count: int) -> str | None:
    """None when `move` is a legal list of actions for a seat with `cell_count` cells, else why not."""
    if not isinstance(move, list):
        return f"a move is a list of cell actions like {_EXAMPLE} ([] changes nothing), got {describe(move)}"
    if len(move) > cell_count:
        return (f"{len(move)} actions for your {cell_count} cell{'s' if cell_count != 1 else ''}: "
                "send at most one action per cell")
    seen: dict[int, int] = {}
    for index, action in enumerate(move):
        problem = _action_problem(action, cell_count, seen)
        if problem is not None:
            return f"action {index}: {problem}"
        seen[action["childno"]] = index
    return None


def _action_problem(action: Any, cell_count: int, seen: dict[int, int]) -> str | None:
    if not isinstance(action, dict):
        return f'expected an object like {{"childno": 0, "split": true}}, got {describe(action)}'
    unknown = next((key for key in action if key not in ACTION_KEYS), None)
    if unknown is not None:
        return f"unknown key {json.dumps(str(unknown)[:24])} (the keys are {', '.join(ACTION_KEYS)})"
    if "childno" not in action:
        return 'missing "childno" (the number of the cell this action is for)'
    childno = action["childno"]
    if type(childno) is not int:
        return f"childno must be an integer, got {describe(childno)}"
    if not 0 <= childno < cell_count:
        return f"childno {describe(childno)} is not one of your cells (you have 0..{cell_count - 1})"
    if childno in seen:
        return f"childno {childno} already has an action (action {seen[childno]})"
    for flag in _FLAGS:
        if flag in action and type(action[flag]) is not bool:
            return f"{flag} must be true or false, got {describe(action[flag])}"
    return _angle_problem(action.get("relativeangle", 0))


def _angle_problem(angle: Any) -> str | None:
    if type(angle) not in (int, float):
        return f"relativeangle must be a number of degrees, got {describe(angle)}"
    if not (math.isfinite(angle) and -_MAX_TURN <= angle <= _MAX_TURN):
        return f"relativeangle {describe(angle)} is outside -{_MAX_TURN:g}..{_MAX_TURN:g}"
    return None


def random_actions(cell_count: int, rng: random.Random) -> list[dict[str, Any]]:
    """A random legal move: about half the cells turn a little, a few split, eject or pause."""
    actions: list[dict[str, Any]] = []
    for childno in range(cell_count):
        if rng.random() >= _RANDOM_ACT:
            continue
        action: dict[str, Any] = {"childno": childno, "relativeangle": round(rng.uniform(-_RANDOM_TURN, _RANDOM_TURN), 1)}
        roll = rng.random()
        if roll < _RANDOM_SPLIT:
            action["split"] = True
        elif roll < _RANDOM_EJECT:
            action["ejectmass"] = True
        elif roll < _RANDOM_PAUSE:
            action["pause"] = True
        actions.append(action)
    return actions
