#!/usr/bin/env python3
"""The hostile bot of Phoenix's hostile-bot suite: plays sky, then attacks the jail.

    python3 hostile.py --do fork-bomb --token T [--at 2] [attack options]

It speaks sky v1 by hand (no sky library): ready, then a legal Connect Four move
for every state, until the first state whose turn id is >= --at; there it runs
the attack named by --do (see ATTACKS) and then, if it still can, plays on.
With --at -1 the attack runs before ready, under the (longer) start-up limit.
What each attack saw goes to stderr (hostile_lib explains the report lines).
--token only marks the bot's command line, so the test can find any process it
left behind. Standard library only.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

import attacks_files
import attacks_ipc
import attacks_process
import attacks_protocol
import attacks_resources
from hostile_lib import Attack, Context, move_for, read_message, send

ATTACKS: dict[str, Attack] = {**attacks_resources.ATTACKS, **attacks_files.ATTACKS,
                              **attacks_ipc.ATTACKS, **attacks_process.ATTACKS, **attacks_protocol.ATTACKS}


def main() -> int:
    args = parse_args()
    hello = read_message(sys.stdin.buffer)
    if hello is None:
        return 0
    keep: list[object] = []
    if args.at < 0:                 # before ready: the start-up limit is longer than a move's
        ATTACKS[args.do](Context(args, hello, {}, None, keep))
    send({"type": "ready", "sky": 1, "name": "hostile"})
    play(args, hello, keep)
    return 0


def play(args: argparse.Namespace, hello: dict[str, Any], keep: list[object]) -> None:
    """Answer every state until the end; attack at the first state of turn >= --at."""
    fired, previous = args.at < 0, None
    while (message := read_message(sys.stdin.buffer)) is not None and message.get("type") != "end":
        if message.get("type") != "state":
            continue
        answered = False
        if not fired and message["turn"] >= args.at:
            fired = True
            answered = ATTACKS[args.do](Context(args, hello, message, previous, keep))
        if not answered:
            send(move_for(message))
        previous = message["turn"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Hostile sky bot for Phoenix's jail tests.")
    parser.add_argument("--do", required=True, choices=sorted(ATTACKS), help="the attack")
    parser.add_argument("--token", default="", help="marks this bot's processes (not used otherwise)")
    parser.add_argument("--at", type=int, default=2, help="turn id at which to attack (default 2; -1: before ready)")
    parser.add_argument("--judge-pid", type=int, default=0, help="the judge's pid (kill-parent, ptrace)")
    parser.add_argument("--port", type=int, default=0, help="the judge's TCP port on 127.0.0.1 (tcp-connect)")
    parser.add_argument("--listen-port", type=int, default=0, help="the port to listen on (listen-socket)")
    parser.add_argument("--unix-path", default="", help="the judge's unix socket path")
    parser.add_argument("--abstract", default="", help="the judge's abstract unix socket name")
    parser.add_argument("--secret-file", action="append", default=[], help="judge-side files to read")
    parser.add_argument("--write-dir", action="append", default=[], help="judge-side folders to write in")
    parser.add_argument("--shm-key", type=int, default=0, help="the judge's SysV shared memory key")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
