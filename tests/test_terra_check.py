"""The terra registry and conformance check: built-ins and the docs' Nim pass, broken games fail the named check."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from phoenix_judge.errors import ConfigError
from phoenix_judge.games.connect4 import ConnectFour
from phoenix_judge.games.phoenix import PhoenixGame
from phoenix_judge.terra import CHECKS, check_game, game_names, get_game

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))          # tests.games.* for in-process imports, as "python src" finds them from ROOT

from tests.games import broken  # noqa: E402


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)           # get_game looks for "module:Class" in the working directory too


def test_registry_knows_the_built_in_games() -> None:
    assert game_names() == ["connect4", "phoenix"]
    assert isinstance(get_game("connect4"), ConnectFour)
    assert isinstance(get_game("phoenix"), PhoenixGame)
    assert isinstance(get_game("phoenix_judge.games.connect4:ConnectFour"), ConnectFour)


@pytest.mark.parametrize("name, words", [
    ("chess", ["unknown game 'chess'", "connect4, phoenix", "package.module:ClassName"]),
    ("no_such_package.games:Chess", ["cannot import the module of game", "No module named 'no_such_package'"]),
    ("tests.games.nim:Chess", ["module 'tests.games.nim' has no class 'Chess'"]),
    ("tests.games.broken:NotAGame", ["is not a game class (a subclass of phoenix_judge.terra.Game)"]),
    ("phoenix_judge.terra:Game", ["does not implement", "new_state"]),
    (":Nim", ["unknown game ':Nim'"]),
])
def test_unknown_or_broken_names_are_config_errors_in_plain_words(name: str, words: list[str]) -> None:
    with pytest.raises(ConfigError) as raised:
        get_game(name, where="game_config.json: $.game")
    text = str(raised.value)
    assert text.startswith("game_config.json: $.game: ")
    for word in words:
        assert word in text


def test_a_module_that_fails_while_importing_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "exploding_game.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigError, match="RuntimeError: boom at import"):
        get_game("exploding_game:Game")


def test_connect4_passes_every_check() -> None:
    report = check_game(get_game("connect4"))
    assert report.passed, report.failed()
    assert [result.name for result in report.results] == list(CHECKS)


def test_phoenix_passes_every_check_with_two_and_eight_seats() -> None:
    report = check_game(get_game("phoenix"), seeds=(0, 1))
    assert report.passed, report.failed()


def test_the_docs_nim_passes_as_a_third_party_game() -> None:
    report = check_game(get_game("tests.games.nim:Nim"))
    assert report.passed, report.failed()
    assert report.game == "nim" and report.to_json()["passed"] is True


def test_the_docs_show_exactly_the_tested_nim() -> None:
    docs = (ROOT / "docs" / "terra.md").read_text()
    example = docs.split("## A complete example: Nim", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert example == (ROOT / "tests" / "games" / "nim.py").read_text()


@pytest.mark.parametrize("game_class", broken.BROKEN, ids=lambda cls: cls.broken_check)
def test_a_broken_game_fails_its_named_check(game_class: type) -> None:
    report = check_game(game_class(), max_turns=200)
    result = report.result(game_class.broken_check)
    assert not result.passed and not report.passed
    assert "seed" in result.message                   # says where it happened
    assert report.result("metadata").passed and report.result("map").passed


def test_failures_say_what_went_wrong() -> None:
    junk = check_game(broken.RaisesOnJunk()).result("hostile-moves").message
    assert "check_move(seat 0, None) raised TypeError" in junk
    assert "random play did not end within 50 turns" in check_game(broken.NeverEnds(), max_turns=50).result(
        "terminates").message
    assert check_game(broken.RaisesOnJunk()).result("deterministic").passed    # one fault fails one check


def test_a_broken_schema_fails_metadata_and_nothing_else_runs() -> None:
    report = check_game(broken.BadMapSchema())
    assert "map_schema is not a valid JSON Schema" in report.result("metadata").message
    assert report.result("plays").message == "not run: the metadata or the map is broken"


def test_an_invalid_map_fails_the_map_check() -> None:
    report = check_game(get_game("connect4"), game_map={"rows": 2})
    assert report.result("map").message == "$.rows: 2 is less than the minimum of 4"
    assert not report.result("plays").passed


def check_game_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "src", "check-game", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_exits_0_when_every_check_passes() -> None:
    done = check_game_cli("connect4", "--seeds", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["PASS"] * len(CHECKS)
    assert "connect4 1.0: all checks passed" in lines[-1]


def test_cli_checks_a_third_party_game_and_exits_1_when_a_check_fails() -> None:
    assert check_game_cli("tests.games.nim:Nim").returncode == 0
    done = check_game_cli("tests.games.broken:NotJson")
    assert done.returncode == 1
    assert any(line.startswith("FAIL  json") for line in done.stdout.splitlines())
    assert "1 of 13 checks FAILED" in done.stdout


def test_cli_exits_2_for_an_unknown_game_without_a_traceback() -> None:
    done = check_game_cli("chess")
    assert done.returncode == 2
    assert "unknown game 'chess'" in done.stderr and "connect4, phoenix" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_cli_exits_2_for_a_bad_map_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"maxX": 100, "maxY": 100, "food": [[1, 2]], "viruses": [[500, 5]]}')
    done = check_game_cli("phoenix", "--map", str(bad))
    assert done.returncode == 2
    assert "$.viruses[0]: [500, 5] lies outside the field" in done.stderr and "Traceback" not in done.stderr
    bad.write_text("{oops")
    assert "line 1 column 2: not valid JSON" in check_game_cli("connect4", "--map", str(bad)).stderr


def test_cli_runs_a_shipped_map() -> None:
    done = check_game_cli("phoenix", "--map", "maps/phoenix/duel.json", "--seeds", "1", "--seats", "2")
    assert done.returncode == 0, done.stdout + done.stderr
