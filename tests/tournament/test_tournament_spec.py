"""The tournament file: schema validation with JSON paths, resolution, shared keys with the game config."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from phoenix_judge.config import packaged_schema
from phoenix_judge.errors import ConfigError
from phoenix_judge.tournament.spec import load_tournament


def write(tmp_path: Path, **keys: Any) -> Path:
    for name in ("alpha", "beta", "gamma"):
        (tmp_path / "bots" / name).mkdir(parents=True, exist_ok=True)
    data = {"name": "cup", "game": "connect4", "entrants": ["bots/alpha", "bots/beta"],
            "format": {"type": "round_robin"}, **keys}
    path = tmp_path / "cup.json"
    path.write_text(json.dumps(data))
    return path


def test_a_minimal_file_gets_every_default(tmp_path: Path) -> None:
    spec = load_tournament(write(tmp_path, limits={"move_cpu_s": 0.2, "memory_mb": 256}, timeout=3))
    assert spec.names == ["alpha", "beta"]
    assert spec.format == {"type": "round_robin", "repeats": 1, "side_swap": True}
    assert spec.entrant("alpha").bot.command == ("python3", "bot.py")
    assert spec.entrant("alpha").bot.directory == tmp_path / "bots" / "alpha"
    assert spec.template.limits.move_cpu_s == 0.2 and spec.template.limits.move_s == 3
    assert spec.template.limits.memory_bytes == 256 * 1024 * 1024
    assert spec.output == tmp_path / "out" / "tournaments" / "cup"
    assert spec.maps[0][0] == "default"


def test_object_entrants_commands_and_ratings(tmp_path: Path) -> None:
    entrants = ["bots/alpha", {"name": "g", "dir": "bots/gamma", "command": "python3 -u bot.py --fast", "rating": 1800}]
    spec = load_tournament(write(tmp_path, entrants=entrants, format={"type": "knockout", "seeding": "rating"}))
    assert spec.entrant("g").bot.command == ("python3", "-u", "bot.py", "--fast")
    assert spec.entrant("g").rating == 1800
    assert spec.format["games_per_pairing"] == 2 and spec.format["max_tiebreaks"] == 3


@pytest.mark.parametrize(("keys", "where", "words"), [
    ({"format": {"type": "swiss"}}, "$.format", "'rounds' is missing"),
    ({"format": {"type": "swiss", "rounds": 0}}, "$.format.rounds", "minimum"),
    ({"format": {"type": "round_robin", "rounds": 3}}, "$.format", "'rounds' was unexpected"),
    ({"format": {"type": "elimination"}}, "$.format.type", "is not one of"),
    ({"entrants": ["bots/alpha"]}, "$.entrants", "too short"),
    ({"entrants": ["bots/alpha", {"name": "x y", "dir": "bots/beta"}]}, "$.entrants[1].name", "does not match"),
    ({"entrants": ["bots/alpha", "bots/alpha"]}, "$.entrants[1]", "taken by an earlier entrant"),
    ({"entrants": ["bots/alpha", "bots/nowhere"]}, "$.entrants[1]", "does not exist"),
    ({"format": {"type": "gauntlet", "challengers": ["zeta"]}}, "$.format.challengers", "not an entrant"),
    ({"format": {"type": "gauntlet", "challengers": ["alpha", "beta"]}}, "$.format.challengers", "field is empty"),
    ({"format": {"type": "sprt", "a": "alpha", "b": "alpha"}}, "$.format.b", "same entrant"),
    ({"format": {"type": "sprt", "a": "alpha", "b": "beta", "elo0": 5, "elo1": 0}}, "$.format.elo1", "greater"),
    ({"limits": {"move_cpu_s": -1}}, "$.limits.move_cpu_s", "less than or equal"),
    ({"seed": -1}, "$.seed", "minimum"),
    ({"maps": ["maps/none.json"]}, "none.json", "not found"),
])
def test_bad_files_name_the_place_and_the_fix(tmp_path: Path, keys: dict[str, Any], where: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_tournament(write(tmp_path, **keys))
    assert where in caught.value.where and words in caught.value.problem
    assert caught.value.fix


def test_the_file_must_be_json(tmp_path: Path) -> None:
    path = tmp_path / "cup.json"
    path.write_text('{"name": "cup",}')
    with pytest.raises(ConfigError, match="line 1"):
        load_tournament(path)


def test_the_digest_changes_with_anything_that_changes_the_tournament(tmp_path: Path) -> None:
    base = load_tournament(write(tmp_path)).digest
    assert load_tournament(write(tmp_path)).digest == base
    assert load_tournament(write(tmp_path, seed=1)).digest != base
    assert load_tournament(write(tmp_path, timeout=2)).digest != base
    assert load_tournament(write(tmp_path, format={"type": "round_robin", "repeats": 2})).digest != base


def without_descriptions(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: without_descriptions(v) for k, v in schema.items() if k != "description"}
    return [without_descriptions(v) for v in schema] if isinstance(schema, list) else schema


@pytest.mark.parametrize("key", ["limits", "commit_paths", "sandbox", "on_fault", "arena", "api_dir", "timeout", "max_iters"])
def test_keys_shared_with_the_game_config_have_the_same_schema(key: str) -> None:
    """A match in a tournament takes exactly the settings a single match takes."""
    game = packaged_schema("game_config.schema.json")["properties"][key]
    tournament = packaged_schema("tournament.schema.json")["properties"][key]
    assert without_descriptions(tournament) == without_descriptions(game)
