"""sky message building and the checks on bot messages, on in-memory data."""
from __future__ import annotations

import json

import pytest

from phoenix_judge.limits import Limits
from phoenix_judge.sky import messages
from phoenix_judge.sky.messages import MAX_DEPTH, ProtocolError


def test_hello_carries_version_game_seat_and_every_limit() -> None:
    limits = Limits(move_s=0.25)
    hello = messages.hello(game="connect4", game_version="1.0", seat=1, seats=2, names=["a", "b"],
                           limits=limits, game_map={"rows": 6}, seed=42)
    assert hello["type"] == "hello" and hello["sky"] == 1
    assert hello["limits"] == limits.to_json() and hello["limits"]["move_s"] == 0.25
    assert (hello["game"], hello["seat"], hello["seats"], hello["names"], hello["map"], hello["seed"]) == (
        "connect4", 1, 2, ["a", "b"], {"rows": 6}, 42)


def test_state_and_end_messages() -> None:
    assert messages.state(7, {"you": 0}) == {"type": "state", "turn": 7, "observation": {"you": 0}}
    result = messages.end_result(scores=[1.0, 0.0], ranks=[1, 2], verdicts=["ok", "timeout"],
                                 termination="game_over", you=1)
    assert messages.end(result) == {"type": "end", "result": {
        "scores": [1.0, 0.0], "ranks": [1, 2], "verdicts": ["ok", "timeout"],
        "termination": "game_over", "you": 1}}


def test_parse_returns_the_object() -> None:
    line = b'{"type":"move","turn":4,"move":[{"childno":0,"relativeangle":1.5}],"extra":true}'
    assert messages.parse(line, 1) == json.loads(line)


@pytest.mark.parametrize(("line", "reason"), [
    (b"", "line 3: not JSON: Expecting value at column 1"),
    (b"hello", "line 3: not JSON: Expecting value at column 1"),
    (b'{"type":"move"', "line 3: not JSON: Expecting ',' delimiter at column 15"),
    (b'{"type":"move"} {}', "line 3: not JSON: Extra data at column 17"),
    (b"\xff\xfe{}", "line 3: not UTF-8 (byte 0xff at offset 0)"),
    (b'{"type":"move","move":"caf\xe9"}', "line 3: not UTF-8 (byte 0xe9 at offset 26)"),
    (b"[1,2]", 'line 3: expected an object with "type", got an array'),
    (b'"move"', 'line 3: expected an object with "type", got a string'),
    (b"17", 'line 3: expected an object with "type", got a number'),
    (b"null", 'line 3: expected an object with "type", got null'),
    (b'{"turn":1}', 'line 3: expected an object with "type", got an object without a string "type"'),
    (b'{"type":7}', 'line 3: expected an object with "type", got an object without a string "type"'),
    (b'{"type":"move","move":NaN}', "line 3: not JSON: NaN is not JSON"),
    (b'{"type":"move","move":-Infinity}', "line 3: not JSON: -Infinity is not JSON"),
    (b'{"type":"move","move":1e999}', "line 3: not JSON: number 1e999 is out of range"),
])
def test_bad_lines_give_a_precise_reason(line: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        messages.parse(line, 3)
    assert str(caught.value) == reason


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
def test_hostile_nesting_is_a_protocol_error_not_a_recursion_error(opener: bytes) -> None:
    line = b'{"type":"move","move":' + opener * 100_000
    with pytest.raises(ProtocolError, match=f"JSON nested deeper than {MAX_DEPTH} levels"):
        messages.parse(line, 2)


def test_nesting_is_limited_exactly() -> None:
    def nested(depth: int) -> bytes:       # the message object itself is level 1
        inner = depth - 1
        return b'{"type":"move","move":' + b"[" * inner + b"]" * inner + b"}"
    assert messages.parse(nested(MAX_DEPTH), 1)["type"] == "move"
    with pytest.raises(ProtocolError, match="nested deeper"):
        messages.parse(nested(MAX_DEPTH + 1), 1)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    line = json.dumps({"type": "move", "move": "[" * 1000}).encode()
    assert messages.parse(line, 1)["move"] == "[" * 1000


def test_huge_numbers_parse_or_fail_cleanly() -> None:
    big = "9" * 4000
    assert messages.parse(b'{"type":"move","move":%s}' % big.encode(), 1)["move"] == int(big)
    assert messages.parse(b'{"type":"move","move":1e300}', 1)["move"] == 1e300
    with pytest.raises(ProtocolError, match=r"line 1: not JSON: an integer with more than \d+ digits"):
        messages.parse(b'{"type":"move","move":%s}' % (b"7" * 100_000), 1)


def test_ready_gives_the_name() -> None:
    assert messages.ready_name({"type": "ready", "sky": 1, "name": "mybot"}, 1) == "mybot"


@pytest.mark.parametrize(("message", "reason"), [
    ({"type": "ready", "sky": 2, "name": "b"}, "line 1: bot speaks sky 2; this engine speaks sky 1"),
    ({"type": "ready", "name": "b"}, 'line 1: ready without an integer "sky" version (this engine speaks sky 1)'),
    ({"type": "ready", "sky": True, "name": "b"}, 'line 1: ready without an integer "sky" version'),
    ({"type": "ready", "sky": "1", "name": "b"}, 'line 1: ready without an integer "sky" version'),
    ({"type": "ready", "sky": 1}, 'line 1: ready needs a "name" string of 1 to 64 characters'),
    ({"type": "ready", "sky": 1, "name": ""}, 'line 1: ready needs a "name" string'),
    ({"type": "ready", "sky": 1, "name": "n" * 65}, 'line 1: ready needs a "name" string'),
])
def test_bad_ready(message: dict[str, object], reason: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        messages.ready_name(message, 1)
    assert str(caught.value).startswith(reason)


@pytest.mark.parametrize(("message", "reason"), [
    ({"type": "move", "move": 3}, 'line 5: move without an integer "turn" (echo the turn of the state)'),
    ({"type": "move", "turn": "4", "move": 3}, 'line 5: move without an integer "turn"'),
    ({"type": "move", "turn": False, "move": 3}, 'line 5: move without an integer "turn"'),
    ({"type": "move", "turn": 4}, 'line 5: move for turn 4 without a "move" field'),
])
def test_bad_move_shape(message: dict[str, object], reason: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        messages.move_turn(message, 5)
    assert str(caught.value).startswith(reason)


def test_a_move_may_be_null_or_any_json() -> None:
    assert messages.move_turn({"type": "move", "turn": 0, "move": None}, 1) == 0


def test_the_awaited_turn_is_the_answer() -> None:
    assert messages.judge_turn(5, newest=5, awaiting=True, line_no=9) is None


@pytest.mark.parametrize(("turn", "awaiting", "note"), [
    (4, True, "stale: turn 4 is older than turn 5"),
    (0, False, "stale: turn 0 is older than turn 5"),
    (5, False, "stale: turn 5 was already answered"),
])
def test_older_or_answered_turns_are_stale(turn: int, awaiting: bool, note: str) -> None:
    assert messages.judge_turn(turn, newest=5, awaiting=awaiting, line_no=9) == note


@pytest.mark.parametrize(("turn", "newest", "awaiting", "reason"), [
    (6, 5, True, "line 9: move for turn 6 while turn 5 is awaited"),
    (6, 5, False, "line 9: move for turn 6 while the newest state was turn 5"),
    (0, None, False, "line 9: move for turn 0 before any state was sent"),
])
def test_future_turns_are_protocol_errors(turn: int, newest: int | None, awaiting: bool, reason: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        messages.judge_turn(turn, newest=newest, awaiting=awaiting, line_no=9)
    assert str(caught.value) == reason


def test_out_of_place_messages() -> None:
    assert str(messages.unexpected("ready", "the move for turn 5", 4)) == (
        "line 4: ready while the move for turn 5 is awaited")
    assert str(messages.unexpected("move", "the ready", 1)) == "line 1: move while the ready is awaited"
    assert str(messages.unexpected("ready", None, 8)) == "line 8: ready while nothing is awaited"
    assert str(messages.unexpected("hello", None, 2)) == (
        'line 2: unknown message type "hello" (a bot sends ready or move)')


def test_whitespace_around_the_object_is_tolerated() -> None:
    assert messages.parse(b' {"type":"ready","sky":1,"name":"w"}\r', 1)["name"] == "w"
