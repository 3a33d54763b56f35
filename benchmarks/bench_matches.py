"""Connect Four random-vs-random: whole matches per second through the judge, and judge CPU per move.

Each match is a real `play_match`: arena folder, two bot processes through the jail
launcher, sky over pipes, records committed to a scratch out/. Its peer, measured in the
same run, is the same matches played in-process with no bots (the game's own cost), so
the report says how much of a match is the judge and the bots rather than the game.

    python benchmarks/bench_matches.py [--matches N] [--json]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from phoenix_judge.config.game_config import load_config  # noqa: E402
from phoenix_judge.gameloop import MatchEnded, MatchStarted  # noqa: E402
from phoenix_judge.match import play_match  # noqa: E402
from phoenix_judge.terra import get_game  # noqa: E402


def judge_matches(count: int, scratch: Path) -> dict[str, float]:
    config = scratch / "game_config.json"
    bot = {"command": "python3 bot.py", "dir": str(ROOT / "sample_bots" / "connect4_random")}
    config.write_text(json.dumps({"game": "connect4", "api_dir": str(ROOT / "api"), "timeout": 2,
                                  "bots": [{"name": "red", **bot}, {"name": "yellow", **bot}]}))
    walls, moves, clock = [], 0, LoopCpu()
    cpu_started = time.process_time()
    for _ in range(count):
        started = time.perf_counter()
        result = play_match(load_config(config), observers=[clock])
        walls.append(time.perf_counter() - started)
        moves += sum(seat.moves for seat in result.seats)
    judge_cpu = time.process_time() - cpu_started
    turn_costs = [record["judge_s"] for path in (scratch / "out" / "movelogs").glob("*.jsonl")
                  for record in map(json.loads, path.read_text().splitlines()) if record.get("judge")]
    return {"matches_per_s": count / sum(walls), "median_match_ms": statistics.median(walls) * 1000,
            "moves": moves, "judge_cpu_ms_per_move": judge_cpu * 1000 / moves,
            "judge_turn_ms_median": statistics.median(turn_costs) * 1000,
            "judge_loop_cpu_ms_per_move": clock.cpu_s * 1000 / moves}


class LoopCpu:
    """The judge's CPU from the first hello to the committed records (the bots are other processes)."""

    def __init__(self) -> None:
        self.cpu_s, self._started = 0.0, 0.0

    def on_event(self, event: object) -> None:
        if isinstance(event, MatchStarted):
            self._started = time.process_time()
        elif isinstance(event, MatchEnded):
            self.cpu_s += time.process_time() - self._started


def game_only(count: int) -> dict[str, float]:
    game, rng, walls = get_game("connect4"), random.Random(1), []
    for seed in range(count):
        started = time.perf_counter()
        state = game.new_state(2, game.default_map_data(), seed)
        while not state.is_over():
            (seat,) = state.to_move()
            move = state.random_move(seat, rng)
            state.observation(seat)
            state.check_move(seat, move)
            state.apply({seat: move})
        walls.append(time.perf_counter() - started)
    return {"matches_per_s": count / sum(walls), "median_match_ms": statistics.median(walls) * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", type=int, default=40)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        judged = judge_matches(args.matches, Path(scratch))
    bare = game_only(args.matches * 10)
    figures = {"judged": judged, "game_only": bare, "matches": args.matches}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"| Connect Four, random vs random ({args.matches} matches, 1 at a time) | matches/s | median match |")
    print("|---|---:|---:|")
    print(f"| through the judge (2 bot processes, sky, records) | {judged['matches_per_s']:.1f} | {judged['median_match_ms']:.1f} ms |")
    print(f"| game logic only, in-process (floor) | {bare['matches_per_s']:.0f} | {bare['median_match_ms']:.3f} ms |")
    print(f"\njudge CPU per move, handshake to committed records: {judged['judge_loop_cpu_ms_per_move']:.3f} ms")
    print(f"judge time per turn outside waiting on bots (median, from the move logs): "
          f"{judged['judge_turn_ms_median']:.3f} ms")
    print(f"judge CPU per move, whole match: {judged['judge_cpu_ms_per_move']:.3f} ms ({judged['moves']} moves; "
          "includes spawning, arena copies and record commits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
