"""Coordinator: agent steps per second over TCP for 1 and 8 concurrent agents, against a bare echo.

The coordinator runs in its own process (`python src serve`'s server, on a
trivial simultaneous game so the figure is the coordinator's, not a game's);
the agents are BaseAgent clients, one thread each, all in this process. A step
is one PlayMove request and its answer; with 8 agents a turn is answered once
all 8 moved (the game is simultaneous), so agents advance in lockstep.

The peer, measured in the same run, is a bare asyncio server on the same TCP
path: same framing (RequestScanner in, EOF-terminated answers out), same
client code (agents.Connection), an answer of the same size, but no game, no
lobby and no waiting for other agents. Ratio = coordinator / echo.

    python benchmarks/bench_coordinator.py [--steps N] [--repeat R] [--json]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(Path(__file__).resolve().parent)]

from phoenix_judge.agents import Action, ActionType, AgentInfo, BaseAgent, Connection  # noqa: E402
from phoenix_judge.coordinator.lobby import Lobby  # noqa: E402
from phoenix_judge.coordinator.protocol import GameStatus, observation, response  # noqa: E402
from phoenix_judge.coordinator.server import CoordinatorServer  # noqa: E402
from phoenix_judge.coordinator.settings import NetLimits, SeatConfig, ServeConfig  # noqa: E402
from phoenix_judge.coordinator.wire import RequestScanner, encode_response  # noqa: E402
from phoenix_judge.terra import Game, Move, State  # noqa: E402

AGENT_COUNTS = (1, 8)


class TallyState(State):
    """Every seat moves every turn; a move is any integer; the game never ends by itself."""

    def __init__(self, seats: int) -> None:
        self.seats, self.turn = seats, 0

    def to_move(self) -> list[int]:
        return list(range(self.seats))

    def observation(self, seat: int) -> dict[str, Any]:
        return {"you": seat, "turn": self.turn}

    def check_move(self, seat: int, move: Move) -> str | None:
        return None

    def apply(self, moves: dict[int, Move]) -> None:
        self.turn += 1

    def is_over(self) -> bool:
        return False

    def scores(self) -> list[float]:
        return [0.0] * self.seats

    def rewards(self) -> list[float]:
        return [0.0] * self.seats

    def remove_seat(self, seat: int) -> None:
        pass

    def random_move(self, seat: int, rng: random.Random) -> Move:
        return 0

    def frame(self) -> dict[str, Any]:
        return {"turn": self.turn}


class TallyGame(Game):
    name, version, min_seats, max_seats, simultaneous = "tally", "1.0", 1, 8, True
    map_schema: dict[str, Any] = {"type": "object"}
    move_schema: dict[str, Any] = {"type": "integer"}

    def new_state(self, seats: int, game_map: dict[str, Any], seed: int) -> TallyState:
        return TallyState(seats)


# ---- the two servers (child processes) -----------------------------------------------------

def serve_coordinator(seats: int) -> None:
    config = ServeConfig(game=TallyGame(), game_map={}, seed=1, required_players=seats,
                         seats=tuple(SeatConfig(i, f"seat{i}", None, None) for i in range(seats)),
                         limits=NetLimits(max_connections=seats), trajectories_dir=None)

    async def main() -> None:
        server = CoordinatorServer(Lobby(config), config.limits)
        _, port = await server.start("127.0.0.1", 0)
        print(port, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


ECHO_ANSWER = encode_response(response(GameStatus.OK, observation({"you": 0, "turn": 123456}, -1.0, False)))


def serve_echo() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        scanner = RequestScanner(1 << 20)
        while data := await reader.read(65536):
            for _ in scanner.feed(data):
                writer.write(ECHO_ANSWER)
            await writer.drain()

    async def main() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def start(kind: str, seats: int) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--seats", str(seats)],
                               stdout=subprocess.PIPE, text=True)
    return process, int(process.stdout.readline())


# ---- the clients ----------------------------------------------------------------------------

def run_agents(kind: str, port: int, agents: int, steps: int) -> float:
    """Seconds for `agents` threads to make `steps` steps each, timed from a common start."""
    barrier = threading.Barrier(agents + 1)
    done = threading.Barrier(agents + 1)
    for _ in range(agents):
        threading.Thread(target=_agent, args=(kind, port, steps, barrier, done), daemon=True).start()
    barrier.wait()
    started = time.perf_counter()
    done.wait()
    return time.perf_counter() - started


def _agent(kind: str, port: int, steps: int, barrier: threading.Barrier, done: threading.Barrier) -> None:
    move = Action.play(1)
    if kind == "coordinator":
        agent = BaseAgent("127.0.0.1", port, "Player", name="bench")
        agent.register()
        barrier.wait()
        for _ in range(steps):
            agent.make_step(move)
        agent.terminate_connection()
    else:
        connection = Connection("127.0.0.1", port)
        connection.communicate(Action(ActionType.JoinGame, {"agent_info": AgentInfo("bench", "Player")}))
        barrier.wait()
        for _ in range(steps):
            connection.communicate(move)
        connection.close()
    done.wait()


def measure(agents: int, steps: int, repeat: int) -> dict[str, float]:
    rates: dict[str, list[float]] = {"coordinator": [], "echo": []}
    for _ in range(repeat):
        for kind in rates:                       # interleaved, so both see the same machine state
            process, port = start(kind, agents)
            try:
                rates[kind].append(agents * steps / run_agents(kind, port, agents, steps))
            finally:
                process.kill()
                process.wait()
    coordinator, echo = statistics.median(rates["coordinator"]), statistics.median(rates["echo"])
    return {"agents": agents, "coordinator_steps_per_s": round(coordinator), "echo_round_trips_per_s": round(echo),
            "ratio": round(coordinator / echo, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="steps per agent per run (default 2000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is reported (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a markdown table")
    parser.add_argument("--serve", choices=("coordinator", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--seats", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "coordinator":
        serve_coordinator(args.seats)
    elif args.serve == "echo":
        serve_echo()
    else:
        report([measure(agents, max(args.steps // agents, 50), args.repeat) for agents in AGENT_COUNTS], args.json)
    return 0


def report(rows: list[dict[str, float]], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"benchmark": "coordinator", "rows": rows}, indent=1))
        return
    print("| agents | coordinator steps/s | echo round trips/s | coordinator / echo |")
    print("|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['agents']} | {row['coordinator_steps_per_s']} | {row['echo_round_trips_per_s']} | {row['ratio']} |")


if __name__ == "__main__":
    sys.exit(main())
