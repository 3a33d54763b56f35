"""Real-socket helpers for the coordinator tests: a server in a thread, its events, a raw client."""
from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections import Counter
from typing import Any, Iterator

from kit import lobby
from phoenix_judge.coordinator.lobby import Agent, Lobby
from phoenix_judge.coordinator.server import BackgroundServer
from phoenix_judge.coordinator.settings import ServeConfig
from phoenix_judge.coordinator.wire import END_OF_MESSAGE, ResponseSplitter, encode_request

WAIT_S = 10.0          # upper bound for anything a test waits for; reached only when the code is broken


class Events:
    """What the lobby reported, for tests to wait on (the lobby calls it on the server's thread)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._changed = threading.Condition()

    def __call__(self, kind: str, agent: Agent | None) -> None:
        with self._changed:
            self.counts[kind] += 1
            self._changed.notify_all()

    def wait(self, kind: str, count: int = 1) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self.counts[kind] >= count, WAIT_S):
                raise AssertionError(f"no {count} x {kind!r} within {WAIT_S} s: {dict(self.counts)}")


@contextlib.contextmanager
def served(cfg: ServeConfig, log_dir: Any = None) -> Iterator[tuple[tuple[str, int], Events, BackgroundServer]]:
    events = Events()
    lob: Lobby = lobby(cfg, log_dir)
    lob.listeners.append(events)
    background = BackgroundServer(lob, cfg.limits)
    with background as address:
        yield address, events, background


class RawClient:
    """A bare TCP client: bytes in, framed answers out (no agent library in the way)."""

    def __init__(self, address: tuple[str, int], **sockopts: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # pipelined requests leave at once
        for option, value in sockopts.items():
            self.sock.setsockopt(socket.SOL_SOCKET, getattr(socket, option), value)
        self.sock.settimeout(WAIT_S)
        self.sock.connect(address)
        self._splitter = ResponseSplitter(64 * 1024 * 1024)
        self._ready: list[bytes] = []

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def action(self, action_type: str, **parameters: Any) -> None:
        self.send(encode_request({"action_type": f"ActionType.{action_type}", "parameters": parameters}))

    def join(self, role: str = "Attacker", name: str = "raw") -> None:
        self.action("JoinGame", agent_info={"name": name, "role": role})

    def receive_raw(self) -> bytes:
        while not self._ready:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self._ready.extend(self._splitter.feed(chunk))
        return self._ready.pop(0)

    def receive(self) -> dict[str, Any]:
        return json.loads(self.receive_raw())

    def closed_by_server(self) -> bool:
        """True when the server closed the connection (after any answers still buffered)."""
        with contextlib.suppress(ConnectionResetError):     # RST instead of FIN: closed all the same
            while chunk := self.sock.recv(65536):
                self._ready.extend(self._splitter.feed(chunk))
        return True

    def close(self) -> None:
        self.sock.close()


def netsecgame_receive(sock: socket.socket) -> bytes:
    """NetSecGame's BaseAgent._receive_data, verbatim in logic: read until the marker, drop every marker."""
    data = b""
    while True:
        chunk = sock.recv(8192)
        if not chunk:
            break
        data += chunk
        if END_OF_MESSAGE in data:
            break
    return data.replace(END_OF_MESSAGE, b"")
