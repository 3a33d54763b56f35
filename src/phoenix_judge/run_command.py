"""`python src [run] [CONFIG]`: play one match and print its result and records."""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

from .config.game_config import load_config
from .errors import EXIT_INTERRUPTED, EXIT_OK, UserError
from .match import MatchSpec, RemoteSeat, play_match
from .outcome import MatchResult, Termination
from .sky import Channel


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", default="game_config.json", type=Path,
                        help="the game config to play (default: ./game_config.json)")
    parser.add_argument("--keep-arena", action="store_true", help="keep the match's arena folder for inspection")
    parser.add_argument("--json", action="store_true", help="print the result summary as JSON")
    parser.add_argument("--listen", metavar="HOST:PORT",
                        help='accept TCP agents for the bots marked "remote": true (NetSecGame wire protocol)')
    parser.add_argument("--join-timeout", type=float, default=60.0, metavar="S",
                        help="seconds to wait for the remote agents to join (default 60)")


def run(args: argparse.Namespace) -> int:
    spec = load_config(args.config, keep_arena=args.keep_arena)
    previous = signal.signal(signal.SIGTERM, _interrupt)   # SIGTERM cleans up like Ctrl-C
    try:
        result = play_match(spec, remote=_remote_agents(spec, args.listen, args.join_timeout))
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(json.dumps(result.to_json(), indent=2) if args.json else render(result))
    return EXIT_INTERRUPTED if result.termination is Termination.INTERRUPTED else EXIT_OK


def _remote_agents(spec: MatchSpec, listen: str | None, timeout_s: float) -> dict[int, Channel]:
    """Channels for the remote seats: TCP agents accepted on `listen`, one per seat."""
    seats = {index: bot.name for index, bot in enumerate(spec.bots) if isinstance(bot, RemoteSeat)}
    if not seats:
        return {}
    if listen is None:
        raise UserError(f"bot(s) {', '.join(seats.values())} are remote: pass --listen HOST:PORT for their agents")
    from .coordinator.channel import accept_agents   # asyncio-free, but only needed here

    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise UserError(f"--listen {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:9000")
    try:
        listener = socket.create_server((host, int(port)))
    except OSError as exc:
        raise UserError(f"--listen {listen}: cannot listen there: {exc.strerror}") from exc
    with listener:
        print(f"waiting up to {timeout_s:g} s for {len(seats)} agent(s) on {listen}", file=sys.stderr, flush=True)
        return dict(accept_agents(listener, seats, timeout_s=timeout_s))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def render(result: MatchResult) -> str:
    """The result as a person reads it: standings, each bot's verdict and why, record paths."""
    lines = [f"{result.game} · match {result.match_id} · {result.turns} turns · "
             f"{result.termination} · {result.duration_s:.2f} s", ""]
    width = max(len(seat.name) for seat in result.seats) if result.seats else 4
    lines.append(f"  rank  seat  {'bot':<{width}}  {'score':>8}  verdict")
    for seat in sorted(result.seats, key=lambda s: (s.rank, s.seat)):
        verdict = str(seat.verdict) + (f": {seat.reason}" if seat.reason else "")
        lines.append(f"  {seat.rank:<4}  {seat.seat:<4}  {seat.name:<{width}}  {seat.score:>8g}  {verdict}")
    lines += ["", "records:"]
    lines += [f"  {kind:<11} {_relative(path)}" for kind, path in result.records.items()]
    return "\n".join(lines)


def _relative(path: str) -> str:
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else path
