"""RemoteAgentChannel: a TCP agent seen by the gameloop as one more sky Channel (driven with sky.collect)."""
from __future__ import annotations

import socket
import time

import pytest

from netkit import RawClient
from phoenix_judge.coordinator.channel import RemoteAgentChannel, accept_agents
from phoenix_judge.coordinator.settings import NetLimits, Rewards
from phoenix_judge.errors import UserError
from phoenix_judge.outcome import Fault, Verdict
from phoenix_judge.sky import Reply, collect

HELLO = {"sky": 1, "game": "race", "game_version": "1.0", "seat": 1, "seats": 2, "names": ["a", "b"],
         "limits": {}, "map": {}, "seed": 3}


@pytest.fixture
def listener():
    with socket.create_server(("127.0.0.1", 0)) as sock:
        yield sock


def seat_one(listener, *, limits=NetLimits(), rewards=Rewards(step=-1, success=10, fail=-5, draw=0)):
    client = RawClient(listener.getsockname())
    client.join(role="Defender", name="tcp-agent")
    channels = accept_agents(listener, {1: "tcp-agent"}, timeout_s=5, limits=limits, rewards=rewards)
    return client, channels[1]


def in_play(listener, **options):
    """A seated agent past the handshake, holding the state of turn 0."""
    client, channel = seat_one(listener, **options)
    channel.send_hello(HELLO, time.monotonic() + 1)
    ask(channel)
    channel.send_state(0, {}, time.monotonic() + 1)
    client.receive()
    return client, channel


def ask(channel: RemoteAgentChannel, seconds: float = 5.0) -> Reply | Fault:
    return collect({0: channel}, time.monotonic() + seconds)[0]


def test_a_whole_match_through_the_channel(listener):
    client, channel = seat_one(listener)
    channel.send_hello(HELLO, time.monotonic() + 1)
    assert ask(channel) == Reply("ready", None, "tcp-agent", 0.0)
    channel.send_state(0, {"total": 1}, time.monotonic() + 1)
    created = client.receive()
    assert created["status"] == "GameStatus.CREATED" and created["observation"]["state"] == {"total": 1}
    assert created["message"]["seat"] == 1 and created["message"]["game"] == "race"
    client.action("PlayMove", move=2)
    reply = ask(channel)
    assert (reply.kind, reply.turn, reply.payload) == ("move", 0, 2)
    channel.send_state(2, {"total": 4}, time.monotonic() + 1)
    step = client.receive()
    assert step["status"] == "GameStatus.OK" and step["observation"]["reward"] == -1
    client.action("PlayMove", move=1)
    assert ask(channel).turn == 2
    channel.send_end({"scores": [0, 1], "ranks": [2, 1], "verdicts": ["ok", "ok"], "termination": "game_over",
                      "you": 1}, time.monotonic() + 1)
    final = client.receive()
    assert final["observation"]["end"] is True and final["observation"]["reward"] == 10
    assert final["observation"]["info"]["end_reason"] == "AgentStatus.Success"
    assert client.closed_by_server()


def test_garbage_is_answered_and_the_move_still_awaited(listener):
    client, channel = in_play(listener)
    client.send(b"nonsense ")
    client.action("ResetGame")
    assert ask(channel, 0.2).verdict is Verdict.TIMEOUT           # nothing usable yet
    assert client.receive()["status"] == "GameStatus.BAD_REQUEST"
    assert "no resets" in client.receive()["message"]
    client.action("PlayMove", move=5)
    assert ask(channel).payload == 5


@pytest.mark.parametrize("misdeed, verdict", [("close", Verdict.DISCONNECTED), ("quit", Verdict.DISCONNECTED),
                                              ("huge", Verdict.OUTPUT_LIMIT)])
def test_faults(listener, misdeed, verdict):
    client, channel = in_play(listener, limits=NetLimits(max_message_bytes=2048))
    if misdeed == "close":
        client.close()
    elif misdeed == "quit":
        client.action("QuitGame")
    else:
        client.send(b"[" + b"1," * 5000)
    fault = ask(channel)
    assert isinstance(fault, Fault) and fault.verdict is verdict


def test_moves_sent_before_the_state_are_stale(listener):
    client, channel = in_play(listener)
    client.action("PlayMove", move=1)
    client.action("PlayMove", move=2)              # pipelined: sent before it could see the next state
    assert ask(channel).payload == 1
    channel.send_state(1, {}, time.monotonic() + 1)
    client.receive()
    assert channel.stale_replies == 1
    client.action("PlayMove", move=3)
    assert ask(channel).payload == 3


def test_agents_are_seated_by_name(listener):
    first, second = RawClient(listener.getsockname()), RawClient(listener.getsockname())
    second.join(role="Attacker", name="blue")
    first.join(role="Attacker", name="red")
    channels = accept_agents(listener, {0: "red", 1: "blue"}, timeout_s=5)
    assert channels[0].join.name == "red" and channels[1].join.name == "blue"


def test_a_request_before_joining_is_refused_then_the_join_seats(listener):
    client = RawClient(listener.getsockname())
    client.action("PlayMove", move=1)
    client.join(name="late")
    channels = accept_agents(listener, {4: "x"}, timeout_s=5)
    assert client.receive()["message"] == "join the game first (ActionType.JoinGame)"
    assert channels[4].join.name == "late"


def test_no_agent_in_time_is_a_user_error(listener):
    with pytest.raises(UserError, match=r"no agent joined remote seat\(s\) 3 \(green\) within 0.2 s"):
        accept_agents(listener, {3: "green"}, timeout_s=0.2)
