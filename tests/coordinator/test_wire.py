"""Framing and request parsing, on bytes in memory."""
from __future__ import annotations

import json
import random

import pytest

from phoenix_judge.coordinator.protocol import (ActionType, JoinRequest, MoveRequest, QuitRequest, RequestError,
                                                ResetRequest, parse_request)
from phoenix_judge.coordinator.wire import (END_OF_MESSAGE, RequestScanner, ResponseSplitter, decode_value,
                                            encode_request, encode_response)

TRICKY = ["EOF", "xEOFy", "\\EOF", "\\\\EOF", "EOFEOF", "EO", "F", "é EOF ☃", "\"EOF\"", "E\\u0045OF", ""]


@pytest.mark.parametrize("text", TRICKY)
def test_a_payload_never_contains_the_marker_and_decodes_to_itself(text):
    message = {"message": text, text: [text, {"EOF": text}]}
    framed = encode_response(message)
    assert framed.endswith(END_OF_MESSAGE) and framed.count(END_OF_MESSAGE) == 1
    assert json.loads(framed[:-len(END_OF_MESSAGE)]) == message


def test_random_texts_round_trip_through_the_marker_escape():
    rng = random.Random(1)
    alphabet = "EOF\\\"u0045 é\n"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        framed = encode_response({"s": text})
        assert END_OF_MESSAGE not in framed[:-3]
        assert json.loads(framed[:-3]) == {"s": text}


STREAM = [encode_request({"action_type": "ActionType.PlayMove", "parameters": {"move": [1, {"a": "}]\\\""}]}}),
          b" \n", b"42 ", b'"a \\" b"', b"garbage{", b'"x":1}', b"\t[[], {}]", b' {"k": "\\\\"}']


def test_any_chunking_of_a_stream_gives_the_same_frames():
    whole = b"".join(STREAM)
    expected = RequestScanner(4096).feed(whole)
    assert expected[:3] == [STREAM[0], b"42", b'"a \\" b"'] and len(expected) == 7
    rng = random.Random(7)
    for _ in range(300):
        scanner, frames, position = RequestScanner(4096), [], 0
        while position < len(whole):
            step = rng.randrange(1, 9)
            frames += scanner.feed(whole[position:position + step])
            position += step
        assert frames == expected


def test_limits_of_the_scanner():
    deep = RequestScanner(4096).feed(b"[" * 65 + b"]" * 65 + b" [1]")
    assert isinstance(deep[0], RequestError) and deep[1] == b"[1]"
    scanner = RequestScanner(100)
    assert scanner.feed(b'{"a": "' + b"x" * 50) == [] and not scanner.overflow
    assert scanner.feed(b"x" * 60) == [] and scanner.overflow
    assert scanner.feed(b'{"a": 1}') == []                 # a stream past its limit stays refused
    assert RequestScanner(100).feed(b"1" * 101 + b" ") == []


@pytest.mark.parametrize("raw, words", [(b"\xff\xfe", "UTF-8"), (b"NaN", "NaN is not JSON"), (b"{", "not valid JSON"),
                                        (b"1" * 5000, "not valid JSON")])
def test_decode_errors_say_why(raw, words):
    with pytest.raises(RequestError, match=words):
        decode_value(raw)


@pytest.mark.parametrize("value, parsed", [
    ({"action_type": "ActionType.JoinGame", "parameters": {"agent_info": {"name": "n", "role": "Attacker"}}},
     JoinRequest("n", "Attacker")),
    ({"action_type": "JoinGame", "parameters": {"agent_info": {"name": "n"}}}, JoinRequest("n", "")),
    ({"action_type": "ActionType.QuitGame"}, QuitRequest()),
    ({"action_type": "ResetGame", "parameters": {}}, ResetRequest(False, True, None)),
    ({"action_type": "ResetGame", "parameters": {"seed": "None", "randomize_topology": False}},
     ResetRequest(False, False, None)),
    ({"action_type": "ActionType.PlayMove", "parameters": {"move": None}}, MoveRequest(None)),
])
def test_requests_parse(value, parsed):
    assert parse_request(value) == parsed


@pytest.mark.parametrize("value, words", [
    ({"parameters": {}}, "needs 'action_type'"),
    ({"action_type": "ActionType.FindData"}, "unknown action_type 'ActionType.FindData'"),
    ({"action_type": "PlayMove", "parameters": []}, "'parameters' must be an object, not an array"),
    ({"action_type": "PlayMove", "parameters": {}}, "needs the parameter 'move'"),
    ({"action_type": "ResetGame", "parameters": {"seed": True}}, "'seed' must be null or an integer"),
    ({"action_type": "ResetGame", "parameters": {"seed": 2 ** 64}}, "fits in 64 bits"),
    ({"action_type": "ResetGame", "parameters": {"request_trajectory": "yes"}}, "must be true or false"),
    ({"action_type": "JoinGame", "parameters": {"agent_info": {"name": "x" * 65}}}, "at most 64 characters"),
    ({"action_type": "JoinGame", "parameters": {"agent_info": {"name": "a\nb"}}}, "printable"),
    ({"action_type": "QuitGame", "parameters": {"now": 1}}, "unknown parameter 'now' for ActionType.QuitGame"),
])
def test_bad_requests_say_why(value, words):
    with pytest.raises(RequestError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_request(value)


def test_the_client_splits_at_markers_and_bounds_a_response():
    splitter = ResponseSplitter(16)
    assert splitter.feed(b'{"a":1}EOF{"b"') == [b'{"a":1}']
    assert splitter.feed(b":2}EOF") == [b'{"b":2}']
    with pytest.raises(ConnectionError, match="16 bytes"):
        splitter.feed(b"x" * 17)
    assert str(ActionType.PlayMove) == "ActionType.PlayMove"
