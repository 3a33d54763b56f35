"""PipeChannel against real bot processes: tests/bots/fakebot.py (each flag) and sky.py bots.

Processes are started unjailed with plain pipes (`spawn_unjailed`); the jail
hands the same three fds to PipeChannel.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from phoenix_judge.errors import BotFault
from phoenix_judge.limits import Limits
from phoenix_judge.outcome import Fault, Verdict
from phoenix_judge.sky import PipeChannel, Reply, collect, messages
from phoenix_judge.sky.framing import encode
from phoenix_judge.sky.spawn import spawn_unjailed

PYTHON = os.path.realpath(sys.executable)       # the real binary: `python3` may be a pyenv shell shim
ROOT = Path(__file__).resolve().parent.parent
FAKEBOT = ROOT / "tests" / "bots" / "fakebot.py"
SKY_LIBRARY = ROOT / "api" / "python3" / "sky.py"
LIMITS = Limits(startup_s=10.0, move_s=0.5)
EMPTY_BOARD = [[-1] * 7 for _ in range(6)]


def connect4_observation(turn: int) -> dict[str, Any]:
    return {"board": EMPTY_BOARD, "you": turn % 2, "legal": [turn % 7, 6]}


@dataclass
class Bot:
    process: subprocess.Popen[bytes]
    channel: PipeChannel
    game: str
    records: list[dict[str, Any]] = field(default_factory=list)

    def handshake(self) -> Reply | Fault:
        hello = messages.hello(game=self.game, game_version="1.0", seat=0, seats=2, names=["me", "you"],
                               limits=self.channel.limits, game_map={}, seed=7)
        self.channel.send_hello(hello, time.monotonic() + 1.0)
        return collect({0: self.channel}, time.monotonic() + self.channel.limits.startup_s)[0]

    def ask(self, turn: int, observation: dict[str, Any] | None = None) -> Reply | Fault:
        self.channel.send_state(turn, observation or connect4_observation(turn), time.monotonic() + 1.0)
        return collect({0: self.channel}, time.monotonic() + self.channel.limits.move_s)[0]

    def finish(self) -> int:
        self.channel.send_end(messages.end_result(scores=[1, 0], ranks=[1, 2], verdicts=["ok", "ok"],
                                                  termination="game_over", you=0), time.monotonic() + 0.5)
        return self.process.wait(5)


Launch = Callable[..., Bot]


@pytest.fixture
def launch() -> Iterator[Launch]:
    bots: list[Bot] = []

    def start(*argv: str, limits: Limits = LIMITS, game: str = "connect4", cwd: Path | None = None) -> Bot:
        command = list(argv) if argv and argv[0] == PYTHON else [PYTHON, "-I", str(FAKEBOT), *argv]
        records: list[dict[str, Any]] = []
        process, channel = spawn_unjailed(command, limits, cwd=cwd, movelog=records.append)
        bots.append(Bot(process, channel, game, records))
        return bots[-1]

    yield start
    for bot in bots:
        if bot.process.poll() is None:
            os.killpg(bot.process.pid, signal.SIGKILL)
        bot.process.wait()
        bot.channel.close()


def assert_fault(outcome: Reply | Fault, verdict: Verdict, reason: str) -> None:
    assert isinstance(outcome, Fault), outcome
    assert outcome.verdict is verdict
    assert reason in outcome.reason


def play(bot: Bot, turns: range) -> list[Reply | Fault]:
    return [bot.ask(turn) for turn in turns]


def test_default_bot_plays_the_first_legal_move_and_ends_cleanly(launch: Launch) -> None:
    bot = launch("--name", "Alice")
    ready = bot.handshake()
    assert isinstance(ready, Reply) and ready.payload == "Alice"
    replies = play(bot, range(5))
    assert [(r.kind, r.turn, r.payload) for r in replies if isinstance(r, Reply)] == [
        ("move", turn, turn % 7) for turn in range(5)]
    assert bot.finish() == 0
    assert len(bot.records) == 6 and all("note" not in record for record in bot.records)


def test_phoenix_default_and_illegal_moves(launch: Launch) -> None:
    bot = launch("--illegal", "--at", "2", game="phoenix")
    bot.handshake()
    moves = [reply.payload for reply in play(bot, range(4)) if isinstance(reply, Reply)]
    assert moves[:2] == [[], []] and moves[3] == []
    assert moves[2] == [{"childno": 99, "split": False, "pause": False, "relativeangle": 0.0, "ejectmass": False}]


def test_connect4_illegal_move_reaches_the_engine_as_a_move(launch: Launch) -> None:
    bot = launch("--illegal")
    bot.handshake()
    replies = play(bot, range(2))
    assert isinstance(replies[1], Reply) and replies[1].payload == 99     # legality is the game's call


def test_crash_is_a_crash_fault_and_exit_status_3(launch: Launch) -> None:
    bot = launch("--crash", "--at", "2")
    bot.handshake()
    replies = play(bot, range(3))
    assert all(isinstance(reply, Reply) for reply in replies[:2])
    assert_fault(replies[2], Verdict.CRASH, "closed its output (exited?)")
    assert bot.process.wait(5) == 3
    bot.channel.close()
    assert "crashing on purpose" in bot.channel.debug.text()


def test_crash_by_signal(launch: Launch) -> None:
    bot = launch("--crash-signal")
    bot.handshake()
    assert_fault(play(bot, range(2))[1], Verdict.CRASH, "closed its output")
    assert bot.process.wait(5) == -signal.SIGSEGV


def test_stall_times_out_at_the_deadline(launch: Launch) -> None:
    bot = launch("--stall")
    bot.handshake()
    bot.channel.send_state(1, connect4_observation(1), time.monotonic() + 1.0)
    deadline = time.monotonic() + LIMITS.move_s
    assert_fault(collect({0: bot.channel}, deadline)[0], Verdict.TIMEOUT, "no reply before the deadline")
    assert time.monotonic() >= deadline


def test_garbage_is_a_protocol_error(launch: Launch) -> None:
    bot = launch("--garbage", "--at", "0")
    bot.handshake()
    assert_fault(bot.ask(0), Verdict.PROTOCOL_ERROR, "line 2: not JSON: Expecting value at column 1")
    assert bot.records[-1]["raw"] == "this is not json"


def test_huge_line_is_an_output_limit_fault(launch: Launch) -> None:
    bot = launch("--huge-line")
    bot.handshake()
    assert_fault(play(bot, range(2))[1], Verdict.OUTPUT_LIMIT, f"sent a line over {LIMITS.line_bytes} bytes")


def test_a_bot_that_stops_reading_makes_send_state_time_out(launch: Launch) -> None:
    bot = launch("--no-read")
    bot.handshake()
    big = {"board": EMPTY_BOARD, "legal": [0], "pad": "p" * 200_000}      # more than a pipe holds
    deadline = time.monotonic() + 0.3
    with pytest.raises(BotFault) as caught:
        bot.channel.send_state(0, big, deadline)
    fault = caught.value.fault
    assert fault.verdict is Verdict.TIMEOUT
    assert fault.reason.startswith("did not read its input for ")
    assert time.monotonic() >= deadline


def test_a_late_reply_is_not_taken_for_the_next_turn(launch: Launch) -> None:
    bot = launch("--late", "--at", "1")
    bot.handshake()
    first, late = play(bot, range(2))
    assert isinstance(first, Reply)
    assert_fault(late, Verdict.TIMEOUT, "no reply before the deadline")
    bot.channel.send_state(2, connect4_observation(2), time.monotonic() + 1.0)
    reply = collect({0: bot.channel}, time.monotonic() + 3 * LIMITS.move_s)[0]
    assert isinstance(reply, Reply) and reply.turn == 2 and reply.payload == 2
    assert bot.channel.stale_replies == 1
    assert [record.get("note") for record in bot.records] == [None, None, "stale: turn 1 is older than turn 2", None]


def test_stderr_flood_is_capped_while_moves_flow(launch: Launch) -> None:
    flood = 2 * 1024 * 1024
    bot = launch("--stderr-flood", "--flood-bytes", str(flood), limits=Limits(startup_s=10.0, move_s=5.0))
    bot.handshake()
    replies = play(bot, range(3))
    assert all(isinstance(reply, Reply) for reply in replies)
    assert bot.finish() == 0
    bot.channel.close()
    debug = bot.channel.debug
    assert len(debug.data()) == LIMITS.debug_bytes
    assert debug.total == 3 * flood and debug.dropped == debug.total - LIMITS.debug_bytes


def test_slow_start_times_out_and_its_late_ready_is_a_protocol_error(launch: Launch) -> None:
    bot = launch("--slow-start", "--sleep", "0.4", limits=Limits(startup_s=0.2, move_s=2.0))
    assert_fault(bot.handshake(), Verdict.TIMEOUT, "no reply before the deadline")
    assert_fault(bot.ask(0), Verdict.PROTOCOL_ERROR, "line 1: ready while the move for turn 0 is awaited")


def test_stale_duplicates_are_discarded(launch: Launch) -> None:
    bot = launch("--stale")
    bot.handshake()
    replies = play(bot, range(4))
    assert [reply.turn for reply in replies if isinstance(reply, Reply)] == [0, 1, 2, 3]
    assert bot.channel.stale_replies == 3
    assert sum("stale" in record.get("note", "") for record in bot.records) == 3


def test_bad_version_is_a_protocol_error(launch: Launch) -> None:
    bot = launch("--bad-version")
    assert_fault(bot.handshake(), Verdict.PROTOCOL_ERROR, "line 1: bot speaks sky 2; this engine speaks sky 1")


# -- bots written with the sky library (api/python3/sky.py) --------------------------------------

LIBRARY_BOT = '''
import sky

def setup(hello):
    sky.debug("setup for seat", hello["seat"])

def move(observation, hello):
    print("a stray print goes to stderr")
    if observation.get("fail"):
        return 1 // 0
    return observation["legal"][-1]

result = sky.run(move, name="library-bot", setup=setup)
sky.debug("result", result)
'''


@pytest.fixture
def library_bot(tmp_path: Path) -> Path:
    shutil.copy(SKY_LIBRARY, tmp_path / "sky.py")
    (tmp_path / "bot.py").write_text(LIBRARY_BOT)
    return tmp_path


def test_a_sky_library_bot_plays_and_exits_cleanly(launch: Launch, library_bot: Path) -> None:
    bot = launch(PYTHON, "bot.py", cwd=library_bot)
    ready = bot.handshake()
    assert isinstance(ready, Reply) and ready.payload == "library-bot"
    replies = play(bot, range(3))
    assert [(r.turn, r.payload) for r in replies if isinstance(r, Reply)] == [(0, 6), (1, 6), (2, 6)]
    assert bot.finish() == 0
    bot.channel.close()
    debug = bot.channel.debug.text()
    assert "setup for seat 0" in debug and debug.count("a stray print goes to stderr") == 3
    assert "result {'scores': [1, 0]" in debug


def test_a_sky_library_bot_whose_move_raises_crashes_with_a_traceback(launch: Launch, library_bot: Path) -> None:
    bot = launch(PYTHON, "bot.py", cwd=library_bot)
    bot.handshake()
    assert_fault(bot.ask(0, {"fail": True}), Verdict.CRASH, "closed its output")
    assert bot.process.wait(5) == 1
    bot.channel.close()
    debug = bot.channel.debug.text()
    assert "Traceback" in debug and "ZeroDivisionError" in debug
    assert "the move function failed at turn 0" in debug


def test_a_sky_library_bot_exits_when_its_input_closes(library_bot: Path) -> None:
    """The engine goes away without an end message: the bot answers what it got, then exits 0."""
    hello = messages.hello(game="connect4", game_version="1.0", seat=1, seats=2, names=["a", "b"],
                           limits=LIMITS, game_map={}, seed=1)
    lines = [messages.state(1, connect4_observation(1))]
    data = b"".join(encode(message) for message in [hello, *lines])
    done = subprocess.run([PYTHON, "bot.py"], input=data, capture_output=True, cwd=library_bot, timeout=10)
    assert done.returncode == 0
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"type": "ready", "sky": 1, "name": "library-bot"}, {"type": "move", "turn": 1, "move": 6}]
    assert b"result None" in done.stderr
