"""One cgroup per bot slot: memory, pids and CPU accounting, and an atomic whole-tree kill.

Groups live under the judge's own cgroup (so whatever limits the judge runs under
still hold), in ``phoenix-<judge pid>/slot<N>``, are created once per slot and
reused: writing into a cgroup occasionally stalls ~13 ms, creating one costs more.
cgroup v2 is used when its controllers are enabled, else the v1 hierarchies
(memory, pids, cpuacct, freezer). Empty groups of dead judges are removed.
"""
from __future__ import annotations

import atexit
import logging
import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from ..limits import Limits

log = logging.getLogger(__name__)
V1_CONTROLLERS = ("memory", "pids", "cpuacct", "freezer")
V2_CONTROLLERS = ("memory", "pids", "cpu")
FREEZE_WAIT_S = 1.0
NAMESPACE_INIT = 1           # the pid namespace's init shares the slot's process budget


class CgroupUnavailable(Exception):
    """Why this machine gives bots no cgroup (the text ends up in `check-sandbox`)."""


def read_int(path: Path, key: str | None = None) -> int:
    """An integer cgroup file, or the value of `key` in a `key value` file."""
    text = path.read_text()
    if key is None:
        return int(text.split()[0])
    match = re.search(rf"^{re.escape(key)} (\d+)$", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


@dataclass(frozen=True, slots=True)
class Slot:
    """The cgroup(s) of one bot slot: v1 has one directory per controller, v2 one in all."""

    number: int
    version: int
    dirs: dict[str, Path]          # controller -> directory (v2: the same directory for all)

    @property
    def procs_files(self) -> tuple[str, ...]:
        """Files the child writes "0" into to join (one per distinct directory)."""
        return tuple(sorted({str(d / "cgroup.procs") for d in self.dirs.values()}))

    def configure(self, limits: Limits) -> None:
        """Set this launch's limits and reset the counters of the previous bot."""
        busy = [pid for pid in self.pids() if not _zombie(pid)]
        if busy:
            raise OSError(f"cgroup slot {self.number} still holds processes {busy}")
        if self.version == 1:
            self._configure_v1(limits)
        else:
            write(self.dirs["memory"] / "memory.max", str(limits.memory_bytes))
            write(self.dirs["memory"] / "memory.swap.max", "0")
            write(self.dirs["pids"] / "pids.max", str(limits.processes + NAMESPACE_INIT))

    def _configure_v1(self, limits: Limits) -> None:
        memory = self.dirs["memory"]
        swap = memory / "memory.memsw.limit_in_bytes"
        if swap.exists():
            write(swap, "-1")          # memsw must stay >= the memory limit while both change
        write(memory / "memory.limit_in_bytes", str(limits.memory_bytes))
        if swap.exists():
            write(swap, str(limits.memory_bytes))
        write(memory / "memory.max_usage_in_bytes", "0")
        write(self.dirs["pids"] / "pids.max", str(limits.processes + NAMESPACE_INIT))
        write(self.dirs["cpuacct"] / "cpuacct.usage", "0")

    def pids(self) -> list[int]:
        text = (self.dirs["pids"] / "cgroup.procs").read_text()
        return [int(line) for line in text.split()]

    def cpu_time_s(self) -> float:
        if self.version == 1:
            return read_int(self.dirs["cpuacct"] / "cpuacct.usage") / 1e9
        return read_int(self.dirs["cpu"] / "cpu.stat", "usage_usec") / 1e6

    def oom_kills(self) -> int:
        if self.version == 1:
            return read_int(self.dirs["memory"] / "memory.oom_control", "oom_kill")
        return read_int(self.dirs["memory"] / "memory.events", "oom_kill")

    def peak_memory_bytes(self) -> int:
        if self.version == 1:
            return read_int(self.dirs["memory"] / "memory.max_usage_in_bytes")
        peak = self.dirs["memory"] / "memory.peak"
        return read_int(peak) if peak.exists() else 0

    def kill_all(self) -> None:
        """SIGKILL every process in the slot, with no window for a fork to escape."""
        if self.version == 2:
            write(self.dirs["pids"] / "cgroup.kill", "1")
            return
        freezer = self.dirs["freezer"] / "freezer.state"
        write(freezer, "FROZEN")
        try:
            deadline = time.monotonic() + FREEZE_WAIT_S
            while freezer.read_text().strip() != "FROZEN" and time.monotonic() < deadline:
                time.sleep(0.001)
            for pid in self.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        finally:
            write(freezer, "THAWED")


def _zombie(pid: int) -> bool:
    """Dead, waiting to be reaped by a parent that is not the judge: nothing left to stop."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return True


class Cgroups:
    """Finds the cgroup hierarchies once and hands out per-slot groups."""

    def __init__(self, mountinfo: Path = Path("/proc/self/mountinfo"),
                 membership: Path = Path("/proc/self/cgroup")) -> None:
        self._slots: dict[int, Slot] = {}
        self.version, self._bases = detect(mountinfo.read_text(), membership.read_text())
        self._cleanup_registered = False

    def slot(self, number: int) -> Slot:
        if number not in self._slots:
            self._slots[number] = self._create(number)
        return self._slots[number]

    def _create(self, number: int) -> Slot:
        dirs = {}
        for controller, base in self._bases.items():
            judge_dir = base / f"phoenix-{os.getpid()}"
            if not judge_dir.exists():
                remove_stale_groups(base)
                judge_dir.mkdir(exist_ok=True)
                if self.version == 2:
                    enable_v2_controllers(judge_dir)
            dirs[controller] = judge_dir / f"slot{number}"
            dirs[controller].mkdir(exist_ok=True)
        if not self._cleanup_registered:
            atexit.register(self.remove_all)
            self._cleanup_registered = True
        return Slot(number, self.version, dirs)

    def remove_all(self) -> None:
        """Remove this judge's (empty) groups; called at exit."""
        for base in set(self._bases.values()):
            judge_dir = base / f"phoenix-{os.getpid()}"
            for slot_dir in judge_dir.glob("slot*"):
                _rmdir(slot_dir)
            _rmdir(judge_dir)


def _rmdir(path: Path) -> None:
    try:
        path.rmdir()
    except OSError as exc:
        log.debug("cannot remove cgroup %s: %s", path, exc)


def remove_stale_groups(base: Path) -> None:
    """Remove empty groups left by judges that no longer run (SIGKILLed ones)."""
    for judge_dir in base.glob("phoenix-*"):
        pid = judge_dir.name.removeprefix("phoenix-")
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            for slot_dir in judge_dir.glob("slot*"):
                _rmdir(slot_dir)
            _rmdir(judge_dir)


def enable_v2_controllers(judge_dir: Path) -> None:
    """v2: the parent must delegate memory/pids/cpu to the judge's groups (its subtree_control)."""
    write(judge_dir.parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in V2_CONTROLLERS))
    write(judge_dir / "cgroup.subtree_control", " ".join(f"+{c}" for c in V2_CONTROLLERS))


def detect(mountinfo: str, membership: str) -> tuple[int, dict[str, Path]]:
    """(version, controller -> the judge's own cgroup directory) or CgroupUnavailable."""
    v1, v2 = parse_mounts(mountinfo)
    own = parse_membership(membership)
    if v2 is not None:
        base = v2 / own.get("", "/").lstrip("/")
        controllers = base / "cgroup.controllers"
        if controllers.exists() and set(V2_CONTROLLERS) <= set(controllers.read_text().split()):
            return 2, {c: base for c in V2_CONTROLLERS}
    missing = [c for c in V1_CONTROLLERS if c not in v1]
    if missing:
        raise CgroupUnavailable(f"no cgroup v1 hierarchy for {', '.join(missing)} and no cgroup v2 "
                                f"with {', '.join(V2_CONTROLLERS)} enabled")
    return 1, {c: v1[c] / own.get(c, "/").lstrip("/") for c in V1_CONTROLLERS}


def parse_mounts(mountinfo: str) -> tuple[dict[str, Path], Path | None]:
    """From /proc/self/mountinfo: v1 controller -> mount point, and the v2 mount point."""
    v1: dict[str, Path] = {}
    v2 = None
    for line in mountinfo.splitlines():
        fields = line.split()
        separator = fields.index("-")
        mount_point, fstype, options = Path(fields[4]), fields[separator + 1], fields[separator + 3]
        if fstype == "cgroup2":
            v2 = mount_point
        elif fstype == "cgroup":
            for option in options.split(","):
                v1.setdefault(option, mount_point)
    return v1, v2


def parse_membership(text: str) -> dict[str, str]:
    """From /proc/self/cgroup: controller -> the judge's path ("" is the v2 entry)."""
    own = {}
    for line in text.splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            own[controller] = path
    return own
