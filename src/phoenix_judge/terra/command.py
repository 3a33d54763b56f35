"""`python src check-game NAME`: run the terra conformance check on a game and print each check.

Exit 0 when every check passes, 1 when one fails, 2 for an unknown game or a bad map file.
"""
from __future__ import annotations

import argparse
import time

from ..errors import ConfigError
from .check import DEFAULT_MAX_TURNS, check_game
from .maps import load_map
from .registry import game_names, get_game

EXIT_PASSED, EXIT_FAILED = 0, 1
_DEFAULT_SEEDS = 3


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("game", metavar="NAME",
                        help=f"a built-in game ({', '.join(game_names())}) or a third-party one as package.module:Class")
    parser.add_argument("--seeds", type=int, default=_DEFAULT_SEEDS, metavar="N",
                        help=f"play with seeds 0..N-1 (default {_DEFAULT_SEEDS})")
    parser.add_argument("--map", metavar="FILE", help="a map file (default: the game's default map)")
    parser.add_argument("--seats", type=int, metavar="N",
                        help="check this seat count only (default: the smallest and the largest allowed)")
    parser.add_argument("--max-turns", type=int, default=DEFAULT_MAX_TURNS, metavar="N",
                        help=f"random play must end within N turns (default {DEFAULT_MAX_TURNS})")


def run(args: argparse.Namespace) -> int:
    game = get_game(args.game, where="check-game NAME")
    _check_positive("--seeds", args.seeds)
    _check_positive("--max-turns", args.max_turns)
    if args.seats is not None and not game.min_seats <= args.seats <= game.max_seats:
        raise ConfigError("--seats", f"{game.name} is played by {game.min_seats}..{game.max_seats} seats, "
                                     f"not {args.seats}", f"pass a number from {game.min_seats} to {game.max_seats}")
    game_map = load_map(game, args.map) if args.map else None
    started = time.monotonic()
    report = check_game(game, seeds=range(args.seeds), game_map=game_map, seats=args.seats,
                        max_turns=args.max_turns)
    for result in report.results:
        print(f"{'PASS' if result.passed else 'FAIL'}  {result.name:<20} {result.message}")
    failed = len(report.failed())
    verdict = "all checks passed" if not failed else f"{failed} of {len(report.results)} checks FAILED"
    print(f"{report.game} {getattr(game, 'version', '?')}: {verdict} "
          f"({args.seeds} seeds, {time.monotonic() - started:.1f} s)")
    return EXIT_PASSED if report.passed else EXIT_FAILED


def _check_positive(flag: str, value: int) -> None:
    if value < 1:
        raise ConfigError(flag, f"must be at least 1, got {value}", f"pass a positive number to {flag}")
