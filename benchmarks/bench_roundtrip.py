"""Per-move round trip: engine <-> Python bot over PipeChannel + sky, against a bare pipe echo.

Both peers run in the same run, with the same interpreter binary (`-I`), the
same request bytes (a connect4 state line) and the same reply size; blocks of
sky moves and bare round trips alternate so that both see the same machine.

  sky   engine: PipeChannel.send_state + collect   bot: api/python3/sky.py (JSON, move function)
  bare  engine: os.write + blocking os.read         bot: read a line, write a fixed line

Also reported: the judge's own CPU per sky move (time.process_time of the
engine over the sky moves only). Design targets (DESIGN.md): sky <= 1.2 x bare,
judge CPU <= 0.05 ms per move.

Where the scheduler puts the two processes decides the figures (a pipe wake-up
on the same core costs a few µs, across cores tens of µs), and left alone it
settles differently from run to run. So each measurement is repeated under
three placements: `same` (judge and bots pinned to one CPU), `cross` (judge on
one CPU, bots on another) and `free` (no pinning).

Both peers start through the same launcher: unjailed (`-I`) by default, or
with every layer of `phoenix_judge.jail` this machine offers (`--jail`); any
function of the `Launcher` shape can be passed to `measure`.

    python benchmarks/bench_roundtrip.py [--moves 3000] [--placement same cross free] [--jail] [--json]
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from phoenix_judge.limits import Limits  # noqa: E402
from phoenix_judge.sky import PipeChannel, Reply, collect, messages  # noqa: E402
from phoenix_judge.sky.framing import encode  # noqa: E402
from phoenix_judge.sky.spawn import start_unjailed  # noqa: E402

PYTHON = os.path.realpath(sys.executable)      # the real binary, never a pyenv shim
BLOCK = 100                                    # moves per alternating block
FIRST_TURN = 10_000                            # every timed state line has the same size
LIMITS = Limits(startup_s=10.0, move_s=2.0)

# `-I` leaves the script's folder off sys.path: the bot puts it back to find sky.py next to it.
SKY_BOT = """\
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sky
sky.run(lambda observation, hello: observation["legal"][0], name="bench")
"""

ECHO_BOT = """\
import sys
reply = b"m" * (int(sys.argv[1]) - 1) + b"\\n"
output = sys.stdout.buffer
for line in sys.stdin.buffer:
    output.write(reply)
    output.flush()
"""


class Launched(Protocol):
    """What a launcher returns (`PlainProcess`, or the jail's `BotProcess`)."""

    stdin: int          # the engine's ends of the bot's pipes
    stdout: int
    stderr: int

    def kill(self) -> None: ...


Launcher = Callable[[Sequence[str], Path], Launched]
"""Starts a Python script (argv after the interpreter) in a folder."""


def plain(script: Sequence[str], cwd: Path) -> Launched:
    """No jail: the real interpreter binary with `-I`."""
    return start_unjailed([PYTHON, "-I", *script], cwd)


def jailed_launcher() -> Launcher:
    """Every layer of `phoenix_judge.jail` this machine offers (it adds `-E -s -B`, not `-I`)."""
    from phoenix_judge.jail.launcher import launch      # needs the jail's dependencies (prctl)
    slots = itertools.count()
    return lambda script, cwd: launch(["python3", *script], cwd=cwd, limits=LIMITS, slot=next(slots))


def observation() -> dict[str, Any]:
    """A mid-game connect4 observation: 6 x 7 board, seat, legal columns."""
    board = [[-1] * 7 for _ in range(4)] + [[0, 1, -1, 0, 1, -1, -1], [1, 0, 0, 1, 0, 1, -1]]
    return {"board": board, "you": 0, "legal": [0, 1, 2, 3, 4, 5, 6]}


def sky_moves(channel: PipeChannel, first_turn: int, count: int, obs: dict[str, Any]) -> tuple[list[float], float]:
    """`count` timed moves; returns their round trips (s) and the engine CPU they took (s)."""
    times: list[float] = []
    cpu_start = time.process_time()
    for turn in range(first_turn, first_turn + count):
        started = time.perf_counter()
        channel.send_state(turn, obs, time.monotonic() + LIMITS.move_s)
        reply = collect({0: channel}, time.monotonic() + LIMITS.move_s)[0]
        times.append(time.perf_counter() - started)
        if not isinstance(reply, Reply):
            raise RuntimeError(f"the sky bot faulted at turn {turn}: {reply}")
    return times, time.process_time() - cpu_start


def bare_moves(echo: Launched, request: bytes, count: int) -> tuple[list[float], float]:
    """The floor: the same bytes through a plain write and a blocking read."""
    times: list[float] = []
    cpu_start = time.process_time()
    for _ in range(count):
        started = time.perf_counter()
        os.write(echo.stdin, request)
        while not os.read(echo.stdout, 65536).endswith(b"\n"):
            pass
        times.append(time.perf_counter() - started)
    return times, time.process_time() - cpu_start


def handshake(channel: PipeChannel) -> None:
    hello = messages.hello(game="connect4", game_version="1.0", seat=0, seats=2, names=["bench", "judge"],
                           limits=LIMITS, game_map={}, seed=1)
    channel.send_hello(hello, time.monotonic() + LIMITS.startup_s)
    if not isinstance(collect({0: channel}, time.monotonic() + LIMITS.startup_s)[0], Reply):
        raise RuntimeError("the sky bot did not say ready")


PLACEMENTS = ("same", "cross", "free")


@contextmanager
def affinity(cpus: set[int]) -> Iterator[None]:
    """Run the block on `cpus`; processes started in it inherit them (also through a jail's forks)."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def measure_placement(placement: str, moves: int, warmup: int, launcher: Launcher = plain) -> dict[str, Any]:
    """`measure` with the judge and the bots placed on CPUs as `placement` says."""
    cpus = sorted(os.sched_getaffinity(0))
    engine, bots = {"same": ({cpus[0]}, {cpus[0]}), "cross": ({cpus[0]}, {cpus[-1]}),
                    "free": (set(cpus), set(cpus))}[placement]
    return measure(moves, warmup, launcher, engine, bots)


def measure(moves: int, warmup: int, launcher: Launcher, engine_cpus: set[int], bot_cpus: set[int]) -> dict[str, Any]:
    """Run both peers, alternating blocks; return the figures."""
    folder = Path(tempfile.mkdtemp(prefix="phoenix-bench-"))
    shutil.copy(ROOT / "api" / "python3" / "sky.py", folder / "sky.py")
    (folder / "bot.py").write_text(SKY_BOT)
    (folder / "echo.py").write_text(ECHO_BOT)
    obs = observation()
    request = encode(messages.state(FIRST_TURN, obs))
    reply_size = len(encode({"type": "move", "turn": FIRST_TURN, "move": 0}))
    with affinity(bot_cpus):
        bot = launcher(["bot.py"], folder)
        echo = launcher(["echo.py", str(reply_size)], folder)
    channel = PipeChannel(bot.stdin, bot.stdout, bot.stderr, LIMITS, movelog=[].append)
    try:
        handshake(channel)
        with affinity(engine_cpus):
            figures = _alternate(channel, echo, request, obs, moves, warmup)
        return figures | {"request_bytes": len(request), "reply_bytes": reply_size, "python": PYTHON}
    finally:
        bot.kill()
        echo.kill()
        channel.close()
        for fd in (echo.stdin, echo.stdout, echo.stderr):
            os.close(fd)
        shutil.rmtree(folder)


def _alternate(channel: PipeChannel, echo: Launched, request: bytes, obs: dict[str, Any],
               moves: int, warmup: int) -> dict[str, Any]:
    sky_moves(channel, FIRST_TURN - warmup, warmup, obs)
    bare_moves(echo, request, warmup)
    sky_times: list[float] = []
    bare_times: list[float] = []
    sky_cpu = bare_cpu = 0.0
    for block_start in range(0, moves, BLOCK):
        count = min(BLOCK, moves - block_start)
        times, cpu = sky_moves(channel, FIRST_TURN + block_start, count, obs)
        sky_times, sky_cpu = sky_times + times, sky_cpu + cpu
        times, cpu = bare_moves(echo, request, count)
        bare_times, bare_cpu = bare_times + times, bare_cpu + cpu
    return {"moves": moves, "sky": _summary(sky_times), "bare": _summary(bare_times),
            "ratio": statistics.median(sky_times) / statistics.median(bare_times),
            "judge_cpu_ms_per_move": sky_cpu / moves * 1000,
            "bare_cpu_ms_per_move": bare_cpu / moves * 1000, "stale_replies": channel.stale_replies}


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_us": statistics.median(ordered) * 1e6, "p90_us": ordered[int(0.9 * (len(ordered) - 1))] * 1e6}


def table(results: dict[str, dict[str, Any]]) -> str:
    first = next(iter(results.values()))
    lines = [f"Round trip per move: {first['moves']} moves per peer, request {first['request_bytes']} B,"
             f" reply {first['reply_bytes']} B, {first['python']}, {first['launcher']}",
             "",
             "| placement | sky median (µs) | sky p90 (µs) | bare median (µs) | bare p90 (µs) |"
             " sky / bare | judge CPU per move (ms) | bare engine CPU (ms) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for placement, result in results.items():
        sky, bare = result["sky"], result["bare"]
        lines.append(f"| {placement} | {sky['median_us']:.1f} | {sky['p90_us']:.1f} | {bare['median_us']:.1f} |"
                     f" {bare['p90_us']:.1f} | {result['ratio']:.2f}x | {result['judge_cpu_ms_per_move']:.4f} |"
                     f" {result['bare_cpu_ms_per_move']:.4f} |")
    lines += ["", "Targets: sky / bare <= 1.2x; judge CPU <= 0.05 ms per move."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=3000, help="timed round trips per peer")
    parser.add_argument("--warmup", type=int, default=300, help="untimed round trips first")
    parser.add_argument("--placement", nargs="+", choices=PLACEMENTS, default=list(PLACEMENTS))
    parser.add_argument("--jail", action="store_true", help="start both peers with phoenix_judge.jail")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    launcher = jailed_launcher() if args.jail else plain
    placements = [p for p in args.placement if p != "cross" or len(os.sched_getaffinity(0)) > 1]
    results = {placement: measure_placement(placement, args.moves, args.warmup, launcher) | {
        "launcher": "jailed" if args.jail else "unjailed -I"} for placement in placements}
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
