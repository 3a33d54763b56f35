"""Measure the layers a bot really gets, by launching a probe bot through the jail.

The probe (stdlib only) reports what it sees from inside; the judge checks from
outside what only it can see (cgroup membership, namespace inodes, the seccomp
supervisor's count of a denied call). A layer is `active` only when both agree.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import PhoenixError
from ..limits import Limits
from .launcher import NAMESPACE_BOT_PID, launch
from .process import BotProcess
from .settings import ACTIVE, LAYERS, SandboxSettings, missing

PROBE_SLOT = 4095            # a slot (cgroup, uid) no match uses
PROBE_LIMITS = Limits(startup_s=10.0, total_cpu_s=5.0)
PROBE_SOURCE = r'''
import ctypes, errno, json, os, resource, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
class Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]
caps = (Data * 2)()
libc.capget(ctypes.byref(Header(0x20080522, 0)), caps)
try:
    socket.socket().close()
    denied = None
except OSError as exc:
    denied = errno.errorcode.get(exc.errno)
print(json.dumps({
    "pid": os.getpid(), "uid": os.getuid(), "hostname": os.uname().nodename,
    "caps": sum(c.effective | c.permitted | c.inheritable for c in caps),
    "no_new_privs": libc.prctl(39, 0, 0, 0, 0), "seccomp": libc.prctl(21, 0, 0, 0, 0),
    "cpu_limit": resource.getrlimit(resource.RLIMIT_CPU)[0], "socket": denied,
    "root": sorted(os.listdir("/")), "host_files": [p for p in sys.argv[1:] if os.path.exists(p)],
}), flush=True)
sys.stdin.read()
'''


def available_layers(settings: SandboxSettings | None = None) -> dict[str, str]:
    """Each layer's status, measured on a probe bot launched through the jail."""
    folder = Path(tempfile.mkdtemp(prefix="phoenix-probe-"))
    try:
        (folder / "probe.py").write_text(PROBE_SOURCE)
        secrets = [str(Path(__file__).resolve()), "/etc/passwd"]
        try:
            bot = launch(["python3", "probe.py", *secrets], cwd=folder, limits=PROBE_LIMITS, slot=PROBE_SLOT,
                         sandbox=settings)
        except PhoenixError as exc:
            return {layer: missing(f"the probe bot could not start: {exc}") for layer in LAYERS}
        try:
            return judge(bot, observe(bot))
        finally:
            bot.kill()
            for fd in (bot.stdin, bot.stdout, bot.stderr):
                os.close(fd)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def observe(bot: BotProcess) -> dict[str, Any]:
    """The probe's report (read while it waits on stdin, so the judge can look at it too)."""
    buffer = b""
    while b"\n" not in buffer and select.select([bot.stdout], [], [], PROBE_LIMITS.startup_s)[0]:
        chunk = os.read(bot.stdout, 65536)
        if not chunk:
            break
        buffer += chunk
    if b"\n" not in buffer:
        error = os.read(bot.stderr, 65536).decode(errors="replace") if select.select([bot.stderr], [], [], 0)[0] else ""
        return {"error": f"the probe bot said nothing ({error.strip()[-300:] or bot.poll()})"}
    report = json.loads(buffer.split(b"\n", 1)[0])
    report["outside"] = outside_view(bot)
    return report


def outside_view(bot: BotProcess) -> dict[str, Any]:
    mine = {ns: _ns(os.getpid(), ns) for ns in ("mnt", "pid", "net", "ipc", "uts")}
    theirs = {ns: _ns(bot.pid, ns) for ns in mine}
    return {"own_namespaces": sorted(ns for ns in mine if mine[ns] != theirs[ns]),
            "in_cgroup": bot.in_cgroup(), "denied": dict(bot.denied_syscalls)}


def _ns(pid: int, name: str) -> str:
    try:
        return os.readlink(f"/proc/{pid}/ns/{name}")
    except OSError:
        return ""


def judge(bot: BotProcess, seen: dict[str, Any]) -> dict[str, str]:
    """`active` where the plan said active and the measurement confirms it."""
    if "error" in seen:
        return {layer: missing(seen["error"]) for layer in LAYERS}
    checks = {
        "cgroups": (seen["outside"]["in_cgroup"], "the bot is not in its slot cgroup"),
        "namespaces": (seen["pid"] == NAMESPACE_BOT_PID and len(seen["outside"]["own_namespaces"]) == 5,
                       f"own namespaces only for {seen['outside']['own_namespaces']}"),
        "pivot_root": (not seen["host_files"] and "etc" not in seen["root"],
                       f"the bot sees host files {seen['host_files']}"),
        "uid": (seen["uid"] != 0 and seen["caps"] == 0, f"uid {seen['uid']}, capabilities {seen['caps']:#x}"),
        "rlimits": (seen["cpu_limit"] == PROBE_LIMITS.total_cpu_s, f"RLIMIT_CPU is {seen['cpu_limit']}"),
        "no_new_privs": (seen["no_new_privs"] == 1, "no_new_privs is not set"),
        "seccomp": (seen["seccomp"] == 2 and seen["socket"] == "EPERM" and seen["outside"]["denied"].get("socket"),
                    f"seccomp mode {seen['seccomp']}, socket() gave {seen['socket']}"),
    }
    result = {}
    for layer in LAYERS:
        planned = bot.layers[layer]
        ok, why = checks[layer]
        result[layer] = planned if planned != ACTIVE else (ACTIVE if ok else missing(f"planned, but {why}"))
    return result


