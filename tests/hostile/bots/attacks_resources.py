"""Attacks on the judge's resources: threads, memory, CPU, time, output, disk, fds, rlimits."""
from __future__ import annotations

import os
import resource
import signal
import threading

from hostile_lib import Attack, Context, describe, sleep_forever

MIB = 1024 * 1024
THREAD_CAP = 4096             # a thread bomb stops here (an escape: the limit is far lower)
THREAD_STACK = 256 * 1024     # small stacks, so the process limit stops the bomb, not RLIMIT_AS
MEMORY_CHUNK = 16 * MIB
FILE_CAP = 256 * MIB          # huge-file gives up (an escape) past this
SCRATCH_CAP = 64 * MIB        # fill-scratch gives up (an escape) past this
FD_CAP = 100_000
IGNORED_SIGNALS = (signal.SIGTERM, signal.SIGXCPU, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1,
                   signal.SIGUSR2, signal.SIGALRM, signal.SIGXFSZ)


def thread_bomb(ctx: Context) -> bool:
    """Start sleeping threads until refused; more than the process limit is an escape."""
    threading.stack_size(THREAD_STACK)
    count = 0
    try:
        while count < THREAD_CAP:
            threading.Thread(target=sleep_forever, daemon=True).start()
            count += 1
    except RuntimeError as exc:
        ctx.report("threads", "info", f"{count} threads, then {exc}")
    limit = ctx.limits["processes"]
    outcome = "escaped" if count >= limit else "blocked"
    ctx.report("thread-count", outcome, f"started {count} threads; the process limit is {limit}")
    return False


def memory_bomb(ctx: Context) -> bool:
    """Touch memory until something stops it (bytes * n writes every page)."""
    hoard = []
    while True:
        hoard.append(b"\xa5" * MEMORY_CHUNK)


def cpu_spin(ctx: Context) -> bool:
    while True:
        pass


def sleep_forever_attack(ctx: Context) -> bool:
    sleep_forever()
    return True


def ignore_signals_spin(ctx: Context) -> bool:
    """Ignore every catchable signal a judge might send first, then spin."""
    for number in IGNORED_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    ctx.report("signals", "info", "ignoring SIGTERM, SIGXCPU and friends")
    return cpu_spin(ctx)


def stderr_flood(ctx: Context) -> bool:
    """Flood stderr from a thread for the rest of the match while playing on."""
    def flood() -> None:
        chunk = b"flood!\n" * 9362
        try:
            while True:
                os.write(2, chunk)
        except OSError:
            return
    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    ctx.keep.append(thread)
    return False


def huge_file(ctx: Context) -> bool:
    """Grow a file in the bot's own folder past the file-size limit (the error is not caught)."""
    chunk = b"\0" * MIB
    written = 0
    with open("huge.bin", "wb") as handle:
        try:
            while written < FILE_CAP:
                written += handle.write(chunk)
                handle.flush()
        except OSError as exc:
            ctx.blocked("huge-file", exc)
            raise
    ctx.escaped("huge-file", f"wrote {written} bytes")
    return False


def fill_scratch(ctx: Context) -> bool:
    """Fill /tmp with files under the file-size limit until the disk is full."""
    size = min(ctx.limits["file_bytes"] // 2, 4 * MIB) or MIB
    written, index = 0, 0
    try:
        while written < SCRATCH_CAP:
            with open(f"/tmp/hostile-{ctx.args.token}-{index}", "wb") as handle:
                handle.write(b"\x5a" * size)
            written, index = written + size, index + 1
    except OSError as exc:
        ctx.report("fill-scratch", "blocked", f"{describe(exc)} after {written} bytes")
        return False
    ctx.escaped("fill-scratch", f"wrote {written} bytes to /tmp without running out of space")
    return False


def too_many_fds(ctx: Context) -> bool:
    opened = []
    try:
        while len(opened) < FD_CAP:
            opened.append(os.dup(2))
    except OSError as exc:
        ctx.report("fds", "info", f"{len(opened)} extra fds, then {describe(exc)}")
    ctx.keep.append(opened)
    limit = ctx.limits["open_files"]
    total = len(opened) + 3
    ctx.report("fd-count", "escaped" if total > limit else "blocked", f"{total} fds open; the limit is {limit}")
    return False


RAISED = {"CPU": resource.RLIMIT_CPU, "AS": resource.RLIMIT_AS, "NOFILE": resource.RLIMIT_NOFILE,
          "NPROC": resource.RLIMIT_NPROC, "FSIZE": resource.RLIMIT_FSIZE}


def raise_rlimits(ctx: Context) -> bool:
    """Try to lift each hard limit to unlimited."""
    for name, which in RAISED.items():
        soft, hard = resource.getrlimit(which)
        if hard == resource.RLIM_INFINITY:
            ctx.report(name, "info", "no hard limit to raise")
            continue
        target = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
        if ctx.attempt(name, lambda: resource.setrlimit(which, target) or True):
            ctx.escaped(name, f"raised from {(soft, hard)} to {resource.getrlimit(which)}")
    return False


ATTACKS: dict[str, Attack] = {
    "thread-bomb": thread_bomb, "memory-bomb": memory_bomb, "cpu-spin": cpu_spin,
    "sleep-forever": sleep_forever_attack, "ignore-signals-spin": ignore_signals_spin,
    "stderr-flood": stderr_flood, "huge-file": huge_file, "fill-scratch": fill_scratch,
    "too-many-fds": too_many_fds, "raise-rlimits": raise_rlimits,
}
