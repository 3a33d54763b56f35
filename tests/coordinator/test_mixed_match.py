"""One match, two kinds of seat: a jailed local bot (sky over pipes) and a TCP agent (coordinator protocol)."""
from __future__ import annotations

import dataclasses
import json
import random
import socket
import threading
from pathlib import Path

import pytest

from conftest import fakebot, sample
from phoenix_judge.agents import Action, BaseAgent
from phoenix_judge.config.game_config import load_config
from phoenix_judge.coordinator.channel import accept_agents
from phoenix_judge.match import RemoteSeat, play_match
from phoenix_judge.outcome import Termination, Verdict

pytestmark = pytest.mark.e2e


def random_agent(address, seen: list) -> None:
    """A TCP agent that plays random legal Connect Four columns until the match ends."""
    rng = random.Random(5)
    with BaseAgent(*address, "Player", name="tcp-agent", timeout=30) as agent:
        obs = agent.register()
        seen.append(obs)
        while not obs.end:
            obs = agent.make_step(Action.play(rng.choice(obs.state["legal"])))
            seen.append(obs)


def play_against_agent(config_path: Path, agent_seat: int):
    spec = load_config(config_path)
    bots = list(spec.bots)
    bots[agent_seat] = RemoteSeat("tcp-agent")
    seen: list = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        agent = threading.Thread(target=random_agent, args=(listener.getsockname(), seen))
        agent.start()
        channels = accept_agents(listener, {agent_seat: "tcp-agent"}, timeout_s=10)
        result = play_match(dataclasses.replace(spec, bots=tuple(bots)), remote=channels)
    agent.join(timeout=10)
    return result, seen


@pytest.mark.parametrize("agent_seat", [0, 1])
def test_a_jailed_bot_plays_a_tcp_agent(match_config, agent_seat):
    bots = [sample("random", "connect4_random"), sample("random", "connect4_random")]
    result, seen = play_against_agent(match_config("connect4", bots), agent_seat)
    assert result.termination is Termination.GAME_OVER
    assert [seat.verdict for seat in result.seats] == [Verdict.OK, Verdict.OK]
    agent = result.seats[agent_seat]
    assert agent.name == "tcp-agent" and agent.moves == len(seen) - 1
    final = seen[-1]
    assert final.end and final.info["result"]["you"] == agent_seat
    expected = {1: "AgentStatus.Success", 2: "AgentStatus.Fail"}.get(agent.rank, "AgentStatus.Draw")
    if result.seats[0].rank == result.seats[1].rank:
        expected = "AgentStatus.Draw"
    assert final.info["end_reason"] == expected
    replay = json.loads(Path(result.records["replay"]).read_text())
    assert replay["header"]["bots"][agent_seat]["command"] is None       # the remote seat, in the record


def test_a_tcp_agent_wins_when_the_jailed_bot_crashes(match_config):
    bots = [fakebot("crasher", "--crash", "--at", "1"), sample("placeholder", "connect4_random")]
    result, seen = play_against_agent(match_config("connect4", bots, timeout=2.0), 1)
    crasher, agent = result.seats
    assert crasher.verdict is Verdict.CRASH and agent.verdict is Verdict.OK and agent.rank == 1
    assert seen[-1].end and seen[-1].info["end_reason"] == "AgentStatus.Success"


def test_the_run_command_seats_a_remote_agent_from_the_config(match_config, tmp_path):
    """`"remote": true` in game_config.json plus `python src --listen HOST:PORT`: the whole user path."""
    import subprocess
    import sys

    from conftest import ROOT

    with socket.socket() as probe:             # a free port for the judge to listen on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = match_config("connect4", [sample("random", "connect4_random"), {"name": "learner", "remote": True}])
    judge = subprocess.Popen([sys.executable, str(ROOT / "src"), str(config), "--listen", f"127.0.0.1:{port}",
                              "--join-timeout", "20", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "waiting" in judge.stderr.readline()       # the judge listens: the agent may connect
    seen: list = []
    random_agent(("127.0.0.1", port), seen)
    out, err = judge.communicate(timeout=30)
    assert judge.returncode == 0, err
    result = json.loads(out)
    assert [seat["verdict"] for seat in result["seats"]] == ["ok", "ok"]
    assert result["seats"][1]["name"] == "learner" and seen[-1].end


def test_a_remote_seat_without_listen_is_a_clear_user_error(match_config):
    import subprocess
    import sys

    from conftest import ROOT

    config = match_config("connect4", [sample("random", "connect4_random"), {"name": "learner", "remote": True}])
    run = subprocess.run([sys.executable, str(ROOT / "src"), str(config)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "--listen" in run.stderr and "Traceback" not in run.stderr
