"""Attacks on the judge's side of the pipes: floods, endless lines, EOF, bad JSON."""
from __future__ import annotations

import json
import os

from hostile_lib import Attack, Context, sleep_forever, write_all

NESTING = 100_000             # brackets: far past any recursion limit of a JSON parser
CHUNK = 64 * 1024


def stdout_flood(ctx: Context) -> bool:
    """Flood stdout with well-formed moves for an old turn: each one is valid sky, none is the answer."""
    turn = ctx.previous_turn if ctx.previous_turn is not None else 0
    line = json.dumps({"type": "move", "turn": turn, "move": ctx.legal_move()}, separators=(",", ":"))
    block = (line + "\n").encode() * (CHUNK // (len(line) + 1))
    while True:
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
    "stdout-flood": stdout_flood, "endless-line": endless_line, "close-stdout-early": close_stdout_early,
    "malformed-json": malformed_json, "non-utf8-json": non_utf8_json, "deep-json": deep_json,
}
