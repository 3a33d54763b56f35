"""Which layers this machine and user can give a bot, and why any is missing.

`machine_layers()` is what the launcher plans with (cheap checks, cached);
`available_layers()` measures by launching a probe bot through the jail, so what
`check-sandbox` prints is what a bot actually gets.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from . import libc
from .cgroups import CgroupUnavailable, Cgroups
from .recipe import NAMESPACES, map_own_ids
from .seccomp import SeccompUnavailable, _pyseccomp
from .settings import ACTIVE, LAYERS, SandboxSettings, missing

NOT_ROOT = "the judge is not root"


@functools.cache
def cgroups() -> Cgroups | str:
    """The judge's cgroup manager, or why there is none."""
    if os.geteuid() != 0:
        return f"{NOT_ROOT}: creating cgroups needs root (or a delegated cgroup v2 subtree)"
    try:
        return Cgroups()
    except (CgroupUnavailable, OSError) as exc:
        return str(exc)


@functools.cache
def seccomp_status() -> str:
    try:
        _pyseccomp()
    except SeccompUnavailable as exc:
        return missing(str(exc))
    actions = Path("/proc/sys/kernel/seccomp/actions_avail")
    if not actions.exists() or "user_notif" not in actions.read_text().split():
        return missing("the kernel has no SECCOMP_RET_USER_NOTIF (Linux >= 5.5 needed)")
    return ACTIVE


@functools.cache
def user_namespaces() -> str:
    """ACTIVE if this user can create a user namespace with the jail's namespaces in it, else why not."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(ready_r)
            libc.unshare(libc.CLONE_NEWUSER | NAMESPACES)
            map_own_ids(os.geteuid(), os.getegid())
            libc.mount("tmpfs", "/", "tmpfs", 0, "size=4k")   # mounting is what the root needs
            os.write(ready_w, b"ok")
        except BaseException as exc:  # the child must never return into the judge's code
            os.write(ready_w, str(exc).encode(errors="replace")[:500])
        finally:
            os._exit(0)
    os.close(ready_w)
    with os.fdopen(ready_r, "rb") as reader:
        answer = reader.read().decode(errors="replace")
    os.waitpid(pid, 0)
    return ACTIVE if answer == "ok" else missing(f"{NOT_ROOT} and it cannot create user namespaces: {answer}")


@functools.cache
def machine_layers() -> dict[str, str]:
    """Each layer's status on this machine for this user, before any settings."""
    root = os.geteuid() == 0
    manager = cgroups()
    privileged = ACTIVE if root else user_namespaces()
    return {
        "cgroups": ACTIVE if isinstance(manager, Cgroups) else missing(manager),
        "namespaces": privileged,
        "pivot_root": privileged,
        "uid": ACTIVE if root else missing(f"{NOT_ROOT}: every bot runs as the judge's own uid "
                                           "(root without capabilities in its user namespace)"),
        "rlimits": ACTIVE,
        "no_new_privs": ACTIVE,
        "seccomp": seccomp_status(),
    }


DEPENDS = {"pivot_root": "namespaces", "seccomp": "no_new_privs"}


def plan_layers(settings: SandboxSettings) -> dict[str, str]:
    """The layers one launch applies: the machine's, minus what settings disable or a
    missing prerequisite rules out (pivot_root needs the mount namespace; seccomp after
    the uid change needs no_new_privs)."""
    layers = {}
    for layer in LAYERS:
        status = machine_layers()[layer]
        if not settings.wants(layer):
            status = missing("disabled by settings")
        needed = DEPENDS.get(layer)
        if status == ACTIVE and needed and layers.get(needed) != ACTIVE:
            status = missing(f"needs {needed}, which is {layers[needed]}")
        layers[layer] = status
    return layers
