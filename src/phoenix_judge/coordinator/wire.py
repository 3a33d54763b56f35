"""Framing of the coordinator's TCP stream, byte-compatible with NetSecGame (AI Dojo).

Agent -> server: a stream of JSON values with no delimiter between them
(NetSecGame agents `sendall(json.dumps(action))` and nothing else). One
`recv()` may hold half a request or three of them, so `RequestScanner` finds
where each value ends by tracking brackets and strings, never by read
boundaries. A value may not grow past a size limit, nor nest deeper than
`MAX_DEPTH` (json.loads would recurse once per level).

Server -> agent: each response is one JSON object followed by the marker
``EOF``. NetSecGame clients read until the marker appears anywhere in what they
received, then delete every occurrence of it; a payload that itself contains
the text "EOF" (an agent called "EOF-bot", a string in an observation) would be
cut short. `encode_response` therefore writes the E of every such occurrence
as the JSON escape \\u0045: after decoding it is the same string, but the
marker bytes never occur inside a payload. (Outside strings JSON has no "EOF":
numbers are written with a lower-case e, and the encoder's own escapes use
lower-case hex digits.)
"""
from __future__ import annotations

import json
import re
from typing import Any

from .protocol import RequestError

END_OF_MESSAGE = b"EOF"
MAX_DEPTH = 64                  # objects/arrays inside one another in one request

_ESCAPED_MARKER = "\\u0045OF"
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
# A whole string in one match when it is complete (the common case), else its opening quote.
_STRUCTURE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]"]', re.DOTALL)
_STRING_END = re.compile(rb'["\\]')
_TOKEN_END = re.compile(rb'[ \t\r\n{\["]')
_WHITESPACE = b" \t\r\n"


def encode_response(message: dict[str, Any]) -> bytes:
    """`message` as JSON with the marker escaped, followed by the marker."""
    text = _ENCODER.encode(message)      # ASCII only: every non-ASCII character is a \\u escape
    return text.replace("EOF", _ESCAPED_MARKER).encode("ascii") + END_OF_MESSAGE


def encode_request(request: dict[str, Any]) -> bytes:
    """A request as the agent sends it: bare JSON, no delimiter."""
    return _ENCODER.encode(request).encode("ascii")


def decode_value(raw: bytes) -> Any:
    """The JSON value in one frame; RequestError says why it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError("a request must be UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:          # JSONDecodeError, NaN/Infinity, integers over 4300 digits
        reason = f"{exc.msg} at character {exc.pos}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise RequestError(f"not valid JSON: {reason}") from None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class RequestScanner:
    """Cuts a byte stream into the texts of successive JSON values.

    `feed(data)` returns the frames completed so far: the bytes of one value,
    or a RequestError for a value nested too deep (its bytes are skipped). A
    bare token (a number, `true`, or garbage such as `hello`) ends at
    whitespace or at the start of the next value. Once the value being read
    grows past `max_bytes`, `overflow` is set and the stream cannot be resumed.
    """

    __slots__ = ("max_bytes", "overflow", "_buf", "_pos", "_kind", "_depth", "_deepest", "_in_string")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.overflow = False
        self._buf = bytearray()
        self._pos = 0
        self._kind: str | None = None        # None between values, else "nested" or "token"
        self._depth = self._deepest = 0
        self._in_string = False

    def feed(self, data: bytes) -> list[bytes | RequestError]:
        if self.overflow:
            return []
        self._buf += data
        frames: list[bytes | RequestError] = []
        while (end := self._scan()) is not None and end <= self.max_bytes:
            frames.append(self._cut(end))
        if end is not None or len(self._buf) > self.max_bytes:
            self.overflow = True
            self._buf.clear()
        return frames

    def _cut(self, end: int) -> bytes | RequestError:
        frame = bytes(self._buf[:end])
        del self._buf[:end]
        deepest, self._kind, self._pos, self._deepest = self._deepest, None, 0, 0
        if deepest > MAX_DEPTH:
            return RequestError(f"a request may nest objects and arrays at most {MAX_DEPTH} deep")
        return frame

    def _scan(self) -> int | None:
        """End offset of the value at the start of the buffer, or None while it is incomplete."""
        if self._kind is None and not self._start():
            return None
        if self._kind == "token":
            match = _TOKEN_END.search(self._buf, self._pos)
            self._pos = len(self._buf) if match is None else match.start()
            return None if match is None else match.start()
        return self._scan_nested()

    def _start(self) -> bool:
        skip = len(self._buf) - len(self._buf.lstrip(_WHITESPACE))
        del self._buf[:skip]
        if not self._buf:
            return False
        first = self._buf[0]
        self._kind, self._pos = ("token", 1) if first not in b'{["' else ("nested", 1)
        self._depth = self._deepest = 1 if first in b"{[" else 0
        self._in_string = first == ord('"')
        return True

    def _scan_nested(self) -> int | None:
        buf, pos = self._buf, self._pos
        while True:
            pattern = _STRING_END if self._in_string else _STRUCTURE
            match = pattern.search(buf, pos)
            if match is None:
                self._pos = len(buf)
                return None
            char, pos = buf[match.start()], match.end()
            if char == ord('"') and pos - match.start() > 1:      # a complete string: skip it
                if self._depth == 0:
                    return pos
                continue
            if char == ord("\\"):
                if pos >= len(buf):              # the escaped character has not arrived yet
                    self._pos = match.start()
                    return None
                pos += 1
            elif char == ord('"'):
                self._in_string = not self._in_string
                if not self._in_string and self._depth == 0:
                    return pos
            elif char in b"{[":
                self._depth += 1
                self._deepest = max(self._deepest, self._depth)
            else:
                self._depth -= 1
                if self._depth == 0:
                    return pos


class ResponseSplitter:
    """The client side: cuts the server's stream at each marker; a response may not exceed `max_bytes`."""

    __slots__ = ("max_bytes", "_buf")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        payloads: list[bytes] = []
        while (end := self._buf.find(END_OF_MESSAGE)) >= 0:
            payloads.append(bytes(self._buf[:end]))
            del self._buf[:end + len(END_OF_MESSAGE)]
        if len(self._buf) > self.max_bytes:
            raise ConnectionError(f"a response grew past {self.max_bytes} bytes without the end marker")
        return payloads
