"""The seccomp supervisor: one daemon thread answers every jailed bot's notifications.

The filter (jail.seccomp) turns every call it does not simply allow into a
SECCOMP_RET_USER_NOTIF. The kernel then blocks the calling thread and hands the
judge the syscall number and arguments on a listener fd. The supervisor:
  - `kill`: records the call's name on the bot and SIGKILLs it (the call never runs);
  - `deny`: answers EPERM and counts the call for the error log;
  - lets exactly one execve through: the launcher's own, of the pinned program
    (see `allow_first_exec`); any later execve is `kill`.
A bot making more than MAX_DENIED denied calls is stopped (the judge answers each
one, so an endless loop of them would cost the judge as much CPU as the bot).
"""
from __future__ import annotations

import ctypes
import errno
import logging
import os
import select
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from collections import Counter

from .seccomp import AUDIT_ARCH_X86_64, decide
from .syscalls import Action

log = logging.getLogger(__name__)
MAX_DENIED = 10_000
SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1
EXECVE = 59


class _Data(ctypes.Structure):
    _fields_ = [("nr", ctypes.c_int), ("arch", ctypes.c_uint32), ("ip", ctypes.c_uint64),
                ("args", ctypes.c_uint64 * 6)]


class _Notif(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("pid", ctypes.c_uint32), ("flags", ctypes.c_uint32), ("data", _Data)]


class _Resp(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("val", ctypes.c_int64), ("error", ctypes.c_int32),
                ("flags", ctypes.c_uint32)]


def _iowr(nr: int, size: int) -> int:
    return (3 << 30) | (size << 16) | (ord("!") << 8) | nr


NOTIF_RECV = _iowr(0, ctypes.sizeof(_Notif))
NOTIF_SEND = _iowr(1, ctypes.sizeof(_Resp))
_ioctl = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p,
                          use_errno=True)(("ioctl", ctypes.CDLL(None, use_errno=True)))


@dataclass(frozen=True, slots=True)
class Call:
    """One notification: which call, from which (judge-namespace) pid, with what."""

    id: int
    pid: int
    arch: int
    nr: int
    args: tuple[int, ...]


def receive(listener: int) -> Call | None:
    """The next pending notification; None if its caller died meanwhile (ctypes drops the GIL)."""
    notif = _Notif()
    if _ioctl(listener, NOTIF_RECV, ctypes.byref(notif)) < 0:
        code = ctypes.get_errno()
        if code in (errno.ENOENT, errno.EINTR):
            return None
        raise OSError(code, f"SECCOMP_IOCTL_NOTIF_RECV: {os.strerror(code)}")
    data = notif.data
    return Call(notif.id, notif.pid, data.arch, data.nr, tuple(data.args))


def respond(listener: int, call: Call, *, error: int = 0, proceed: bool = False) -> None:
    reply = _Resp(call.id, 0, -error, SECCOMP_USER_NOTIF_FLAG_CONTINUE if proceed else 0)
    if _ioctl(listener, NOTIF_SEND, ctypes.byref(reply)) < 0 and ctypes.get_errno() != errno.ENOENT:
        code = ctypes.get_errno()
        raise OSError(code, f"SECCOMP_IOCTL_NOTIF_SEND: {os.strerror(code)}")


@dataclass(slots=True)
class Watched:
    """What the supervisor knows of one bot: how to judge its calls and how to stop it."""

    runtime: str
    own_pid: int
    stop: Callable[[str, str], None]            # (call, why): record it, SIGKILL the bot
    denied: Counter[str] = field(default_factory=Counter)


def handle(listener: int, call: Call, bot: Watched) -> None:
    """Answer one call by the policy: deny (counted) or kill (named)."""
    name, action, why = decide(bot.runtime, call.arch, call.nr, call.args, bot.own_pid)
    if action is Action.KILL:
        log.info("bot pid %d called forbidden %s (%s): stopping it", call.pid, name, why)
        bot.stop(name, why)
        return
    bot.denied[name] += 1
    if sum(bot.denied.values()) > MAX_DENIED:
        bot.stop(name, f"more than {MAX_DENIED} denied system calls")
        return
    respond(listener, call, error=errno.EPERM if action is Action.DENY else errno.ENOSYS)


def allow_first_exec(listener: int, bot: Watched, timeout_s: float) -> None:
    """During launch: answer calls until the child's own execve, which is let through."""
    poller = select.poll()
    poller.register(listener, select.POLLIN)
    while poller.poll(timeout_s * 1000):
        call = receive(listener)
        if call is None:
            continue
        if call.arch == AUDIT_ARCH_X86_64 and call.nr == EXECVE:
            respond(listener, call, proceed=True)      # our own code, single-threaded, before the bot runs
            return
        handle(listener, call, bot)
    raise TimeoutError("the jailed child never reached execve")


class Supervisor:
    """The judge-wide thread that serves every listener registered with `watch`."""

    def __init__(self) -> None:
        self._epoll = select.epoll()
        self._bots: dict[int, Watched] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, listener: int, bot: Watched) -> None:
        """Serve `listener` from now on; it is closed when the bot's last task exits."""
        with self._lock:
            self._bots[listener] = bot
            self._epoll.register(listener, select.EPOLLIN)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="seccomp-supervisor", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            for listener, events in self._epoll.poll():
                try:
                    self._serve(listener, events)
                except OSError:
                    # A listener the kernel refuses: stop serving it (its bot then blocks until
                    # the judge's wall-clock limit kills it), keep serving every other bot.
                    log.exception("seccomp listener %d failed; dropping it", listener)
                    self._drop(listener)

    def _serve(self, listener: int, events: int) -> None:
        with self._lock:
            bot = self._bots.get(listener)
        if bot is None:
            return
        if events & select.EPOLLIN:
            call = receive(listener)
            if call is not None:
                handle(listener, call, bot)
        elif events & (select.EPOLLHUP | select.EPOLLERR):
            self._drop(listener)

    def _drop(self, listener: int) -> None:
        with self._lock:
            if self._bots.pop(listener, None) is None:
                return
            self._epoll.unregister(listener)
        os.close(listener)


SUPERVISOR = Supervisor()
