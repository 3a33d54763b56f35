"""launch(): plan a bot's jail in the judge, fork, run the recipe in the child, hand back a BotProcess."""
from __future__ import annotations

import logging
import os
import select
from collections.abc import Sequence
from pathlib import Path

import prctl

from ..errors import LaunchError
from ..limits import Limits
from .plan import Child, Plan
from .policy import environment, rlimits
from .process import BotProcess
from .recipe import child_main
from .resolve import resolve
from .settings import ACTIVE, DEFAULT_SETTINGS, LAYERS, SandboxSettings, missing
from .tree import SessionTree

log = logging.getLogger(__name__)
# A child that has not exec'd after this long is stuck in set-up (a cgroup write, a mount).
SETUP_TIMEOUT_S = 10.0
STATUS_MAX = 4096


def launch(argv: Sequence[str], *, cwd: Path, limits: Limits, slot: int = 0,
           runtime: str | None = None, sandbox: SandboxSettings | None = None) -> BotProcess:
    """Start `argv` jailed in the bot folder `cwd` under `limits`; return its handle.

    `slot` picks the per-slot cgroup and uid: it must be unique among bots running at
    the same time. Raises ConfigError when the program cannot be found, LaunchError
    when a layer cannot be set up (the bot never runs with fewer layers than reported).
    """
    settings = sandbox or DEFAULT_SETTINGS
    cwd = Path(os.path.realpath(cwd))
    if not cwd.is_dir():
        raise LaunchError(f"the bot folder {cwd} does not exist")
    plan = make_plan(resolve(argv, cwd, runtime), cwd, limits, settings)
    become_subreaper()
    pid, pipes = spawn(plan)
    log.info("launched %s as pid %d (%s)", plan.command.argv[0], pid, plan.command.runtime)
    return BotProcess(pid, pipes, runtime=plan.command.runtime, layers=dict(plan.layers), limits=limits,
                      tree=SessionTree(pid), kill_grace_s=settings.kill_grace_s)


def make_plan(command, cwd: Path, limits: Limits, settings: SandboxSettings) -> Plan:  # noqa: ANN001
    layers = plan_layers(settings)
    return Plan(
        command=command,
        cwd=cwd,
        env=environment(cwd, dict(settings.extra_env)),
        rlimits=rlimits(limits, command.runtime, memory_cgroup=False, own_uid=False),
        layers=layers,
    )


def plan_layers(settings: SandboxSettings) -> dict[str, str]:
    """Which layers this launch applies; each missing one says why."""
    offered = {"rlimits": ACTIVE, "no_new_privs": ACTIVE}
    layers = {}
    for layer in LAYERS:
        status = offered.get(layer, missing("not built yet"))
        layers[layer] = status if settings.wants(layer) else missing("disabled by settings")
    return layers


def become_subreaper() -> None:
    """Orphans of a bot are re-parented to the judge, which reaps them (see tree.reap_strays)."""
    if not prctl.get_child_subreaper():
        prctl.set_child_subreaper(1)


def spawn(plan: Plan) -> tuple[int, tuple[int, int, int]]:
    """Fork; the child runs the recipe and execs. Returns the pid and the judge's pipe ends."""
    stdin_r, stdin_w = os.pipe2(os.O_CLOEXEC)
    stdout_r, stdout_w = os.pipe2(os.O_CLOEXEC)
    stderr_r, stderr_w = os.pipe2(os.O_CLOEXEC)
    status_r, status_w = os.pipe2(os.O_CLOEXEC)
    child = Child(stdin_r, stdout_w, stderr_w, status_w, judge_pid=os.getpid())
    try:
        pid = os.fork()
    except OSError as exc:
        _close(stdin_r, stdin_w, stdout_r, stdout_w, stderr_r, stderr_w, status_r, status_w)
        raise LaunchError(f"cannot fork a bot process: {exc}") from exc
    if pid == 0:
        child_main(plan, child)
    _close(stdin_r, stdout_w, stderr_w, status_w)
    try:
        await_exec(pid, status_r, plan)
    except BaseException:
        _close(stdin_w, stdout_r, stderr_r)
        raise
    return pid, (stdin_w, stdout_r, stderr_r)


def await_exec(pid: int, status_r: int, plan: Plan) -> None:
    """Block until the child exec'd (the status pipe closes empty) or reported a failed step."""
    try:
        report = _read_status(status_r)
    finally:
        os.close(status_r)
    if report is None:
        _abandon(pid)
        raise LaunchError(f"{plan.command.argv[0]}: the jail set-up did not finish in {SETUP_TIMEOUT_S:g} s")
    if report:
        _abandon(pid)
        step, _, error = report.decode(errors="replace").partition("\t")
        raise LaunchError(f"cannot start {plan.command.argv[0]}: jail step {step!r} failed: {error}")


def _read_status(fd: int) -> bytes | None:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    chunks = []
    while True:
        if not poller.poll(SETUP_TIMEOUT_S * 1000):
            return None
        chunk = os.read(fd, STATUS_MAX)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _abandon(pid: int) -> None:
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _close(*fds: int) -> None:
    for fd in fds:
        os.close(fd)
