"""PipeChannel and collect over real pipes whose bot end the test writes itself (no process)."""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from phoenix_judge.errors import BotFault
from phoenix_judge.limits import Limits
from phoenix_judge.outcome import Fault, Verdict
from phoenix_judge.sky import PipeChannel, Reply, collect

LIMITS = Limits(line_bytes=1000, debug_bytes=100)


@dataclass
class Wire:
    """The bot's ends of the three pipes, driven by the test."""

    stdin: int
    stdout: int
    stderr: int
    records: list[dict[str, Any]] = field(default_factory=list)

    def say(self, *lines: dict[str, Any] | bytes) -> None:
        data = b"".join(line if isinstance(line, bytes) else json.dumps(line).encode() + b"\n" for line in lines)
        os.write(self.stdout, data)

    def heard(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in os.read(self.stdin, 1 << 20).splitlines()]


@pytest.fixture
def wired() -> Iterator[tuple[PipeChannel, Wire]]:
    pipes = [os.pipe() for _ in range(3)]
    wire = Wire(stdin=pipes[0][0], stdout=pipes[1][1], stderr=pipes[2][1])
    channel = PipeChannel(pipes[0][1], pipes[1][0], pipes[2][0], LIMITS, movelog=wire.records.append)
    yield channel, wire
    channel.close()
    for fd in (wire.stdin, wire.stdout, wire.stderr):
        _close_quietly(fd)


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass                      # the test closed it already, to play a bot that exits


def soon(seconds: float = 2.0) -> float:
    return time.monotonic() + seconds


def handshake(channel: PipeChannel, wire: Wire) -> None:
    channel.send_hello({"type": "hello", "sky": 1}, soon())
    wire.say({"type": "ready", "sky": 1, "name": "wired"})
    assert isinstance(channel.pump(), Reply)


def fault_of(channel: PipeChannel) -> Fault:
    with pytest.raises(BotFault) as caught:
        channel.pump()
    return caught.value.fault


def test_handshake_then_a_move(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    channel.send_hello({"type": "hello", "sky": 1, "seat": 0}, soon())
    assert wire.heard() == [{"type": "hello", "sky": 1, "seat": 0}]
    assert channel.pump() is None
    wire.say({"type": "ready", "sky": 1, "name": "wired"})
    ready = channel.pump()
    assert ready is not None and (ready.kind, ready.turn, ready.payload) == ("ready", None, "wired")
    channel.send_state(0, {"legal": [3]}, soon())
    assert wire.heard() == [{"type": "state", "turn": 0, "observation": {"legal": [3]}}]
    wire.say({"type": "move", "turn": 0, "move": 3})
    move = channel.pump()
    assert move is not None and (move.kind, move.turn, move.payload) == ("move", 0, 3)
    assert move.latency_s >= 0
    assert [record["msg"]["type"] for record in wire.records] == ["ready", "move"]
    assert wire.records[1]["turn"] == 0 and wire.records[1]["bytes"] == len(b'{"type": "move", "turn": 0, "move": 3}\n')


def test_a_stale_move_is_discarded_counted_and_logged(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    handshake(channel, wire)
    channel.send_state(0, {}, soon())
    channel.send_state(1, {}, soon())              # turn 0 timed out; its answer comes late
    wire.say({"type": "move", "turn": 0, "move": "late"}, {"type": "move", "turn": 1, "move": "ok"})
    reply = channel.pump()
    assert reply is not None and (reply.turn, reply.payload) == (1, "ok")
    assert channel.stale_replies == 1
    assert wire.records[1]["note"] == "stale: turn 0 is older than turn 1"
    wire.say({"type": "move", "turn": 1, "move": "again"})
    assert channel.pump() is None and channel.stale_replies == 2
    assert wire.records[-1]["note"] == "stale: turn 1 was already answered"


def test_lines_after_the_reply_are_handled_by_the_next_pump(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    handshake(channel, wire)
    channel.send_state(0, {}, soon())
    wire.say({"type": "move", "turn": 0, "move": 1}, b"garbage\n")
    assert channel.pump() is not None
    assert channel.buffered()
    fault = fault_of(channel)
    assert (fault.verdict, fault.reason) == (Verdict.PROTOCOL_ERROR, "line 3: not JSON: Expecting value at column 1")
    assert wire.records[-1]["raw"] == "garbage" and wire.records[-1]["note"] == fault.reason


@pytest.mark.parametrize(("line", "reason"), [
    ({"type": "move", "turn": 3, "move": 0}, "line 2: move for turn 3 while turn 2 is awaited"),
    ({"type": "ready", "sky": 1, "name": "x"}, "line 2: ready while the move for turn 2 is awaited"),
    ({"type": "hello"}, 'line 2: unknown message type "hello" (a bot sends ready or move)'),
])
def test_out_of_place_messages_are_protocol_errors(wired: tuple[PipeChannel, Wire], line: dict[str, Any],
                                                   reason: str) -> None:
    channel, wire = wired
    handshake(channel, wire)
    channel.send_state(2, {}, soon())
    wire.say(line)
    fault = fault_of(channel)
    assert (fault.verdict, fault.reason, fault.turn) == (Verdict.PROTOCOL_ERROR, reason, 2)


def test_a_move_during_the_handshake_is_a_protocol_error(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    channel.send_hello({"type": "hello"}, soon())
    wire.say({"type": "move", "turn": 0, "move": 0})
    assert fault_of(channel).reason == "line 1: move while the ready is awaited"


def test_an_over_long_line_is_an_output_limit_fault(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    handshake(channel, wire)
    channel.send_state(0, {}, soon())
    wire.say(b"[" * 1500)
    fault = fault_of(channel)
    assert (fault.verdict, fault.reason) == (Verdict.OUTPUT_LIMIT, "sent a line over 1000 bytes")
    assert wire.records[-1]["bytes"] == 1500 and wire.records[-1]["raw"] == "[" * 200


def test_end_of_output_is_a_crash(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    handshake(channel, wire)
    channel.send_state(0, {}, soon())
    os.close(wire.stdout)
    assert collect({"seat": channel}, soon())["seat"] == Fault(Verdict.CRASH, "closed its output (exited?)", turn=0)


def test_end_of_output_in_the_middle_of_a_line_says_so(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    handshake(channel, wire)
    wire.say(b'{"type":"mo')
    os.close(wire.stdout)
    fault = collect({0: channel}, soon())[0]
    assert isinstance(fault, Fault)
    assert fault.reason == "closed its output (exited?) in the middle of a line"


def test_writing_to_a_bot_that_closed_its_input_is_a_crash(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    handshake(channel, wire)
    os.close(wire.stdin)
    with pytest.raises(BotFault) as caught:
        channel.send_state(0, {}, soon())
    assert (caught.value.fault.verdict, caught.value.fault.reason) == (Verdict.CRASH, "closed its input")


def test_a_bot_that_does_not_read_makes_the_write_time_out(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    handshake(channel, wire)
    deadline = soon(0.2)
    with pytest.raises(BotFault) as caught:
        channel.send_state(0, {"pad": "x" * 300_000}, deadline)     # more than a pipe holds
    assert time.monotonic() >= deadline
    assert caught.value.fault.verdict is Verdict.TIMEOUT
    assert caught.value.fault.reason.startswith("did not read its input for 0.")
    with pytest.raises(BotFault) as again:          # half a state is in the pipe: no later message may follow
        channel.send_state(1, {}, soon())
    assert again.value.fault == caught.value.fault


def test_output_is_drained_while_a_write_waits(wired: tuple[PipeChannel, Wire]) -> None:
    """A bot busy writing stderr and stdout before it reads is not blamed for the full pipe."""
    channel, wire = wired
    handshake(channel, wire)

    def bot() -> None:
        os.write(wire.stderr, b"e" * 500_000)
        os.write(wire.stdout, json.dumps({"type": "move", "turn": 0, "move": "stale"}).encode() + b"\n")
        while os.read(wire.stdin, 1 << 16):
            pass

    thread = threading.Thread(target=bot)
    thread.start()
    channel.send_state(1, {"pad": "x" * 300_000}, soon(5))
    channel.send_end({}, soon())                     # closes the bot's stdin: the thread ends
    thread.join()
    assert channel.debug.total == 500_000
    assert channel.pump() is None and channel.stale_replies == 1


def test_send_end_and_close_never_fail(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    handshake(channel, wire)
    os.close(wire.stdin)
    channel.send_end({"you": 0}, soon(0.1))
    channel.send_end({"you": 0}, soon(0.1))
    channel.close()
    channel.close()
    assert channel.fds() == []


def test_stderr_is_kept_up_to_the_cap_and_counted(wired: tuple[PipeChannel, Wire]) -> None:
    channel, wire = wired
    os.write(wire.stderr, b"d" * 150)
    channel.close()                                  # takes the last of stderr
    assert channel.debug.data() == b"d" * 100
    assert (channel.debug.total, channel.debug.dropped) == (150, 50)
    assert channel.debug.text().endswith("[phoenix: 50 more bytes of stderr dropped (150 in all)]\n")


class CountingChannel(PipeChannel):
    pumps = 0

    def pump(self) -> Reply | None:
        self.pumps += 1
        return super().pump()


def test_a_closed_stderr_does_not_make_collect_spin() -> None:
    pipes = [os.pipe() for _ in range(3)]
    channel = CountingChannel(pipes[0][1], pipes[1][0], pipes[2][0], LIMITS)
    os.close(pipes[2][1])                            # the bot closes its stderr and goes quiet
    deadline = soon(0.2)
    result = collect({0: channel}, deadline)
    assert result[0] == Fault(Verdict.TIMEOUT, "no reply before the deadline")
    assert channel.pumps <= 2 and channel.fds() == [pipes[1][0]]
    channel.close()
    for fd in (pipes[0][0], pipes[1][1]):
        os.close(fd)


def test_collect_takes_replies_and_times_out_the_silent(wired: tuple[PipeChannel, Wire]) -> None:
    fast, fast_wire = wired
    pipes = [os.pipe() for _ in range(3)]
    silent = PipeChannel(pipes[0][1], pipes[1][0], pipes[2][0], LIMITS)
    handshake(fast, fast_wire)
    fast.send_state(0, {}, soon())
    silent.send_hello({"type": "hello"}, soon())
    fast_wire.say({"type": "move", "turn": 0, "move": 6})
    result = collect({"fast": fast, "silent": silent}, soon(0.2))
    assert isinstance(result["fast"], Reply) and result["fast"].payload == 6
    assert result["silent"] == Fault(Verdict.TIMEOUT, "no reply before the deadline")
    silent.close()
    for fd in (pipes[0][0], pipes[1][1], pipes[2][1]):
        os.close(fd)
