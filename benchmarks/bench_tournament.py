"""Tournament throughput: a 6-bot Connect Four double round-robin at --jobs 1 and --jobs 2.

Every match is a real `play_match` (arena, two jailed bot processes, sky, records)
run by the tournament runner: forked workers, one SQLite transaction per match.
Reported: matches per second (median of --runs), the speed-up of 2 jobs over 1,
and the judge's CPU per move (the runner process plus its workers, without the
bots). The peer, measured in the same run, is the same matches played one after
another by a plain loop over play_match: no runner, no workers, no SQLite.

    python benchmarks/bench_tournament.py [--runs N] [--repeats N] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from phoenix_judge.match import MatchSpec, play_match  # noqa: E402
from phoenix_judge.outcome import MatchResult  # noqa: E402
from phoenix_judge.tournament.formats import make_format  # noqa: E402
from phoenix_judge.tournament.runner import Runner  # noqa: E402
from phoenix_judge.tournament.spec import TournamentSpec, load_tournament  # noqa: E402
from phoenix_judge.tournament.store import Store  # noqa: E402

BOTS = {"random": "connect4_random", "greedy": "connect4_greedy"}


def write_tournament(folder: Path, repeats: int) -> Path:
    entrants = [{"name": f"{kind}{i}", "dir": str(ROOT / "sample_bots" / BOTS[kind])}
                for kind in BOTS for i in range(1, 4)]
    path = folder / "bench.json"
    path.write_text(json.dumps({"name": "bench", "game": "connect4", "seed": 1, "entrants": entrants,
                                "format": {"type": "round_robin", "repeats": repeats, "side_swap": True},
                                "api_dir": str(ROOT / "api"), "timeout": 2, "limits": {"startup_s": 10}}))
    return path


class CountingPlay:
    """play_match, appending each match's CPU in this (worker) process to a file: the judge's own CPU."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, spec: MatchSpec, **keywords: Any) -> MatchResult:
        started = time.process_time()          # this process only: the bots are other processes
        result = play_match(spec, **keywords)
        with open(self.folder / f"cpu-{os.getpid()}.log", "a") as log:
            log.write(f"{time.process_time() - started}\n")
        return result

    def worker_cpu_s(self) -> float:
        return sum(float(line) for path in self.folder.glob("cpu-*.log") for line in path.read_text().split())


def tournament_run(spec_path: Path, jobs: int, scratch: Path) -> dict[str, float]:
    spec = load_tournament(spec_path)
    play = CountingPlay(scratch)
    store = Store(scratch / "store.sqlite")
    cpu, started = time.process_time(), time.perf_counter()
    report = Runner(spec, store, jobs=jobs, play=play, progress=False).run()
    wall, parent_cpu = time.perf_counter() - started, time.process_time() - cpu
    moves = sum(seat["moves"] for row in store.rows() if row.result for seat in row.result["seats"])
    store.close()
    if not report.finished or report.failed:
        raise SystemExit(f"benchmark tournament did not finish: {report}")
    return {"matches": report.played, "wall_s": wall, "moves": moves,
            "judge_cpu_s": parent_cpu + play.worker_cpu_s(), "runner_cpu_s": parent_cpu}


def plain_loop(spec: TournamentSpec) -> dict[str, float]:
    """The peer: the same scheduled matches, one after another, straight through play_match."""
    matches = make_format(spec.roster()).next_stage(0, [], []).matches
    started, moves = time.perf_counter(), 0
    for match in matches:
        result = play_match(spec.match_spec(match, f"plain-{match.match_id}"))
        moves += sum(seat.moves for seat in result.seats)
    return {"matches": len(matches), "wall_s": time.perf_counter() - started, "moves": moves}


def measure(runs: int, repeats: int) -> dict[str, Any]:
    samples: dict[str, list[dict[str, float]]] = {"plain": [], "jobs1": [], "jobs2": []}
    for run in range(runs):
        for name in samples:
            with tempfile.TemporaryDirectory() as scratch:
                path = write_tournament(Path(scratch), repeats)
                samples[name].append(plain_loop(load_tournament(path)) if name == "plain"
                                     else tournament_run(path, int(name[-1]), Path(scratch)))
    return {name: _medians(values) for name, values in samples.items()}


def _medians(values: list[dict[str, float]]) -> dict[str, float]:
    figures = {"matches_per_s": statistics.median(v["matches"] / v["wall_s"] for v in values),
               "matches": values[0]["matches"], "moves": values[0]["moves"]}
    if "judge_cpu_s" in values[0]:
        figures["judge_cpu_ms_per_move"] = statistics.median(1000 * v["judge_cpu_s"] / v["moves"] for v in values)
        figures["runner_cpu_ms_per_match"] = statistics.median(1000 * v["runner_cpu_s"] / v["matches"] for v in values)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per configuration; medians are reported")
    parser.add_argument("--repeats", type=int, default=1, help="round-robin repeats (1: 30 matches)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = {**measure(args.runs, args.repeats), "cores": len(os.sched_getaffinity(0)), "runs": args.runs}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    plain, one, two = figures["plain"], figures["jobs1"], figures["jobs2"]
    print(f"| 6-bot Connect Four double round-robin ({one['matches']} matches, median of {args.runs}) "
          "| matches/s | vs plain loop | judge CPU per move | runner CPU per match |")
    print("|---|---:|---:|---:|---:|")
    print(f"| plain loop over play_match (peer) | {plain['matches_per_s']:.1f} | 1.00× | | |")
    for name, label in (("jobs1", "tournament --jobs 1"), ("jobs2", "tournament --jobs 2")):
        row = figures[name]
        print(f"| {label} | {row['matches_per_s']:.1f} | {row['matches_per_s'] / plain['matches_per_s']:.2f}× "
              f"| {row['judge_cpu_ms_per_move']:.3f} ms | {row['runner_cpu_ms_per_match']:.2f} ms |")
    print(f"\n--jobs 2 over --jobs 1: {two['matches_per_s'] / one['matches_per_s']:.2f}× on {figures['cores']} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
