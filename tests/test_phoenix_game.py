"""Phoenix: food, eating, viruses, split, eject, merging, walls, reasons, determinism, removal, the end."""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from phoenix_judge.errors import ConfigError
from phoenix_judge.games.phoenix import PhoenixGame, PhoenixState
from phoenix_judge.terra import load_map, validate_map

ROOT = Path(__file__).resolve().parents[1]
PAUSE = [{"childno": 0, "pause": True}]


def field(**changes: Any) -> dict[str, Any]:
    """A 400 x 200 field, no food or viruses; seat 0 starts at (100, 100) heading +x, seat 1 at (300, 100) heading -x."""
    params = {"food_respawn": False, **changes.pop("params", {})}
    return {"maxX": 400, "maxY": 200, "food": [], "viruses": [], "starts": [[100, 100], [300, 100]],
            "params": params, **changes}


def new(game_map: dict[str, Any], seats: int = 2, seed: int = 0) -> PhoenixState:
    return PhoenixGame().new_state(seats, validate_map(PhoenixGame(), game_map, "test map"), seed)


def turn(state: PhoenixState, **moves: list) -> None:
    """One turn: seat N plays moves["sN"], every other playing seat plays []."""
    chosen = {seat: moves.get(f"s{seat}", []) for seat in state.to_move()}
    for seat, move in chosen.items():
        assert state.check_move(seat, move) is None, state.check_move(seat, move)
    state.apply(chosen)


def cells(state: PhoenixState, seat: int) -> list[dict[str, Any]]:
    return state.observation(seat)["cells"]


def test_a_cell_eats_the_food_it_covers_and_grows() -> None:
    state = new(field(food=[[106, 100], [250, 150]]))
    turn(state)
    assert state.scores() == [21.0, 20.0] and state.rewards() == [1.0, 0.0]
    assert state.observation(0)["food"] == [[250.0, 150.0, 1.0]]


def test_eaten_food_grows_back_at_a_place_drawn_from_the_seed() -> None:
    food_map = field(food=[[106, 100]], params={"food_respawn": True})
    places = []
    for seed in (5, 5, 6):
        state = new(food_map, seed=seed)
        turn(state)
        places.append(state.observation(0)["food"])
    assert state.scores()[0] == 21.0
    assert len(places[0]) == 1 and places[0][0] != [106.0, 100.0, 1.0]
    assert places[0] == places[1] and places[0] != places[2]


def test_a_cell_a_quarter_heavier_eats_a_cell_whose_centre_it_covers() -> None:
    state = new(field(food=[[100, 100]] * 30, starts=[[100, 100], [115, 100]]))
    turn(state, s1=PAUSE)                  # seat 0 eats 30 food (mass 50), then reaches seat 1's centre
    assert state.scores() == [70.0, 0.0] and state.rewards() == [50.0, -20.0]
    assert state.is_over() and state.to_move() == []


def test_cells_of_about_the_same_mass_do_not_eat_each_other() -> None:
    state = new(field(food=[[100, 100]] * 4, starts=[[100, 100], [104, 100]]))
    turn(state, s1=PAUSE)                  # 24 against 20: less than 1.25x
    assert state.scores() == [24.0, 20.0] and not state.is_over()


def test_a_heavy_cell_bursts_on_a_virus_and_a_light_one_passes() -> None:
    heavy = new(field(viruses=[[106, 100]], params={"start_mass": 40, "virus_mass": 30}))
    turn(heavy)
    pieces = cells(heavy, 0)
    assert [piece["mass"] for piece in pieces] == [10.0] * 4 and heavy.scores()[0] == 40.0
    assert [piece["childno"] for piece in pieces] == [0, 1, 2, 3]
    light = new(field(viruses=[[106, 100]], params={"start_mass": 25, "virus_mass": 30}))
    turn(light)
    assert len(cells(light, 0)) == 1


def test_split_halves_a_cell_and_throws_the_new_half_forward() -> None:
    state = new(field(params={"start_mass": 40}))
    turn(state, s0=[{"childno": 0, "split": True}])
    parent, half = cells(state, 0)
    assert parent["mass"] == half["mass"] == 20.0 and half["childno"] == 1
    assert half["x"] > parent["x"] and half["y"] == parent["y"] == 100.0
    assert half["velocity"] > parent["velocity"] and parent["cooldown"] > 0


@pytest.mark.parametrize("params", [{"start_mass": 15}, {"start_mass": 40, "max_cells": 1}])
def test_a_split_the_rules_forbid_is_ignored(params: dict[str, Any]) -> None:
    state = new(field(params=params))
    turn(state, s0=[{"childno": 0, "split": True}])
    assert len(cells(state, 0)) == 1


def test_split_cells_merge_again_after_the_cooldown() -> None:
    corner = field(maxX=100, maxY=100, starts=[[10, 10], [90, 90]], params={"start_mass": 40})
    state = new(corner)
    turn(state, s0=[{"childno": 0, "relativeangle": 180, "split": True}], s1=PAUSE)   # both halves run into (0, 0)
    for _ in range(30):
        turn(state, s1=PAUSE)
    assert len(cells(state, 0)) == 2
    for _ in range(15):
        turn(state, s1=PAUSE)
    assert [cell["mass"] for cell in cells(state, 0)] == [40.0]


def test_ejectmass_throws_a_pellet_ahead_that_anyone_may_eat() -> None:
    state = new(field(params={"start_mass": 40}))
    turn(state, s0=[{"childno": 0, "ejectmass": True}])
    assert state.scores()[0] == 36.0
    assert state.observation(1)["food"] == [[132.0, 100.0, 4.0]]      # radius 12 (of mass 36) + 20 beyond the centre
    light = new(field(params={"start_mass": 15}))
    turn(light, s0=[{"childno": 0, "ejectmass": True}])
    assert light.scores()[0] == 15.0 and light.observation(0)["food"] == []


def test_turning_pausing_and_moving_at_cruise_speed() -> None:
    state = new(field())
    turn(state, s0=[{"childno": 0, "relativeangle": 90}], s1=PAUSE)
    mine, theirs = cells(state, 0)[0], cells(state, 1)[0]
    assert mine["angle"] == 90.0 and mine["x"] == 100.0 and mine["y"] == pytest.approx(106.71)
    assert (theirs["x"], theirs["y"], theirs["velocity"]) == (300.0, 100.0, 0.0)


def test_cells_stay_inside_the_field() -> None:
    state = new(field(starts=[[5, 100], [300, 100]]))
    turn(state, s0=[{"childno": 0, "relativeangle": 180}])
    for _ in range(5):
        turn(state)
    assert cells(state, 0)[0]["x"] == 0.0
    rng, crowd = random.Random(3), new(field(starts=[]), seats=6, seed=3)
    for _ in range(300):
        if crowd.is_over():
            break
        crowd.apply({seat: crowd.random_move(seat, rng) for seat in crowd.to_move()})
        for x, y in ((cell[2], cell[3]) for cell in crowd.frame()["cells"]):
            assert 0 <= x <= 400 and 0 <= y <= 200


TWO_CELLS = field(params={"start_mass": 40})


@pytest.mark.parametrize("move, reason", [
    ("x", 'a move is a list of cell actions like [{"childno": 0, "relativeangle": 30}] ([] changes nothing), '
          'got the string "x"'),
    ({"childno": 0}, "a move is a list of cell actions"),
    ([{"childno": 0}] * 3, "3 actions for your 2 cells: send at most one action per cell"),
    ([{"childno": 1}, {"childno": 1}], "action 1: childno 1 already has an action (action 0)"),
    ([{"childno": 9}], "action 0: childno 9 is not one of your cells (you have 0..1)"),
    ([{"childno": -1}], "action 0: childno -1 is not one of your cells (you have 0..1)"),
    ([{"childno": 10**100}], "action 0: childno a huge integer is not one of your cells"),
    ([{}], 'action 0: missing "childno"'),
    ([5], 'action 0: expected an object like {"childno": 0, "split": true}, got 5'),
    ([{"childno": "0"}], 'action 0: childno must be an integer, got the string "0"'),
    ([{"childno": 0.0}], "action 0: childno must be an integer, got 0.0"),
    ([{"childno": True}], "action 0: childno must be an integer, got true"),
    ([{"childno": 0, "relativeangle": 400}], "action 0: relativeangle 400 is outside -360..360"),
    ([{"childno": 0, "relativeangle": -360.5}], "action 0: relativeangle -360.5 is outside -360..360"),
    ([{"childno": 0, "relativeangle": "left"}], 'action 0: relativeangle must be a number of degrees, got the string "left"'),
    ([{"childno": 0, "relativeangle": None}], "action 0: relativeangle must be a number of degrees, got null"),
    ([{"childno": 0, "split": "yes"}], 'action 0: split must be true or false, got the string "yes"'),
    ([{"childno": 0, "pause": 1}], "action 0: pause must be true or false, got 1"),
    ([{"childno": 0, "ejectmass": None}], "action 0: ejectmass must be true or false, got null"),
    ([{"childno": 0, "Split": True}], 'action 0: unknown key "Split" (the keys are childno, split, pause'),
])
def test_illegal_moves_get_a_precise_reason(move: Any, reason: str) -> None:
    state = new(TWO_CELLS)
    turn(state, s0=[{"childno": 0, "split": True}])
    assert len(cells(state, 0)) == 2
    assert state.check_move(0, move).startswith(reason)


def test_the_empty_move_and_full_actions_are_legal() -> None:
    state = new(TWO_CELLS)
    assert state.check_move(0, []) is None
    full = [{"childno": 0, "split": False, "pause": True, "relativeangle": -360, "ejectmass": False}]
    assert state.check_move(1, full) is None


def test_the_same_seed_and_moves_give_the_same_game_and_seeds_differ() -> None:
    game_map = PhoenixGame().default_map_data()
    frames = []
    for seed in (4, 4, 5):
        rng, state = random.Random(11), PhoenixGame().new_state(3, game_map, seed)
        for _ in range(150):
            state.apply({seat: state.random_move(seat, rng) for seat in state.to_move()})
        frames.append(json.dumps([state.frame(), state.scores(), state.rewards()]))
    assert frames[0] == frames[1] and frames[0] != frames[2]


def test_a_removed_seat_loses_its_cells_and_the_rest_play_on() -> None:
    state = new(field(starts=[]), seats=3)
    state.remove_seat(1)
    assert state.to_move() == [0, 2] and state.scores()[1] == 0.0 and not state.is_over()
    assert state.check_move(1, []) == "seat 1 was removed from the game"
    assert all(cell[0] != 1 for cell in state.frame()["cells"]) and state.frame()["removed"] == [1]
    turn(state)
    state.remove_seat(2)
    assert state.is_over() and state.to_move() == []


def test_a_seat_without_cells_is_out() -> None:
    three = field(food=[[100, 100]] * 30, starts=[[100, 100], [115, 100], [300, 50]])
    state = new(three, seats=3)
    turn(state, s1=PAUSE)
    assert state.to_move() == [0, 2] and state.scores()[1] == 0.0
    assert state.check_move(1, []) == "seat 1 is out of the game (it has no cells left)"


def test_the_game_ends_after_max_turns() -> None:
    state = new(field(params={"max_turns": 3}))
    for _ in range(3):
        assert not state.is_over()
        turn(state)
    assert state.is_over() and state.to_move() == [] and state.check_move(0, []) == "the game is over"


def test_the_observation_shows_own_cells_others_food_and_viruses() -> None:
    state = new(field(food=[[10, 20]], viruses=[[50, 60]]), seats=2)
    observation = state.observation(1)
    assert set(observation) == {"turn", "you", "cells", "others", "food", "viruses", "scores"}
    assert observation["you"] == 1 and observation["turn"] == 0 and observation["scores"] == [20.0, 20.0]
    assert [cell["seat"] for cell in observation["cells"]] == [1]
    assert [cell["seat"] for cell in observation["others"]] == [0]
    assert set(observation["cells"][0]) == {"seat", "childno", "x", "y", "mass", "radius", "angle", "velocity",
                                            "cooldown"}
    assert observation["food"] == [[10.0, 20.0, 1.0]] and observation["viruses"] == [[50.0, 60.0]]
    json.dumps(observation, allow_nan=False)


def test_seats_start_on_a_circle_heading_for_the_centre_without_starts() -> None:
    state = new(field(starts=[]), seats=4)
    for seat in range(4):
        cell = cells(state, seat)[0]
        assert cell["x"] != 200 or cell["y"] != 100
    assert cells(state, 0)[0]["x"] < 200 and cells(state, 0)[0]["angle"] == 0.0


def test_maps_outside_the_field_are_refused_with_the_place() -> None:
    with pytest.raises(ConfigError) as raised:
        validate_map(PhoenixGame(), field(food=[[10, 10], [700, 20]]), "my.json")
    assert "$.food[1]: [700, 20] lies outside the field [0, 400] x [0, 200]" in str(raised.value)
    with pytest.raises(ConfigError) as raised:
        validate_map(PhoenixGame(), {**field(), "viruses": [[1, "a"]]}, "my.json")
    assert "my.json: $.viruses[0][1]" in str(raised.value)


def test_shipped_maps_are_valid_and_standard_is_the_default() -> None:
    names = sorted(path.name for path in (ROOT / "maps" / "phoenix").glob("*.json"))
    assert {"duel.json", "standard.json", "crowded.json"} <= set(names)
    for name in names:
        load_map(PhoenixGame(), ROOT / "maps" / "phoenix" / name)
    standard = load_map(PhoenixGame(), ROOT / "maps" / "phoenix" / "standard.json")
    standard.pop("description")
    assert standard == PhoenixGame().default_map_data()
