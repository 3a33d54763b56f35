"""Shared helpers: write a game config around real bots, play it, check the records."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAKEBOT_DIR = ROOT / "tests" / "bots"
SAMPLE_BOTS = ROOT / "sample_bots"


def bot(name: str, directory: Path, *command: str) -> dict[str, Any]:
    return {"name": name, "dir": str(directory), "command": list(command)}


def fakebot(name: str, *flags: str) -> dict[str, Any]:
    """The scripted fake bot, switched by flags (see tests/bots/fakebot.py)."""
    return {"name": name, "dir": str(FAKEBOT_DIR), "command": ["python3", "fakebot.py", *flags], "api": None}


def python_bot(folder: Path, name: str, move_body: str) -> dict[str, Any]:
    """A sky bot written on the spot: `move_body` is the body of move(observation, hello)."""
    folder.mkdir()
    body = "".join(f"    {line}\n" for line in move_body.splitlines())
    (folder / "bot.py").write_text(f"import sky, time\ndef move(observation, hello):\n{body}sky.run(move, name={name!r})\n")
    return {"name": name, "dir": str(folder), "command": "python3 bot.py"}


def sample(name: str, folder: str) -> dict[str, Any]:
    return {"name": name, "dir": str(SAMPLE_BOTS / folder), "command": ["python3", "bot.py"]}


@pytest.fixture
def match_config(tmp_path: Path):
    """Returns write(game, bots, **keys) -> config path, with arena and out/ inside tmp_path."""
    def write(game: str, bots: list[dict[str, Any]], **keys: Any) -> Path:
        config = {"game": game, "seed": 11, "bots": bots, "timeout": 2.0, "api_dir": str(ROOT / "api"),
                  "limits": {"startup_s": 10}, **keys}
        path = tmp_path / "game_config.json"
        path.write_text(json.dumps(config, indent=1))
        return path
    return write


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line]


def assert_all_records(result: Any, seats: int) -> None:
    """Every record kind was committed, for every bot, and parses."""
    records = result.records
    for kind in ("replay", "movelog", "errorlog", "result"):
        assert Path(records[kind]).is_file(), kind
    replay = json.loads(Path(records["replay"]).read_text())
    assert replay["header"]["match_id"] == result.match_id
    assert len(replay["header"]["bots"]) == seats
    assert all(b["code_hash"] for b in replay["header"]["bots"] if b["command"])
    for seat in range(seats):
        assert Path(records[f"debuglog.{seat}"]).is_file()
    summary = json.loads(Path(records["result"]).read_text())
    assert [s["verdict"] for s in summary["seats"]] == [str(s.verdict) for s in result.seats]


PYTHON = sys.executable
