"""launch(): plan a bot's jail in the judge, fork, run the recipe in the child, hand back a BotProcess."""
from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import prctl

from ..errors import LaunchError
from ..limits import Limits
from . import notify, seccomp
from .cgroups import Cgroups, Slot
from .files import entries
from .layers import cgroups, plan_layers
from .mounts import root_mounts, staging_dir
from .plan import Child, Plan
from .policy import environment, rlimits
from .process import BotProcess
from .recipe import child_main
from .resolve import Command, resolve
from .settings import ACTIVE, DEFAULT_SETTINGS, SandboxSettings
from .status import StatusReader
from .tree import CgroupTree, SessionTree

log = logging.getLogger(__name__)
# A child that has not exec'd after this long is stuck in set-up (a cgroup write, a mount).
SETUP_TIMEOUT_S = 10.0
BOT_UID_BASE = 20000            # slot n runs as uid/gid BOT_UID_BASE + n
NAMESPACE_BOT_PID = 2           # the bot's pid in its pid namespace (pid 1 is the namespace's init)


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
    command = resolve(argv, cwd, runtime)
    layers = plan_layers(settings)
    group = slot_cgroup(slot, limits) if layers["cgroups"] == ACTIVE else None
    plan = make_plan(command, cwd, limits, slot, settings, layers, group)
    if plan.on("uid"):
        chown_tree(cwd, plan.uid, plan.gid)
    become_subreaper()
    bot_pid, init_pid, pipes, listener = spawn(plan)
    tree = SessionTree(bot_pid)
    bot = BotProcess(bot_pid, pipes, runtime=plan.command.runtime, layers=dict(plan.layers), limits=limits,
                     tree=CgroupTree(group, tree) if group else tree, kill_grace_s=settings.kill_grace_s, cwd=cwd,
                     helper_pid=init_pid)
    if listener is not None:
        notify.SUPERVISOR.watch(listener, watched(plan, bot))
    log.info("launched %s as pid %d (%s)", plan.command.argv[0], bot_pid, plan.command.runtime)
    return bot


def make_plan(command: Command, cwd: Path, limits: Limits, slot: int, settings: SandboxSettings,
              layers: dict[str, str], group: Slot | None) -> Plan:
    on = {name for name, status in layers.items() if status == ACTIVE}
    uid = BOT_UID_BASE + slot
    mounts = root_mounts(command, cwd, settings.scratch_bytes, settings.readonly_paths, settings.proc) \
        if "pivot_root" in on else ()
    return Plan(
        command=command,
        cwd=str(cwd),
        env=environment(cwd, dict(settings.extra_env)),
        rlimits=rlimits(limits, command.runtime, memory_cgroup="cgroups" in on, own_uid="uid" in on),
        layers=layers,
        cgroup_procs=group.procs_files if group else (),
        mounts=mounts,
        stage=staging_dir() if mounts else "",
        uid=uid,
        gid=uid,
        cap_last=int(Path("/proc/sys/kernel/cap_last_cap").read_text()),
        # In its pid namespace the bot is always pid 2, so one compiled filter fits every launch.
        bpf=seccomp.compile_bpf(command.runtime, NAMESPACE_BOT_PID) if {"seccomp", "namespaces"} <= on else None,
        user_namespace="namespaces" in on and os.geteuid() != 0,
        outer_uid=os.geteuid(),
        outer_gid=os.getegid(),
    )


def slot_cgroup(slot: int, limits: Limits) -> Slot:
    """The slot's cgroup, emptied of the previous bot's counters, with this bot's limits."""
    manager = cgroups()
    if not isinstance(manager, Cgroups):
        raise LaunchError(f"cgroups became unavailable: {manager}")
    try:
        group = manager.slot(slot)
        group.configure(limits)
    except OSError as exc:
        raise LaunchError(f"cannot prepare the cgroup of slot {slot}: {exc}") from exc
    return group


def chown_tree(folder: Path, uid: int, gid: int) -> None:
    """The bot may write in its own folder (and nowhere else)."""
    os.chown(folder, uid, gid)
    for entry in entries(str(folder)):
        os.lchown(entry.path, uid, gid)


def become_subreaper() -> None:
    """The bot is re-parented to the judge (its set-up parent exits), which reaps it."""
    if not prctl.get_child_subreaper():
        prctl.set_child_subreaper(1)


def watched(plan: Plan, bot: BotProcess) -> notify.Watched:
    own_pid = NAMESPACE_BOT_PID if plan.on("namespaces") else bot.pid
    return notify.Watched(plan.command.runtime, own_pid, bot.stop_for_security, bot.denied_syscalls)


def spawn(plan: Plan) -> tuple[int, int, tuple[int, int, int], int | None]:
    """Fork; the child runs the recipe and execs. Returns the bot's pid, its namespace
    init's pid (0: none), the judge's pipe ends, and the seccomp listener (None: no seccomp)."""
    stdin_r, stdin_w = os.pipe2(os.O_CLOEXEC)
    stdout_r, stdout_w = os.pipe2(os.O_CLOEXEC)
    stderr_r, stderr_w = os.pipe2(os.O_CLOEXEC)
    status_r, status_w = os.pipe2(os.O_CLOEXEC)
    go_r, go_w = os.pipe2(os.O_CLOEXEC)
    child = Child(stdin_r, stdout_w, stderr_w, status_w, go_r, judge_pid=os.getpid())
    try:
        pid = os.fork()
    except OSError as exc:
        _close(stdin_r, stdin_w, stdout_r, stdout_w, stderr_r, stderr_w, status_r, status_w, go_r, go_w)
        raise LaunchError(f"cannot fork a bot process: {exc}") from exc
    if pid == 0:
        child_main(plan, child)
    _close(stdin_r, stdout_w, stderr_w, status_w, go_r)
    try:
        bot_pid, init_pid, listener = StatusReader(status_r, go_w, pid, plan, SETUP_TIMEOUT_S).until_exec()
    except BaseException:
        _close(stdin_w, stdout_r, stderr_r)
        raise
    finally:
        _close(status_r, go_w)
    return bot_pid, init_pid, (stdin_w, stdout_r, stderr_r), listener


def _close(*fds: int) -> None:
    for fd in fds:
        os.close(fd)
