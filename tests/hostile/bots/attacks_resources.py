"""Attacks on the judge's resources: threads, memory, CPU, time, output, disk, fds, rlimits."""
from __future__ import annotations

import hashlib
import os
import resource
import signal
import threading
import time

from hostile_lib import Attack, Context, describe, sleep_forever

MIB = 1024 * 1024
THREAD_CAP = 4096             # a thread bomb stops here (an escape: the limit is far lower)
THREAD_STACK = 256 * 1024     # small stacks, so the process limit stops the bomb, not RLIMIT_AS
MEMORY_CHUNK = 16 * MIB
FILE_CAP = 256 * MIB          # huge-file gives up (an escape) past this
SCRATCH_CAP = 64 * MIB        # fill-scratch gives up (an escape) past this
ARENA_CAP = 256 * MIB         # fill-arena gives up (an escape: the host's disk has no bound) past this
FD_CAP = 100_000
BURNERS = 4
BURN_BYTES = 1024 * 1024
STARTUP_SHARE = 0.8           # of the start-up limit the cpu-burn bot spends burning
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


def cpu_burn_threads(ctx: Context) -> bool:
    """Before ready: spin in BURNERS threads while the main thread waits, within the start-up
    limit. No wall clock runs out; only the match's CPU limit (all threads together) can stop it."""
    for _ in range(BURNERS):
        threading.Thread(target=spin, daemon=True).start()
    time.sleep(ctx.limits["startup_s"] * STARTUP_SHARE)
    ctx.report("burn", "info", "still running after the burn; playing on")
    return False


def spin() -> None:
    """Burn CPU without holding the GIL (hashlib releases it for large inputs), so the
    threads run in parallel and the main thread still answers in time."""
    data = bytes(BURN_BYTES)
    while True:
        hashlib.sha256(data).digest()


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
    fill(ctx, "fill-scratch", f"/tmp/hostile-{ctx.args.token}", SCRATCH_CAP)
    return False


def fill_arena(ctx: Context) -> bool:
    """The same in the bot's own folder, the one place it may write that is on the judge's disk."""
    fill(ctx, "fill-arena", "fill", ARENA_CAP)
    return False


def fill(ctx: Context, step: str, prefix: str, cap: int) -> None:
    """Write files just under the file-size limit until refused; reaching `cap` is an escape."""
    size = min(ctx.limits["file_bytes"] // 2, 4 * MIB) or MIB
    block = b"\x5a" * size
    written, index = 0, 0
    try:
        while written < cap:
            with open(f"{prefix}-{index}", "wb") as handle:
                handle.write(block)
            written, index = written + size, index + 1
    except OSError as exc:
        ctx.report(step, "blocked", f"{describe(exc)} after {written} bytes")
        return
    ctx.escaped(step, f"wrote {written} bytes in {index} files without running out of space")


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


def prlimit_judge(ctx: Context) -> bool:
    """Read, then set (to the same value), a limit of the judge's process."""
    pid = ctx.args.judge_pid
    current = ctx.attempt("prlimit read", lambda: resource.prlimit(pid, resource.RLIMIT_CORE))
    if current is not None:
        ctx.escaped("prlimit read", f"reads the judge's RLIMIT_CORE {current}")
        if ctx.attempt("prlimit set", lambda: resource.prlimit(pid, resource.RLIMIT_CORE, current)):
            ctx.escaped("prlimit set", "can set the judge's limits")
    return False


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
    "thread-bomb": thread_bomb, "memory-bomb": memory_bomb, "cpu-spin": cpu_spin, "cpu-burn-threads": cpu_burn_threads,
    "sleep-forever": sleep_forever_attack, "ignore-signals-spin": ignore_signals_spin,
    "stderr-flood": stderr_flood, "huge-file": huge_file, "fill-scratch": fill_scratch,
    "too-many-fds": too_many_fds, "raise-rlimits": raise_rlimits, "fill-arena": fill_arena,
    "prlimit-judge": prlimit_judge,
}
