"""The one interface between the gameloop and a participant.

The gameloop never touches pipes, sockets or processes: it sends a hello, a
state per turn and an end message through a `Channel`, waits on `fds()` with a
deadline, and calls `pump()` to get the reply it is waiting for. A local bot is
a `PipeChannel` (sky over the bot's stdin/stdout); a remote learning agent is a
TCP-backed channel (coordinator). Both look the same from here.
"""
from __future__ import annotations

import select
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Collection, Hashable, TypeVar

from ..errors import BotFault
from ..outcome import Fault, Verdict

MoveLogSink = Callable[[dict[str, Any]], None]
"""Receives one record per message a participant sent: {"t", "turn", "bytes", "msg" | "raw", "note"?}."""


@dataclass(frozen=True, slots=True)
class Reply:
    """The reply a channel was waiting for: `ready` (handshake) or `move` (for `turn`)."""

    kind: str                 # "ready" | "move"
    turn: int | None          # None for "ready"
    payload: Any              # the bot's name for "ready"; the move for "move"
    latency_s: float          # from the request being written to the reply being read


class Channel(ABC):
    """One participant's link, as the gameloop sees it."""

    @abstractmethod
    def fds(self) -> list[int]:
        """File descriptors to watch for readability while a reply is awaited."""

    def buffered(self) -> bool:
        """True when `pump()` may have a reply without new input (lines or an error already read).

        `collect` pumps such channels before waiting. The default is the safe answer.
        """
        return True

    @abstractmethod
    def send_hello(self, hello: dict[str, Any], deadline: float) -> None:
        """Start the handshake; the `ready` reply then comes out of `pump()`. Raises BotFault."""

    @abstractmethod
    def send_state(self, turn: int, observation: dict[str, Any], deadline: float) -> None:
        """Ask for the move of `turn`; the move then comes out of `pump()`. Raises BotFault."""

    @abstractmethod
    def pump(self) -> Reply | None:
        """Read what is available without blocking; the awaited reply once complete, else None.

        Replies for an older turn are discarded and counted, never returned.
        Raises BotFault on EOF, garbage, an over-long line or a wrong message type.
        """

    @abstractmethod
    def send_end(self, result: dict[str, Any], deadline: float) -> None:
        """Tell the participant the match is over. Best effort: never raises."""

    @abstractmethod
    def close(self) -> None:
        """Release the transport. Idempotent."""


K = TypeVar("K", bound=Hashable)
_NOBODY: Any = object()


def collect(waiting: dict[K, Channel], deadline: float) -> dict[K, Reply | Fault]:
    """Wait until every channel in `waiting` replied or faulted, or `deadline` passed.

    Returns an entry for every key: its Reply, or the Fault it raised, or a
    TIMEOUT fault when the deadline passed first.
    """
    done: dict[K, Reply | Fault] = {}
    pending = {key: channel for key, channel in waiting.items()
               if not (channel.buffered() and _pump_one(key, channel, done))}
    if pending:
        _wait(pending, done, deadline)
    for key in pending:
        done[key] = Fault(Verdict.TIMEOUT, "no reply before the deadline")
    return done


def _wait(pending: dict[K, Channel], done: dict[K, Reply | Fault], deadline: float) -> None:
    """poll(2), not a selector: no epoll fd to create and close on every turn."""
    poller = select.poll()
    owner: dict[int, K] = {}
    for key, channel in pending.items():
        for fd in channel.fds():
            poller.register(fd, select.POLLIN)
            owner[fd] = key
    while pending:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        for fd, _ in poller.poll(remaining * 1000):
            key = owner.get(fd, _NOBODY)
            channel = pending.get(key) if key is not _NOBODY else None
            if channel is None:
                continue                     # both of its fds were ready; it already answered
            if _pump_one(key, channel, done):
                del pending[key]
                if pending:                  # the last one leaves with the poller
                    _keep_only(poller, owner, key, ())
            else:
                _keep_only(poller, owner, key, channel.fds())


def _keep_only(poller: select.poll, owner: dict[int, K], key: K, live: Collection[int]) -> None:
    """Unregister `key`'s fds that are not `live`: answered, or closed (a closed pipe polls readable forever)."""
    for fd in [fd for fd, owned in owner.items() if owned == key and fd not in live]:
        poller.unregister(fd)
        del owner[fd]


def _pump_one(key: K, channel: Channel, done: dict[K, Reply | Fault]) -> bool:
    try:
        reply = channel.pump()
    except BotFault as fault:
        done[key] = fault.fault
        return True
    if reply is None:
        return False
    done[key] = reply
    return True
