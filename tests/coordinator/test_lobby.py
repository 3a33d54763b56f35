"""The coordinator's rules on in-memory agents: no sockets, every answer inspected."""
from __future__ import annotations

import json

import pytest

from kit import RACE, Inbox, config, lobby
from phoenix_judge.coordinator.lobby import Phase
from phoenix_judge.coordinator.protocol import QuitRequest


def joined_pair(cfg=None):
    lob = lobby(cfg or config())
    a, b = Inbox(lob), Inbox(lob)
    a.join("Attacker", "alice")
    assert a.replies == []                     # one of two required players: no answer yet
    b.join("Defender", "bob")
    return lob, a, b


def secret(lob) -> int:
    return lob.episode.state.secret


def miss(lob) -> int:
    return (secret(lob) + 1) % 16


def test_join_is_answered_once_the_required_players_joined_in_any_role_order():
    lob = lobby(config())
    d, a = Inbox(lob), Inbox(lob)
    d.join("Defender")                         # the defender first: no deadlock waiting for an attacker
    a.join("attacker")                         # roles match case-insensitively, as in NetSecGame
    for inbox, seat in ((d, 1), (a, 0)):
        reply = inbox.take()
        assert reply["status"] == "GameStatus.CREATED"
        assert reply["observation"] == {"state": {"you": seat, "turn": 0, "hint": None, "size": 16},
                                        "reward": 0.0, "end": False, "info": {}}
        assert reply["message"]["seat"] == seat and reply["message"]["agent_id"] == inbox.agent.id
        assert "ActionType.PlayMove" in reply["message"]["actions"]
    assert d.agent.id != a.agent.id


def test_a_simultaneous_turn_is_answered_when_every_seat_moved():
    lob, a, b = joined_pair()
    a.take(), b.take()
    a.move(miss(lob))
    assert a.replies == []
    b.move(miss(lob))
    for inbox in (a, b):
        reply = inbox.take()
        assert reply["status"] == "GameStatus.OK"
        assert reply["observation"]["reward"] == -1.0            # the configured step reward
        assert reply["observation"]["state"]["turn"] == 1 and reply["observation"]["end"] is False


def test_the_winner_gets_success_and_the_loser_fail_together_then_forbidden():
    lob, a, b = joined_pair()
    a.take(), b.take()
    a.move(secret(lob))
    b.move(miss(lob))
    win, loss = a.take(), b.take()
    assert win["observation"]["end"] and win["observation"]["info"] == {"end_reason": "AgentStatus.Success"}
    assert win["observation"]["reward"] == -1 + 1 + 100      # step + the game's reward + success
    assert loss["observation"]["info"] == {"end_reason": "AgentStatus.Fail"}
    assert loss["observation"]["reward"] == -1 - 10
    a.move(3)
    late = a.take()
    assert late["status"] == "GameStatus.FORBIDDEN" and late["observation"]["end"] is True
    assert late["observation"]["reward"] == 0.0


def test_step_limit_on_the_same_turn_ends_both():
    lob, a, b = joined_pair(config(max_steps=2))
    a.take(), b.take()
    a.move(miss(lob)), b.move(miss(lob))
    a.take(), b.take()
    a.move(miss(lob)), b.move(miss(lob))
    # both hit the limit on the same turn: answered together, both TimeoutReached
    for inbox in (a, b):
        reply = inbox.take()
        assert reply["observation"]["end"] and reply["observation"]["info"]["end_reason"] == "AgentStatus.TimeoutReached"
        assert reply["observation"]["reward"] == -1 - 10


def test_final_answers_are_released_together_when_the_last_agent_finishes():
    lob = lobby(config(game=RACE, roles=(None, None), max_steps=1, game_map={"goal": 100}))
    a, b = Inbox(lob), Inbox(lob)
    a.join("x"), b.join("y")
    assert b.replies == [] and a.take()["status"] == "GameStatus.CREATED"   # seat 1 waits for its turn
    a.move(1)                                    # seat 0's only step: out of steps, its seat removed
    # seat 0 is removed -> the race game declares seat 1 the winner: the episode ends for both at once
    assert a.take()["observation"]["info"]["end_reason"] == "AgentStatus.TimeoutReached"
    created = b.take()
    assert created["status"] == "GameStatus.CREATED" and created["observation"]["end"] is True
    assert created["observation"]["info"]["end_reason"] == "AgentStatus.Success"


def test_turn_based_agent_is_answered_when_it_is_its_turn():
    lob = lobby(config(game=RACE, roles=(None, None), game_map={"goal": 4}))
    a, b = Inbox(lob), Inbox(lob)
    a.join("x"), b.join("y")
    assert a.take()["observation"]["state"]["total"] == 0
    a.move(2)
    assert a.replies == []
    assert b.take()["observation"]["state"] == {"you": 1, "total": 2, "goal": 4}
    b.move(1)
    assert b.replies == [] and a.take()["observation"]["state"]["total"] == 3
    a.move(1)                                    # reaches 4: seat 0 wins
    win, loss = a.take(), b.take()
    assert win["observation"]["info"]["end_reason"] == "AgentStatus.Success"
    assert win["observation"]["reward"] == -1 + 1 + 100
    assert loss["observation"]["info"]["end_reason"] == "AgentStatus.Fail"
    assert loss["observation"]["reward"] == -1 - 1 - 10     # its step, the game's -1, fail


def test_staggered_resets_wait_for_every_agent_and_return_trajectories(tmp_path):
    lob = lobby(config(), tmp_path)
    a, b = Inbox(lob), Inbox(lob)
    a.join("Attacker", "alice"), b.join("Defender", "bob")
    a.take(), b.take()
    a.move(miss(lob)), b.move(secret(lob))
    a.take(), b.take()
    a.reset(request_trajectory=True)
    assert a.replies == [] and a.agent.phase is Phase.RESETTING
    b.reset(request_trajectory=False)
    ra, rb = a.take(), b.take()
    assert ra["status"] == rb["status"] == "GameStatus.RESET_DONE"
    assert ra["message"]["episode"] == 2 and ra["observation"]["state"]["turn"] == 0
    trajectory = ra["message"]["last_trajectory"]
    assert "last_trajectory" not in rb["message"]
    assert len(trajectory["trajectory"]["states"]) == 2 and len(trajectory["trajectory"]["actions"]) == 1
    assert trajectory["trajectory"]["rewards"] == [-1 - 10]
    assert trajectory["end_reason"] == "AgentStatus.Fail" and trajectory["agent_name"] == "alice"
    assert trajectory["trajectory"]["actions"][0]["action_type"] == "ActionType.PlayMove"
    files = sorted(tmp_path.glob("*.jsonl"))
    assert [p.name.split("_", 1)[1] for p in files] == ["guess_alice_Attacker.jsonl", "guess_bob_Defender.jsonl"]
    assert json.loads(files[0].read_text())["trajectory"] == trajectory["trajectory"]


def test_conflicting_seeds_get_bad_request_each_then_an_agreed_seed_is_used():
    lob, a, b = joined_pair()
    a.take(), b.take()
    a.move(secret(lob)), b.move(secret(lob))
    a.take(), b.take()
    a.reset(seed=1)
    b.reset(seed=2)
    for inbox in (a, b):
        reply = inbox.take()
        assert reply["status"] == "GameStatus.BAD_REQUEST" and "different seeds (1, 2)" in reply["message"]
        assert inbox.agent.phase is Phase.ENDED
    a.reset(seed=5), b.reset(seed=5, randomize_topology=False)
    assert a.take()["message"]["seed"] == 5 and b.take()["message"]["seed"] == 5


@pytest.mark.parametrize("randomize, same", [((True, True), False), ((True, False), True)])
def test_topology_randomisation_needs_every_agent(randomize, same):
    lob, a, b = joined_pair()
    a.take(), b.take()
    first = lob.episode.seed
    a.move(secret(lob)), b.move(secret(lob))
    a.take(), b.take()
    a.reset(randomize_topology=randomize[0]), b.reset(randomize_topology=randomize[1])
    assert (a.take()["message"]["seed"] == first) is same


def test_disconnect_mid_episode_ends_the_wait_of_the_other_agent():
    lob = lobby(config(game=RACE, roles=(None, None)))
    a, b = Inbox(lob), Inbox(lob)
    a.join("x"), b.join("y")
    a.take()
    a.move(1)                                   # now seat 1 must move, but its agent leaves
    b.take()
    lob.leave(b.agent)
    final = a.take()
    assert final["observation"]["end"] and final["observation"]["info"]["end_reason"] == "AgentStatus.Success"
    a.reset()
    assert a.replies == [] and a.agent.phase is Phase.READY     # the reset waits for a second player
    c = Inbox(lob)
    c.join("z")
    assert a.take()["status"] == "GameStatus.RESET_DONE"
    assert c.replies == []                      # seat 1: its CREATED comes with its first turn
    a.move(2)
    assert c.take()["observation"]["state"]["total"] == 2


def test_quit_frees_the_seat_and_needs_no_answer():
    lob = lobby(config())
    a = Inbox(lob)
    a.join("Attacker")
    assert lob.handle(a.agent, QuitRequest()) is False
    assert a.replies == [] and a.agent.phase is Phase.LOBBY
    b = Inbox(lob)
    b.join("Attacker")
    assert b.agent.seat.index == 0


def test_join_refusals_say_why():
    lob = lobby(config())
    a, b, c = Inbox(lob), Inbox(lob), Inbox(lob)
    a.join("Attacker")
    b.join("Benign")
    assert b.take() == {"status": "GameStatus.BAD_REQUEST",
                        "message": "no seat takes the role 'Benign'; the roles here are Attacker, Defender"}
    c.join("Attacker")
    assert c.take() == {"status": "GameStatus.FORBIDDEN", "message": "every seat for the role 'Attacker' is taken"}
    a.join("Defender")
    assert a.take()["status"] == "GameStatus.BAD_REQUEST"


def test_moves_before_joining_and_illegal_moves_are_bad_requests():
    lob, a, b = joined_pair(config(max_steps=2))
    stranger = Inbox(lob)
    stranger.move(3)
    assert stranger.take()["message"] == "join the game first (ActionType.JoinGame)"
    a.take(), b.take()
    a.move(99)
    reply = a.take()
    assert reply["status"] == "GameStatus.BAD_REQUEST" and reply["message"].startswith("illegal move: a guess")
    assert reply["observation"]["reward"] == -1.0 and reply["observation"]["end"] is False
    a.move("three")                                      # the move schema catches it before the game
    assert a.replies == []                               # the second wasted step was the last one: held
    b.move(miss(lob))                                    # b plays on alone; a's last answer waits for b
    assert a.replies == [] and b.take()["observation"]["end"] is False
    b.move(miss(lob))                                    # b's step limit: the episode is over for everyone
    assert a.take()["observation"]["info"]["end_reason"] == "AgentStatus.TimeoutReached"
    assert b.take()["observation"]["info"]["end_reason"] == "AgentStatus.TimeoutReached"


def test_a_random_bot_seat_lets_one_agent_play_a_two_seat_game():
    lob = lobby(config(game=RACE, roles=(None, None), bots={1: "random"}, game_map={"goal": 30}))
    a = Inbox(lob)
    a.join("solo")
    reply = a.take()
    while not reply["observation"]["end"]:
        assert reply["observation"]["state"]["total"] % 1 == 0
        a.move(1)
        reply = a.take()
    assert reply["observation"]["info"]["end_reason"] in ("AgentStatus.Success", "AgentStatus.Fail")


def test_a_late_joiner_starts_with_the_next_episode():
    lob = lobby(config(roles=("Attacker", "Defender", None), required=2))
    a, b = Inbox(lob), Inbox(lob)
    a.join("Attacker"), b.join("Defender")
    a.take(), b.take()
    late = Inbox(lob)
    late.join("Benign")
    assert late.replies == [] and late.agent.phase is Phase.READY
    a.move(secret(lob)), b.move(secret(lob))
    a.take(), b.take()
    a.reset(), b.reset()
    assert late.take()["status"] == "GameStatus.CREATED"
    assert a.take()["message"]["episode"] == late.agent.run.trajectory.episode == 2
