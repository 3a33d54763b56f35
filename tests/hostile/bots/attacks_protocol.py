"""Attacks on the judge's side of the pipes: floods, endless lines, EOF, bad JSON."""
from __future__ import annotations

import json
import os
import time

from hostile_lib import Attack, Context, move_for, next_state, send, sleep_forever, write_all

NESTING = 100_000             # brackets: far past any recursion limit of a JSON parser
CHUNK = 64 * 1024
FLOOD_TURNS = 4               # stale-flood: own turns that get a flood before their answer
FLOOD_SHARE = 0.5             # of the move time spent flooding, so the answer is still in time


def stdout_flood(ctx: Context) -> bool:
    """Flood stdout with well-formed moves for an old turn: each one is valid sky, none is the answer."""
    turn = ctx.previous_turn if ctx.previous_turn is not None else 0
    line = json.dumps({"type": "move", "turn": turn, "move": ctx.legal_move()}, separators=(",", ":"))
    block = (line + "\n").encode() * (CHUNK // (len(line) + 1))
    while True:
        write_all(1, block)


def stale_flood(ctx: Context) -> bool:
    """On each of the next FLOOD_TURNS turns: stale moves for half the move time, then the
    right answer in time. Every line is valid sky; only the judge's records can suffer."""
    state: dict | None = ctx.state
    for _ in range(FLOOD_TURNS):
        if state is None or state.get("type") == "end":
            return True
        flood_until(state["turn"] - 1, ctx, time.monotonic() + FLOOD_SHARE * ctx.limits["move_s"])
        send(move_for(state))
        state = next_state()
    if state is not None and state.get("type") == "state":
        send(move_for(state))
    return True


def flood_until(turn: int, ctx: Context, deadline: float) -> None:
    line = json.dumps({"type": "move", "turn": turn, "move": ctx.legal_move()}, separators=(",", ":"))
    block = (line + "\n").encode() * 64
    while time.monotonic() < deadline:
        write_all(1, block)


def endless_line(ctx: Context) -> bool:
    block = b"7" * CHUNK
    while True:
        write_all(1, block)


def close_stdout_early(ctx: Context) -> bool:
    """Close the protocol channel but keep running: the judge must not wait for it forever."""
    os.close(1)
    ctx.report("close-stdout", "info", "stdout closed; sleeping")
    sleep_forever()
    return True


def close_stdin_early(ctx: Context) -> bool:
    """Close the judge's side of the conversation, answer this turn, then wait."""
    os.close(0)
    send(move_for(ctx.state))
    sleep_forever()
    return True


def huge_number(ctx: Context) -> bool:
    """A move that is one integer of 500000 digits: valid JSON, ruinous to convert."""
    write_all(1, b'{"type":"move","turn":' + str(ctx.state["turn"]).encode() + b',"move":' + b"9" * 500_000 + b"}\n")
    return True


def malformed_json(ctx: Context) -> bool:
    write_all(1, b'{"type": "move", "turn": ' + str(ctx.state["turn"]).encode() + b', "move": \n')
    return True


def non_utf8_json(ctx: Context) -> bool:
    write_all(1, b'{"type":"move","turn":' + str(ctx.state["turn"]).encode() + b',"move":"\xff\xfe\xc0\xaf"}\n')
    return True


def deep_json(ctx: Context) -> bool:
    """A move nested 100000 deep: fits the line limit, breaks a recursive parser."""
    head = b'{"type":"move","turn":' + str(ctx.state["turn"]).encode() + b',"move":'
    write_all(1, head + b"[" * NESTING + b"]" * NESTING + b"}\n")
    return True


ATTACKS: dict[str, Attack] = {
    "stdout-flood": stdout_flood, "stale-flood": stale_flood, "endless-line": endless_line, "close-stdout-early": close_stdout_early,
    "close-stdin-early": close_stdin_early, "huge-number": huge_number, "malformed-json": malformed_json, "non-utf8-json": non_utf8_json, "deep-json": deep_json,
}
