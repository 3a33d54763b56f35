"""PipeChannel: sky over a local bot's stdin, stdout and stderr pipes.

The engine never blocks on a bot. All three fds are non-blocking; a write that
does not fit in the pipe waits for writability only until its deadline (while
still draining the bot's output, so a bot busy writing is not blamed for not
reading), and reads take only what is there. Every fault is raised as
`BotFault(Fault(verdict, reason))`; docs/sky.md has the table.

The per-move path is one write, one read and one JSON decode: no selector or
per-message objects beyond the reply and its move-log record.
"""
from __future__ import annotations

import logging
import os
import select
import time
from typing import Any

from ..errors import BotFault
from ..limits import Limits
from ..outcome import Fault, Verdict
from . import messages
from .channel import Channel, MoveLogSink, Reply
from .debuglog import DebugLog
from .framing import CHUNK, MAX_READS, PREFIX_BYTES, FramingError, LineReader, LineTooLong, encode
from .messages import ProtocolError

log = logging.getLogger(__name__)

_CLOSED = -1
LOGGED_STALE_PER_TURN = 8      # discarded lines a turn that the move log records one by one
MAX_STALE_PER_TURN = 1000      # past this, a bot repeating old moves is flooding: output_limit


class PipeChannel(Channel):
    """One local bot, spoken to in sky over pipes.

    `stdin` is the write end of the bot's stdin, `stdout` and `stderr` the read
    ends of its output pipes; the channel owns all three (sets them
    non-blocking, closes them in `close()`). `movelog` receives one record per
    line the bot sent; the bot's stderr goes to `debug` (a new `DebugLog` of
    `limits.debug_bytes` when not given). Move-log times count from `epoch`
    (a `time.monotonic()` value; default: now), so seats of a match can share one.
    """

    def __init__(self, stdin: int, stdout: int, stderr: int, limits: Limits, *,
                 movelog: MoveLogSink | None = None, debug: DebugLog | None = None,
                 epoch: float | None = None) -> None:
        for fd in (stdin, stdout, stderr):
            os.set_blocking(fd, False)
        self._stdin, self._stdout, self._stderr = stdin, stdout, stderr
        self._fds = [stdout, stderr]
        self._stderr_open = True
        self._reader = LineReader(stdout, limits.line_bytes)
        self.limits = limits
        self.debug = debug if debug is not None else DebugLog(limits.debug_bytes)
        self._movelog = movelog
        self._epoch = time.monotonic() if epoch is None else epoch
        self._awaiting: str | None = None      # "ready" | "move" | None
        self._turn: int | None = None          # newest turn sent
        self._sent_at = 0.0
        self._line_no = 0
        self._backlog: list[bytes] = []        # lines read but not yet handled
        self._broken: Fault | None = None      # why nothing more can be written
        self.stale_replies = 0
        self._stale_this_turn = 0
        """Moves for an older (or already answered) turn: discarded, logged, counted here."""

    # -- the Channel interface -------------------------------------------------------------------

    def fds(self) -> list[int]:
        """stdout, and stderr until the bot closes it (a closed pipe would keep polling readable)."""
        return self._fds

    def buffered(self) -> bool:
        return bool(self._backlog) or self._reader.eof or self._reader.failed

    def send_hello(self, hello: dict[str, Any], deadline: float) -> None:
        """Send `hello` (built by `messages.hello`); the `ready` then comes out of `pump()`."""
        self._write(encode(hello), deadline)
        self._awaiting = "ready"
        self._sent_at = time.monotonic()

    def send_state(self, turn: int, observation: dict[str, Any], deadline: float) -> None:
        if self._turn is not None and turn <= self._turn:
            raise ValueError(f"turn ids must increase: {turn} after {self._turn}")
        self._turn, self._awaiting, self._stale_this_turn = turn, "move", 0
        self._write(encode(messages.state(turn, observation)), deadline)
        self._sent_at = time.monotonic()

    def pump(self) -> Reply | None:
        if self._backlog:
            lines, self._backlog = self._backlog, []
            reply = self._handle_lines(lines)
            if reply is not None:
                return reply
        lines = self._read_lines()
        reply = self._handle_lines(lines)
        if reply is not None:
            return reply
        if self._reader.eof or self._reader.failed:
            self._read_lines()          # raises the framing fault, if there is one
            raise self._fault(Verdict.CRASH, "closed its output (exited?)")
        self.drain_debug()
        return None

    def send_end(self, result: dict[str, Any], deadline: float) -> None:
        """Send the end message, then close the bot's stdin (EOF tells it to exit). Never raises on a bot's fault."""
        if self._stdin == _CLOSED:
            return
        try:
            self._write(encode(messages.end(result)), deadline)
        except BotFault as fault:
            log.debug("end message not delivered: %s", fault)
        self._close_stdin()

    def close(self) -> None:
        """Keep the last of the bot's stderr, then close every fd. Idempotent."""
        if self._stdout == _CLOSED:
            return
        self.drain_debug()
        self._close_stdin()
        for fd in self._stdout, self._stderr:
            os.close(fd)
        self._stdout = self._stderr = _CLOSED
        self._stderr_open = False
        self._fds = []

    # -- reading ----------------------------------------------------------------------------------

    def drain_debug(self) -> None:
        """Move what the bot wrote to stderr into `debug` (bounded per call, never blocks)."""
        if not self._stderr_open:
            return
        for _ in range(MAX_READS):
            try:
                data = os.read(self._stderr, CHUNK)
            except BlockingIOError:
                return
            if not data:
                self._stderr_open = False
                self._fds = [self._stdout]
                return
            self.debug.feed(data)
            if len(data) < CHUNK:
                return

    def _read_lines(self) -> list[bytes]:
        try:
            return self._reader.read_available()
        except FramingError as exc:
            self._log(time.monotonic(), exc.size, None, exc.prefix, exc.describe())
            if isinstance(exc, LineTooLong):
                raise self._fault(Verdict.OUTPUT_LIMIT, f"sent a line over {exc.limit} bytes") from None
            raise self._fault(Verdict.CRASH, "closed its output (exited?) in the middle of a line") from None

    def _handle_lines(self, lines: list[bytes]) -> Reply | None:
        for index, line in enumerate(lines):
            reply = self._handle(line)
            if reply is not None:
                self._backlog = lines[index + 1:]
                return reply
        return None

    def _handle(self, line: bytes) -> Reply | None:
        self._line_no += 1
        now = time.monotonic()
        try:
            message = messages.parse(line, self._line_no)
            reply, note = self._place(message, now)
        except ProtocolError as exc:
            self._log(now, len(line) + 1, None, line, str(exc))
            raise self._fault(Verdict.PROTOCOL_ERROR, str(exc)) from None
        if note is not None and self._stale_flood(now, line, note):
            return None
        self._log(now, len(line) + 1, message, None, note)
        return reply

    def _stale_flood(self, now: float, line: bytes, note: str) -> bool:
        """Count a discarded line; True when it is past the few a turn that the move log keeps.

        A bot could otherwise grow the move log (and the judge's parsing work) without bound
        by repeating an old move: past MAX_STALE_PER_TURN it is an output-limit fault.
        """
        self._stale_this_turn += 1
        if self._stale_this_turn > MAX_STALE_PER_TURN:
            raise self._fault(Verdict.OUTPUT_LIMIT, f"sent over {MAX_STALE_PER_TURN} discarded lines in one turn")
        if self._stale_this_turn == LOGGED_STALE_PER_TURN + 1:
            self._log(now, len(line) + 1, None, line, f"{note}; further discarded lines this turn are counted, not logged")
        return self._stale_this_turn > LOGGED_STALE_PER_TURN

    def _place(self, message: dict[str, Any], now: float) -> tuple[Reply | None, str | None]:
        """The awaited reply, or (None, why it is discarded); ProtocolError when out of place."""
        kind, line_no = message["type"], self._line_no
        if kind == "move" and self._awaiting != "ready":
            turn = messages.move_turn(message, line_no)
            stale = messages.judge_turn(turn, self._turn, self._awaiting == "move", line_no)
            if stale is not None:
                self.stale_replies += 1
                return None, stale
            self._awaiting = None
            return Reply("move", turn, message["move"], now - self._sent_at), None
        if kind == "ready" and self._awaiting == "ready":
            name = messages.ready_name(message, line_no)
            self._awaiting = None
            return Reply("ready", None, name, now - self._sent_at), None
        raise messages.unexpected(kind, self._awaited_text(), line_no)

    def _awaited_text(self) -> str | None:
        if self._awaiting == "move":
            return f"the move for turn {self._turn}"
        return "the ready" if self._awaiting == "ready" else None

    def _log(self, now: float, size: int, message: Any, raw: bytes | None, note: str | None) -> None:
        if self._movelog is None:
            return
        record: dict[str, Any] = {"t": round(now - self._epoch, 6), "turn": self._turn, "bytes": size}
        if raw is None:
            record["msg"] = message
        else:
            record["raw"] = raw[:PREFIX_BYTES].decode("utf-8", "backslashreplace")
        if note:
            record["note"] = note
        self._movelog(record)

    # -- writing ----------------------------------------------------------------------------------

    def _write(self, data: bytes, deadline: float) -> None:
        if self._broken is not None:
            raise BotFault(self._broken)
        rest = self._write_some(memoryview(data))
        if rest:                            # the pipe is full: the slow path
            self._write_rest(rest, deadline)

    def _write_some(self, data: memoryview) -> memoryview:
        try:
            return data[os.write(self._stdin, data):]
        except BlockingIOError:
            return data
        except BrokenPipeError:
            raise self._fault(Verdict.CRASH, "closed its input") from None

    def _write_rest(self, data: memoryview, deadline: float) -> None:
        """The pipe is full: wait for the bot to read, keeping its output flowing meanwhile."""
        started = time.monotonic()
        poller = select.poll()
        poller.register(self._stdin, select.POLLOUT)
        for fd in self._fds:
            poller.register(fd, select.POLLIN)
        while data:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                waited = round(time.monotonic() - started, 3)
                fault = self._fault(Verdict.TIMEOUT, f"did not read its input for {waited:g}s")
                self._broken = fault.fault   # half a message is in the pipe: nothing more can follow it
                raise fault
            for fd, _ in poller.poll(remaining * 1000):
                if fd == self._stdin:
                    data = self._write_some(data)
                else:
                    self._absorb(fd, poller)

    def _absorb(self, fd: int, poller: select.poll) -> None:
        """Read output that arrived during a blocked write; it is handled by the next `pump()`."""
        if fd == self._stderr:
            self.drain_debug()
            if not self._stderr_open:
                poller.unregister(fd)
            return
        try:
            self._backlog += self._reader.read_available()
        except FramingError:
            pass                           # the reader keeps the error: the next pump() raises it
        if self._reader.eof or self._reader.failed:
            poller.unregister(fd)

    def _close_stdin(self) -> None:
        if self._stdin != _CLOSED:
            os.close(self._stdin)
            self._stdin = _CLOSED

    def _fault(self, verdict: Verdict, reason: str) -> BotFault:
        log.debug("bot fault at turn %s: %s: %s", self._turn, verdict, reason)
        return BotFault(Fault(verdict, reason, turn=self._turn))
