"""A TCP agent in an ordinary match: `RemoteAgentChannel`, and `accept_agents` to seat them.

The gameloop sees one more `sky.Channel`; the agent sees the coordinator
protocol. Its JoinGame is answered (CREATED) with the first state the match
sends it, each PlayMove with the next state (OK) when its seat must move
again, and the last request with the end of the match (end = true). The match
has no resets: ResetGame and JoinGame are answered BAD_REQUEST, QuitGame or a
disconnect is the fault DISCONNECTED, a frame over the size limit OUTPUT_LIMIT.
Requests the agent sent before it could see a state (pipelining) are
discarded and counted in `stale_replies`, like a bot's move for an old turn.
"""
from __future__ import annotations

import contextlib
import logging
import select
import selectors
import socket
import time
from collections import deque
from typing import Any, Mapping

from ..errors import BotFault, UserError
from ..outcome import Fault, Verdict
from ..sky.channel import Channel, MoveLogSink, Reply
from .protocol import (AgentStatus, GameStatus, JoinRequest, MoveRequest, QuitRequest, RequestError, bad_request,
                       observation, parse_request, response)
from .settings import NetLimits, Rewards
from .wire import RequestScanner, decode_value, encode_response

log = logging.getLogger(__name__)

RECV_CHUNK = 64 * 1024
NO_REWARDS = Rewards(step=0.0, success=0.0, fail=0.0, draw=0.0)
_OUT_OF_MATCH = "the judge ended this seat's match (a timeout, an illegal move or a protocol error: see the result)"


class RemoteAgentChannel(Channel):
    """One agent that joined over TCP, playing one seat of one match."""

    def __init__(self, sock: socket.socket, join: JoinRequest, *, agent_id: str, limits: NetLimits = NetLimits(),
                 rewards: Rewards = NO_REWARDS, scanner: RequestScanner | None = None,
                 movelog: MoveLogSink | None = None) -> None:
        sock.setblocking(False)
        self.sock, self.join, self.agent_id, self.limits, self.rewards = sock, join, agent_id, limits, rewards
        self._scanner = scanner or RequestScanner(limits.max_message_bytes)
        self._queue: deque[bytes | RequestError] = deque()
        self._movelog = movelog
        self._epoch = time.monotonic()
        self._hello: dict[str, Any] = {}
        self._awaiting: str | None = None          # "ready" | "move" | None
        self._turn: int | None = None
        self._sent_at = 0.0
        self._answered_join = False
        self._last_state: Any = None
        self._closed = False
        self._ended = False
        self.stale_replies = 0

    # ---- the Channel interface -------------------------------------------------------------

    def fds(self) -> list[int]:
        return [] if self._closed else [self.sock.fileno()]

    def buffered(self) -> bool:
        """The `ready` needs no input (the JoinGame came before the match), queued requests neither."""
        return self._awaiting == "ready" or bool(self._queue)

    def send_hello(self, hello: dict[str, Any], deadline: float) -> None:
        """The agent joined already: its `ready` is its JoinGame, returned by the next `pump()`."""
        self._hello, self._awaiting = hello, "ready"

    def send_state(self, turn: int, observation_: dict[str, Any], deadline: float) -> None:
        """Answer the agent's pending request with the state of `turn`; its next PlayMove is the move."""
        self._read_available()
        self._drop_stale()
        status = GameStatus.OK if self._answered_join else GameStatus.CREATED
        message = None if self._answered_join else self._welcome()
        obs = observation(observation_, self.rewards.step if self._answered_join else 0.0, False)
        self._write(response(status, obs, message), deadline)
        self._answered_join, self._last_state = True, observation_
        self._turn, self._awaiting, self._sent_at = turn, "move", time.monotonic()

    def pump(self) -> Reply | None:
        if self._awaiting == "ready":
            self._awaiting = None
            return Reply("ready", None, self.join.name, 0.0)
        if self._awaiting != "move":
            return None
        self._read_available()
        while self._queue:
            reply = self._handle(self._queue.popleft())
            if reply is not None:
                return reply
        return None

    def send_end(self, result: dict[str, Any], deadline: float) -> None:
        """Answer with the end of the match (end = true, the result in info). Never raises."""
        you = result.get("you")
        ranks = result.get("ranks", [])
        status = _status(ranks, you)
        reward = {AgentStatus.Success: self.rewards.success, AgentStatus.Draw: self.rewards.draw}.get(
            status, self.rewards.fail)
        obs = observation(self._last_state, reward, True, {"end_reason": str(status), "result": result})
        with contextlib.suppress(BotFault):        # best effort: the match is over either way
            self._write(response(GameStatus.OK, obs), deadline)
        self._awaiting = None
        self._ended = True
        self.close()

    def close(self) -> None:
        """Close the socket (an agent still in the match is told why first). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if not self._ended:
            with contextlib.suppress(OSError):      # one try, no waiting: the seat is out already
                self.sock.send(encode_response(response(GameStatus.FORBIDDEN, message=_OUT_OF_MATCH)))
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)       # FIN after anything written, then close
        self.sock.close()

    # ---- requests ----------------------------------------------------------------------------

    def _handle(self, frame: bytes | RequestError) -> Reply | None:
        now = time.monotonic()
        try:
            request = parse_request(decode_value(frame)) if isinstance(frame, bytes) else _raise(frame)
        except RequestError as exc:
            self._log(now, frame, str(exc))
            self._write(bad_request(str(exc)), now + self.limits.write_timeout_s)
            return None
        self._log(now, frame, None)
        match request:
            case MoveRequest():
                self._awaiting = None
                return Reply("move", self._turn, request.move, now - self._sent_at)
            case QuitRequest():
                raise BotFault(Fault(Verdict.DISCONNECTED, "the agent quit (ActionType.QuitGame)"))
            case _:
                reason = "already joined" if isinstance(request, JoinRequest) else "a match has no resets"
                self._write(bad_request(f"{reason}: send ActionType.PlayMove"), now + self.limits.write_timeout_s)
                return None

    def _drop_stale(self) -> None:
        while self._queue:
            frame = self._queue.popleft()
            self.stale_replies += 1
            self._log(time.monotonic(), frame, "sent before the agent could see this state: discarded")

    def _read_available(self) -> None:
        while True:
            try:
                data = self.sock.recv(RECV_CHUNK)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                raise BotFault(Fault(Verdict.DISCONNECTED, f"the connection failed: {exc}")) from exc
            if not data:
                raise BotFault(Fault(Verdict.DISCONNECTED, "the agent closed the connection"))
            self._queue.extend(self._scanner.feed(data))
            if self._scanner.overflow:
                raise BotFault(Fault(Verdict.OUTPUT_LIMIT,
                                     f"sent a request over {self.limits.max_message_bytes} bytes"))

    def _write(self, message: dict[str, Any], deadline: float) -> None:
        data = memoryview(encode_response(message))
        while data:
            try:
                data = data[self.sock.send(data):]
                continue
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as exc:
                raise BotFault(Fault(Verdict.DISCONNECTED, f"the connection failed: {exc}")) from exc
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [self.sock], [], remaining)[1]:
                raise BotFault(Fault(Verdict.TIMEOUT, "did not take its answer before the deadline"))

    def _welcome(self) -> dict[str, Any]:
        hello = self._hello
        return {"message": f"Welcome {self.join.name}, registered as {self.join.role}", "agent_id": self.agent_id,
                "seat": hello.get("seat"), "seats": hello.get("seats"), "game": hello.get("game"),
                "game_version": hello.get("game_version"), "names": hello.get("names"),
                "limits": hello.get("limits"), "seed": hello.get("seed"), "max_steps": None,
                "actions": ["ActionType.PlayMove", "ActionType.QuitGame"]}

    def _log(self, now: float, frame: bytes | RequestError, note: str | None) -> None:
        if self._movelog is None:
            return
        raw = frame if isinstance(frame, bytes) else b""
        record: dict[str, Any] = {"t": round(now - self._epoch, 6), "turn": self._turn, "bytes": len(raw),
                                  "raw": raw[:200].decode("utf-8", "replace")}
        if note is not None:
            record["note"] = note
        self._movelog(record)


def _raise(error: RequestError) -> Any:
    raise error


def _status(ranks: list[int], you: Any) -> AgentStatus:
    if not isinstance(you, int) or not 0 <= you < len(ranks) or ranks[you] != 1:
        return AgentStatus.Fail
    return AgentStatus.Success if ranks.count(1) == 1 else AgentStatus.Draw


def accept_agents(listener: socket.socket, seats: Mapping[int, str], *, timeout_s: float,
                  limits: NetLimits = NetLimits(), rewards: Rewards = NO_REWARDS) -> dict[int, RemoteAgentChannel]:
    """Accept agents on `listener` until one has joined each seat of `seats` (seat index -> RemoteSeat name).

    A JoinGame whose role or name equals a seat's name takes that seat, else the
    first free one. Raises UserError when a seat is still empty after `timeout_s`.
    """
    arrivals = _Arrivals(listener, dict(seats), limits, rewards)
    deadline = time.monotonic() + timeout_s
    with selectors.DefaultSelector() as selector:
        selector.register(listener, selectors.EVENT_READ, None)
        while arrivals.free:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                arrivals.abandon()
                names = ", ".join(f"{index} ({name})" for index, name in sorted(arrivals.free.items()))
                raise UserError(f"no agent joined remote seat(s) {names} within {timeout_s:g} s")
            for key, _ in selector.select(remaining):
                arrivals.on_ready(key, selector)
    arrivals.abandon()
    return arrivals.channels


class _Arrivals:
    """Connections that have not joined yet, and the seats still free."""

    def __init__(self, listener: socket.socket, free: dict[int, str], limits: NetLimits, rewards: Rewards) -> None:
        self.listener, self.free, self.limits, self.rewards = listener, free, limits, rewards
        self.waiting: dict[socket.socket, RequestScanner] = {}
        self.channels: dict[int, RemoteAgentChannel] = {}

    def on_ready(self, key: selectors.SelectorKey, selector: selectors.BaseSelector) -> None:
        if key.data is None:
            sock, _ = self.listener.accept()
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)    # one answer = one segment, now
            self.waiting[sock] = RequestScanner(self.limits.max_message_bytes)
            selector.register(sock, selectors.EVENT_READ, "agent")
            return
        sock = key.fileobj
        if self._take_join(sock):
            selector.unregister(sock)

    def _take_join(self, sock: Any) -> bool:
        """Read what `sock` sent; True once it is seated or dropped."""
        scanner = self.waiting[sock]
        try:
            data = sock.recv(RECV_CHUNK)
        except OSError:
            data = b""
        frames = scanner.feed(data) if data else []
        if not data or scanner.overflow:
            self._drop(sock)
            return True
        for frame in frames:
            if self._seat(sock, frame, scanner):
                return True
        return False

    def _seat(self, sock: socket.socket, frame: bytes | RequestError, scanner: RequestScanner) -> bool:
        try:
            request = parse_request(decode_value(frame)) if isinstance(frame, bytes) else _raise(frame)
            if not isinstance(request, JoinRequest):
                raise RequestError("join the game first (ActionType.JoinGame)")
        except RequestError as exc:
            with contextlib.suppress(OSError):      # a small answer on a fresh socket; if it fails, it fails
                sock.send(encode_response(bad_request(str(exc))))
            return False
        index = self._pick(request)
        del self.waiting[sock]
        del self.free[index]
        agent_id = f"remote{index}"
        self.channels[index] = RemoteAgentChannel(sock, request, agent_id=agent_id, limits=self.limits,
                                                  rewards=self.rewards, scanner=scanner)
        log.info("%s (%r, role %r) takes remote seat %d", agent_id, request.name, request.role, index)
        return True

    def _pick(self, request: JoinRequest) -> int:
        wanted = {request.role.casefold(), request.name.casefold()}
        named = [index for index, name in sorted(self.free.items()) if name.casefold() in wanted]
        return named[0] if named else min(self.free)

    def _drop(self, sock: socket.socket) -> None:
        self.waiting.pop(sock, None)
        sock.close()

    def abandon(self) -> None:
        """Connections still waiting when every seat is taken (or time ran out) are told and closed."""
        for sock in list(self.waiting):
            with contextlib.suppress(OSError):
                sock.sendall(encode_response(response(GameStatus.FORBIDDEN, message="every remote seat is taken")))
            self._drop(sock)
