"""The jail's set-up recipe, run in the forked child between fork and exec.

Each step is one small function; `RECIPE` lists them in the order they run. Why
this order (docs/sandbox.md has the long form):
  cgroup before fork, so the bot and all it starts are accounted from the start;
  fds before unshare, so no judge fd crosses into the bot's namespaces;
  the pid namespace needs a fork: the set-up process forks the bot (pid 1 of its
  namespace) and exits, and the bot is re-parented to the judge, a child subreaper;
  mounts and pivot_root need root, so they precede dropping the uid;
  setting a uid clears PDEATHSIG, so it is re-armed right after;
  seccomp comes last, just before exec, so set-up itself is not filtered.
A step that fails raises; `child_main` reports the step and error on the status
pipe and exits 127, so a bot never runs with less than the judge reported.
No logging here: its locks may be held by another judge thread at fork time.
"""
from __future__ import annotations

import os
import resource
import select
import signal
from collections.abc import Callable
from typing import NoReturn

import prctl

from . import libc, seccomp
from .mounts import build_root
from .plan import Child, Plan

STATUS_FD = 3          # the status pipe's number in the child, closed by exec (O_CLOEXEC)
GO_FD = 4              # the judge's "you are my child now" pipe, closed by exec
FIRST_FREE_FD = 5
CHILD_FAILED = 127
NAMESPACES = libc.CLONE_NEWNS | libc.CLONE_NEWPID | libc.CLONE_NEWNET | libc.CLONE_NEWIPC | libc.CLONE_NEWUTS


def tell_judge(child: Child, key: str, value: object) -> None:
    os.write(child.status, f"{key}\t{value}\n".encode())


def setup_session(plan: Plan, child: Child) -> None:
    """The set-up process dies with the judge."""
    prctl.set_pdeathsig(signal.SIGKILL)


def join_cgroup(plan: Plan, child: Child) -> None:
    """Join the slot's cgroup(s); the bot and everything it starts inherit it."""
    for procs in plan.cgroup_procs:
        with open(procs, "w") as handle:
            handle.write("0")


def setup_fds(plan: Plan, child: Child) -> None:
    """stdin/stdout/stderr become the judge's pipes; every other fd is closed."""
    # Move every end above the target numbers first, so no dup2 clobbers another end.
    high = [os.dup(fd) for fd in (child.stdin, child.stdout, child.stderr, child.status, child.go)]
    for target, fd in enumerate(high):
        os.dup2(fd, target, inheritable=target < STATUS_FD)
    child.status, child.go = STATUS_FD, GO_FD
    os.closerange(FIRST_FREE_FD, os.sysconf("SC_OPEN_MAX"))


def unshare_namespaces(plan: Plan, child: Child) -> None:
    """New namespaces; a judge that is not root first gets a user namespace owning them,
    in which its own uid is root (and the only uid there is)."""
    if not plan.on("namespaces"):
        return
    libc.unshare(NAMESPACES | (libc.CLONE_NEWUSER if plan.user_namespace else 0))
    if plan.user_namespace:
        map_own_ids(plan.outer_uid, plan.outer_gid)
    libc.sethostname(plan.hostname)


def map_own_ids(uid: int, gid: int) -> None:
    """user_namespaces(7): an unprivileged process may map only its own ids, and must deny setgroups first."""
    for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)


def become_bot(plan: Plan, child: Child) -> None:
    """Fork the namespace's init (if there is a pid namespace), then the bot, and exit.

    The bot is pid 2, not pid 1: an init ignores the signals it sends itself (so
    `os.kill(os.getpid(), SIGSEGV)` or abort() would not end it). Both are re-parented
    to the judge, a child subreaper, which waits for the bot directly.
    """
    init = os.fork() if plan.on("namespaces") else 0
    if init == 0 and plan.on("namespaces"):
        namespace_init(child)
    pid = os.fork()
    if pid:
        tell_judge(child, "pid", f"{pid} {init}")
        os._exit(0)
    wait_for_judge(child)
    child.in_pid_namespace = plan.on("namespaces")
    os.setsid()
    arm_pdeathsig(child)


def wait_for_judge(child: Child) -> None:
    # Not an EOF from the exiting parent: its fds close before it re-parents its children,
    # and a PDEATHSIG armed in that window fires. The judge writes once it reaped the parent.
    if os.read(child.go, 1) != b"g":
        raise RuntimeError("the judge went away during set-up")


def namespace_init(child: Child) -> NoReturn:
    """Pid 1 of the bot's namespace: reap orphans until the judge kills it (or dies)."""
    try:
        wait_for_judge(child)
        arm_pdeathsig(child)
        os.closerange(0, os.sysconf("SC_OPEN_MAX"))     # no copy of the bot's pipes: EOF must reach the judge
        os.setsid()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        while True:
            signal.sigwait({signal.SIGCHLD})
            reap_all()
    finally:
        os._exit(CHILD_FAILED)


def reap_all() -> None:
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def arm_pdeathsig(child: Child) -> None:
    prctl.set_pdeathsig(signal.SIGKILL)
    # If the judge died before PDEATHSIG was set, its end of the status pipe is closed.
    poller = select.poll()
    poller.register(child.status, select.POLLOUT)
    if any(events & select.POLLERR for _, events in poller.poll(0)):
        raise RuntimeError("the judge died during set-up")


def setup_root(plan: Plan, child: Child) -> None:
    if plan.on("pivot_root"):
        build_root(plan.mounts, plan.stage)
    os.chdir(plan.cwd)


def drop_credentials(plan: Plan, child: Child) -> None:
    """Per-slot uid/gid, no supplementary groups, no capabilities, empty bounding set.

    In a user namespace (a judge that is not root) the only uid is the judge's own, seen
    as 0: the bot keeps it but loses every capability (an empty bounding set and
    inheritable set leave root nothing at exec)."""
    if plan.user_namespace:
        drop_capabilities(plan)
    if not plan.on("uid"):
        return
    drop_capabilities(plan)
    os.setgroups([])
    os.setresgid(plan.gid, plan.gid, plan.gid)
    os.setresuid(plan.uid, plan.uid, plan.uid)     # clears permitted/effective/ambient caps
    if prctl.cap_permitted.setuid or prctl.cap_effective.sys_admin:
        raise RuntimeError("capabilities survived the uid change")


def drop_capabilities(plan: Plan) -> None:
    for cap in range(plan.cap_last + 1):
        prctl.capbset_drop(cap)
    prctl.cap_inheritable.limit()


def rearm_pdeathsig(plan: Plan, child: Child) -> None:
    """Changing credentials clears PDEATHSIG (prctl(2)); set it again."""
    arm_pdeathsig(child)


def setup_rlimits(plan: Plan, child: Child) -> None:
    if plan.on("rlimits"):
        for which, limits in plan.rlimits.items():
            resource.setrlimit(which, limits)


def no_new_privs(plan: Plan, child: Child) -> None:
    """No setuid bit or file capability can raise privileges after exec."""
    if plan.on("no_new_privs"):
        prctl.set_no_new_privs(1)


def load_seccomp(plan: Plan, child: Child) -> None:
    """Last: from here every call is filtered; the judge must let our execve through."""
    if plan.on("seccomp"):
        bpf = plan.bpf or seccomp.compile_bpf(plan.command.runtime, os.getpid())
        tell_judge(child, "listener", seccomp.load(bpf))


def execute(plan: Plan, child: Child) -> None:
    os.execve(plan.command.path, list(plan.command.argv), plan.env)


Step = Callable[[Plan, Child], None]
RECIPE: tuple[tuple[str, Step], ...] = (
    ("session", setup_session),
    ("cgroups", join_cgroup),
    ("fds", setup_fds),
    ("namespaces", unshare_namespaces),
    ("fork", become_bot),
    ("pivot_root", setup_root),
    ("uid", drop_credentials),
    ("pdeathsig", rearm_pdeathsig),
    ("rlimits", setup_rlimits),
    ("no_new_privs", no_new_privs),
    ("seccomp", load_seccomp),
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
    message = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    try:
        tell_judge(child, "fail", f"{step}\t{message}")
    except OSError:
        pass  # the judge is gone; nobody is left to tell
