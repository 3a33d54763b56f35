"""The minimal root as data: what a bot sees, and how the child builds it.

The root is a small tmpfs, read-only once built, holding only:
  - the program the judge chose and its shared libraries (found with ldd), read-only;
    for Python the interpreter binary and its standard library folder;
  - the bot's arena folder, read-write, at the same path as in the judge;
  - /tmp, a private size-limited tmpfs; /dev/{null,zero,random,urandom};
  - extra read-only paths the match asks for; a procfs of the bot's own pid
    namespace only when asked (SandboxSettings.proc).
No host /proc, no host /tmp, no judge source, no other bot's folder.
"""
from __future__ import annotations

import functools
import os
import subprocess
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import libc
from .resolve import Command

DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")
# A native bot is untrusted: the judge never runs ldd on it (ldd may execute what it
# inspects); it gets the standard library folders instead.
NATIVE_LIBRARY_DIRS = ("/lib/x86_64-linux-gnu", "/lib64")
# Extension modules a bot has no use for that would pull in X11 and Tk.
SKIPPED_EXTENSIONS = ("_tkinter",)
ROOT_TMPFS = "size=1m,mode=0755"
HIDDEN = libc.MS_NOSUID | libc.MS_NODEV
# statvfs ST_* bits equal the MS_* mount flags: rdonly, nosuid, nodev, noexec, noatime, nodiratime, relatime.
KEPT_FLAGS = 0x1 | 0x2 | 0x4 | 0x8 | 0x400 | 0x800 | 0x1000


@dataclass(frozen=True, slots=True)
class Mount:
    """One mount in the bot's root. kind: "bind" (source -> target), "tmpfs" or "proc"."""

    kind: str
    target: str
    source: str = ""
    readonly: bool = True
    exec_ok: bool = True
    data: str = ""
    device: bool = False          # a device node: its mount must not be nodev

    @property
    def flags(self) -> int:
        flags = libc.MS_NOSUID | (0 if self.device else libc.MS_NODEV) | (libc.MS_RDONLY if self.readonly else 0)
        return flags | (0 if self.exec_ok else libc.MS_NOEXEC)


def root_mounts(command: Command, arena: Path, scratch_bytes: int, extra: tuple[Path, ...],
                proc: bool) -> tuple[Mount, ...]:
    """Every mount of one bot's root, in the order they are made."""
    program = runtime_files(command.runtime, str(command.path))
    mounts = [Mount("bind", path, path) for path in program]
    mounts += [Mount("bind", device, device, readonly=False, exec_ok=False, device=True) for device in DEVICES]
    mounts += [Mount("bind", str(path), str(path), exec_ok=False) for path in extra]
    mounts.append(Mount("tmpfs", "/tmp", readonly=False, exec_ok=False, data=f"size={scratch_bytes},mode=1777"))
    # Python and node bots never need to map an executable file from their own folder.
    mounts.append(Mount("bind", str(arena), str(arena), readonly=False, exec_ok=command.runtime == "native"))
    if proc:
        mounts.append(Mount("proc", "/proc", readonly=True, exec_ok=False))
    return tuple(mounts)


@functools.lru_cache(maxsize=32)
def runtime_files(runtime: str, program: str) -> tuple[str, ...]:
    """Host paths the program needs: itself, its libraries, and for Python its stdlib."""
    paths = {program}
    if runtime == "native":
        return tuple(sorted(paths | {d for d in NATIVE_LIBRARY_DIRS if os.path.isdir(d)}))
    binaries = [program]
    if runtime == "python3":
        stdlib = sysconfig.get_paths()["stdlib"]
        paths.add(stdlib)
        dynload = Path(stdlib) / "lib-dynload"
        binaries += sorted(str(p) for p in dynload.glob("*.so") if not p.name.startswith(SKIPPED_EXTENSIONS))
    paths.update(shared_libraries(tuple(binaries)))
    return tuple(sorted(paths))


def shared_libraries(binaries: tuple[str, ...]) -> set[str]:
    """Every shared library (and the dynamic loader) `binaries` load, by ldd."""
    result = subprocess.run(["ldd", *binaries], capture_output=True, text=True, check=False)
    found = set()
    for line in result.stdout.splitlines():
        words = line.split()
        if "=>" in words and len(words) > words.index("=>") + 1 and words[words.index("=>") + 1].startswith("/"):
            found.add(words[words.index("=>") + 1])
        elif words and words[0].startswith("/") and not words[0].endswith(":"):
            found.add(words[0])                                  # the loader: /lib64/ld-linux-x86-64.so.2
    return found


def staging_dir() -> str:
    """An empty directory, private to the judge's user, on which each child mounts its new root."""
    path = Path(tempfile.gettempdir()) / f"phoenix-jail-root-{os.geteuid()}"
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        info = path.lstat()
        if not path.is_dir() or path.is_symlink() or info.st_uid != os.geteuid():
            raise OSError(f"{path} exists and is not a directory owned by this user") from None
    return str(path)


# ---- in the child -------------------------------------------------------------------------

def build_root(mounts: tuple[Mount, ...], stage: str) -> None:
    """Make the new root under `stage`, pivot into it, drop the old one, make it read-only."""
    libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE)   # nothing leaks back to the host
    libc.mount("tmpfs", stage, "tmpfs", HIDDEN, ROOT_TMPFS)
    for mount in mounts:
        if mount.kind != "proc":
            place(mount, stage)
    os.chdir(stage)
    libc.pivot_root(".", ".")
    libc.umount2(".", libc.MNT_DETACH)                           # the old root, stacked on top
    os.chdir("/")
    for mount in mounts:
        if mount.kind == "proc":
            os.mkdir("/proc")
            libc.mount("proc", "/proc", "proc", mount.flags)
    libc.mount(None, "/", None, libc.MS_REMOUNT | libc.MS_RDONLY | HIDDEN)


def place(mount: Mount, stage: str) -> None:
    target = stage + mount.target
    if mount.kind == "tmpfs":
        os.makedirs(target, exist_ok=True)
        libc.mount("tmpfs", target, "tmpfs", mount.flags, mount.data)
        return
    if os.path.isdir(mount.source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    libc.mount(mount.source, target, None, libc.MS_BIND | libc.MS_REC)
    # A bind mount ignores flags; they apply on a remount of the bind (mount(2)). The
    # source's own restrictions are kept: in a user namespace they are locked anyway.
    kept = os.statvfs(mount.source).f_flag & KEPT_FLAGS
    libc.mount(None, target, None, libc.MS_REMOUNT | libc.MS_BIND | mount.flags | kept)
