"""The jail's set-up recipe, run in the forked child between fork and exec.

Each step is one small function; `RECIPE` lists them in the order they must run
(see docs/sandbox.md for why this order). A step that fails raises; `child_main`
reports the step and the error to the judge over the status pipe and exits 127,
so a bot never runs with less than the judge reported.

Only async-signal-safe-ish work happens here: no logging (its locks may be held by
another judge thread at fork time), no threads, no imports of new modules.
"""
from __future__ import annotations

import os
import resource
import signal
from collections.abc import Callable
from typing import NoReturn

import prctl

from .plan import Child, Plan

STATUS_FD = 3          # the status pipe's number in the child, closed by exec (O_CLOEXEC)
FIRST_FREE_FD = 4
CHILD_FAILED = 127


def setup_session(plan: Plan, child: Child) -> None:
    """Own session and process group; die with the judge."""
    os.setsid()
    prctl.set_pdeathsig(signal.SIGKILL)


def setup_fds(plan: Plan, child: Child) -> None:
    """stdin/stdout/stderr become the judge's pipes; every other fd is closed."""
    # Move every end above the target numbers first, so no dup2 clobbers another end.
    high = [os.dup(fd) for fd in (child.stdin, child.stdout, child.stderr, child.status)]
    for target, fd in enumerate(high):
        os.dup2(fd, target, inheritable=target != STATUS_FD)
    child.status = STATUS_FD
    os.closerange(FIRST_FREE_FD, os.sysconf("SC_OPEN_MAX"))
    os.chdir(plan.cwd)


def rearm_pdeathsig(plan: Plan, child: Child) -> None:
    """Changing credentials clears PDEATHSIG (prctl(2)); set it again."""
    prctl.set_pdeathsig(signal.SIGKILL)
    # In a pid namespace getppid() is 0; there the namespace init's own PDEATHSIG covers it.
    if not child.in_pid_namespace and os.getppid() != child.judge_pid:
        raise RuntimeError("the judge died during set-up")


def setup_rlimits(plan: Plan, child: Child) -> None:
    if not plan.on("rlimits"):
        return
    for which, (soft, hard) in plan.rlimits.items():
        resource.setrlimit(which, (soft, hard))


def no_new_privs(plan: Plan, child: Child) -> None:
    """No setuid bit or file capability can raise privileges after exec."""
    if plan.on("no_new_privs"):
        prctl.set_no_new_privs(1)


def execute(plan: Plan, child: Child) -> None:
    os.execve(plan.command.path, list(plan.command.argv), plan.env)


Step = Callable[[Plan, Child], None]
RECIPE: tuple[tuple[str, Step], ...] = (
    ("session", setup_session),
    ("fds", setup_fds),
    ("pdeathsig", rearm_pdeathsig),
    ("rlimits", setup_rlimits),
    ("no_new_privs", no_new_privs),
    ("exec", execute),
)


def child_main(plan: Plan, child: Child, recipe: tuple[tuple[str, Step], ...] = RECIPE) -> NoReturn:
    """Apply every step, then exec; on any failure tell the judge which step failed and why."""
    name = "fork"
    try:
        for name, step in recipe:
            step(plan, child)
    except BaseException as exc:  # the child must never return into the judge's code
        report_failure(name, exc, child)
    finally:
        os._exit(CHILD_FAILED)


def report_failure(step: str, exc: BaseException, child: Child) -> None:
    message = f"{step}\t{type(exc).__name__}: {exc}".encode(errors="replace")
    try:
        os.write(child.status, message)
    except OSError:
        pass  # the judge is gone; nobody is left to tell
