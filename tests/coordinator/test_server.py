"""The coordinator over real sockets on 127.0.0.1: agents in threads, hostile bytes, limits, shutdown."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from kit import RACE, config
from netkit import RawClient, netsecgame_receive, served
from phoenix_judge.agents import Action, ActionType, AgentInfo, BaseAgent
from phoenix_judge.coordinator.settings import NetLimits
from phoenix_judge.coordinator.wire import encode_request

def test_two_agents_play_and_reset_with_staggered_requests(tmp_path):
    with served(config(max_steps=3), tmp_path) as (address, events, _), ThreadPoolExecutor(2) as pool:
        attacker = BaseAgent(*address, "Attacker", name="alice")
        defender = BaseAgent(*address, "Defender", name="bob")
        joins = [pool.submit(agent.register) for agent in (attacker, defender)]
        first = [join.result().state for join in joins]
        assert [obs["you"] for obs in first] == [0, 1]
        for _ in range(3):                        # 3 steps each: the step limit ends the episode
            steps = [pool.submit(agent.make_step, Action.play(0)) for agent in (attacker, defender)]
            last = [step.result() for step in steps]
        assert all(obs.end for obs in last)
        late_reset = pool.submit(attacker.request_game_reset, True)
        events.wait("reset_requested")
        assert not late_reset.done()              # answered only once the defender asks too
        reset = defender.request_game_reset()
        fresh = late_reset.result()
        assert fresh.info["episode"] == reset.info["episode"] == 2 and fresh.end is False
        trajectory = fresh.info["last_trajectory"]["trajectory"]
        assert (len(trajectory["states"]), len(trajectory["actions"]), len(trajectory["rewards"])) == (4, 3, 3)
        attacker.terminate_connection(), defender.terminate_connection()
        events.wait("left", 2)
    lines = [json.loads(line) for path in sorted(tmp_path.glob("*.jsonl")) for line in path.read_text().splitlines()]
    assert sorted((line["agent_name"], line["episode"]) for line in lines) == [("alice", 1), ("bob", 1)]


def test_conflicting_seeds_are_refused_to_each_and_the_server_keeps_running():
    with served(config()) as (address, events, _), ThreadPoolExecutor(2) as pool:
        agents = [BaseAgent(*address, role) for role in ("Attacker", "Defender")]
        for join in [pool.submit(agent.register) for agent in agents]:
            join.result()
        secret = _secret(events, _)
        for step in [pool.submit(agent.make_step, Action.play(secret)) for agent in agents]:
            assert step.result().end
        resets = [pool.submit(agent.communicate, _reset(seed)) for agent, seed in zip(agents, (11, 12))]
        for reset in resets:
            status, _obs, message = reset.result()
            assert str(status) == "GameStatus.BAD_REQUEST" and "different seeds (11, 12)" in message
        agreed = [pool.submit(agent.request_game_reset, False, True, 99) for agent in agents]
        assert [r.result().info["seed"] for r in agreed] == [99, 99]


def test_a_disconnect_mid_episode_ends_the_wait_of_the_other_agent():
    with served(config(game=RACE, roles=(None, None))) as (address, events, _):
        first, second = BaseAgent(*address, "any"), RawClient(address)
        first_join = threading.Thread(target=first.register)
        first_join.start()
        second.join()
        first_join.join()
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(first.make_step, Action.play(1))
            assert second.receive()["status"] == "GameStatus.CREATED"     # its turn: total is 1
            second.close()                                                # gone while the first waits
            final = waiting.result(timeout=10)
        assert final.end and final.info == {"end_reason": "AgentStatus.Success"}


def test_garbage_and_malformed_requests_get_bad_request_and_the_connection_lives_on():
    with served(config(required=1)) as (address, _events, _):
        client = RawClient(address)
        for garbage, reason in [(b"hello\n", "not valid JSON"), (b'{"action_type": 5}', "needs 'action_type'"),
                                (b'[1, 2]', "must be a JSON object"), (b'{"x": "\xff"}', "UTF-8"),
                                (b'{"action_type": "ActionType.ScanNetwork"}', "unknown action_type"),
                                (b"[" * 100 + b"]" * 100, "at most 64 deep"),
                                (encode_request({"action_type": "ResetGame", "parameters": {"sead": 1}}), "'sead'"),
                                (b'{"action_type": "PlayMove", "parameters": {"move": NaN}}', "NaN")]:
            client.send(garbage)
            answer = client.receive()
            assert answer["status"] == "GameStatus.BAD_REQUEST" and reason in answer["message"], (garbage, answer)
        join = encode_request({"action_type": "ActionType.JoinGame",
                               "parameters": {"agent_info": {"name": "drip", "role": "Attacker"}}})
        for byte in join:                                  # one byte per send: framing is not read()-based
            client.send(bytes([byte]))
        assert client.receive()["status"] == "GameStatus.CREATED"
        client.send(encode_request(Action.play(0).as_dict) * 2)    # two requests in one segment
        assert [client.receive()["status"] for _ in range(2)] == ["GameStatus.OK"] * 2


def test_an_oversized_request_is_refused_and_the_connection_closed():
    limits = NetLimits(max_message_bytes=4096, max_connections=4)
    with served(config(limits=limits)) as (address, events, _):
        client = RawClient(address)
        client.send(b'{"action_type": "' + b"x" * 10_000)
        answer = client.receive()
        assert answer == {"status": "GameStatus.BAD_REQUEST", "message": "a request may be at most 4096 bytes"}
        assert client.closed_by_server()
        events.wait("left")


def test_connections_beyond_the_limit_are_refused_with_a_reason():
    with served(config(limits=NetLimits(max_connections=2))) as (address, _events, _):
        keep = [RawClient(address), RawClient(address)]
        refused = BaseAgent(*address, "Attacker")
        status, _obs, message = refused.communicate(_join())
        assert str(status) == "GameStatus.FORBIDDEN" and "the server is full" in message
        for client in keep:
            client.close()


def test_an_idle_agent_is_told_and_disconnected():
    with served(config(required=1, limits=NetLimits(idle_timeout_s=0.2, max_connections=4))) as (address, events, _):
        client = RawClient(address)
        client.join()
        assert client.receive()["status"] == "GameStatus.CREATED"
        farewell = client.receive()                         # sent nothing for 0.2 s
        assert farewell["status"] == "GameStatus.FORBIDDEN" and "no request for 0.2 s" in farewell["message"]
        assert farewell["observation"]["end"] is True
        assert client.closed_by_server()
        events.wait("left")


def test_an_agent_that_does_not_read_its_answers_is_disconnected():
    limits = NetLimits(write_timeout_s=0.3, max_connections=4)
    with served(config(required=1, limits=limits, game_map={"pad": 2_000_000})) as (address, events, background):
        client = RawClient(address, SO_RCVBUF=4096)
        client.join()                   # the 6 MB answer cannot fit in the socket buffers; it is never read
        events.wait("left")
        assert background.call(lambda: len(background.server.connections)) == 0
        client.close()


def test_shutdown_says_goodbye_to_connected_agents():
    with served(config()) as (address, events, background):
        client = RawClient(address)
        client.join()                                        # waits for a second player
        events.wait("joined")
        background.stop()
        farewell = client.receive()
        assert farewell["status"] == "GameStatus.FORBIDDEN" and farewell["message"] == "the server is shutting down"
        assert farewell["observation"]["info"]["end_reason"] == "AgentStatus.Shutdown"
        assert client.closed_by_server()


def test_marker_text_inside_a_payload_survives_a_netsecgame_reader():
    with served(config(required=1, game_map={"pad": 3})) as (address, _events, _):
        client = RawClient(address)
        client.join(name="EOF-bot")
        payload = netsecgame_receive(client.sock)        # reads until the marker, deletes every marker
        created = json.loads(payload)
        assert created["message"]["message"] == "Welcome EOF-bot, registered as Attacker"
        assert created["observation"]["state"]["pad"] == "EOFEOFEOF"


def _join() -> Action:
    return Action(ActionType.JoinGame, {"agent_info": AgentInfo("x", "Attacker")})


def _reset(seed: int) -> Action:
    return Action(ActionType.ResetGame, {"request_trajectory": False, "randomize_topology": True, "seed": seed})


def _secret(events, background) -> int:
    events.wait("episode_started")
    return background.call(lambda: background.server.lobby.episode.state.secret)
