"""The few system calls Python 3.11's os module lacks, through ctypes (argtypes set:
without them ctypes truncates pointers to 32 bits)."""
from __future__ import annotations

import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2

SYS_PIVOT_ROOT = 155
SYS_PIDFD_GETFD = 438

_libc.unshare.argtypes = [ctypes.c_int]
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
# syscall(2) is variadic: one typed prototype per use, so threads never race on argtypes.
_pivot_root = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_long, ctypes.c_char_p, ctypes.c_char_p,
                               use_errno=True)(("syscall", _libc))
_pidfd_getfd = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_long, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
                                use_errno=True)(("syscall", _libc))


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")
    return result


def _path(value: str | os.PathLike[str] | None) -> bytes | None:
    return None if value is None else os.fsencode(value)


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    result = _libc.mount(_path(source), _path(target), _path(fstype), flags, _path(data))
    _check(result, f"mount {source or fstype} on {target}")


def umount2(target: str, flags: int) -> None:
    _check(_libc.umount2(_path(target), flags), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    _check(_pivot_root(SYS_PIVOT_ROOT, _path(new_root), _path(put_old)), "pivot_root")


def sethostname(name: str) -> None:
    raw = name.encode()
    _check(_libc.sethostname(raw, len(raw)), "sethostname")


def pidfd_getfd(pidfd: int, target_fd: int) -> int:
    """A copy of another process's fd (needs ptrace-level access to it)."""
    return _check(_pidfd_getfd(SYS_PIDFD_GETFD, pidfd, target_fd, 0), "pidfd_getfd")
