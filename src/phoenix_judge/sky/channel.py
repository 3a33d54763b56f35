"""The one interface between the gameloop and a participant.

The gameloop never touches pipes, sockets or processes: it sends a hello, a
state per turn and an end message through a `Channel`, waits on `fds()` with a
deadline, and calls `pump()` to get the reply it is waiting for. A local bot is
a `PipeChannel` (sky over the bot's stdin/stdout); a remote learning agent is a
TCP-backed channel (coordinator). Both look the same from here.
"""
from __future__ import annotations

import selectors
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Hashable, TypeVar

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


def collect(waiting: dict[K, Channel], deadline: float) -> dict[K, Reply | Fault]:
    """Wait until every channel in `waiting` replied or faulted, or `deadline` passed.

    Returns an entry for every key: its Reply, or the Fault it raised, or a
    TIMEOUT fault when the deadline passed first.
    """
    done: dict[K, Reply | Fault] = {}
    pending = dict(waiting)
    _drain(pending, done)
    if not pending:
        return done
    with selectors.DefaultSelector() as selector:
        for key, channel in pending.items():
            for fd in channel.fds():
                selector.register(fd, selectors.EVENT_READ, key)
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready = {event.data for event, _ in selector.select(remaining)}
            for key in ready & pending.keys():
                if _pump_one(key, pending[key], done):
                    for fd in pending.pop(key).fds():
                        selector.unregister(fd)
    for key in pending:
        done[key] = Fault(Verdict.TIMEOUT, "no reply before the deadline")
    return done


def _drain(pending: dict[K, Channel], done: dict[K, Reply | Fault]) -> None:
    """Replies already buffered (a fast bot) are taken without waiting."""
    for key in [key for key, channel in pending.items() if _pump_one(key, channel, done)]:
        del pending[key]


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
