"""Framing: newline-delimited lines with a size limit, read from a non-blocking fd.

A bot's stdout is a byte stream, not a message stream: one `read()` may hold
half a line, or ten lines, or the start of a line that never ends. `LineReader`
reassembles complete lines, and refuses a line as soon as its unterminated part
grows past the limit, so a bot that writes without a newline forever costs at
most `max_line` + one read chunk of memory (CPython's `StreamReader.readuntil`
does the same with its `limit`).
"""
from __future__ import annotations

import json
import os
from typing import Any

from ..errors import JudgeError

CHUNK = 64 * 1024          # a Linux pipe holds 64 KiB by default: one read usually empties it
MAX_READS = 16             # reads per call: a bot writing non-stop cannot keep the judge in one loop
PREFIX_BYTES = 200         # how much of a refused line the records keep

# check_circular off: its id() bookkeeping costs ~15% per state; a cyclic observation still
# fails, as RecursionError, and becomes a JudgeError below.
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False, check_circular=False)


class FramingError(Exception):
    """The byte stream cannot be cut into lines. `size` bytes so far; `prefix` starts the line."""

    def __init__(self, size: int, prefix: bytes) -> None:
        self.size, self.prefix = size, prefix
        super().__init__(self.describe())

    def describe(self) -> str:
        return f"{self.size} bytes"


class LineTooLong(FramingError):
    """A line grew past the limit (raised before the rest of it is read)."""

    def __init__(self, size: int, prefix: bytes, limit: int) -> None:
        self.limit = limit
        super().__init__(size, prefix)

    def describe(self) -> str:
        return f"a line over {self.limit} bytes ({self.size} bytes without a newline so far)"


class TruncatedLine(FramingError):
    """The stream ended in the middle of a line (`size` bytes after the last newline)."""

    def describe(self) -> str:
        return f"end of output in the middle of a line ({self.size} bytes without a newline)"


class LineReader:
    """Complete lines from a non-blocking fd, each at most `max_line` bytes (newline excluded).

    `read_available()` returns the lines completed so far. When the stream goes
    wrong, the lines before the fault are returned first and the next call
    raises (`LineTooLong`, or `TruncatedLine` at end of stream), and keeps
    raising. A clean end of stream sets `eof`. The reader never closes `fd`.
    """

    __slots__ = ("fd", "max_line", "eof", "_partial", "_error")

    def __init__(self, fd: int, max_line: int) -> None:
        self.fd = fd
        self.max_line = max_line
        self.eof = False
        self._partial = bytearray()
        self._error: FramingError | None = None

    @property
    def failed(self) -> bool:
        """True once the next `read_available()` will raise."""
        return self._error is not None

    def read_available(self) -> list[bytes]:
        """Read what the fd holds now (never blocks); return the complete lines in order."""
        if self._error is not None:
            raise self._error
        if self.eof:
            return []
        lines: list[bytes] = []
        for _ in range(MAX_READS):
            try:
                chunk = os.read(self.fd, CHUNK)
            except BlockingIOError:
                break
            if not chunk:
                self._end_of_stream()
                break
            self._cut(chunk, lines)
            # A short read emptied the pipe; with level-triggered poll, data that
            # arrives later makes the fd readable again, so no EAGAIN round is needed.
            if self._error is not None or len(chunk) < CHUNK:
                break
        if self._error is not None and not lines:
            raise self._error
        return lines

    def _cut(self, chunk: bytes, lines: list[bytes]) -> None:
        start = 0
        end = chunk.find(b"\n")
        while end >= 0:
            if self._partial:
                self._partial += chunk[start:end]
                line = bytes(self._partial)
                self._partial.clear()
            else:
                line = chunk[start:end]
            if len(line) > self.max_line:
                self._error = LineTooLong(len(line), line[:PREFIX_BYTES], self.max_line)
                return
            lines.append(line)
            start = end + 1
            end = chunk.find(b"\n", start)
        self._partial += chunk[start:]
        if len(self._partial) > self.max_line:
            self._error = LineTooLong(len(self._partial), bytes(self._partial[:PREFIX_BYTES]), self.max_line)
            self._partial = bytearray()      # the line is refused: free its memory now

    def _end_of_stream(self) -> None:
        self.eof = True
        if self._partial:
            self._error = TruncatedLine(len(self._partial), bytes(self._partial[:PREFIX_BYTES]))


def encode(message: dict[str, Any]) -> bytes:
    """One sky line: compact JSON (ASCII, so valid UTF-8) and a newline.

    Raises JudgeError when the engine's own message is not JSON data (a game
    bug: NaN, a set, an object): the bot is never blamed for it.
    """
    try:
        return (_ENCODER.encode(message) + "\n").encode()
    except (TypeError, ValueError, RecursionError) as exc:
        raise JudgeError(f"cannot encode a sky {message.get('type')!r} message: {exc}") from exc
