#!/usr/bin/env python3
"""A fake bot for Phoenix's tests: speaks sky v1 by hand and misbehaves on request.

It uses only the standard library and not the sky library, so that it can
break the protocol. By default it plays legally: the first entry of
observation["legal"] (connect4), [] in phoenix. One flag picks a misbehaviour;
those tied to a turn happen once, at the first state whose turn id is >= --at.

  --name NAME        the name sent in ready (default fakebot)
  --crash            exit with status 3 at turn --at (after a line on stderr)
  --crash-signal     kill itself with SIGSEGV at turn --at
  --stall            never answer from turn --at on (keeps sleeping)
  --garbage          print a line that is not JSON at turn --at
  --illegal          play an illegal move at turn --at (connect4 column 99, phoenix childno 99)
  --huge-line        at turn --at, write a 10 MB line without a newline, then the newline
  --no-read          never read stdin after the handshake; just sleep
  --late             at turn --at, answer after the move limit (--sleep or 1.5 x move_s + 0.1 s)
  --stderr-flood     before every move, write --flood-bytes (default 4 MiB) to stderr
  --slow-start       say ready only after the start-up limit (--sleep or 1.5 x startup_s + 0.1 s)
  --stale            before every move, repeat the move of the previous turn
  --bad-version      say ready with "sky": 2
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import Any, BinaryIO

FOREVER_S = 3600.0
HUGE_LINE_BYTES = 10 * 1000 * 1000
FLOOD_CHUNK = 64 * 1024


def main() -> int:
    args = parse_args()
    stdin = sys.stdin.buffer
    hello = read_message(stdin)
    if hello is None:
        return 0
    handshake(args, hello)
    if args.no_read:
        time.sleep(FOREVER_S)
    fired = False
    previous: dict[str, Any] | None = None
    while (message := read_message(stdin)) is not None:
        if message.get("type") == "end":
            return 0
        if message.get("type") != "state":
            continue
        trigger = not fired and message["turn"] >= args.at
        fired = fired or trigger
        previous = play(args, hello, message, trigger, previous)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Fake sky bot for Phoenix tests.")
    parser.add_argument("--name", default="fakebot")
    parser.add_argument("--at", type=int, default=1, help="turn id at which to misbehave (default 1)")
    parser.add_argument("--sleep", type=float, help="seconds for --late / --slow-start")
    parser.add_argument("--flood-bytes", type=int, default=4 * 1024 * 1024)
    for flag in ("crash", "crash-signal", "stall", "garbage", "illegal", "huge-line", "no-read",
                 "late", "stderr-flood", "slow-start", "stale", "bad-version"):
        parser.add_argument(f"--{flag}", action="store_true")
    return parser.parse_args()


def handshake(args: argparse.Namespace, hello: dict[str, Any]) -> None:
    if args.slow_start:
        time.sleep(args.sleep if args.sleep is not None else 1.5 * hello["limits"]["startup_s"] + 0.1)
    send({"type": "ready", "sky": 2 if args.bad_version else 1, "name": args.name})


def play(args: argparse.Namespace, hello: dict[str, Any], state: dict[str, Any], trigger: bool,
         previous: dict[str, Any] | None) -> dict[str, Any]:
    """Answer one state (maybe badly); return the move message sent."""
    if trigger:
        misbehave(args, hello)
    if args.stderr_flood:
        flood(args.flood_bytes)
    if args.stale and previous is not None:
        send(previous)
    move = illegal_move(hello) if trigger and args.illegal else legal_move(hello, state["observation"])
    reply = {"type": "move", "turn": state["turn"], "move": move}
    send(reply)
    return reply


def misbehave(args: argparse.Namespace, hello: dict[str, Any]) -> None:
    """The misbehaviours that happen before (or instead of) the answer."""
    if args.crash:
        print("fakebot: crashing on purpose", file=sys.stderr, flush=True)
        sys.exit(3)
    if args.crash_signal:
        os.kill(os.getpid(), signal.SIGSEGV)
    if args.stall:
        time.sleep(FOREVER_S)
    if args.garbage:
        write(b"this is not json\n")
    if args.huge_line:
        write(b"x" * HUGE_LINE_BYTES)
        write(b"\n")
    if args.late:
        time.sleep(args.sleep if args.sleep is not None else 1.5 * hello["limits"]["move_s"] + 0.1)


def legal_move(hello: dict[str, Any], observation: dict[str, Any]) -> Any:
    if hello.get("game") == "phoenix":
        return []
    legal = observation.get("legal")
    return legal[0] if legal else []


def illegal_move(hello: dict[str, Any]) -> Any:
    if hello.get("game") == "phoenix":
        return [{"childno": 99, "split": False, "pause": False, "relativeangle": 0.0, "ejectmass": False}]
    return 99


def flood(total: int) -> None:
    """Write exactly `total` bytes to stderr."""
    chunk = b"flood\n" * (FLOOD_CHUNK // 6)
    while total > 0:
        total -= os.write(2, chunk[:total])


def read_message(stdin: BinaryIO) -> dict[str, Any] | None:
    line = stdin.readline()
    return json.loads(line) if line else None


def send(message: dict[str, Any]) -> None:
    write(json.dumps(message, separators=(",", ":")).encode() + b"\n")


def write(data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(1, view):]


if __name__ == "__main__":
    sys.exit(main())
