"""sky v1 messages: building the engine's, parsing and checking the bot's.

Every check on bot input raises `ProtocolError` with a reason a bot author can
act on ("line 3: not JSON: Expecting value at column 1"); the channel turns it
into a PROTOCOL_ERROR fault. Bot input is hostile: undecodable bytes, 100000
nested brackets, numbers with a million digits and NaN all end here as a
ProtocolError, never as a traceback or a hang. docs/sky.md is the spec.
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any

from ..limits import Limits

SKY_VERSION = 1
MAX_DEPTH = 64              # deepest nesting of arrays/objects a bot message may use
MAX_NAME_CHARS = 64


class ProtocolError(Exception):
    """A bot line that is not a valid sky message at this point of the exchange."""


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=_no_constant)
_SCAN = _DECODER.scan_once


# -- engine -> bot -------------------------------------------------------------------------------

def hello(*, game: str, game_version: str, seat: int, seats: int, names: list[str],
          limits: Limits, game_map: Any, seed: int) -> dict[str, Any]:
    """The first message to a bot: who it is, what it plays and under which limits."""
    return {"type": "hello", "sky": SKY_VERSION, "game": game, "game_version": game_version,
            "seat": seat, "seats": seats, "names": names, "limits": limits.to_json(),
            "map": game_map, "seed": seed}


def state(turn: int, observation: Any) -> dict[str, Any]:
    """Ask for the move of `turn`; `observation` is what the game lets this seat see."""
    return {"type": "state", "turn": turn, "observation": observation}


def end_result(*, scores: list[float], ranks: list[int], verdicts: list[str],
               termination: str, you: int) -> dict[str, Any]:
    """The `result` object of an end message, for seat `you`."""
    return {"scores": scores, "ranks": ranks, "verdicts": verdicts,
            "termination": termination, "you": you}


def end(result: dict[str, Any]) -> dict[str, Any]:
    """The last message: the match is over (see `end_result`)."""
    return {"type": "end", "result": result}


# -- bot -> engine -------------------------------------------------------------------------------

def parse(line: bytes, line_no: int) -> dict[str, Any]:
    """Decode one bot line (newline excluded) into an object with a string "type"."""
    try:
        text = line.decode()
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"line {line_no}: not UTF-8 (byte 0x{line[exc.start]:02x} at offset {exc.start})") from None
    try:
        message = _decode(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"line {line_no}: not JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise ProtocolError(f"line {line_no}: JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise ProtocolError(f"line {line_no}: not JSON: {_value_reason(exc)}") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError(f'line {line_no}: expected an object with "type", got {_kind(message)}')
    if line.count(b"[") + line.count(b"{") > MAX_DEPTH and _too_deep(message):
        raise ProtocolError(f"line {line_no}: JSON nested deeper than {MAX_DEPTH} levels")
    return message


def _decode(text: str) -> Any:
    """The C scanner alone for a bare object; `JSONDecoder.decode` for whitespace and for errors."""
    try:
        message, end = _SCAN(text, 0)
    except StopIteration:
        end = -1
    return message if end == len(text) else _DECODER.decode(text)


def ready_name(message: dict[str, Any], line_no: int) -> str:
    """Check a `ready` message; return the name the bot gave itself."""
    version = message.get("sky")
    if type(version) is not int:
        raise ProtocolError(f'line {line_no}: ready without an integer "sky" version (this engine speaks sky {SKY_VERSION})')
    if version != SKY_VERSION:
        raise ProtocolError(f"line {line_no}: bot speaks sky {version}; this engine speaks sky {SKY_VERSION}")
    name = message.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS:
        raise ProtocolError(f'line {line_no}: ready needs a "name" string of 1 to {MAX_NAME_CHARS} characters')
    return name


def move_turn(message: dict[str, Any], line_no: int) -> int:
    """Check a `move` message's shape; return the turn id it answers."""
    turn = message.get("turn")
    if type(turn) is not int:
        raise ProtocolError(f'line {line_no}: move without an integer "turn" (echo the turn of the state)')
    if "move" not in message:
        raise ProtocolError(f'line {line_no}: move for turn {turn} without a "move" field')
    return turn


def judge_turn(turn: int, newest: int | None, awaiting: bool, line_no: int) -> str | None:
    """Place a move's turn id against the newest state sent (`newest`, None before any).

    None when it answers the awaited state; for an older turn or a turn already
    answered, the note why it is stale (the move is discarded and counted);
    ProtocolError for a turn that was never sent.
    """
    if newest is None:
        raise ProtocolError(f"line {line_no}: move for turn {turn} before any state was sent")
    if turn > newest:
        waited = f"turn {newest} is awaited" if awaiting else f"the newest state was turn {newest}"
        raise ProtocolError(f"line {line_no}: move for turn {turn} while {waited}")
    if turn < newest:
        return f"stale: turn {turn} is older than turn {newest}"
    return None if awaiting else f"stale: turn {turn} was already answered"


def unexpected(message_type: str, awaited: str | None, line_no: int) -> ProtocolError:
    """The error for a well-formed message of the wrong type at this point."""
    if message_type not in ("ready", "move"):
        return ProtocolError(f'line {line_no}: unknown message type "{message_type[:40]}" (a bot sends ready or move)')
    waited = f"while {awaited} is awaited" if awaited else "while nothing is awaited"
    return ProtocolError(f"line {line_no}: {message_type} {waited}")


def _too_deep(value: Any) -> bool:
    """Exact nesting check, run only when the bracket count makes deep nesting possible."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _value_reason(exc: ValueError) -> str:
    if "integer string conversion" in str(exc):
        return f"an integer with more than {sys.get_int_max_str_digits()} digits"
    return str(exc)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return 'an object without a string "type"'
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")
