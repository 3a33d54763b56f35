"""The judge cleans up whatever happens: Ctrl-C, SIGTERM, a crashing game. Real processes throughout."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from conftest import ROOT, fakebot, read_jsonl

pytestmark = pytest.mark.e2e


def leftover(marker: str) -> list[psutil.Process]:
    """Live processes (not zombies reaped by now) whose command line carries `marker`."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        try:
            if marker in " ".join(proc.info["cmdline"] or ()) and proc.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def judge(config: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "src"), str(config)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_moves(folder: Path, count: int, timeout: float = 20.0) -> None:
    """Until the match's move log holds `count` bot lines (the bots are up and playing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in folder.glob("out/movelogs/.*.partial"):
            if sum(1 for line in path.read_text().splitlines() if '"seat"' in line) >= count:
                return
        time.sleep(0.05)
    raise AssertionError("the bots never started playing")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_the_judge_kills_every_bot_and_commits_the_records(match_config, tmp_path, signum) -> None:
    marker = f"m{uuid.uuid4().hex[:12]}"
    bots = [fakebot("plays", "--name", marker), fakebot("stalls", "--stall", "--at", "1", "--name", marker)]
    config = match_config("connect4", bots, timeout=60)
    process = judge(config, tmp_path)
    wait_for_moves(tmp_path, 3)            # both bots said ready, seat 0 moved, seat 1 now stalls
    assert len(leftover(marker)) == 2
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert leftover(marker) == []
    (result_path,) = (tmp_path / "out" / "results").glob("*.json")
    result = json.loads(result_path.read_text())
    assert result["termination"] == "interrupted"
    for kind in ("replay", "movelog", "errorlog", "debuglog.0", "debuglog.1"):
        assert Path(result["records"][kind]).is_file()
    assert not list((tmp_path / "arena").iterdir())        # the arena was cleared


def test_a_crashing_game_is_a_judge_error_and_still_cleans_up(match_config, tmp_path) -> None:
    marker = f"m{uuid.uuid4().hex[:12]}"
    bot_dir = tmp_path / "one"
    bot_dir.mkdir()
    (bot_dir / "bot.py").write_text("import sky\nsky.run(lambda observation, hello: 1, name='one')\n")
    bots = [{"name": "a", "dir": str(bot_dir), "command": ["python3", "bot.py", marker]},
            {"name": "b", "dir": str(bot_dir), "command": ["python3", "bot.py", marker]}]
    config = match_config("tests.games.exploding:ExplodingNim", bots)
    run = subprocess.run([sys.executable, str(ROOT / "src"), str(config)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 3, run.stderr
    assert "judge error" in run.stderr and "the game's own bug" in run.stderr
    assert "Traceback" not in run.stderr
    assert leftover(marker) == []
    (result_path,) = (tmp_path / "out" / "results").glob("*.json")
    result = json.loads(result_path.read_text())
    assert result["termination"] == "judge_error"
    assert all(seat["verdict"] == "ok" for seat in result["seats"])     # no bot is blamed
    assert len(read_jsonl(result["records"]["movelog"])) >= 2
