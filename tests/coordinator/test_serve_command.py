"""`python src serve CONFIG`: config errors, a real session with two agents, SIGTERM with a goodbye."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from phoenix_judge.agents import Action, ActionType, AgentInfo, BaseAgent

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 20


def serve(config: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "src"), "serve", str(config), "--port", "0", *extra],
                            cwd=config.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def write(tmp_path: Path, config: dict) -> Path:
    path = tmp_path / "serve.json"
    path.write_text(json.dumps(config))
    return path


@pytest.mark.parametrize("config, words", [
    ({"game": "connect4", "seats": [{"max_steps": 0}, {}]}, "$.seats[0].max_steps: 0 is less than the minimum of 1"),
    ({"game": "connect4", "seats": [{}]}, "$.seats: 1 seats, but connect4 is played by 2..2"),
    ({"game": "chess"}, "$.game: unknown game 'chess'"),
    ({"game": "connect4", "required_players": 3}, "$.required_players: 3 players required"),
    ({"game": "connect4", "max_steps": {"Wizard": 3}}, "$.max_steps.Wizard: no seat has the role"),
    ({"game": "connect4", "map": {"rows": 2}}, "$.map: $.rows"),
    ({"game": "connect4", "limits": {"idle": 3}}, "$.limits: Additional properties are not allowed"),
])
def test_config_errors_name_the_json_path_and_exit_2(tmp_path, config, words):
    process = serve(write(tmp_path, config))
    _out, err = process.communicate(timeout=WAIT_S)
    assert process.returncode == 2, err
    assert words in err and "Traceback" not in err


def test_a_session_then_sigterm_says_goodbye(tmp_path):
    config = {"game": "connect4", "seats": [{"role": "Attacker", "max_steps": 30}, {"role": "Defender"}],
              "trajectories": {"dir": str(tmp_path / "trajectories")}}
    process = serve(write(tmp_path, config))
    try:
        banner = process.stdout.readline()
        assert banner.startswith("serving connect4 on 127.0.0.1:"), banner
        address = ("127.0.0.1", int(banner.split()[3].rsplit(":", 1)[1]))
        finals = play_one_episode(address)
        assert {obs.info["end_reason"] for obs in finals} <= {"AgentStatus.Success", "AgentStatus.Fail",
                                                             "AgentStatus.Draw", "AgentStatus.TimeoutReached"}
        waiting = BaseAgent(*address, "Attacker", timeout=WAIT_S)
        joined = threading.Thread(target=lambda: results.append(waiting.communicate(_join())))
        results: list = []
        joined.start()                  # waits for a second player that never comes ...
        process.send_signal(signal.SIGTERM)
        joined.join(WAIT_S)
        status, obs, message = results[0]            # ... and gets the goodbye instead
        assert str(status) == "GameStatus.FORBIDDEN" and message == "the server is shutting down"
        assert process.wait(WAIT_S) == 0
    finally:
        process.kill()
        process.wait()
    lines = [json.loads(line) for path in (tmp_path / "trajectories").glob("*.jsonl") for line in path.open()]
    assert len(lines) == 2 and {line["agent_role"] for line in lines} == {"Attacker", "Defender"}


def play_one_episode(address) -> list:
    finals: list = []

    def play(role: str) -> None:
        with BaseAgent(*address, role, timeout=WAIT_S) as agent:
            obs = agent.register()
            while not obs.end:
                obs = agent.make_step(Action.play(obs.state["legal"][0]))
            finals.append(obs)
            agent.request_game_reset()      # both ask: the episode's trajectories are written

    threads = [threading.Thread(target=play, args=(role,)) for role in ("Attacker", "Defender")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    assert len(finals) == 2
    return finals


def _join() -> Action:
    return Action(ActionType.JoinGame, {"agent_info": AgentInfo("late", "Attacker")})
