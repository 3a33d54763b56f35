"""The coordinator's TCP front: an asyncio server, one `AgentConnection` protocol per agent.

Callbacks, not stream tasks: bytes arrive in `data_received`, are cut into
requests by the RequestScanner, and are served one at a time: the next request
is taken only once the previous one is answered, the request/response order
NetSecGame agents rely on. An answer may come at once or much later (when the
agent's turn comes); `deliver` writes it whenever the lobby releases it. A
disconnect is seen at once (`connection_lost`), even while the agent waits.

What one connection may cost is bounded (NetLimits): the size of a request,
the requests read ahead (then reading pauses and TCP pushes back), the time an
agent may stay silent when a request is expected, the time a written answer
may sit unread (pause_writing starts the clock), and the number of connections.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from typing import Any

from .lobby import Agent, Lobby
from .protocol import AgentStatus, GameStatus, RequestError, bad_request, observation, parse_request, response
from .settings import NetLimits
from .wire import RequestScanner, decode_value, encode_response

log = logging.getLogger(__name__)

READ_AHEAD = 8              # requests buffered behind the one being served; then reading pauses
REFUSE_GRACE_S = 1.0        # a refused agent may send its first request before the socket closes
MAX_REFUSING = 32           # refusals in progress; beyond this a connection is dropped at once
_OVERSIZE = object()


def farewell(agent: Agent | None, reason: str) -> dict[str, Any]:
    """The last message a connection gets when the server ends it."""
    state = agent.run.last_state if agent is not None and agent.run is not None else None
    obs = observation(state, 0.0, True, {"end_reason": str(AgentStatus.Shutdown), "info": reason})
    return response(GameStatus.FORBIDDEN, obs, reason)


class AgentConnection(asyncio.Protocol):
    """One agent's TCP connection."""

    def __init__(self, server: CoordinatorServer) -> None:
        self.server, self.limits = server, server.limits
        self.agent: Agent | None = None
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()
        self._scanner = RequestScanner(self.limits.max_message_bytes)
        self._backlog: deque[Any] = deque()
        self._serving = False          # a request is waiting for its answer
        self._expecting_since: float | None = None     # when the agent became due to send a request
        self._closing = False
        self._timers: dict[str, asyncio.TimerHandle] = {}

    # ---- asyncio callbacks ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        if len(self.server.connections) >= self.limits.max_connections:
            self._refuse()
            return
        self.agent = self.server.lobby.connect(self.deliver)
        self.server.connections[self.agent.id] = self
        log.info("%s connected from %s", self.agent.id, transport.get_extra_info("peername"))
        self._expect_request()

    def data_received(self, data: bytes) -> None:
        if self.agent is None:                 # refused: its first request is in, now close
            self.transport.close()
            return
        if self._closing:
            return
        self._expecting_since = None
        self._backlog.extend(self._scanner.feed(data))
        if self._scanner.overflow:
            self._backlog.append(_OVERSIZE)
        if len(self._backlog) > READ_AHEAD:
            self.transport.pause_reading()
        self._serve()

    def pause_writing(self) -> None:
        self._arm("write", self.limits.write_timeout_s, self._too_slow)

    def resume_writing(self) -> None:
        self._disarm("write")

    def connection_lost(self, exc: Exception | None) -> None:
        for name in list(self._timers):
            self._disarm(name)
        if self.agent is not None:
            self.server.connections.pop(self.agent.id, None)
            self.server.lobby.leave(self.agent)
            log.info("%s disconnected%s", self.agent.id, f": {exc}" if exc else "")
        else:
            self.server.refusing -= 1
        if not self.closed.done():
            self.closed.set_result(None)

    # ---- serving ----------------------------------------------------------------------------

    def deliver(self, message: dict[str, Any]) -> None:
        """Called by the lobby, now or later, with the answer to the request being served."""
        self._serving = False
        self._write(message)
        if self._backlog:
            # Not from inside the lobby (it may be settling another agent's request): soon.
            asyncio.get_running_loop().call_soon(self._serve)
        elif not self._closing:
            self._expect_request()

    def _serve(self) -> None:
        while self._backlog and not self._serving and not self._closing:
            self._serve_one(self._backlog.popleft())
        if self._closing:
            return
        if len(self._backlog) <= READ_AHEAD:
            self.transport.resume_reading()
        if not self._serving and not self._backlog:
            self._expect_request()

    def _serve_one(self, frame: Any) -> None:
        if frame is _OVERSIZE:
            self.close(bad_request(f"a request may be at most {self.limits.max_message_bytes} bytes"))
            return
        try:
            if isinstance(frame, RequestError):
                raise frame
            request = parse_request(decode_value(frame))
        except RequestError as exc:
            log.debug("%s: bad request: %s", self.agent.id, exc)
            self._write(bad_request(str(exc)))
            return
        log.debug("%s: %s", self.agent.id, request)
        self._serving = True               # before handle: the answer may be delivered inside it
        if not self.server.lobby.handle(self.agent, request):
            self._serving = False          # QuitGame has no answer

    def _write(self, message: dict[str, Any]) -> None:
        if not self._closing:
            self.transport.write(encode_response(message))

    # ---- ending -----------------------------------------------------------------------------

    def close(self, last: dict[str, Any]) -> None:
        """Write `last`, then close; an agent that does not take it in time is cut off."""
        self._write(last)
        self._closing = True
        self._expecting_since = None
        self._disarm("idle")
        self.transport.close()
        self._arm("write", self.limits.write_timeout_s, self._too_slow)

    def _expect_request(self) -> None:
        # One timer per connection, re-armed only when it fires: arming and cancelling
        # a timer per request would cost more than the rest of a step's bookkeeping.
        self._expecting_since = asyncio.get_running_loop().time()
        if "idle" not in self._timers:
            self._arm("idle", self.limits.idle_timeout_s, self._idle)

    def _idle(self) -> None:
        self._timers.pop("idle", None)
        if self._closing:
            return
        since = self._expecting_since
        waited = 0.0 if since is None else asyncio.get_running_loop().time() - since
        if waited < self.limits.idle_timeout_s:       # busy, or a request came meanwhile: look again later
            self._arm("idle", self.limits.idle_timeout_s - waited, self._idle)
            return
        log.info("%s sent nothing for %g s: disconnected", self.agent.id, self.limits.idle_timeout_s)
        self.close(farewell(self.agent, f"no request for {self.limits.idle_timeout_s:g} s: disconnected"))

    def _too_slow(self) -> None:
        log.info("%s did not take its answers within %g s: disconnected",
                 self.agent.id if self.agent else "a refused agent", self.limits.write_timeout_s)
        self.transport.abort()

    def _refuse(self) -> None:
        self.server.refusing += 1
        if self.server.refusing > MAX_REFUSING:
            self.transport.abort()
            return
        reason = f"the server is full: {self.limits.max_connections} connections are open; try again later"
        log.info("refused a connection from %s: full", self.transport.get_extra_info("peername"))
        self.transport.write(encode_response(response(GameStatus.FORBIDDEN, message=reason)))
        # Closing with the agent's first request unread would send RST, and the agent
        # could lose the reason: wait for that request (data_received), or a grace period.
        self._arm("refuse", REFUSE_GRACE_S, self.transport.close)

    def _arm(self, name: str, delay: float, callback: Any) -> None:
        self._disarm(name)
        self._timers[name] = asyncio.get_running_loop().call_later(delay, callback)

    def _disarm(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()


class CoordinatorServer:
    """Accepts agents for one `Lobby`."""

    def __init__(self, lobby: Lobby, limits: NetLimits) -> None:
        self.lobby, self.limits = lobby, limits
        self.connections: dict[str, AgentConnection] = {}     # by server-assigned agent id
        self.refusing = 0
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Listen; returns the address actually bound (port 0 picks a free one)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: AgentConnection(self), host, port)
        return self._server.sockets[0].getsockname()[:2]

    async def stop(self, reason: str = "the server is shutting down") -> None:
        """Stop accepting, tell every connected agent why, and wait until every connection is closed."""
        if self._server is not None:
            self._server.close()
        self.lobby.shutdown()
        connections = list(self.connections.values())
        for connection in connections:
            connection.close(farewell(connection.agent, reason))
        await asyncio.gather(*(connection.closed for connection in connections))
        if self._server is not None:
            await self._server.wait_closed()


class BackgroundServer:
    """A coordinator on its own event loop in a thread: for tests, benchmarks and embedding.

        with BackgroundServer(lobby, limits) as (host, port): ...
    """

    def __init__(self, lobby: Lobby, limits: NetLimits, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = CoordinatorServer(lobby, limits)
        self._where = (host, port)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coordinator", daemon=True)
        self.address: tuple[str, int] = ("", 0)

    def __enter__(self) -> tuple[str, int]:
        self._thread.start()
        self._ready.wait()
        return self.address

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def call(self, function: Any, *args: Any) -> Any:
        """Run `function(*args)` on the server's loop (the lobby is not thread-safe) and return its result."""
        async def call() -> Any:
            return function(*args)
        return asyncio.run_coroutine_threadsafe(call(), self._loop).result()

    def stop(self) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result()
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self.address = self._loop.run_until_complete(self.server.start(*self._where))
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()
