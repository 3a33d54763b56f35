"""Game config validation: every user error names the file, the JSON path, and a fix."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from phoenix_judge.config.game_config import load_config
from phoenix_judge.errors import ConfigError
from phoenix_judge.limits import MIB

ROOT = Path(__file__).resolve().parents[1]


def write_config(folder: Path, **overrides: object) -> Path:
    bot = folder / "bots" / "b"
    bot.mkdir(parents=True, exist_ok=True)
    (bot / "bot.py").write_text("print('hi')\n")
    config = {"game": "connect4", "seed": 7, "bots": [{"name": "one", "command": "python3 bot.py", "dir": "bots/b"},
                                                      {"name": "two", "command": ["python3", "bot.py"], "dir": "bots/b"}]}
    config.update(overrides)
    path = folder / "game_config.json"
    path.write_text(json.dumps(config))
    return path


def test_a_valid_config_resolves_paths_relative_to_its_folder(tmp_path: Path) -> None:
    spec = load_config(write_config(tmp_path, timeout=0.5, limits={"memory_mb": 256, "startup_s": 2}))
    assert spec.game == "connect4" and spec.seed == 7
    assert spec.bots[0].command == ("python3", "bot.py") == spec.bots[1].command
    assert spec.bots[0].directory == tmp_path / "bots" / "b"
    assert spec.arena_root == tmp_path / "arena"
    assert spec.commit.replays == tmp_path / "out" / "replays"
    assert spec.limits.move_s == 0.5 and spec.limits.memory_bytes == 256 * MIB and spec.limits.startup_s == 2


@pytest.mark.parametrize(("overrides", "where", "words"), [
    ({"bots": [{"name": "x", "command": 5}]}, "$.bots[0].command", "is not valid"),
    ({"timeout": -1}, "$.timeout", "less than or equal to the minimum"),
    ({"max_iters": "ten"}, "$.max_iters", "not of type 'integer'"),
    ({"colour": "red"}, "$", "allowed keys"),
    ({"limits": {"memory_mb": 1}}, "$.limits.memory_mb", "less than the minimum"),
    ({"bots": [{"name": "bad name!", "command": "x"}]}, "$.bots[0].name", "does not match"),
    ({"on_fault": "shrug"}, "$.on_fault", "is not one of"),
])
def test_schema_errors_name_the_json_path_and_a_fix(tmp_path: Path, overrides: dict, where: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, **overrides))
    assert caught.value.where.endswith(where)
    assert words in caught.value.problem
    assert caught.value.fix


def test_malformed_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "game_config.json"
    path.write_text('{\n  "game": "connect4",\n  "bots": [}\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "line 3 column" in caught.value.where


def test_missing_bot_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, bots=[{"name": "ghost", "command": "python3 bot.py"}]))
    assert caught.value.where.endswith("$.bots[0].dir") and "bots/ghost" in caught.value.problem


def test_a_map_that_breaks_the_game_schema_is_named_by_file_and_path(tmp_path: Path) -> None:
    (tmp_path / "bad_map.json").write_text(json.dumps({"maxX": "wide"}))
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, game="phoenix", map="bad_map.json"))
    assert "bad_map.json" in caught.value.where


def test_unknown_game_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, game="chess"))
    assert "connect4" in str(caught.value)


def test_cli_reports_a_bad_config_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    path = write_config(tmp_path, timeout="soon")
    run = subprocess.run([sys.executable, str(ROOT / "src"), str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "$.timeout" in run.stderr and "fix:" in run.stderr
    assert "Traceback" not in run.stderr
