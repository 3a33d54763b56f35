"""Jail cost, measured in one run against a plain fork+exec of the same interpreter.

1. Spawn: time from "start it" until a Python bot's first byte ("ready") reaches the
   judge, for a plain subprocess and for the jail with its layers added one at a time
   (in the recipe's order), medians over --spawns runs.
2. Round trip: one small JSON line to the bot and its answer back, jailed (every layer)
   vs unjailed, medians over --trips round trips.

    python benchmarks/bench_jail.py [--spawns 30] [--trips 3000] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from phoenix_judge.jail import LAYERS, SandboxSettings, launch  # noqa: E402
from phoenix_judge.jail.layers import machine_layers  # noqa: E402
from phoenix_judge.jail.policy import environment  # noqa: E402
from phoenix_judge.jail.resolve import PYTHON_FLAGS, judge_interpreter  # noqa: E402
from phoenix_judge.limits import Limits  # noqa: E402

BOT = """import sys
sys.stdout.write('{"type": "ready", "sky": 1, "name": "echo"}\\n'); sys.stdout.flush()
for line in sys.stdin:
    sys.stdout.write(line); sys.stdout.flush()
"""
LIMITS = Limits(total_cpu_s=60)
PLAIN = "plain fork+exec (subprocess)"
LINE = b'{"type": "state", "turn": 7, "observation": {"board": [[-1, -1, 0, 1, -1, -1, -1]]}}\n'


class Plain:
    """The peer: the same interpreter and flags, fork+exec'd by subprocess, no jail."""

    def __init__(self, folder: Path) -> None:
        self.proc = subprocess.Popen([str(judge_interpreter()), *PYTHON_FLAGS, "bot.py"], cwd=folder,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment(folder))
        self.stdin, self.stdout = self.proc.stdin.fileno(), self.proc.stdout.fileno()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()
        self.proc.stdout.close()


class Jailed:
    def __init__(self, folder: Path, disable: frozenset[str]) -> None:
        self.bot = launch(["python3", "bot.py"], cwd=folder, limits=LIMITS, sandbox=SandboxSettings(disable=disable))
        self.stdin, self.stdout = self.bot.stdin, self.bot.stdout

    def close(self) -> None:
        os.close(self.stdin)
        self.bot.wait(5)
        self.bot.kill()
        os.close(self.stdout)
        os.close(self.bot.stderr)


def read_line(fd: int) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        select.select([fd], [], [], 10)
        chunk = os.read(fd, 65536)
        if not chunk:
            raise RuntimeError("the bot closed its stdout")
        data += chunk
    return data


def ready_once(start: Callable[[], Plain | Jailed]) -> float:
    began = time.perf_counter()
    bot = start()
    read_line(bot.stdout)
    elapsed = time.perf_counter() - began
    bot.close()
    return elapsed * 1000


def time_ready(starts: dict[str, Callable[[], Plain | Jailed]], runs: int) -> dict[str, float]:
    """Median ms per start-up kind; kinds take turns, so drift in the machine hits all alike."""
    samples: dict[str, list[float]] = {label: [] for label in starts}
    for _ in range(runs):
        for label, start in starts.items():
            samples[label].append(ready_once(start))
    return {label: statistics.median(values) for label, values in samples.items()}


def time_trips(plain: Plain, jailed: Jailed, trips: int) -> tuple[float, float]:
    """Median µs per round trip for both bots, alternating trip by trip."""
    samples: tuple[list[float], list[float]] = ([], [])
    for bot in (plain, jailed):
        read_line(bot.stdout)
    for _ in range(trips):
        for bot, values in zip((plain, jailed), samples):
            began = time.perf_counter()
            os.write(bot.stdin, LINE)
            read_line(bot.stdout)
            values.append(time.perf_counter() - began)
    plain.close()
    jailed.close()
    return statistics.median(samples[0]) * 1e6, statistics.median(samples[1]) * 1e6


def layer_steps() -> list[tuple[str, frozenset[str]]]:
    """(label, disabled layers): none of them, then one more layer at a time."""
    usable = [layer for layer in LAYERS if machine_layers()[layer] == "active"]
    steps = [("jail launcher, no layer", frozenset(LAYERS))]
    for index, layer in enumerate(usable):
        steps.append((f"+ {layer}", frozenset(LAYERS) - set(usable[:index + 1])))
    return steps


def measure(spawns: int, trips: int) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="phoenix-bench-"))
    try:
        (folder / "bot.py").write_text(BOT)
        os.chmod(folder, 0o755)
        # Round trips first: every spawn leaves a network namespace that the kernel tears down
        # later in a worker thread, which would steal CPU from the round-trip measurement.
        trip_plain, trip_jailed = time_trips(Plain(folder), Jailed(folder, frozenset()), trips)
        starts: dict[str, Callable[[], Plain | Jailed]] = {PLAIN: lambda: Plain(folder)}
        starts.update({label: (lambda d=disabled: Jailed(folder, d)) for label, disabled in layer_steps()})
        time_ready(starts, 2)                                  # warm caches (ldd, BPF, cgroup groups)
        rows = time_ready(starts, spawns)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    plain = rows[PLAIN]
    return {"spawn_ms": {label: round(ms, 3) for label, ms in rows.items()}, "spawn_plain_ms": round(plain, 3),
            "round_trip_us": {"plain": round(trip_plain, 2), "jailed": round(trip_jailed, 2)},
            "layers": machine_layers(), "spawns": spawns, "trips": trips}


def markdown(result: dict[str, object]) -> str:
    plain = result["spawn_plain_ms"]
    lines = ["| start-up until the bot's first byte | median ms | × plain |", "|---|---:|---:|"]
    for label, ms in result["spawn_ms"].items():
        lines.append(f"| {label} | {ms:.2f} | {ms / plain:.2f} |")
    trips = result["round_trip_us"]
    lines += ["", "| per-move round trip (one JSON line each way) | median µs | × plain |", "|---|---:|---:|",
              f"| plain | {trips['plain']:.1f} | 1.00 |",
              f"| jailed (every active layer) | {trips['jailed']:.1f} | {trips['jailed'] / trips['plain']:.2f} |"]
    missing = {k: v for k, v in result["layers"].items() if v != "active"}
    if missing:
        lines += ["", "Layers not measured here: " + "; ".join(f"{k} {v}" for k, v in missing.items())]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spawns", type=int, default=30)
    parser.add_argument("--trips", type=int, default=3000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.spawns, args.trips)
    print(json.dumps(result, indent=2) if args.json else markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
