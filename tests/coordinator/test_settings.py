"""The serve config: defaults, per-role step limits, maps, and errors with a JSON path."""
from __future__ import annotations

import json

import pytest

from phoenix_judge.coordinator.settings import load_serve_config
from phoenix_judge.errors import ConfigError


def write(tmp_path, config, name="serve.json"):
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return path


def test_defaults_come_from_the_game(tmp_path):
    config = load_serve_config(write(tmp_path, {"game": "connect4"}))
    assert [(seat.index, seat.role, seat.max_steps) for seat in config.seats] == [(0, None, None), (1, None, None)]
    assert config.required_players == 2 and config.limits.max_connections == 2
    assert config.game_map == {"rows": 6, "cols": 7} and config.seed == 0
    assert (config.rewards.step, config.rewards.success, config.rewards.fail) == (-1.0, 100.0, -10.0)


def test_roles_steps_bots_and_a_map_file(tmp_path):
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "small.json").write_text(json.dumps({"rows": 5, "cols": 5}))
    config = load_serve_config(write(tmp_path, {
        "game": "connect4", "map": "maps/small.json", "max_steps": {"Attacker": 12, "seat1": 3},
        "seats": [{"role": "Attacker"}, {"bot": "random"}], "goal_description": {"Attacker": "win"},
        "limits": {"max_connections": 5, "idle_timeout_s": 2.5}, "trajectories": {"store": False}}))
    assert [seat.max_steps for seat in config.seats] == [12, 3]
    assert config.seats[1].bot == "random" and config.required_players == 1
    assert config.game_map == {"rows": 5, "cols": 5} and config.trajectories_dir is None
    assert config.goal_description("Attacker") == "win" and config.goal_description("Defender") == ""
    assert (config.limits.max_connections, config.limits.idle_timeout_s) == (5, 2.5)
    assert config.seats[0].accepts("attacker") and not config.seats[0].accepts("Defender")
    assert not config.seats[1].accepts("Attacker")          # a bot's seat takes no agent


@pytest.mark.parametrize("config, where", [
    ({"game": "connect4", "seats": [{"bot": "random"}, {"bot": "random"}]}, "$.seats"),
    ({"game": "connect4", "map": "missing.json"}, "missing.json"),
    ({"game": "connect4", "seed": -1}, "$.seed"),
    ({"game": "connect4", "rewards": {"bonus": 1}}, "$.rewards"),
])
def test_errors_name_where(tmp_path, config, where):
    with pytest.raises(ConfigError) as error:
        load_serve_config(write(tmp_path, config))
    assert where in error.value.where
