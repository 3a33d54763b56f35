"""The client library against real coordinators: BaseAgent and ParallelBaseAgent."""
from __future__ import annotations

import contextlib
import socket

import pytest

from kit import config
from netkit import served
from phoenix_judge.agents import Action, BaseAgent, Observation, ParallelBaseAgent

SOLO = dict(roles=("Attacker",), game_map={"size": 4, "turns": 3})


def closed_port() -> int:
    """A port on 127.0.0.1 with nobody listening (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_three_servers_one_port_closed():
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(served(config(**SOLO))) for _ in range(2)]
        ports = [address[1] for address, _, _ in servers] + [closed_port()]
        agent = stack.enter_context(ParallelBaseAgent("127.0.0.1", ports, "Attacker"))
        assert agent.connected == [True, True, False] and agent.num_envs == 3
        first = agent.register()
        assert [obs is not None for obs in first] == [True, True, False]
        assert first[0].info["seat"] == 0 and agent.done_mask == [False, False, True]
        rounds = 0
        while not agent.all_done:
            observations = agent.make_step([Action.play(rounds % 4)] * 3)
            assert observations[2] is None and all(isinstance(o, Observation) for o in observations[:2])
            rounds += 1
        assert 1 <= rounds <= 3
        again = agent.request_game_reset(request_trajectory=True, randomize_topology=True, seed=5)
        assert [obs.info["seed"] for obs in again[:2]] == [5, 5] and again[2] is None
        assert agent.done_mask == [False, False, True]
        assert 1 <= len(again[0].info["last_trajectory"]["trajectory"]["actions"]) <= rounds


def test_randomize_without_seed_raises_before_anything_is_sent():
    with served(config(**SOLO)) as ((host, port), events, _):
        with ParallelBaseAgent(host, [port], "Attacker") as agent:
            agent.register()
            with pytest.raises(ValueError, match="without seed"):
                agent.request_game_reset(randomize_topology=True)
            assert events.counts["reset_requested"] == 0
            obs = agent.make_step(Action.play(0))          # the connection is still in step
            assert isinstance(obs, Observation) and agent.done_mask is obs.end


def test_a_lost_server_marks_its_environment_done():
    with served(config(**SOLO)) as ((host, port), _, background), served(config(**SOLO)) as ((_, port2), _, _):
        with ParallelBaseAgent([host], [port, port2], "Attacker") as agent:
            agent.register()
            background.stop()                              # the first server goes away mid-episode
            observations = agent.make_step([Action.play(0), Action.play(0)])
            assert observations[0].info["end_reason"] == "AgentStatus.Shutdown"    # its farewell
            assert agent.done_mask == [True, observations[1].end]
            again = agent.request_game_reset()             # the first socket is closed now
            assert again[0] is None and agent.connected == [False, True] and agent.done_mask[0] is True


def test_host_list_must_broadcast_or_match():
    with pytest.raises(ValueError, match="must be 1"):
        ParallelBaseAgent(["127.0.0.1", "127.0.0.1"], [1, 2, 3], "Attacker")


def test_base_agent_round_trip_and_unreachable_server():
    with served(config(**SOLO)) as ((host, port), _, _):
        with BaseAgent(host, port, "Attacker") as agent:
            obs = agent.register()
            assert obs.state == {"you": 0, "turn": 0, "hint": None, "size": 4}
            assert obs.info["message"] == "Welcome BaseAgent, registered as Attacker"
            while not obs.end:
                obs = agent.make_step(Action.play(0))
            assert agent.request_game_reset(seed=3).info["seed"] == 3
    lost = BaseAgent("127.0.0.1", closed_port(), "Attacker")
    assert lost.socket is None and lost.register() is None
    with pytest.raises(ConnectionError):
        lost.make_step(Action.play(0))
