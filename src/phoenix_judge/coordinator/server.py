"""The coordinator's TCP front: an asyncio server, one `Link` per connection.

A link reads the agent's byte stream in its own task (so a disconnect is seen
even while the agent waits for an answer), cuts it into requests, and serves
them one at a time: the next request is taken only once the previous one is
answered, which is the request/response order NetSecGame agents rely on.
What one connection may cost is bounded (NetLimits): the size of a request,
the requests read ahead, the time an agent may stay silent, the time it may
take to accept an answer, and the number of connections.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from .lobby import Agent, Lobby
from .protocol import AgentStatus, GameStatus, RequestError, bad_request, observation, parse_request, response
from .settings import NetLimits
from .wire import RequestScanner, decode_value, encode_response

log = logging.getLogger(__name__)

READ_CHUNK = 64 * 1024
READ_AHEAD = 8              # requests buffered behind the one being served; then TCP pushes back
REFUSE_GRACE_S = 1.0        # a refused agent may send its first request before the socket closes
MAX_REFUSING = 32           # refusals in progress; beyond this a connection is closed at once
_OVERSIZE = object()


class Link:
    """One agent's connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, limits: NetLimits) -> None:
        self.reader, self.writer, self.limits = reader, writer, limits
        self.requests: asyncio.Queue[Any] = asyncio.Queue(READ_AHEAD)
        self.closed = False
        self._scanner = RequestScanner(limits.max_message_bytes)
        self._replies: deque[dict[str, Any]] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def deliver(self, message: dict[str, Any]) -> None:
        """Called by the lobby, now or later, with the answer to the request being served."""
        self._replies.append(message)
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def serve(self, lobby: Lobby, agent: Agent) -> None:
        reading = asyncio.create_task(self._read())
        try:
            while (frame := await self._next_request(lobby, agent)) is not None:
                if frame is _OVERSIZE:
                    await self.send(bad_request(f"a request may be at most {self.limits.max_message_bytes} bytes"))
                    return
                if not await self._serve_one(lobby, agent, frame):
                    return
        finally:
            reading.cancel()

    async def _next_request(self, lobby: Lobby, agent: Agent) -> Any:
        try:
            async with asyncio.timeout(self.limits.idle_timeout_s):
                return await self.requests.get()
        except TimeoutError:
            log.info("%s sent nothing for %.0f s: disconnected", agent.id, self.limits.idle_timeout_s)
            await self.send(farewell(agent, f"no request for {self.limits.idle_timeout_s:g} s: disconnected"))
            return None

    async def _serve_one(self, lobby: Lobby, agent: Agent, frame: bytes | RequestError) -> bool:
        try:
            if isinstance(frame, RequestError):
                raise frame
            request = parse_request(decode_value(frame))
        except RequestError as exc:
            log.debug("%s: bad request: %s", agent.id, exc)
            await self.send(bad_request(str(exc)))
            return True
        log.debug("%s: %s", agent.id, request)
        if not lobby.handle(agent, request):
            return True
        reply = await self._next_reply()
        if reply is None:
            return False
        await self.send(reply)
        return True

    async def _next_reply(self) -> dict[str, Any] | None:
        """The lobby's answer, or None when the agent disconnected first."""
        while not self._replies:
            if self.closed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        return self._replies.popleft()

    async def _read(self) -> None:
        try:
            while data := await self.reader.read(READ_CHUNK):
                for frame in self._scanner.feed(data):
                    await self.requests.put(frame)
                if self._scanner.overflow:
                    await self.requests.put(_OVERSIZE)
                    break
        except ConnectionError as exc:
            log.debug("read failed: %s", exc)
        finally:
            self.closed = True
            self._wake()
        await self.requests.put(None)

    async def send(self, message: dict[str, Any]) -> None:
        """Write one framed answer; an agent that does not take it in time is disconnected."""
        self.writer.write(encode_response(message))
        async with asyncio.timeout(self.limits.write_timeout_s):
            await self.writer.drain()

    async def close(self) -> None:
        self.writer.close()
        try:
            async with asyncio.timeout(self.limits.write_timeout_s):
                await self.writer.wait_closed()
        except (TimeoutError, ConnectionError):
            self.writer.transport.abort()


def farewell(agent: Agent, reason: str) -> dict[str, Any]:
    """The last message a connection gets when the server ends it."""
    state = agent.run.last_state if agent.run is not None else None
    obs = observation(state, 0.0, True, {"end_reason": str(AgentStatus.Shutdown), "info": reason})
    return response(GameStatus.FORBIDDEN, obs, reason)


@dataclass(slots=True)
class _Connection:
    link: Link
    agent: Agent
    serving: asyncio.Task[None]       # Link.serve
    handler: asyncio.Task[Any]        # the task asyncio runs the connection callback in


def _log_end(agent: Agent, serving: asyncio.Task[None]) -> None:
    if serving.cancelled() or serving.exception() is None:
        return
    exc = serving.exception()
    if isinstance(exc, (ConnectionError, TimeoutError)):
        log.info("%s: connection lost: %s", agent.id, exc or type(exc).__name__)
    else:       # a bug in the coordinator: this connection ends, the server goes on
        log.error("%s: connection failed", agent.id, exc_info=exc)


class CoordinatorServer:
    """Accepts agents for one `Lobby`."""

    def __init__(self, lobby: Lobby, limits: NetLimits) -> None:
        self.lobby, self.limits = lobby, limits
        self.links: dict[str, _Connection] = {}    # by server-assigned agent id
        self._server: asyncio.Server | None = None
        self._refusing = 0

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Listen; returns the address actually bound (port 0 picks a free one)."""
        self._server = await asyncio.start_server(self._accept, host, port)
        return self._server.sockets[0].getsockname()[:2]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self.links) >= self.limits.max_connections:
            await self._refuse(reader, writer)
            return
        link = Link(reader, writer, self.limits)
        agent = self.lobby.connect(link.deliver)
        # The link runs in a task of its own that `stop` may cancel: cancelling the
        # task asyncio made for this callback makes asyncio 3.11 log a spurious error.
        serving = asyncio.create_task(link.serve(self.lobby, agent))
        self.links[agent.id] = _Connection(link, agent, serving, asyncio.current_task())
        log.info("%s connected from %s", agent.id, writer.get_extra_info("peername"))
        try:
            await asyncio.wait([serving])
            _log_end(agent, serving)
        finally:
            self.links.pop(agent.id, None)
            self.lobby.leave(agent)
            await link.close()
            log.info("%s disconnected", agent.id)

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._refusing >= MAX_REFUSING:
            writer.transport.abort()
            return
        self._refusing += 1
        reason = f"the server is full: {self.limits.max_connections} connections are open; try again later"
        log.info("refused a connection from %s: full", writer.get_extra_info("peername"))
        writer.write(encode_response(response(GameStatus.FORBIDDEN, message=reason)))
        # Read the agent's first request before closing: closing a socket with unread
        # input sends RST, and the agent could lose the reason before reading it.
        with contextlib.suppress(TimeoutError, ConnectionError):
            async with asyncio.timeout(REFUSE_GRACE_S):
                await writer.drain()
                await reader.read(self.limits.max_message_bytes)
        writer.transport.close()
        self._refusing -= 1

    async def stop(self, reason: str = "the server is shutting down") -> None:
        """Stop accepting, tell every connected agent why, close every connection."""
        if self._server is not None:
            self._server.close()
        self.lobby.shutdown()
        connections = list(self.links.values())
        for connection in connections:
            if not connection.link.writer.is_closing():
                connection.link.writer.write(encode_response(farewell(connection.agent, reason)))
            connection.serving.cancel()
        await asyncio.gather(*(connection.handler for connection in connections), return_exceptions=True)
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
        leftovers = asyncio.all_tasks(self._loop)       # refusals still in their grace period
        for task in leftovers:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        self._loop.close()
